"""The offline static site: an index, an overview graph and one page per domestic accelerator.

Only this package imports pyvis and reads the browser assets; importing it does no work.
The public entry point is :func:`render_site` (see :mod:`graph.render.site`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

__all__ = ["render_site"]


def render_site(
    store: Any,
    output_dir: Path,
    as_of: str | dt.date | None = None,
    scenario: Any = None,
    progress: Any = None,
    **kwargs: Any,
) -> Path:
    """Render the site into ``output_dir`` (atomically); see :func:`graph.render.site.render_site`."""
    from graph.render.site import render_site as _render_site

    return _render_site(store, output_dir, as_of=as_of, scenario=scenario, progress=progress, **kwargs)
