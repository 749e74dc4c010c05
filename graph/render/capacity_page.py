"""Render an accelerator's capacity page (``templates/capacity.html``) with Jinja2, autoescaped.

The page is self-contained and offline: inline CSS and SVG, no scripts, no external assets. Every
value from the data goes through Jinja2's autoescaping. The lead wires :func:`render_capacity_page`
into the site and the build; it takes one result of :func:`graph.capacity.model.capacity`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graph.paths import TEMPLATES_DIR

__all__ = ["render_capacity_page"]


@cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_capacity_page(result: dict[str, Any], sources: dict[str, dict[str, Any]] | None = None) -> str:
    """The HTML of the capacity page for one result (deterministic: same result, same bytes)."""
    from graph.capacity.page import page_data

    return _environment().get_template("capacity.html").render(page=page_data(result, sources))
