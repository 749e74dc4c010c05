"""A read-only SPARQL 1.1 Protocol endpoint over the built store, with the HTML site and a query page.

Design
------
* HTTP: the standard library's :class:`http.server.ThreadingHTTPServer` (one thread per
  connection), bound to 127.0.0.1 by default. No new dependency.
* Isolation and time limits: queries never run in the HTTP threads. A :class:`QueryPool` keeps
  worker *processes* (forked from a warm fork server), each with its own read-only handle on the
  store. Python threads cannot be cancelled and pyoxigraph offers no query timeout, so a query
  that overruns ``timeout`` seconds is cancelled by killing its worker process and the client
  gets ``422`` naming the limit (see :data:`TIME_LIMIT_STATUS` for why 422). Fast lane: a query
  still running after ``fast_limit`` (0.1 s) of CPU leaves the ``workers`` fast-lane processes, is
  niced, and a fresh process takes its place, so expensive queries (up to ``long_workers`` at
  once) never starve cheap ones. The limit counts from the request's arrival, waiting included,
  so no client waits longer than ``timeout``: a request that finds no free worker in that time
  gets ``429 Too Many Requests`` with ``Retry-After``; one whose query is still running gets 422.
* Store: each worker opens the store directory read-only, or, with ``in_memory``
  (``serve --in-memory``), queries an in-memory copy made once in the fork server and shared
  copy-on-write by every worker (see :mod:`graph.server.memory`).
* Read-only: the store is opened with ``Store.read_only``; ``update=`` requests and
  ``application/sparql-update`` bodies are refused with 403; the query text is scanned (after
  blanking strings, IRIs and comments, see :func:`graph.sparql.queries.forbidden_operation`) for update
  keywords such as ``LOAD`` and for ``SERVICE``, which would make the engine fetch from the
  network; both are refused with 403 before anything runs.
* Limits: request bodies above ``max_body`` bytes get 413 without being read; results are cut
  at ``max_rows`` rows (or triples), which is reported by the ``X-Chipgraph-Truncated: true``
  header and, in SPARQL JSON, by ``"chipgraph": {"truncated": true, "maxRows": N}``.
* Errors: a malformed query gets 400 with the parser's message ("line L, column C: ..."); it is
  found by a separate small parse-check process (:class:`SyntaxChecker`) before the query takes
  a worker, so it never queues. No answer of the endpoint is a 5xx unless something broke (a
  worker process died).
* Content negotiation: SPARQL results JSON, XML, CSV and TSV for SELECT/ASK; Turtle, N-Triples,
  JSON-LD, RDF/XML, TriG, N-Quads for CONSTRUCT/DESCRIBE (``Accept`` or ``?format=``).
* Paths: ``/sparql`` (the endpoint), ``/query`` (the offline query page, inline HTML+JS, named
  queries as examples), ``/api/queries`` (the catalogue as JSON), ``/api/queries/NAME`` (run a
  named query with its parameters as URL parameters, bound by the engine), and everything else
  from the generated site folder, resolved inside it (no traversal, no symlink escape).
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from graph.errors import ChipgraphError

__all__ = ["QueryPool", "ServerConfig", "make_server", "serve"]

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BODY = 1_000_000
#: Four per core: workers mostly wait for a core, and a cheap query should not queue behind one that is
#: still being found expensive (scripts/loadtest.py: 2 per core shed load with 429, 4 did not).
DEFAULT_WORKERS = 4 * max(1, os.cpu_count() or 1)
DEFAULT_LONG_WORKERS = 32
DEFAULT_FAST_LIMIT = 0.1
LONG_QUERY_NICE = 19
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: A query cut at the time limit: 422 Unprocessable Content. The request is well formed and was
#: understood, but this server will not carry it out within its limits; a 4xx because resending
#: the same query cannot succeed (the client must change it), so not 503/504, which invite
#: retries and count as server failures; not 408, which means the *client* was slow to send and
#: which browsers and HTTP libraries retry automatically.
TIME_LIMIT_STATUS = 422


@dataclass
class ServerConfig:
    """Everything the endpoint needs to know."""

    store_dir: Path
    site_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_body: int = DEFAULT_MAX_BODY
    workers: int = DEFAULT_WORKERS
    long_workers: int = DEFAULT_LONG_WORKERS
    queries_dir: Path | None = None
    log: bool = True
    in_memory: bool = False


class QueryFailed(Exception):
    """A query that the endpoint answers with an HTTP error (and optional extra headers)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --------------------------------------------------------------------------------------------
# Worker processes


def _encode_term(term: Any) -> tuple:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    return ("lit", term.value, term.datatype.value if term.datatype else None, term.language)


def _decode_term(spec: tuple) -> Any:
    import pyoxigraph as ox

    if spec[0] == "iri":
        return ox.NamedNode(spec[1])
    _, value, datatype, language = spec
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)


def _worker_main(conn: Any, store_dir: str | None) -> None:
    """Loop of a worker process: open the store read-only, then answer jobs until told to stop.

    With ``store_dir`` None the worker is the syntax checker: it holds an empty in-memory store
    and answers ``{"check": text}`` jobs with ``None`` or a 400. A worker forked from a fork
    server that holds an in-memory copy of ``store_dir`` (``serve --in-memory``) queries that.
    """
    import pyoxigraph as ox

    from graph.server import memory as server_memory

    kind = "memory" if store_dir and server_memory.STORE_DIR == store_dir else "disk"
    try:
        if kind == "memory":
            store = server_memory.STORE
        else:
            store = ox.Store.read_only(store_dir) if store_dir else ox.Store()
    except OSError as exc:
        conn.send(("failed", f"cannot open the store at {store_dir}: {exc}"))
        return
    conn.send(("ready", kind))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            conn.send(("ok", _check(store, job["check"]) if "check" in job else _execute(store, job)))
        except QueryFailed as exc:
            conn.send(("error", (exc.status, exc.message)))
        except Exception as exc:  # noqa: BLE001 - a worker must answer, whatever went wrong
            conn.send(("error", (500, f"query failed: {exc}")))


def _check(empty_store: Any, text: str) -> None:
    """Raise a 400 :class:`QueryFailed` when ``text`` does not parse (run against an empty store)."""
    from graph.sparql.queries import syntax_error_message
    from graph.vocab.namespaces import PREFIXES

    try:
        empty_store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryFailed(400, syntax_error_message(exc)) from None


def _execute(store: Any, job: dict) -> dict:
    """Run one query job in a worker; returns the serialised body and metadata."""
    import pyoxigraph as ox

    from graph.sparql.queries import syntax_error_message
    from graph.sparql.results import (
        GRAPH_FORMATS,
        RESULT_FORMATS,
        serialize_boolean,
        serialize_rows,
        serialize_triples,
    )
    from graph.vocab.namespaces import PREFIXES

    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if job.get("default_graphs"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    subs = {ox.Variable(k): _decode_term(v) for k, v in (job.get("bindings") or {}).items()}
    if subs:
        kwargs["substitutions"] = subs
    max_rows, fmt = job["max_rows"], job["format"]
    try:
        result = store.query(job["query"], **kwargs)
        truncated = False
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            for solution in result:
                if len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(tuple(solution[v] for v in variables))
            if fmt not in RESULT_FORMATS:
                raise QueryFailed(406, f"a SELECT result cannot be given as {fmt}")
            body = serialize_rows(variables, rows, fmt, truncated, max_rows)
            return {"body": body, "type": RESULT_FORMATS[fmt], "truncated": truncated, "count": len(rows)}
        if isinstance(result, ox.QueryBoolean):
            if fmt not in RESULT_FORMATS:
                raise QueryFailed(406, f"an ASK result cannot be given as {fmt}")
            return {
                "body": serialize_boolean(bool(result), fmt),
                "type": RESULT_FORMATS[fmt],
                "truncated": False,
                "count": 1,
            }
        triples = []
        for triple in result:
            if len(triples) >= max_rows:
                truncated = True
                break
            triples.append(triple)
        if fmt not in GRAPH_FORMATS:
            raise QueryFailed(406, f"a graph result cannot be given as {fmt}")
        return {
            "body": serialize_triples(triples, fmt),
            "type": GRAPH_FORMATS[fmt][0],
            "truncated": truncated,
            "count": len(triples),
        }
    except SyntaxError as exc:
        raise QueryFailed(400, syntax_error_message(exc)) from None
    except OSError as exc:
        raise QueryFailed(500, f"query failed: {exc}") from None


def _context() -> Any:
    """The ``forkserver`` start method with the worker's imports preloaded: a new worker is a fork
    of a warm process (about 20 ms) instead of a fresh interpreter (about 60 ms of CPU), which
    matters because every cancelled query costs one replacement. ``graph.server.memory`` holds the
    in-memory copy of ``serve --in-memory``, made once in the fork server and shared by forks."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(
        [
            "graph.server.http",
            "pyoxigraph",
            "graph.vocab.namespaces",
            "graph.sparql.queries",
            "graph.sparql.results",
            "graph.server.memory",
        ]
    )
    return ctx


class _Worker:
    def __init__(self, ctx: Any, store_dir: Path | None):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, args=(child, str(store_dir) if store_dir else None), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False
        self.store_kind: str | None = None  # "memory" or "disk", once ready

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout):
            raise ChipgraphError(f"a query worker did not start within {timeout:.0f} s")
        status, detail = self.conn.recv()
        if status != "ready":
            raise ChipgraphError(str(detail))
        self.ready = True
        self.store_kind = detail

    def lower_priority(self) -> None:
        """Nice the process so that short queries on the other workers keep the CPU."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, LONG_QUERY_NICE)
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


class SyntaxChecker:
    """Parses queries outside the worker pool, so a malformed query never waits for a worker.

    pyoxigraph has no parse-only call; ``Store().query(text)`` on an empty in-memory store parses
    and then evaluates against nothing, which takes 10-30 µs for ordinary text. It is *not* done in
    the HTTP thread: on an empty store, constant data still evaluates (a SELECT COUNT over two
    1,500-value ``VALUES`` blocks took 0.3 s; a 1 MB body could take minutes, and a thread cannot be
    cancelled). So it runs in one small helper process with a short limit: a text that has not
    failed to parse within ``limit`` seconds did parse, and goes to the pool, which enforces the
    real time limit; the helper is then killed and replaced.
    """

    def __init__(self, ctx: Any, limit: float = 0.25):
        self._ctx = ctx
        self.limit = limit
        self._lock = threading.Lock()
        self._worker: _Worker | None = None

    def check(self, text: str) -> QueryFailed | None:
        """A 400 for a syntax error, or None (the text parsed, or the check gave up)."""
        with self._lock:
            try:
                if self._worker is None:
                    self._worker = _Worker(self._ctx, None)
                self._worker.wait_ready(30)
                self._worker.conn.send({"check": text})
                if self._worker.conn.poll(self.limit):
                    status, detail = self._worker.conn.recv()
                    return QueryFailed(*detail) if status == "error" and detail[0] == 400 else None
            except (EOFError, OSError, ChipgraphError):
                pass
            if self._worker is not None:
                self._worker.kill()
                self._worker = None
            return None

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.kill()
                self._worker = None


class QueryPool:
    """Worker processes that run queries with a time limit, with a fast lane for short queries.

    ``workers`` processes form the *fast lane*. A query takes an idle one (waiting up to ``wait``
    seconds or until its time limit, which counts from its arrival, then 429 with ``Retry-After``).
    If it has not answered by the time it has used ``fast_limit`` seconds of CPU (see
    :meth:`_answered_fast`) it becomes a *long* query: its process is niced and leaves the fast
    lane, and a fresh process (a fork of the warm fork server, ~20-50 ms) takes its place, so
    expensive queries never hold the workers that cheap ones need. At most ``long_workers`` long
    queries run at once; beyond that the fast lane is not refilled until one ends, which bounds the
    processes (and memory) to ``workers + long_workers`` (about 35 MB RSS each, 10-15 MB of it
    private). A long query that reaches its time limit is cancelled by killing its process
    (pyoxigraph has no query timeout and a thread cannot be cancelled; the answer does not wait for
    the process to be reaped); one that finishes earlier is answered and its niced process is
    retired.
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
        self._ctx = _context()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._fast = 0  # fast-lane processes: idle, busy with a short query, or starting
        self._long = 0  # processes running a long query
        self._closed = False
        self.checker = SyntaxChecker(self._ctx)
        started = [self._spawn() for _ in range(self.workers)]
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

    def _start_one(self) -> None:
        worker = None
        try:
            worker = self._spawn()
            worker.wait_ready(self.start_timeout)
        except (OSError, ChipgraphError):
            if worker is not None:
                self._drop(worker)
            with self._cond:
                self._fast -= 1
                self._cond.notify_all()
            return
        with self._cond:
            if self._closed:
                closed = True
            else:
                closed = False
                self._idle.append(worker)
                self._cond.notify()
        if closed:
            self._drop(worker)

    def _drop(self, worker: _Worker, wait: bool = True) -> None:
        worker.kill(wait)
        with self._cond:
            self._all.discard(worker)

    def _acquire(self, deadline: float) -> _Worker:
        """An idle fast-lane worker, waiting until ``deadline`` at most (then 429 with Retry-After)."""
        with self._cond:
            while not self._idle:
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

    def check(self, text: str) -> QueryFailed | None:
        """A 400 when ``text`` is not valid SPARQL (see :class:`SyntaxChecker`), else None."""
        return self.checker.check(text)

    def run(self, job: dict, arrived: float | None = None) -> dict:
        """Run a job within the time limit, or raise :class:`QueryFailed` (429 busy, 422 cut, 4xx).

        The limit counts from ``arrived`` (``time.monotonic()`` when the request came in; now if
        None), so time spent waiting for a worker is part of it and no client waits longer than
        the limit: a query still waiting when the limit (or ``wait``, if shorter) runs out gets
        429, one still running gets 422. The answer carries ``queued_s`` and ``run_s``.
        """
        arrived = time.monotonic() if arrived is None else arrived
        deadline = arrived + self.timeout
        worker = self._acquire(min(deadline, arrived + self.wait))
        long = False
        try:
            started = time.monotonic()
            if not self._answered_fast(worker, job, deadline):
                long = True
                worker.lower_priority()
                with self._cond:
                    self._fast -= 1
                    self._long += 1
                    self._refill()
                if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    raise QueryFailed(
                        TIME_LIMIT_STATUS,
                        f"the query exceeded the {self.timeout:g} s time limit "
                        f"({started - arrived:.1f} s of it waiting for a worker) "
                        "and was cancelled; add LIMIT, narrow the patterns or "
                        "ask the operator to raise --timeout",
                    )
            status, detail = worker.conn.recv()
        except QueryFailed:
            self._release(worker, long, keep=False)
            raise
        except (EOFError, OSError) as exc:
            self._release(worker, long, keep=False)
            raise QueryFailed(500, f"the query worker failed ({exc}); it has been replaced") from None
        self._release(worker, long, keep=not long)
        if status == "ok":
            return {**detail, "queued_s": started - arrived, "run_s": time.monotonic() - started}
        raise QueryFailed(*detail)

    def _answered_fast(self, worker: _Worker, job: dict, deadline: float) -> bool:
        """Send ``job``; True if it is answered before it has used ``fast_limit`` seconds of CPU.

        CPU time, not wall time: under load a cheap query may wait for a core longer than
        ``fast_limit``, and demoting it would nice it among the expensive ones, where it starves.
        Where CPU time cannot be read (no ``/proc``), wall time is used."""
        cpu_start = worker.cpu_seconds()
        worker.conn.send(job)
        step = min(self.fast_limit, max(0.0, deadline - time.monotonic()))
        while True:
            if worker.conn.poll(step):
                return True
            cpu = worker.cpu_seconds()
            step = min(self.fast_limit / 4, deadline - time.monotonic())
            if cpu is None or cpu_start is None or cpu - cpu_start >= self.fast_limit or step <= 0:
                return False

    def _release(self, worker: _Worker, long: bool, keep: bool) -> None:
        """Give a worker back to the fast lane, or retire it (cancelled, failed or niced)."""
        if keep:
            with self._cond:
                if not self._closed:
                    self._idle.append(worker)
                    self._cond.notify()
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
            self._cond.notify_all()
        self.checker.close()
        for worker in workers:  # SIGKILL them all first, then reap: shutdown waits once, not per worker
            if worker.process.is_alive():
                worker.process.kill()
        for worker in workers:
            worker.kill()


# --------------------------------------------------------------------------------------------
# HTTP


class ChipgraphHTTPServer(ThreadingHTTPServer):
    """The HTTP server: holds the config, the worker pool and the query catalogue."""

    daemon_threads = True
    #: Listen backlog. socketserver's default of 5 overflows when a few dozen clients connect at
    #: once: the kernel drops their SYNs (the client retries after 1 s) or resets the connection.
    request_queue_size = 128

    def __init__(self, config: ServerConfig, pool: QueryPool):
        self.config = config
        self.pool = pool
        self.site_root = config.site_dir.resolve() if config.site_dir and config.site_dir.is_dir() else None
        super().__init__((config.host, config.port), _Handler)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()

    @cached_property
    def catalogue(self) -> dict[str, Any]:
        """The named queries, read from disk once (on first use; a broken catalogue raises each time)."""
        from graph.sparql.queries import catalogue

        return catalogue(self.config.queries_dir)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: ChipgraphHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "chipgraph"
    # Headers and body go out in two writes; with Nagle's algorithm on, the body then waits for
    # the client's delayed ACK (~40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.config.log:
            super().log_message(format, *args)

    # -- responses -------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        body = json.dumps({"error": message, "status": status}, ensure_ascii=False).encode() + b"\n"
        accept = self.headers.get("Accept", "")
        if "application/json" not in accept and "sparql-results+json" not in accept and "text/plain" in accept:
            self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8", headers)
        else:
            self._send(status, body, "application/json; charset=utf-8", headers)

    # -- routing ---------------------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        parsed = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        path = parsed.path
        if path == "/sparql":
            if "update" in params:
                return self._error(403, "SPARQL Update is refused: this endpoint is read-only")
            if "query" not in params:
                return self._error(
                    400, "missing the query parameter: GET /sparql?query=SELECT... (or open /query in a browser)"
                )
            return self._query(params)
        if path in ("/query", "/query.html"):
            return self._query_page()
        if path == "/api/queries":
            return self._catalogue()
        if path.startswith("/api/queries/"):
            return self._named(urllib.parse.unquote(path[len("/api/queries/") :]), params)
        return self._static(path)

    def do_POST(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        if path != "/sparql":
            return self._error(405, "POST is accepted only at /sparql", {"Allow": "GET, HEAD"})
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self.close_connection = True
            return self._error(411, "a POST needs a Content-Length header")
        try:
            length = int(length_text)
        except ValueError:
            self.close_connection = True
            return self._error(400, "malformed Content-Length header")
        if length > self.server.config.max_body:
            self.close_connection = True
            return self._error(
                413, f"request body of {length} bytes is over the limit of {self.server.config.max_body} bytes"
            )
        body = self.rfile.read(length)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        query_params = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._error(403, "SPARQL Update is refused: this endpoint is read-only")
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                return self._error(400, "the form body is not UTF-8")
            if "update" in form:
                return self._error(403, "SPARQL Update is refused: this endpoint is read-only")
            if "query" not in form:
                return self._error(400, "missing the query field in the form body")
            for key, values in query_params.items():
                form.setdefault(key, values)
            return self._query(form)
        if ctype == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return self._error(400, "the query body is not UTF-8")
            query_params["query"] = [text]
            return self._query(query_params)
        return self._error(
            415, "POST a query as application/x-www-form-urlencoded (query=...) or as application/sparql-query"
        )

    # -- queries ---------------------------------------------------------------------------

    def _query(
        self, params: dict[str, list[str]], bindings: dict[str, tuple] | None = None, trusted: bool = False
    ) -> None:
        """Answer one query; ``trusted`` (a named query from the catalogue) skips the syntax check."""
        arrived = time.monotonic()  # the time limit counts from here (see QueryPool.run)
        from graph.sparql.queries import forbidden_operation, query_form
        from graph.sparql.results import negotiate

        texts = params.get("query", [])
        if len(texts) != 1:
            return self._error(400, "give exactly one query")
        text = texts[0]
        reason = forbidden_operation(text)
        if reason:
            return self._error(403, reason)
        if not trusted:
            bad = self.server.pool.check(text)
            if bad is not None:
                return self._error(bad.status, bad.message)
        form = query_form(text)
        override = (params.get("format") or [None])[0]
        fmt = negotiate(self.headers.get("Accept"), form if form != "UNKNOWN" else "SELECT", override)
        if fmt is None:
            return self._error(
                406,
                "none of the requested media types fits this query; SELECT/ASK give "
                "application/sparql-results+json, +xml, text/csv, text/tab-separated-values; "
                "CONSTRUCT/DESCRIBE give text/turtle, application/n-triples, "
                "application/ld+json, application/rdf+xml, application/trig",
            )
        job = {
            "query": text,
            "format": fmt,
            "max_rows": self.server.config.max_rows,
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
            "bindings": bindings or {},
        }
        try:
            answer = self.server.pool.run(job, arrived)
        except QueryFailed as exc:
            return self._error(exc.status, exc.message, exc.headers)
        headers = {
            "X-Chipgraph-Truncated": "true" if answer["truncated"] else "false",
            "X-Chipgraph-Max-Rows": str(self.server.config.max_rows),
            "X-Chipgraph-Rows": str(answer["count"]),
            "X-Chipgraph-Elapsed": f"{time.monotonic() - arrived:.3f}",
            "X-Chipgraph-Queued": f"{answer['queued_s']:.3f}",
            "Vary": "Accept",
            "Access-Control-Allow-Origin": "*",
        }
        ctype = answer["type"] + ("; charset=utf-8" if not answer["type"].endswith("xml") else "")
        self._send(200, answer["body"], ctype, headers)

    def _named(self, name: str, params: dict[str, list[str]]) -> None:
        from graph.errors import NotFoundError
        from graph.sparql.queries import bind_params, named_query

        try:
            query = named_query(name, self.server.catalogue)  # a name only: never a path on disk
            given = [(k, v[-1]) for k, v in params.items() if k != "format" and v and v[-1] != ""]
            bindings = bind_params(query, given)
        except NotFoundError as exc:
            return self._error(404, str(exc))
        except ChipgraphError as exc:
            return self._error(400, str(exc))
        encoded = {k: _encode_term(v) for k, v in bindings.items()}
        self._query({"query": [query.text], "format": params.get("format", [])}, encoded, trusted=True)

    def _catalogue(self) -> None:
        try:
            items = [q.as_dict() for q in self.server.catalogue.values()]
        except ChipgraphError as exc:
            return self._error(500, str(exc))
        self._send(200, json.dumps(items, ensure_ascii=False, indent=1).encode(), "application/json; charset=utf-8")

    def _query_page(self) -> None:
        from graph.render.query_page import render_query_page

        try:
            items = [q.as_dict() for q in self.server.catalogue.values()]
        except ChipgraphError as exc:
            return self._error(500, str(exc))
        nonce = secrets.token_urlsafe(16)
        page = render_query_page(
            nonce=nonce, queries=items, max_rows=self.server.config.max_rows, timeout=self.server.config.timeout
        )
        csp = (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'"
        )
        self._send(200, page.encode(), "text/html; charset=utf-8", {"Content-Security-Policy": csp})

    # -- static site -----------------------------------------------------------------------

    def _static(self, url_path: str) -> None:
        root = self.server.site_root
        if url_path == "/" and (root is None or not (root / "index.html").is_file()):
            self.send_response(302)
            self.send_header("Location", "/query")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        target = resolve_static(root, url_path) if root else None
        if target is None:
            return self._error(404, f"not found: {url_path}")
        import mimetypes

        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        self._send(200, target.read_bytes(), ctype)


def resolve_static(root: Path, url_path: str) -> Path | None:
    """The file under ``root`` that ``url_path`` names, or None.

    The path is percent-decoded once; any ``..``, backslash, NUL or absolute component is refused
    outright, and the resolved file (symlinks followed) must still lie inside ``root``. A folder
    maps to its ``index.html``.
    """
    decoded = urllib.parse.unquote(url_path)
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    candidate = root.joinpath(*parts) if parts else root
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if resolved.is_dir():
        resolved = resolved / "index.html"
        if not resolved.is_file():
            return None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return None
    return resolved


# --------------------------------------------------------------------------------------------
# Entry points


def make_server(config: ServerConfig) -> ChipgraphHTTPServer:
    """Start the worker pool and bind the HTTP server (port 0 picks a free port)."""
    from graph.atomic import recover_dir

    recover_dir(config.store_dir)
    if not config.store_dir.is_dir():
        raise ChipgraphError(f"no built store at {config.store_dir}; run `chipgraph build` first")
    pool = QueryPool(
        config.store_dir,
        workers=config.workers,
        timeout=config.timeout,
        long_workers=config.long_workers,
        in_memory=config.in_memory,
    )
    try:
        return ChipgraphHTTPServer(config, pool)
    except OSError as exc:
        pool.close()
        raise ChipgraphError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from exc


def serve(config: ServerConfig) -> None:
    """Serve until interrupted."""
    server = make_server(config)
    try:
        server.serve_forever()
    finally:
        server.server_close()
