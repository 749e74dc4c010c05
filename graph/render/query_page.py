"""The SPARQL query page that ``chipgraph serve`` sends for ``/query``: one more Jinja template.

It is rendered by the same engine as the site (:mod:`graph.render.templating`), so the catalogue
of named queries goes into the page's script through the same ``script_json`` escaping, and the
limits shown are autoescaped text. The page's only script carries ``nonce``, which the server
also puts in the page's Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.render.templating import render

__all__ = ["render_query_page"]


def render_query_page(*, nonce: str, queries: Sequence[dict[str, Any]], max_rows: int, timeout: float) -> str:
    """The query page as HTML.

    Parameters
    ----------
    nonce : str
        The script nonce of this response (fresh per request; the server's CSP names it).
    queries : list of dict
        The named queries (``NamedQuery.as_dict()``), offered in the page's picker.
    max_rows, timeout : int, float
        The server's row cap and time limit in seconds, shown to the reader.
    """
    return str(render("query.html", nonce=nonce, queries=list(queries), max_rows=max_rows, timeout=f"{timeout:g}"))
