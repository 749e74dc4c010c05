"""The one template engine of chipgraph's HTML: Jinja2 over ``graph/render/templates``.

Every page of the site and the server's query page are Jinja templates rendered through
:func:`environment`. Autoescaping is on for ``.html`` and ``.svg`` templates, so every value from
the data (labels, notes, titles, which may hold markup) is escaped unless a template says
otherwise; the only ways around it are the filters below, each of which produces safe text:

``script_json``
    data as JSON for a ``<script type="application/json">`` island (:func:`graph.render.escape.script_json`).
``safe_url``
    an http(s) URL or None (:func:`graph.render.escape.safe_url`), for ``href``.
``thousands``
    an integer with thousands separators (``17,676``).

``StrictUndefined`` makes a missing variable an error instead of an empty string, so a template
and its caller cannot drift apart silently. Rendering is deterministic: templates read no clock
and iterate only over the (sorted) lists they are given.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from graph.paths import TEMPLATES_DIR
from graph.render.escape import safe_url, script_json

__all__ = ["environment", "licence_name", "render"]


def _script_json(data: Any) -> Markup:
    return Markup(script_json(data))


def _thousands(value: int) -> str:
    return f"{value:,}"


def licence_name(url: str) -> str:
    """A licence URL as people cite it: ``https://creativecommons.org/licenses/by-nc/4.0/`` -> ``CC BY-NC 4.0``.

    >>> licence_name("https://creativecommons.org/licenses/by-nc/4.0/"), licence_name("https://example.org/l")
    ('CC BY-NC 4.0', 'https://example.org/l')
    >>> licence_name("https://creativecommons.org/publicdomain/zero/1.0/")
    'CC0 1.0'
    """
    m = re.fullmatch(r"https?://creativecommons\.org/(?:licenses/([a-z-]+)|publicdomain/(zero))/([0-9.]+)/?", url)
    if m is None:
        return url
    kind, zero, version = m.groups()
    return f"CC0 {version}" if zero else f"CC {kind.upper()} {version}"


@cache
def environment() -> Environment:
    """The shared Jinja2 environment (built once, on first use: importing this module does no work)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["script_json"] = _script_json
    env.filters["safe_url"] = safe_url
    env.filters["thousands"] = _thousands
    env.filters["licence_name"] = licence_name
    return env


def render(name: str, /, **context: Any) -> Markup:
    """The template ``name`` rendered with ``context``; the result is safe HTML (Markup)."""
    return Markup(environment().get_template(name).render(**context))
