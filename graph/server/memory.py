"""The in-memory copy of the store that ``chipgraph serve --in-memory`` shares with its workers.

Why a module: query workers are forked from a warm fork server (see ``graph.server.http._context``).
When ``$CHIPGRAPH_SERVE_MEMORY_STORE`` names a store directory as the fork server starts, this
module, preloaded there, copies that store into an in-memory Oxigraph store once; every worker
forked afterwards inherits it copy-on-write (reads do not copy the pages), so N workers cost one
copy. Oxigraph answers from memory 3-7x faster than from its RocksDB files on queries that
compare, sort or return many strings (``scripts/bench_queries.py``, "in memory" column).

A worker uses the copy only if it was made from its own store directory; otherwise (no copy, a
copy of another store, or a fork server started before the variable was set) it opens the
directory read-only as usual, so the answers are the same either way.
"""

from __future__ import annotations

import os
from typing import Any

ENV = "CHIPGRAPH_SERVE_MEMORY_STORE"

#: The store directory the copy was made from, and the copy (None when there is none).
STORE_DIR: str | None = None
STORE: Any = None


def _load() -> None:
    global STORE, STORE_DIR
    path = os.environ.get(ENV)
    if not path:
        return
    try:
        import pyoxigraph as ox

        from graph.store.local import memory_copy

        # one thread: the copy is forked, and a fork must not inherit a busy thread pool
        STORE = memory_copy(ox.Store.read_only(path), path, parallel=False).store
        STORE_DIR = path
    except (OSError, RuntimeError, ValueError):
        pass  # no copy: the workers open the store on disk, and `chipgraph serve` says so


_load()
