"""The endpoint's refusal of query text, as HTTP statuses: 403 for SERVICE and updates, 400 for the rest.

The decision itself is :func:`graph.sparql.guard.check_query` (the parsed query, never a scan of
its text), shared with ``chipgraph query``. It runs in the query worker processes
(:mod:`graph.server.worker`), inside each query's time limit, so no check holds an HTTP thread or
the GIL of the server process. The second, independent layer is the worker's no-network filter
(:func:`graph.sparql.sandbox.forbid_network`).
"""

from __future__ import annotations

from graph.server.worker import QueryFailed
from graph.sparql.guard import Checked, QueryRefused, check_query

__all__ = ["check", "warm"]


def check(text: str) -> Checked:
    """The form and dataset of ``text``; :class:`QueryFailed` (403 or 400) when it must not run."""
    try:
        return check_query(text)
    except QueryRefused as exc:
        message = exc.message.replace("chipgraph never fetches", "this endpoint never fetches").replace(
            "chipgraph is read-only", "this endpoint is read-only"
        )
        raise QueryFailed(exc.status, message) from None


def warm(texts: list[str]) -> None:
    """Parse ``texts`` once so that their checks are cached (rdflib needs 30-200 ms a named query).

    Called in the fork server before any worker is forked (see :mod:`graph.server.warm`), so every
    worker, including each replacement of a cancelled one, starts with the catalogue parsed.
    """
    for text in texts:
        try:
            check_query(text)
        except QueryRefused:
            pass
