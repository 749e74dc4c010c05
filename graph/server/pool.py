"""The pool of query worker processes that enforces the time limit, with a fast lane for short queries.

Python threads cannot be cancelled and pyoxigraph offers no query timeout, so queries run in
worker *processes* (:mod:`graph.server.worker`), forked from a warm fork server, each with its own
read-only handle on the store; a query that overruns its time limit is cancelled by killing its
process, and the client gets 422 naming the limit (see :data:`TIME_LIMIT_STATUS`). The limit counts
from the request's arrival, waiting included: a request that finds no free worker in that time
gets ``429 Too Many Requests`` with ``Retry-After``.
"""

from __future__ import annotations

import collections
import math
import multiprocessing as mp
import os
import threading
import time
from pathlib import Path
from typing import Any

from graph.errors import ChipgraphError
from graph.server.worker import QueryFailed, store_version, worker_main

__all__ = ["DEFAULT_WORKERS", "MAX_WORKERS", "QueryFailed", "QueryPool", "TIME_LIMIT_STATUS", "default_workers"]

DEFAULT_TIMEOUT = 10.0
#: The range of ``serve --workers``.
MAX_WORKERS = 64


def default_workers(cores: int | None = None) -> int:
    """Two fast-lane workers per core, within ``1..MAX_WORKERS`` (a 32-core machine gets 64).

    Each query is one process on one core; a second per core lets a cheap query start while
    another is being found expensive (the fast lane moves those out, see :class:`QueryPool`).
    ``scripts/loadtest.py`` passes its strict bar with this on 2 cores.
    """
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, min(MAX_WORKERS, 2 * max(1, cores)))


#: Query texts up to this length get a shape (:func:`query_shape`); longer ones always start in
#: the fast lane (the shape is computed in the HTTP thread, so it stays cheap).
SHAPE_MAX_CHARS = 16_384
#: How many shapes of demoted queries the pool remembers (least recently seen forgotten first).
SLOW_SHAPES = 1024
#: Every PROBATION-th query of a shape cut before goes the usual way (fast lane first), so that a
#: query that was cut only because the machine was saturated at the time (a named query of 0.4 s
#: of CPU under a burst) is not kept in the lowest-priority lane while the load lasts: answered
#: within its limit, its shape is forgotten.
PROBATION = 16
#: Long-lane processes kept started and ready for queries whose shape was cut before: starting one
#: on demand blocks on the fork server, which serves one start at a time.
SPARE_LONG_WORKERS = 2


def query_shape(job: dict) -> tuple | None:
    """What makes two jobs the same work: the query text without comments, whitespace collapsed,
    and every other field of the job; None for a text over :data:`SHAPE_MAX_CHARS`.

    Linear in the text (possessive patterns of :mod:`graph.sparql.lex`); strings and IRIs are
    kept as written, so ``"a # b"`` stays a string.

    >>> query_shape({"query": "ASK { ?s ?p ?o } # 1"}) == query_shape({"query": "ASK { ?s ?p ?o }\\n# 2"})
    True
    >>> query_shape({"query": 'ASK { ?s ?p "# 1" }'}) == query_shape({"query": 'ASK { ?s ?p "# 2" }'})
    False
    """
    from graph.sparql.lex import OPAQUE_RE

    text = job.get("query")
    if not isinstance(text, str) or len(text) > SHAPE_MAX_CHARS:
        return None
    bare = OPAQUE_RE.sub(lambda m: " " if m.group(0).startswith("#") else m.group(0), text)
    rest = tuple(sorted((k, repr(v)) for k, v in job.items() if k != "query"))
    return " ".join(bare.split()), rest


DEFAULT_WORKERS = default_workers()
DEFAULT_LONG_WORKERS = 32
DEFAULT_FAST_LIMIT = 0.25
LONG_QUERY_NICE = 19
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: A query cut at the time limit: 422 Unprocessable Content. The request is well formed and was
#: understood, but this server will not carry it out within its limits; a 4xx because resending
#: the same query cannot succeed (the client must change it), so not 503/504, which invite
#: retries and count as server failures; not 408, which means the *client* was slow to send and
#: which browsers and HTTP libraries retry automatically.
TIME_LIMIT_STATUS = 422


def _context() -> Any:
    """The ``forkserver`` start method with the worker's imports preloaded: a new worker is a fork
    of a warm process (about 20 ms) instead of a fresh interpreter (about 60 ms of CPU), which
    matters because every cancelled query costs one replacement. ``graph.server.memory`` holds the
    in-memory copy of ``serve --in-memory``, made once in the fork server and shared by forks."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(
        [
            "graph.server.worker",
            "pyoxigraph",
            "graph.vocab.namespaces",
            "graph.sparql.queries",
            "graph.sparql.results",
            "graph.sparql.guard",
            "graph.sparql.sandbox",
            "rdflib.plugins.sparql.parser",
            "graph.server.guard",
            "graph.server.memory",
            "graph.server.warm",
            "graph.server.nonet",  # last: the filter goes on once everything above is loaded
        ]
    )
    return ctx


class _Worker:
    def __init__(self, ctx: Any, store_dir: Path):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker_main, args=(child, str(store_dir)), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.store_kind: str | None = None  # "memory" or "disk", once ready
        self.sandboxed = False  # the no-network filter is installed, once ready

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout):
            raise ChipgraphError(f"a query worker did not start within {timeout:.0f} s")
        status, detail = self.conn.recv()
        if status != "ready":
            raise ChipgraphError(str(detail))
        self.ready = True
        self.store_kind, self.sandboxed = detail

    def lower_priority(self) -> None:
        """Nice the process so that short queries on the other workers keep the CPU.

        On Linux a nice value belongs to a thread, and the worker runs each query in a thread of
        its own (on a large stack, :func:`graph.sparql.sandbox.run_on_large_stack`): every thread
        of the process is niced, not only its main one.
        """
        pid = self.process.pid
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except (OSError, ValueError):
            threads = [pid]  # no /proc: the process as a whole, where the system has one nice value
        for tid in threads:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, LONG_QUERY_NICE)
            except (OSError, AttributeError):
                pass
            try:  # SCHED_IDLE: runs only on CPU that no normal thread wants (Linux)
                os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
            except (OSError, AttributeError):
                pass

    def cpu_seconds(self) -> float | None:
        """CPU time the process has used (user + system, from ``/proc``), or None where unknown."""
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        except (OSError, IndexError, ValueError):
            return None

    def kill(self, wait: bool = True) -> None:
        """SIGKILL the process; reap it now, or (``wait`` False) in a background thread so that
        the client's answer does not wait for it."""
        if self.process.is_alive():
            self.process.kill()
        if wait:
            self._reap()
        else:
            threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """Worker processes that run queries with a time limit, with a fast lane for short queries.

    ``workers`` processes form the *fast lane*. A query takes an idle one (waiting up to ``wait``
    seconds or until its time limit, which counts from its arrival, then 429 with ``Retry-After``).
    If it has not answered by the time it has used ``fast_limit`` seconds of CPU (see
    :meth:`_answered_fast`) it becomes a *long* query: its process is niced (nice 19 and
    ``SCHED_IDLE``) and leaves the fast lane, and a fresh process (a fork of the warm fork server,
    ~20-50 ms) takes its place, so expensive queries never hold the workers that cheap ones need.
    A query whose :func:`query_shape` was cut at the time limit before skips the fast lane: it
    takes one of :data:`SPARE_LONG_WORKERS` ready, niced spare processes (:meth:`_long_worker`).
    At most ``long_workers`` long queries run at once; beyond that the fast lane is not refilled
    until one ends, which bounds the processes (and memory) to ``workers + long_workers`` plus the
    spares (about 35 MB RSS each, 10-15 MB of it private). A long query that reaches its time
    limit is cancelled by killing its process (pyoxigraph has no query timeout and a thread cannot
    be cancelled; the answer does not wait for the process to be reaped); one that finishes
    earlier is answered and its niced process is retired.
    """

    def __init__(
        self,
        store_dir: Path,
        workers: int = 2,
        timeout: float = DEFAULT_TIMEOUT,
        start_timeout: float = 60.0,
        long_workers: int = DEFAULT_LONG_WORKERS,
        wait: float | None = None,
        fast_limit: float = DEFAULT_FAST_LIMIT,
        in_memory: bool = False,
        queries_dir: Path | None = None,
    ):
        self.store_dir = store_dir
        self.timeout = timeout
        self.workers = max(1, workers)
        self.long_workers = max(0, long_workers)
        self.wait = timeout if wait is None else wait
        self.fast_limit = min(fast_limit, timeout)
        self.start_timeout = start_timeout
        if in_memory:  # read by graph.server.memory when the fork server starts (see there)
            from graph.server.memory import ENV

            os.environ[ENV] = str(store_dir)
        from graph.paths import queries_dir as default_queries_dir
        from graph.server.warm import ENV as WARM_ENV

        # read by graph.server.warm when the fork server starts: parse the catalogue once there
        os.environ.setdefault(WARM_ENV, str(queries_dir or default_queries_dir()))
        from graph.server.nonet import ENV as NONET_ENV

        os.environ[NONET_ENV] = str(os.getpid())  # graph.server.nonet: the filter goes on our fork server only
        self._ctx = _context()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._queue: collections.deque[object] = collections.deque()  # queries waiting, in arrival order
        self._all: set[_Worker] = set()
        self._fast = 0  # fast-lane processes: idle, busy with a short query, or starting
        self._long = 0  # processes running a long query
        #: shapes (:func:`query_shape`) of queries cut at the time limit: the same work again starts
        #: in the long lane, on a process of its own, without holding a fast-lane worker
        self._slow: collections.OrderedDict[tuple, int] = collections.OrderedDict()  # shape -> times seen
        self._spares: list[_Worker] = []  # started, niced, idle: for the long lane
        self._spares_starting = 0
        self._closed = False
        try:
            started = [self._spawn() for _ in range(self.workers)]  # the first one starts the fork server
        finally:
            # the fork server has read it; a process this one starts later (a `chipgraph serve` run by
            # a test, whose parent we are) must not inherit it, or its own listening socket is refused
            os.environ.pop(NONET_ENV, None)
        try:
            for worker in started:
                worker.wait_ready(start_timeout)
        except BaseException:
            self.close()
            raise
        self._fast = len(started)
        self._idle.extend(started)
        #: Where the queries are answered from: "memory" (``in_memory`` and the copy was made) or "disk".
        self.store_kind = started[0].store_kind
        #: Whether the workers run under the no-network filter (:mod:`graph.sparql.sandbox`).
        self.sandboxed = started[0].sandboxed

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.store_dir)
        with self._cond:
            self._all.add(worker)
        return worker

    def _refill(self) -> None:
        """Start fast-lane processes until there are ``workers`` of them, within the process cap.

        Called with ``self._cond`` held; each new process finishes starting in its own thread."""
        while (
            not self._closed
            and self._fast < self.workers
            and self._fast + self._long < self.workers + self.long_workers
        ):
            self._fast += 1
            threading.Thread(target=self._start_one, daemon=True).start()

    def _ready_worker(self, niced: bool = False) -> _Worker | None:
        """A newly started worker once it is ready (``niced``: at the long lane's priority), or None
        when it could not start (EOFError: the pool closed while it started)."""
        worker = None
        try:
            worker = self._spawn()
            worker.wait_ready(self.start_timeout)
        except (OSError, EOFError, ChipgraphError):
            if worker is not None:
                self._drop(worker)
            return None
        if niced:
            worker.lower_priority()
        return worker

    def _start_one(self) -> None:
        worker = self._ready_worker()
        with self._cond:
            if worker is None:
                self._fast -= 1
                self._cond.notify_all()
                return
            closed = self._closed
            if not closed:
                self._idle.append(worker)
                self._cond.notify_all()
        if closed:
            self._drop(worker)

    def _drop(self, worker: _Worker, wait: bool = True) -> None:
        worker.kill(wait)
        with self._cond:
            self._all.discard(worker)

    def _acquire(self, deadline: float) -> _Worker:
        """An idle fast-lane worker, waiting until ``deadline`` at most (then 429 with Retry-After).

        First come, first served: a query takes a worker only when every query that arrived
        before it has one, so under load the wait is the queue's length, the same for all, and
        no query is overtaken again and again until its time runs out (a condition variable
        alone lets a newcomer take the worker a waiter was woken for)."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while not (self._idle and self._queue[0] is ticket):
                    remaining = deadline - time.monotonic()
                    if self._closed or remaining <= 0:
                        retry = max(1, math.ceil(self.fast_limit if self._long < self.long_workers else self.timeout))
                        raise QueryFailed(
                            429,
                            f"every query worker stayed busy while this query waited; retry in "
                            f"{retry} s (time limit {self.timeout:g} s per query, waiting "
                            "included)",
                            {"Retry-After": str(retry)},
                        )
                    self._cond.wait(remaining)
                return self._idle.pop()
            finally:
                self._queue.remove(ticket)
                if self._idle and self._queue:
                    self._cond.notify_all()  # the next in line may take the next idle worker

    def run(self, job: dict, arrived: float | None = None, own_limit: float | None = None) -> dict:
        """Run a job within the time limit, or raise :class:`QueryFailed` (429 busy, 422 cut, 4xx).

        The limit counts from ``arrived`` (``time.monotonic()`` when the request came in; now if
        None), so time spent waiting for a worker is part of it and no client waits longer than
        the limit: a query still waiting when the limit (or ``wait``, if shorter) runs out gets
        429, one still running gets 422. The answer carries ``queued_s`` and ``run_s``.

        ``own_limit`` marks the server's own work (answers computed at start, before any client
        is served): it runs under that limit instead of ``timeout``, at full priority throughout
        (there is no cheap query to make way for, and a niced process gets no CPU at all while
        anything else on the machine is busy), and a cut marks no shape as slow, since it says
        nothing of how clients' queries will fare.
        """
        arrived = time.monotonic() if arrived is None else arrived
        own = own_limit is not None
        timeout = own_limit if own_limit is not None else self.timeout
        deadline = arrived + timeout
        shape = None if own else query_shape(job)
        worker = self._long_worker(shape, deadline)
        long = worker is not None
        if worker is None:
            worker = self._acquire(min(deadline, arrived + (timeout if own else self.wait)))
        # the build this job must be answered from: a worker that opened an older one reopens
        job = {**job, "store_version": store_version(self.store_dir)}
        try:
            started = time.monotonic()
            if long:
                worker.conn.send(job)
            elif not self._answered_fast(worker, job, deadline, timeout if own else self.fast_limit):
                long = True
                worker.lower_priority()
                with self._cond:
                    self._fast -= 1
                    self._long += 1
                    self._refill()
            if long:
                if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    raise QueryFailed(
                        TIME_LIMIT_STATUS,
                        f"the query exceeded the {timeout:g} s time limit "
                        f"({started - arrived:.1f} s of it waiting for a worker) "
                        "and was cancelled; add LIMIT, narrow the patterns or "
                        "ask the operator to raise --timeout",
                    )
            status, detail = worker.conn.recv()
        except QueryFailed as exc:
            if exc.status == TIME_LIMIT_STATUS and long:
                with self._cond:
                    self._remember_slow(shape)  # cut at the limit: the same work again starts in the long lane
            self._release(worker, long, keep=False)
            raise
        except (EOFError, OSError) as exc:
            self._release(worker, long, keep=False)
            raise QueryFailed(500, f"the query worker failed ({exc}); it has been replaced") from None
        self._release(worker, long, keep=not long)
        if shape is not None and shape in self._slow:
            with self._cond:  # answered within the limit: the same work takes the fast lane again
                self._slow.pop(shape, None)
        if status == "ok":
            return {**detail, "queued_s": started - arrived, "run_s": time.monotonic() - started}
        raise QueryFailed(*detail)

    def _remember_slow(self, shape: tuple | None) -> None:
        """Note that work of this shape was cut at the time limit (called with ``self._cond`` held).

        Only a cut counts, not leaving the fast lane: a query near ``fast_limit`` may leave it on a
        busy machine, and sent to the lowest-priority lane every time after that it would starve
        among the expensive ones. A shape is forgotten when a query of it is answered (one in
        :data:`PROBATION` goes the usual way to give it the chance)."""
        if shape is None:
            return
        self._slow[shape] = 0
        self._slow.move_to_end(shape)
        while len(self._slow) > SLOW_SHAPES:
            self._slow.popitem(last=False)
        self._refill_spares()  # have a process ready for when it comes again

    def _long_worker(self, shape: tuple | None, deadline: float) -> _Worker | None:
        """A ready, niced spare process for work of a shape that was cut at the time limit before;
        None when the shape is not known as slow (then the query queues for the fast lane).

        Such a query would hold a fast-lane worker for ``fast_limit`` seconds of CPU at full
        priority before leaving it again, while cheap queries wait behind it; on a spare from the
        start it competes only for the CPU the cheap ones leave. If no spare is ready before the
        time limit, it is answered as cut (422): work of that shape took longer than the limit
        before, and this time it could not even start within it."""
        with self._cond:
            if shape is None or shape not in self._slow or self._closed:
                return None
            self._slow.move_to_end(shape)
            self._slow[shape] += 1
            if self._slow[shape] % PROBATION == 0:
                return None  # on probation: through the fast lane, as if new; forgotten if it answers
            self._refill_spares()
            while not self._spares:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    raise QueryFailed(
                        TIME_LIMIT_STATUS,
                        f"the query exceeded the {self.timeout:g} s time limit waiting for a worker: the same "
                        "query (comments aside) was cut at the limit before, and no worker was free to try "
                        "it again within it; add LIMIT, narrow the patterns or ask the operator to raise --timeout",
                    )
                self._cond.wait(remaining)
            worker = self._spares.pop()
            self._long += 1
            self._refill_spares()
        return worker

    def _refill_spares(self) -> None:
        """Start spare long-lane processes up to :data:`SPARE_LONG_WORKERS` within the process cap
        (called with ``self._cond`` held; each starts in a thread of its own)."""
        while (
            not self._closed
            and len(self._spares) + self._spares_starting < SPARE_LONG_WORKERS
            and self._fast + self._long + len(self._spares) + self._spares_starting < self.workers + self.long_workers
        ):
            self._spares_starting += 1
            threading.Thread(target=self._start_spare, daemon=True).start()

    def _start_spare(self) -> None:
        worker = self._ready_worker(niced=True)
        with self._cond:
            self._spares_starting -= 1
            self._cond.notify_all()
            if worker is None:
                return
            closed = self._closed
            if not closed:
                self._spares.append(worker)
        if closed:
            self._drop(worker)

    def _answered_fast(self, worker: _Worker, job: dict, deadline: float, fast_limit: float) -> bool:
        """Send ``job``; True if it is answered before it has used ``fast_limit`` seconds of CPU.

        CPU time, not wall time: under load a cheap query may wait for a core longer than
        ``fast_limit``, and demoting it would nice it among the expensive ones, where it starves.
        Where CPU time cannot be read (no ``/proc``), wall time is used."""
        cpu_start = worker.cpu_seconds()
        worker.conn.send(job)
        step = min(fast_limit, max(0.0, deadline - time.monotonic()))
        while True:
            if worker.conn.poll(step):
                return True
            cpu = worker.cpu_seconds()
            step = min(fast_limit / 4, deadline - time.monotonic())
            if cpu is None or cpu_start is None or cpu - cpu_start >= fast_limit or step <= 0:
                return False

    def _release(self, worker: _Worker, long: bool, keep: bool) -> None:
        """Give a worker back to the fast lane, or retire it (cancelled, failed or niced)."""
        if keep:
            with self._cond:
                if not self._closed:
                    self._idle.append(worker)
                    self._cond.notify_all()
                    return
        self._drop(worker, wait=False)
        with self._cond:
            if long:
                self._long -= 1
            else:
                self._fast -= 1
            self._refill()
            self._cond.notify_all()

    def close(self) -> None:
        """Stop every worker."""
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._spares.clear()
            self._cond.notify_all()
        for worker in workers:  # SIGKILL them all first, then reap: shutdown waits once, not per worker
            if worker.process.is_alive():
                worker.process.kill()
        for worker in workers:
            worker.kill()


# --------------------------------------------------------------------------------------------
