"""The HTTP server: waitress (a maintained production WSGI server) running :class:`~graph.server.app.EndpointApp`.

Why waitress: it is synchronous, so the blocking :meth:`QueryPool.run` fits as it is, and its
event loop holds a connection that is still sending its request without a thread, so hundreds of
half-sent requests (slowloris) cost file descriptors, not threads; requests go to the WSGI
threads only once complete. It parses HTTP strictly: a Content-Length that is not digits
(``-1``) or given twice with different values gets 400, an unknown transfer coding 501 (RFC 9112
section 6.1); bodies over
the limit get 413 from the announced length, before they are read.

What this module adds, in three small subclasses of waitress's parser, task and server:

* a request with both Content-Length and ``Transfer-Encoding: chunked`` is refused with 400
  (RFC 9112 §6.3: ambiguous framing, the classic request-smuggling shape), and so are obsolete
  line folding (§5.2), a request line without a version (HTTP/0.9) and a target that is not a
  path starting with ``/`` (§3.2), an HTTP/1.1 request without one Host header (§3.2) and a
  target holding a control character; a version other than HTTP/1.0 and 1.1 gets 505;
* the arrival time of each request (its header complete) goes into the WSGI environ as
  ``chipgraph.arrived``, so the query time limit counts from there, queueing included;
* a connection that has not finished sending its request within ``request_timeout`` seconds of
  starting it is closed, however slowly it trickles: with ``408 Request Timeout`` first when its
  header was complete (a body shorter than announced), silently while it still sends its header
  (waitress alone closes only *idle* connections, after ``channel_timeout``, which is set to the
  same value).

Errors waitress answers itself are JSON like the application's. Clients that hang up are not
logged as tracebacks (``log_socket_errors`` off; waitress's "client disconnected" is info level).
"""

from __future__ import annotations

import json
import logging
import resource
import threading
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask
from waitress.utilities import BadRequest, Error
from waitress.wasyncore import close_all, loop

from graph.errors import ChipgraphError
from graph.server.app import EndpointApp, ServerConfig
from graph.server.pool import QueryPool

__all__ = ["EndpointServer", "make_server", "serve"]

#: How often the server looks for connections to close (seconds).
_SWEEP_INTERVAL = 1


class _VersionNotSupported(Error):
    code = 505
    reason = "HTTP Version Not Supported"


#: The HTTP versions served; any other ``HTTP/x.y`` gets 505 (RFC 9110 §15.6.6).
_SERVED_VERSIONS = ("1.0", "1.1")


class _Parser(HTTPRequestParser):
    def __init__(self, adj: Any):
        super().__init__(adj)
        self.started = time.monotonic()
        self.arrived: float | None = None
        self._unserved_version = False

    def parse_header(self, header_plus: bytes) -> None:
        head = header_plus.lower()
        if b"\ncontent-length:" in head and b"\ntransfer-encoding:" in head:
            raise ParsingError("Content-Length together with Transfer-Encoding (ambiguous framing)")
        if b"\n " in head or b"\n\t" in head:
            # RFC 9112 §5.2: a server must refuse obsolete line folding or replace it; waitress
            # joins the lines, which a proxy in front may have read differently
            raise ParsingError("a header line folded onto the next (obsolete line folding) is not accepted")
        super().parse_header(header_plus)
        if not self.version:
            raise ParsingError("the request line has no HTTP version (HTTP/0.9 requests are not served)")
        if self.version not in _SERVED_VERSIONS:
            self._unserved_version = True
            raise ParsingError(f"HTTP/{self.version} is not served; send HTTP/1.1")
        target = self.request_uri
        if not (target.startswith("/") or (self.proxy_scheme in ("http", "https") and self.proxy_netloc)):
            # RFC 9112 §3.2: origin-form starts with "/"; "*" is for OPTIONS, which is not served
            raise ParsingError("the request target must be a path that starts with / (for example /sparql)")
        if self.version == "1.1":
            host = self.headers.get("HOST")
            if host is None:
                raise ParsingError("an HTTP/1.1 request needs a Host header (RFC 9112 section 3.2)")
            if "," in host:  # waitress joins repeated headers with ", "
                raise ParsingError("the request has more than one Host header (RFC 9112 section 3.2)")
        if any(ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F for c in target):
            # RFC 3986: a URI holds no control characters (they must be percent-encoded); raw,
            # they would reach the access log and the operator's terminal
            raise ParsingError("the request target holds a control character; percent-encode it")
        self.arrived = time.monotonic()

    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        error: Any = getattr(self, "error", None)
        if self._unserved_version and isinstance(error, BadRequest):
            self.error = _VersionNotSupported(error.body)
        return int(consumed)


class _Task(WSGITask):
    def get_environment(self) -> dict:
        environ = super().get_environment()
        environ["chipgraph.arrived"] = getattr(self.request, "arrived", None) or time.monotonic()
        return environ


class _ErrorTask(ErrorTask):
    def execute(self) -> None:
        error = self.request.error
        message = f"{error.reason}: {error.body}".strip()
        if error.code == 413:
            limit = self.channel.server.adj.max_request_body_size - 1
            message = f"the request body is over the limit of {limit} bytes"
        body = (json.dumps({"error": message, "status": error.code}) + "\n").encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))]
        )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    parser_class = _Parser
    task_class = _Task
    error_task_class = _ErrorTask


class _Server(TcpWSGIServer):
    channel_class = _Channel
    request_timeout = 10.0

    def maintenance(self, now: float) -> None:
        """Close idle connections (waitress) and those still sending one request after ``request_timeout``."""
        super().maintenance(now)
        cutoff = time.monotonic() - self.request_timeout
        for channel in list(self.active_channels.values()):
            partial = getattr(channel, "request", None)
            if partial is not None and not channel.requests and partial.started < cutoff and channel.connected:
                # no task runs on this channel, so the main loop may queue the answer itself. A
                # request whose header is complete (its body short of the announced length) gets a
                # 408 and the close once it is sent; one still sending its header is only closed,
                # since nothing of it was ever read as a request (slowloris costs one close)
                channel.request = None
                if getattr(partial, "headers_finished", False):
                    channel.write_soon(_timeout_answer(self.request_timeout))
                    channel.close_when_flushed = True
                else:
                    channel.will_close = True


def _timeout_answer(seconds: float) -> bytes:
    """A complete ``408 Request Timeout`` response, JSON like every other error, closing the connection."""
    body = (
        json.dumps(
            {"error": f"the request was not complete within {seconds:g} s; the connection is closed", "status": 408}
        ).encode()
        + b"\n"
    )
    head = (
        "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nServer: chipgraph\r\n\r\n"
    )
    return head.encode() + body


class EndpointServer:
    """The running endpoint: a waitress server on a bound socket, the app and its worker pool."""

    def __init__(self, config: ServerConfig, pool: QueryPool):
        self.config = config
        self.pool = pool
        self.app = EndpointApp(config, pool)
        limit = _connection_limit(config.connection_limit)
        timeout = max(1, round(config.request_timeout))
        adj = Adjustments(
            host=config.host,
            port=config.port,
            # enough threads that a complete request waits in the pool (which counts the time
            # limit and answers 429), not in waitress's queue
            threads=max(8, min(256, pool.workers + pool.long_workers + 8)),
            connection_limit=limit,
            channel_timeout=timeout,
            cleanup_interval=_SWEEP_INTERVAL,
            max_request_body_size=config.max_body + 1,  # waitress refuses at >=; the app answers 413 above max_body
            asyncore_use_poll=True,  # select() cannot watch more than 1024 descriptors
            log_socket_errors=False,
            expose_tracebacks=False,
            ident="chipgraph",
            backlog=1024,
        )
        self._map: dict = {}
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(adj.threads)
        self._server = _Server(self.app, self._map, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])
        self._server.request_timeout = float(config.request_timeout)
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        logging.getLogger("waitress").setLevel(logging.WARNING)
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    @property
    def url(self) -> str:
        host, port = self._server.effective_host, self._server.effective_port
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    @property
    def server_address(self) -> tuple[str, int]:
        return self._server.effective_host, self._server.effective_port

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (from another thread) or KeyboardInterrupt (raised)."""
        self._stopped.clear()
        try:
            while not self._stop.is_set():
                loop(timeout=0.5, map=self._map, use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait for it to return."""
        self._stop.set()
        self._server.pull_trigger()
        self._stopped.wait(10)

    def server_close(self) -> None:
        """Close every connection, stop the WSGI threads and the query workers."""
        self._stop.set()
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        close_all(self._map)
        self.pool.close()


def _connection_limit(wanted: int) -> int:
    """``wanted``, lowered to fit the open-files limit (raised to its hard maximum first)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted + 512)
        if soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    except (ValueError, OSError):
        return wanted
    # keep room for the workers' pipes, the store's files and the site's files
    return max(16, min(wanted, soft - 256))


def make_server(config: ServerConfig) -> EndpointServer:
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
        queries_dir=config.queries_dir,
    )
    try:
        return EndpointServer(config, pool)
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
