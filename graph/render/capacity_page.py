"""Render an accelerator's capacity page (``templates/capacity.html``) with Jinja2, autoescaped.

The page is self-contained and offline: inline CSS and SVG, no scripts, no external assets. Every
value from the data goes through Jinja2's autoescaping. The lead wires :func:`render_capacity_page`
into the site and the build; it takes one result of :func:`graph.capacity.model.capacity`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_capacity_page"]


def render_capacity_page(
    result: dict[str, Any],
    sources: dict[str, dict[str, Any]] | None = None,
    licensed: tuple[tuple[str, str, str], ...] = (),
) -> str:
    """The HTML of the capacity page for one result (deterministic: same result, same bytes).

    ``licensed``: (title, publisher, licence URL) of the imported datasets, credited in the footer.
    """
    from graph.capacity.page import page_data
    from graph.render.templating import environment

    return environment().get_template("capacity.html").render(page=page_data(result, sources), licensed=licensed)
