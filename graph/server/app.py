"""The endpoint's WSGI application (werkzeug): routing, the SPARQL 1.1 Protocol handlers, the query page.

Paths: ``/sparql`` (GET, HEAD, POST: the endpoint), ``/query`` (the offline query page),
``/api/queries`` (the catalogue as JSON), ``/api/queries/NAME`` (run a named query with its
parameters as URL parameters, bound by the engine), and everything else from the generated site
folder (:mod:`graph.server.static`). Any other method gets 405 with ``Allow``.

The handlers only read the request, validate its parameters and hand a job to the worker pool
(:class:`graph.server.pool.QueryPool`): every check of the query text runs in a worker, inside the
query's time limit (:mod:`graph.server.worker`). Errors are JSON ``{"error", "status"}`` (plain
text when the client asks for ``text/plain`` only); no answer is a 5xx unless something broke.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
import urllib.parse
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestedRangeNotSatisfiable
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from graph.errors import ChipgraphError
from graph.lexical import terminal_safe
from graph.server.answers import DEFAULT_CACHE_MB, AnswerCache
from graph.server.pool import DEFAULT_LONG_WORKERS, DEFAULT_TIMEOUT, DEFAULT_WORKERS, QueryPool
from graph.server.static import resolve_static, static_response
from graph.server.worker import QueryFailed, encode_term

__all__ = ["DEFAULT_MAX_BODY", "DEFAULT_MAX_ROWS", "EndpointApp", "ServerConfig"]

DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BODY = 1_000_000
#: Bytes of RDF term values one answer may hold (about 3 KB a row at the row cap).
DEFAULT_MAX_ANSWER_BYTES = 32_000_000
#: The time limit (s) of each named query answered at start for the answer cache (the shipped
#: ones take at most ~1 s of CPU on a 2-core machine; the server's own work, asked by no client).
WARM_LIMIT = 30.0
READ_ONLY = "SPARQL Update is refused: this endpoint is read-only"


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
    #: Seconds a connection may take to send one whole request (slowloris), and may stay idle.
    request_timeout: float = 10.0
    #: Open connections at most (idle and half-sent ones included).
    connection_limit: int = 1000
    #: Megabytes of answers kept for repeated queries (:mod:`graph.server.answers`); 0 keeps none.
    cache_mb: int = DEFAULT_CACHE_MB
    #: Bytes of RDF terms one answer may hold (values of its rows or triples, before
    #: serialisation): the row cap alone lets one short query build a 100 MB value.
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES


_ROUTES = Map(
    [
        Rule("/sparql", endpoint="sparql", methods=["GET", "HEAD", "POST"]),
        Rule("/query", endpoint="query_page", methods=["GET", "HEAD"]),
        Rule("/query.html", endpoint="query_page", methods=["GET", "HEAD"]),
        Rule("/api/queries", endpoint="catalogue", methods=["GET", "HEAD"]),
        Rule("/", endpoint="static", methods=["GET", "HEAD"]),
        Rule("/<path:path>", endpoint="static", methods=["GET", "HEAD"]),
    ],
    strict_slashes=False,
    merge_slashes=False,
)


class EndpointApp:
    """The WSGI application: holds the config, the worker pool and the query catalogue."""

    def __init__(self, config: ServerConfig, pool: QueryPool):
        self.config = config
        self.pool = pool
        self.answers = AnswerCache(config.store_dir.parent / "manifest.json", config.cache_mb * 1_000_000)
        self.site_root = config.site_dir.resolve() if config.site_dir and config.site_dir.is_dir() else None

    @cached_property
    def catalogue(self) -> dict[str, Any]:
        """The named queries, read from disk once (on first use; a broken catalogue raises each time)."""
        from graph.sparql.queries import catalogue

        return catalogue(self.config.queries_dir)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if self.config.log:
            self._log(request, response)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        raw_path = _raw_path(request)
        if raw_path.startswith("/api/queries/"):  # the name as sent: %2F stays part of the name
            if request.method not in ("GET", "HEAD"):
                return self._error(request, 405, f"{request.method} is not accepted here", {"Allow": "GET, HEAD"})
            return self._named(request, urllib.parse.unquote(raw_path[len("/api/queries/") :]))
        adapter = _ROUTES.bind_to_environ(request.environ)
        try:
            endpoint, _ = adapter.match()
        except MethodNotAllowed as exc:
            allow = ", ".join(sorted(exc.valid_methods or ["GET", "HEAD"]))
            return self._error(request, 405, f"{request.method} is not accepted here (use {allow})", {"Allow": allow})
        except NotFound:
            return self._error(request, 404, f"not found: {request.path}")
        except HTTPException as exc:
            return self._error(request, exc.code or 400, exc.description or "bad request")
        if endpoint == "static":
            return self._static(request)
        return getattr(self, "_" + endpoint)(request)

    # -- responses -------------------------------------------------------------------------

    @staticmethod
    def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        accept = request.headers.get("Accept", "")
        if "application/json" not in accept and "sparql-results+json" not in accept and "text/plain" in accept:
            return Response(message + "\n", status, headers, content_type="text/plain; charset=utf-8")
        body = json.dumps({"error": message, "status": status}, ensure_ascii=False) + "\n"
        return Response(body, status, headers, content_type="application/json; charset=utf-8")

    def _log(self, request: Request, response: Response) -> None:
        when = time.strftime("%d/%b/%Y %H:%M:%S")
        uri = request.environ.get("REQUEST_URI") or request.full_path
        line = f'{request.remote_addr} - - [{when}] "{request.method} {uri[:2000]}" {response.status_code} -'
        # never a raw control character on the operator's terminal, whatever the request held
        print(terminal_safe(line).encode("ascii", "backslashreplace").decode("ascii"), file=sys.stderr, flush=True)

    # -- the endpoint ----------------------------------------------------------------------

    def _sparql(self, request: Request) -> Response:
        arrived = request.environ.get("chipgraph.arrived", time.monotonic())  # the time limit counts from here
        try:
            url_params = _parse_qs(request.environ.get("QUERY_STRING", ""))
        except UnicodeDecodeError:
            return self._error(request, 400, "the query string is not UTF-8")
        if request.method != "POST":
            if "update" in url_params:
                return self._error(request, 403, READ_ONLY)
            if "query" not in url_params:
                return self._error(
                    request,
                    400,
                    "missing the query parameter: GET /sparql?query=SELECT... (or open /query in a browser)",
                )
            return self._query(request, url_params, arrived)
        ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if request.content_length is None:  # waitress has already de-chunked a chunked body
            return self._error(request, 411, "a POST needs a Content-Length header")
        if request.content_length > self.config.max_body:
            return self._error(
                request,
                413,
                f"request body of {request.content_length} bytes is over the limit of {self.config.max_body} bytes",
            )
        body = request.get_data(cache=False)
        if ctype == "application/sparql-update":
            return self._error(request, 403, READ_ONLY)
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = _parse_qs(body.decode("utf-8"))
            except UnicodeDecodeError:
                return self._error(request, 400, "the form body is not UTF-8")
            if "update" in form:
                return self._error(request, 403, READ_ONLY)
            if "query" not in form:
                return self._error(request, 400, "missing the query field in the form body")
            for key, values in url_params.items():
                form.setdefault(key, values)
            return self._query(request, form, arrived)
        if ctype == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return self._error(request, 400, "the query body is not UTF-8")
            url_params["query"] = [text]
            return self._query(request, url_params, arrived)
        return self._error(
            request, 415, "POST a query as application/x-www-form-urlencoded (query=...) or as application/sparql-query"
        )

    def _query(
        self,
        request: Request,
        params: dict[str, list[str]],
        arrived: float,
        bindings: dict[str, tuple] | None = None,
    ) -> Response:
        """Validate the protocol parameters and run the query in the pool (which checks its text)."""
        texts = params.get("query", [])
        if len(texts) != 1:
            return self._error(request, 400, "give exactly one query")
        graphs: dict[str, list[str]] = {}
        for name in ("default-graph-uri", "named-graph-uri"):
            graphs[name] = params.get(name, [])
            for iri in graphs[name]:
                problem = _iri_problem(iri)
                if problem:
                    return self._error(request, 400, f"{name}={iri[:200]!r} is not an absolute IRI ({problem})")
        job = self._job(
            texts[0],
            request.headers.get("Accept"),
            next(iter(params.get("format") or []), None),
            graphs["default-graph-uri"],
            graphs["named-graph-uri"],
            bindings or {},
        )
        try:
            answer, shared = self.answers.answer(
                job,
                lambda: self.pool.run(job, arrived),
                lambda: arrived + self.config.timeout - time.monotonic(),
            )
        except QueryFailed as exc:
            return self._error(request, exc.status, exc.message, exc.headers)
        headers = {
            "X-Chipgraph-Truncated": "true" if answer["truncated"] else "false",
            "X-Chipgraph-Max-Rows": str(self.config.max_rows),
            "X-Chipgraph-Rows": str(answer["count"]),
            "X-Chipgraph-Elapsed": f"{time.monotonic() - arrived:.3f}",
            "X-Chipgraph-Queued": f"{0.0 if shared else answer['queued_s']:.3f}",
            # hit: kept from an earlier identical query, or shared with one running at the same time
            "X-Chipgraph-Cache": "hit" if shared else "miss",
            "Vary": "Accept",
            "Access-Control-Allow-Origin": "*",
        }
        ctype = answer["type"] + ("; charset=utf-8" if not answer["type"].endswith("xml") else "")
        return Response(answer["body"], 200, headers, content_type=ctype)

    def _job(
        self,
        text: str,
        accept: str | None,
        fmt: str | None,
        default_graphs: list[str],
        named_graphs: list[str],
        bindings: dict[str, tuple],
    ) -> dict:
        """The job a worker runs (:func:`graph.server.worker.execute`) and the answer cache's key."""
        return {
            "query": text,
            "accept": accept,
            "format": fmt,
            "max_rows": self.config.max_rows,
            "max_bytes": self.config.max_answer_bytes,
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "bindings": bindings,
        }

    def warm_answers(self) -> tuple[int, list[str]]:
        """Answer once every named query that needs no parameter, so its default answer is kept.

        ``/api/queries/NAME`` without parameters is what the query page and dashboards ask most,
        and the heavier of these take 0.1-0.4 s of CPU on the shipped graph: run at start, while
        the machine is idle, they never compete with a loaded server's queries. Each runs under a
        limit of its own, :data:`WARM_LIMIT` (or ``--timeout`` if longer): with a tight
        ``--timeout`` on a slow machine the heaviest would otherwise be cut, left out of the
        cache, and asked of the workers by every client after. Returns (number
        kept, names of the queries that failed, with their reasons). Does nothing with the cache off.
        """
        from concurrent.futures import ThreadPoolExecutor

        from graph.sparql.queries import bind_params

        if not self.answers.enabled:
            return 0, []
        try:
            named = [q for q in self.catalogue.values() if not any(p.required for p in q.params)]
        except ChipgraphError as exc:  # served as a 500 naming the problem, on first use
            return 0, [str(exc)]

        def one(query: Any) -> str | None:
            try:
                bindings = bind_params(query, [], data_date=self._data_date)
            except ChipgraphError as exc:  # e.g. no data date: the client gets the same 400
                return str(exc)
            encoded = {k: encode_term(v) for k, v in bindings.items()}
            job = self._job(query.text, None, None, [], [], encoded)
            limit = max(self.config.timeout, WARM_LIMIT)
            try:
                self.answers.answer(job, lambda: self.pool.run(job, own_limit=limit), lambda: limit)
            except QueryFailed as exc:
                return f"{query.name}: {exc.message}"
            return None

        with ThreadPoolExecutor(max_workers=self.pool.workers) as executor:
            failures = [f for f in executor.map(one, named) if f]
        return len(named) - len(failures), failures

    def _data_date(self) -> str | None:
        """The data date of the served graph, as its build recorded it (``manifest.json`` beside the store)."""
        import json

        try:
            manifest = json.loads((self.config.store_dir.parent / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        day = manifest.get("data_date") if isinstance(manifest, dict) else None
        return day if isinstance(day, str) else None

    def _named(self, request: Request, name: str) -> Response:
        from graph.errors import NotFoundError
        from graph.sparql.queries import bind_params, named_query

        arrived = request.environ.get("chipgraph.arrived", time.monotonic())
        try:
            params = _parse_qs(request.environ.get("QUERY_STRING", ""))
        except UnicodeDecodeError:
            return self._error(request, 400, "the query string is not UTF-8")
        try:
            query = named_query(name, self.catalogue)  # a name only: never a path on disk
            given = [(k, v[-1]) for k, v in params.items() if k != "format" and v and v[-1] != ""]
            bindings = bind_params(query, given, data_date=self._data_date)
        except NotFoundError as exc:
            return self._error(request, 404, str(exc))
        except ChipgraphError as exc:
            return self._error(request, 400, str(exc))
        encoded = {k: encode_term(v) for k, v in bindings.items()}
        return self._query(request, {"query": [query.text], "format": params.get("format", [])}, arrived, encoded)

    def _catalogue(self, request: Request) -> Response:
        try:
            items = [q.as_dict() for q in self.catalogue.values()]
        except ChipgraphError as exc:
            return self._error(request, 500, str(exc))
        body = json.dumps(items, ensure_ascii=False, indent=1)
        return Response(body, 200, content_type="application/json; charset=utf-8")

    def _query_page(self, request: Request) -> Response:
        from graph.render.query_page import render_query_page

        try:
            items = [q.as_dict() for q in self.catalogue.values()]
        except ChipgraphError as exc:
            return self._error(request, 500, str(exc))
        nonce = secrets.token_urlsafe(16)
        page = render_query_page(nonce=nonce, queries=items, max_rows=self.config.max_rows, timeout=self.config.timeout)
        csp = (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'"
        )
        return Response(page, 200, {"Content-Security-Policy": csp}, content_type="text/html; charset=utf-8")

    # -- static site -----------------------------------------------------------------------

    def _static(self, request: Request) -> Response:
        url_path = _raw_path(request)
        root = self.site_root
        if url_path == "/" and (root is None or not (root / "index.html").is_file()):
            return Response("", 302, {"Location": "/query"})
        target = resolve_static(root, url_path) if root else None
        if target is None:
            return self._error(request, 404, f"not found: {urllib.parse.unquote(url_path)[:300]}")
        try:
            return static_response(target, request.environ)
        except RequestedRangeNotSatisfiable as exc:  # bytes=-0, a huge start, several ranges
            length = "*" if exc.length is None else str(exc.length)
            message = "the requested range cannot be served (one satisfiable byte range, or none, please)"
            return self._error(request, 416, message, {"Content-Range": f"bytes */{length}"})


def _raw_path(request: Request) -> str:
    """The path as sent, still percent-encoded, so that it is decoded exactly once, where it is used."""
    raw = request.environ.get("REQUEST_URI") or urllib.parse.quote(request.path)
    return urllib.parse.urlsplit(raw).path or "/"


def _parse_qs(text: str) -> dict[str, list[str]]:
    """URL or form parameters; UnicodeDecodeError when a percent-escape is not UTF-8."""
    return urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")


def _iri_problem(iri: str) -> str | None:
    """Why ``iri`` cannot name a graph (None when it is an absolute IRI Oxigraph accepts)."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        return str(exc)
    if ":" not in iri:
        return "no scheme"
    return None
