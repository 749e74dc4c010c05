"""The path type of every file and folder option of the CLI."""

from __future__ import annotations

from typing import Any

import click

__all__ = ["PathArg"]


class PathArg(click.Path):
    """``click.Path`` that refuses an empty value.

    ``Path("")`` is the current folder, so ``build -o ''`` would otherwise write the store, the
    site and the RDF files among whatever the current folder holds.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("needs a path, not an empty value", param, ctx)
        return super().convert(value, param, ctx)
