"""Fill the site's HTML templates (``graph/render/templates/*.html``) with already-escaped fragments.

``string.Template`` is enough: the templates only have named slots, and substitution is a single
pass, so a ``$`` inside a value is never expanded again. Every value passed in must already be
safe HTML (built with :func:`graph.render.escape.h` and friends).
"""

from __future__ import annotations

from functools import cache
from string import Template

from graph.paths import TEMPLATES_DIR

__all__ = ["fill"]


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES_DIR / name).read_text(encoding="utf-8"))


def fill(name: str, **slots: str) -> str:
    """The template ``name`` with every ``${slot}`` replaced; a missing slot is an error."""
    return _template(name).substitute(slots)
