"""The query worker process: the only place where the endpoint parses and runs query text.

A worker (forked by :class:`graph.server.pool.QueryPool` from a warm fork server) opens the store
read-only, installs the no-network filter on the whole process (:mod:`graph.sparql.sandbox`), then
answers jobs from its pipe until told to stop. For each job it runs every check the query text
goes through, all inside the query's time limit (the pool kills the process at the limit):

1. :func:`graph.server.guard.check` (nesting pre-check in linear time, rdflib's parse tree:
   refuse SERVICE and updates, read the form and the dataset clause);
2. content negotiation for the query's form (406);
3. Oxigraph runs it, with the union default graph unless the query or the request names a
   dataset (FROM / FROM NAMED are honoured), and the result is serialised with the row cap.

Terms bound by a named query travel over the pipe as plain tuples (:func:`encode_term`).
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

from graph.errors import engine_error

__all__ = ["QueryFailed", "decode_term", "encode_term", "execute", "worker_main"]


class QueryFailed(Exception):
    """A query that the endpoint answers with an HTTP error (and optional extra headers)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def encode_term(term: Any) -> tuple:
    """An IRI or literal as a picklable tuple (pyoxigraph terms do not cross the pipe)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    return ("lit", term.value, term.datatype.value if term.datatype else None, term.language)


def decode_term(spec: tuple) -> Any:
    """The term :func:`encode_term` encoded."""
    import pyoxigraph as ox

    if spec[0] == "iri":
        return ox.NamedNode(spec[1])
    _, value, datatype, language = spec
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)


def worker_main(conn: Any, store_dir: str) -> None:
    """Loop of a worker process: open the store read-only, forbid the network, answer jobs.

    Each job carries the version of the build it must be answered from (``store_version``); a
    worker that opened an older build reopens the store first, so that after a rebuild under a
    running server no worker answers from the old graph.

    The first message says ``("ready", (store_kind, sandboxed))`` or ``("failed", reason)``. A
    worker forked from a fork server that holds an in-memory copy of ``store_dir``
    (``serve --in-memory``) queries that copy.
    """
    import pyoxigraph as ox

    from graph.server import memory as server_memory
    from graph.sparql.sandbox import forbid_network, run_on_large_stack

    kind = "memory" if server_memory.STORE_DIR == store_dir else "disk"
    opened = store_version(store_dir)  # before opening: a build finishing meanwhile shows as a change
    try:
        store = server_memory.STORE if kind == "memory" else ox.Store.read_only(store_dir)
    except (OSError, RuntimeError) as exc:
        conn.send(("failed", f"cannot open the store at {store_dir}: {exc}"))
        return
    try:
        sandboxed = forbid_network(whole_process=True)
    except OSError as exc:
        conn.send(("failed", f"cannot install the no-network filter: {exc}"))
        return
    conn.send(("ready", (kind, sandboxed)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            wanted = job.get("store_version")
            if kind == "disk" and wanted is not None and wanted != opened:
                # a rebuild replaced the store under the server: answer from the new one, never the old
                opened = wanted
                try:
                    store = ox.Store.read_only(store_dir)
                except (OSError, RuntimeError):
                    opened = None
                    raise QueryFailed(503, "the graph is being rebuilt; retry in a moment") from None
            # a large stack: Oxigraph recurses once per nesting level (see graph.sparql.sandbox)
            conn.send(("ok", run_on_large_stack(execute, store, job)))
        except QueryFailed as exc:
            conn.send(("error", (exc.status, exc.message)))
        except Exception as exc:  # noqa: BLE001 - a worker must answer, whatever went wrong
            conn.send(("error", (500, f"query failed: {exc}")))


def store_version(store_dir: str | Path) -> list[int] | None:
    """The version of the build a store belongs to: size and modification time of the
    ``manifest.json`` beside it (the answer cache's key uses the same), None without one."""
    try:
        stat = (Path(store_dir).parent / "manifest.json").stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


class _AnswerSize:
    """The bytes of term values an answer holds so far, refused (422) once over the limit."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.total = 0

    def add(self, terms: tuple) -> None:
        if self.limit is None:
            return
        self.total += sum(len(getattr(t, "value", "") or "") for t in terms if t is not None)
        if self.total > self.limit:
            raise QueryFailed(
                422,
                f"the answer holds more than {self.limit:,} bytes of values, this endpoint's limit; "
                "add LIMIT, select fewer or shorter values, or run the query locally with `chipgraph query -e`",
            )


def execute(store: Any, job: dict) -> dict:
    """Check, run and serialise one query job; returns the body and its metadata.

    ``job`` holds ``query``, ``max_rows``, ``accept`` and ``format`` (the request's Accept header
    and ``format=`` override), ``default_graphs`` and ``named_graphs`` (IRIs, already validated)
    and ``bindings`` (encoded terms).
    """
    import pyoxigraph as ox

    from graph.server.guard import check
    from graph.sparql.queries import syntax_error_message
    from graph.sparql.results import (
        GRAPH_FORMATS,
        RESULT_FORMATS,
        NotXmlText,
        negotiate,
        serialize_boolean,
        serialize_rows,
        serialize_triples,
    )
    from graph.vocab.namespaces import PREFIXES

    checked = check(job["query"])
    text = checked.text  # the canonical text the check decided on, never the text as received
    fmt = negotiate(job.get("accept"), checked.form, job.get("format"))
    if fmt is None:
        raise QueryFailed(
            406,
            "none of the requested media types fits this query; SELECT/ASK give "
            "application/sparql-results+json, +xml, text/csv, text/tab-separated-values; "
            "CONSTRUCT/DESCRIBE give text/turtle, application/n-triples, "
            "application/ld+json, application/rdf+xml, application/trig",
        )
    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if job.get("default_graphs") or job.get("named_graphs"):  # the protocol's dataset wins (SPARQL 1.1 §2.1.4)
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.get("default_graphs") or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.get("named_graphs") or []]
    elif not checked.dataset:
        kwargs["use_default_graph_as_union"] = True
    subs = {ox.Variable(k): decode_term(v) for k, v in (job.get("bindings") or {}).items()}
    if subs:
        kwargs["substitutions"] = subs
    max_rows = job["max_rows"]
    size = _AnswerSize(job.get("max_bytes"))
    try:
        result = store.query(text, **kwargs)
        truncated = False
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows: list[tuple] = []
            for solution in result:
                if len(rows) >= max_rows:
                    truncated = True
                    break
                row = tuple(solution[v] for v in variables)
                size.add(row)
                rows.append(row)
            if fmt not in RESULT_FORMATS:
                raise QueryFailed(406, f"a SELECT result cannot be given as {fmt}")
            body = serialize_rows(variables, rows, fmt, truncated, max_rows)
            return {"body": body, "type": RESULT_FORMATS[fmt], "truncated": truncated, "count": len(rows)}
        if isinstance(result, ox.QueryBoolean):
            if fmt not in RESULT_FORMATS:
                raise QueryFailed(406, f"an ASK result cannot be given as {fmt}")
            body = serialize_boolean(bool(result), fmt)
            return {"body": body, "type": RESULT_FORMATS[fmt], "truncated": False, "count": 1}
        triples: list[Any] = []
        for triple in result:
            if len(triples) >= max_rows:
                truncated = True
                break
            size.add((triple.subject, triple.predicate, triple.object))
            triples.append(triple)
        if fmt not in GRAPH_FORMATS:
            raise QueryFailed(406, f"a graph result cannot be given as {fmt}")
        body = serialize_triples(triples, fmt)
        return {"body": body, "type": GRAPH_FORMATS[fmt][0], "truncated": truncated, "count": len(triples)}
    except NotXmlText as exc:  # a value the query made (no stored value has one): not writable as XML
        raise QueryFailed(
            422, f"{exc}: ask for JSON, CSV or TSV (a graph: Turtle, N-Triples or JSON-LD) instead"
        ) from None
    except SyntaxError as exc:
        raise QueryFailed(400, syntax_error_message(exc, None, text)) from None
    except RuntimeError as exc:
        if str(exc).startswith("The custom function"):
            # a function (or cast) the engine does not have, or called with the wrong arity: the query's fault
            raise QueryFailed(400, f"the query calls a function this endpoint cannot evaluate: {exc}") from None
        raise QueryFailed(500, str(engine_error(exc))) from None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            # the no-network filter's refusal: a SERVICE got past the parse check (a parser differential)
            raise QueryFailed(
                403, "the query tried to open a network connection, which this endpoint never does"
            ) from None
        raise QueryFailed(500, str(engine_error(exc))) from None
