"""Parse the named queries once in the fork server, so that every query worker starts with them checked.

Why a module, run at import: the query workers are forked from a warm fork server that imports a
fixed list of modules (``graph.server.pool._context``), and importing is the only hook it offers.
When ``$CHIPGRAPH_SERVE_WARM`` names a queries folder as the fork server starts, this module,
preloaded there, runs the parse check (:func:`graph.server.guard.warm`) on each of its queries;
forked workers inherit the cache. Without the variable it does nothing. A folder that cannot be
read is skipped: the endpoint reports a broken catalogue itself, on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "CHIPGRAPH_SERVE_WARM"


def _warm() -> None:
    folder = os.environ.get(ENV)
    if not folder:
        return
    from graph.errors import ChipgraphError
    from graph.server.guard import warm
    from graph.sparql.queries import catalogue

    try:
        warm([q.text for q in catalogue(Path(folder)).values()])
    except (ChipgraphError, OSError):
        pass


_warm()
