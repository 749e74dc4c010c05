"""Escaping for the contexts chipgraph writes data into: HTML text, inline JSON and links.

Every label, note and title in the graph comes from data files or the ETO dataset and may hold
markup (a firm named ``<img src=x onerror=alert(1)>`` must show as text). HTML text and
attribute values are escaped by the templates' autoescaping (:mod:`graph.render.templating`;
:func:`h` is the same rule for Python callers); data for a page script goes through
:func:`script_json` (the ``script_json`` template filter), which a ``</script>`` inside a string
cannot break out of; links go through :func:`safe_url` (the ``safe_url`` filter), which refuses
``javascript:`` and other non-web schemes. These are the only copies: the site and the server's
query page both use them.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["h", "script_json", "safe_url"]

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def h(value: Any) -> str:
    """``value`` as HTML text, safe in element content and in double- or single-quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">``.

    Keys are sorted and the separators fixed so that the same data gives the same bytes.
    ``<``, ``>`` and ``&`` become ``\\u003c`` and friends, which JSON.parse reads back unchanged
    but which the HTML parser never sees as a tag.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, repl in _JSON_ESCAPES.items():
        text = text.replace(char, repl)
    return text


def safe_url(url: Any) -> str | None:
    """``url`` if it is an http(s) URL, else None (never a ``javascript:`` or ``data:`` link)."""
    if not url:
        return None
    text = str(url).strip()
    if text.lower().startswith(("https://", "http://")) and not any(c in text for c in "\"'<>\n\r\t "):
        return text
    return None
