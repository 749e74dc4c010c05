"""A bounded cache of the endpoint's answers: the same query on the same store gives the same bytes.

Why: ``chipgraph serve`` answers from a read-only store, so an answer depends only on the job
(query text, bindings, dataset, result format, row limit) and on the store it was computed from.
Named queries with their default parameters are asked again and again (the site's query page,
dashboards, ``/api/queries/NAME``), and the heavier ones cost 0.1-0.4 s of CPU each on the shipped
graph (``listed-parties`` returns the whole Chinese Entity List); answering a repeat from memory
keeps the query workers for queries not seen before. QLever caches results for the same reason.

What it holds: successful answers only (a refusal or a cut query is asked again, since load may
have caused it), each at most ``max_entry`` bytes, all together at most ``max_bytes`` (least
recently used first out). The key includes the *store version*, the size and modification time
of the build's ``manifest.json``, so a rebuild under a running server is never answered from the
old graph. Identical jobs that arrive while the first is running wait for its outcome (answer or
refusal) instead of running it again, up to their own time limit, so a burst of one query costs
one run, however expensive it is.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.server.worker import QueryFailed

__all__ = ["AnswerCache", "DEFAULT_CACHE_MB"]

DEFAULT_CACHE_MB = 64
#: The largest answer kept (bytes); bigger ones are answered but not kept.
MAX_ENTRY = 8_000_000


class _Flight:
    """One job being run: the requests asking the same job meanwhile wait for its outcome."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: dict | None = None
        self.error: QueryFailed | None = None


class AnswerCache:
    """Successful answers of query jobs, least recently used out beyond ``max_bytes``."""

    def __init__(self, manifest: Path, max_bytes: int = DEFAULT_CACHE_MB * 1_000_000, max_entry: int = MAX_ENTRY):
        self.manifest = manifest
        self.max_bytes = max(0, max_bytes)
        self.max_entry = min(max_entry, self.max_bytes)
        self._answers: OrderedDict[str, dict] = OrderedDict()
        self._running: dict[str, _Flight] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def _store_version(self) -> list[int]:
        try:
            stat = self.manifest.stat()
        except OSError:
            return [0, 0]
        return [stat.st_size, stat.st_mtime_ns]

    def key(self, job: dict) -> str:
        """The job and the store version as one string (the job holds only JSON-able values).

        No ``Accept`` header and ``*/*`` ask for the same answer, so they share a key."""
        job = {**job, "accept": (job.get("accept") or "*/*").strip()}
        return json.dumps([self._store_version(), job], sort_keys=True, ensure_ascii=False, default=list)

    def answer(self, job: dict, run: Callable[[], dict], wait_until: Callable[[], float]) -> tuple[dict, bool]:
        """``(answer, shared)``: the kept answer of ``job``, or ``run()``'s (kept if it fits).

        An identical job already running is waited for, up to ``wait_until()`` seconds (what is
        left of this request's time limit), and its outcome is this request's too, answer or
        refusal: the same query on the same store at the same moment. ``shared`` is True when the
        answer was not computed for this request. ``run``'s exceptions propagate; none is kept.
        """
        if not self.enabled:
            return run(), False
        key = self.key(job)
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return kept, True
            flight = self._running.get(key)
            leader = flight is None
            if flight is None:
                flight = self._running[key] = _Flight()
                self.misses += 1
        if not leader:
            if flight.done.wait(max(0.0, wait_until())):
                with self._lock:
                    self.hits += 1
                if flight.error is not None:  # a fresh exception: one object raised in many threads tangles tracebacks
                    raise QueryFailed(flight.error.status, flight.error.message, dict(flight.error.headers))
                if flight.result is not None:
                    return flight.result, True
            return run(), False  # waited as long as it may: run it beside the first
        try:
            flight.result = run()
            self._keep(key, flight.result)
            return flight.result, False
        except QueryFailed as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._running.pop(key, None)
            flight.done.set()

    def _keep(self, key: str, result: dict) -> None:
        size = len(result.get("body") or b"") + len(key)
        if size > self.max_entry:
            return
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = result
            self._bytes += size
            while self._bytes > self.max_bytes and self._answers:
                old_key, old = self._answers.popitem(last=False)
                self._bytes -= len(old.get("body") or b"") + len(old_key)

    def stats(self) -> dict[str, Any]:
        """Entries, bytes, hits and misses (for the log and the tests)."""
        with self._lock:
            return {"entries": len(self._answers), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}
