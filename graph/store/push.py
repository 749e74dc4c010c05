"""Load the built dataset (``output/chipgraph.trig``) into a remote SPARQL server: ``chipgraph push``.

A push replaces the previous load of chipgraph's graphs and nothing else: the graphs written are
those of the TriG file, and the server's other graphs whose IRI starts with
``https://w3id.org/chipgraph/`` (stale claims from an older build) are dropped. Graphs of other
datasets on the same server are never touched. Afterwards the per-graph triple counts on the
server are compared with the local ones; any difference is an error.

Two ways to write, both standard:

``update`` (default): SPARQL 1.1 Update. Each request empties its graphs with one
    ``DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { VALUES ?g { ... } GRAPH ?g { ?s ?p ?o } }``
    and refills them with ``INSERT DATA { GRAPH <g> { ... } }`` operations. By default the whole
    dataset is ONE request, which the SPARQL 1.1 Update spec asks servers to apply atomically:
    Jena Fuseki (TDB2), GraphDB and Oxigraph do. With batch limits it goes in several requests,
    in graph order; a graph larger than a batch is split over consecutive requests. Readers then
    see graphs switch one batch at a time (and a split graph partly filled for a moment), and a
    failure part-way leaves a mix: re-run the push (it is idempotent; the count check tells).

    Virtuoso (measured on 7.2.5, recognised by its ``Server`` header) is never atomic here: a
    request is not rolled back when one of its operations fails at run time (the earlier
    operations stay applied); its SPARQL compiler refuses long requests ("SQ200: Query too
    large", "SQ199: Maximum size of a code vector exceeded", or an ``INSERT DATA`` of more than
    about 5,000 triples) and compiles them in time that grows faster than their size (a 25,000
    triple request ran for minutes), so pushes to it go in requests of at most 1,000 triples and
    200 graphs, about 1-2 ms per triple in all. ``--graph-store`` is several times faster there.
    Updates need ``/sparql-auth`` with digest authentication (user ``dba``); the open
    ``/sparql`` endpoint refuses them unless ``SPARQL_UPDATE`` is granted to user ``SPARQL``,
    which would let anyone on the network write, so chipgraph never asks for that.

``graph-store`` (``--graph-store URL``): the SPARQL 1.1 Graph Store HTTP Protocol, one
    ``PUT ?graph=<g>`` with an N-Triples body per graph, then ``DELETE ?graph=<g>`` for stale
    graphs; a graph of more than 5,000 triples is sent as a PUT of its first part and POSTs
    (appends) of the rest. Never atomic across graphs, but on Virtuoso several times faster
    than ``INSERT DATA`` (its endpoint is ``/sparql-graph-crud-auth``).
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.errors import ChipgraphError, InputError, Problem
from graph.store.remote import GRAPH_PREFIX, RemoteStore

__all__ = ["PushResult", "load_graphs", "push", "update_requests", "verify_counts"]

Progress = Callable[[str], None]
Graphs = dict[str, list[ox.Triple]]

#: Batch limits for Virtuoso, whose SPARQL compiler refuses long requests ("SQ200: Query too large").
#: Its compile time also grows faster than the request, so small requests are much quicker in total.
VIRTUOSO_BATCH_TRIPLES = 1_000
VIRTUOSO_BATCH_GRAPHS = 200
DEFAULT_OP_TRIPLES = 1_000
DEFAULT_OP_GRAPHS = 500
#: Largest body of one Graph Store request; a bigger graph is sent as PUT then POSTs.
GSP_PART_TRIPLES = 5_000
PUSH_TIMEOUT = 900.0


@dataclass
class PushResult:
    """What a push did, as plain data for the CLI summary."""

    endpoint: str
    method: str
    graphs: int
    triples: int
    removed: list[str]
    requests: int
    atomic: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "endpoint": self.endpoint,
            "method": self.method,
            "graphs": self.graphs,
            "triples": self.triples,
            "stale_graphs_removed": len(self.removed),
            "requests": self.requests,
            "atomic": self.atomic,
            "seconds": round(self.seconds, 2),
            "verified": True,
        }


def _noop(_: str) -> None:
    pass


def load_graphs(path: Path) -> Graphs:
    """The named graphs of a TriG file: graph IRI -> its distinct triples, sorted.

    Raises ChipgraphError when the file is missing, and InputError when it holds triples in the
    default graph or in a graph that is not chipgraph's (a push only manages chipgraph's graphs).
    """
    if not path.exists():
        raise ChipgraphError(f"no built dataset at {path}; run `chipgraph build` first")
    graphs: dict[str, set[ox.Triple]] = {}
    try:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
            name = quad.graph_name
            if not isinstance(name, ox.NamedNode) or not name.value.startswith(GRAPH_PREFIX):
                where = "the default graph" if isinstance(name, ox.DefaultGraph) else f"graph {name}"
                raise InputError(
                    Problem(
                        f"{where} is not a chipgraph graph; push only writes graphs under {GRAPH_PREFIX}", file=path
                    )
                )
            graphs.setdefault(name.value, set()).add(quad.triple)
    except SyntaxError as exc:
        raise InputError(Problem(f"not valid TriG: {exc}", file=path, hint="rebuild with `chipgraph build`")) from exc
    return {g: sorted(ts, key=str) for g, ts in sorted(graphs.items())}


def _ntriples(triples: list[ox.Triple]) -> str:
    """Triples in N-Triples syntax; pyoxigraph's ``str`` of a term escapes it."""
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)


def _clear(names: list[str]) -> str:
    """One operation emptying the named graphs (one VALUES list instead of one DROP per graph)."""
    iris = " ".join(str(ox.NamedNode(g)) for g in names)
    return f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {iris} }} GRAPH ?g {{ ?s ?p ?o }} }}"


def update_requests(
    graphs: Graphs,
    stale: list[str],
    *,
    batch_triples: int | None = None,
    batch_graphs: int | None = None,
    op_triples: int = DEFAULT_OP_TRIPLES,
) -> list[tuple[str, int]]:
    """The SPARQL Update requests that replace ``graphs`` and drop ``stale`` graphs.

    Graphs go in a request, in order, until the next would pass ``batch_triples`` triples or
    ``batch_graphs`` graphs (None: no limit, so everything is one request); a graph bigger than
    ``batch_triples`` is split, its first part emptying it and the rest appended by the requests
    that follow. A request first empties the graphs that start in it with one
    ``DELETE ... WHERE { VALUES ?g {...} ... }`` operation, then inserts with ``INSERT DATA``
    operations of at most ``op_triples`` triples each. Stale graphs are emptied in the last
    request. Returns (request text, number of triples it inserts) pairs.
    """
    max_triples = batch_triples or len(graphs) + sum(map(len, graphs.values())) + 1
    max_graphs = batch_graphs or len(graphs) + 1
    # items: (graph, part of its triples, is this the graph's first part?)
    batches: list[list[tuple[str, list[ox.Triple], bool]]] = [[]]
    size = 0
    for g, triples in graphs.items():
        for start in range(0, len(triples), max_triples):
            part = triples[start : start + max_triples]
            if batches[-1] and (size + len(part) > max_triples or len(batches[-1]) >= max_graphs):
                batches.append([])
                size = 0
            batches[-1].append((g, part, start == 0))
            size += len(part)
    requests = []
    for index, batch in enumerate(batches):
        names = [g for g, _, first in batch if first] + (stale if index == len(batches) - 1 else [])
        ops = [_clear(names[i : i + DEFAULT_OP_GRAPHS]) for i in range(0, len(names), DEFAULT_OP_GRAPHS)]
        chunk: list[str] = []
        count = 0
        for g, triples, _ in batch:
            for start in range(0, len(triples), op_triples):
                part = triples[start : start + op_triples]
                if count and count + len(part) > op_triples:
                    ops.append("INSERT DATA {\n" + "".join(chunk) + "}")
                    chunk, count = [], 0
                chunk.append(f"GRAPH {ox.NamedNode(g)} {{\n{_ntriples(part)}}}\n")
                count += len(part)
        if chunk:
            ops.append("INSERT DATA {\n" + "".join(chunk) + "}")
        if ops:
            requests.append((" ;\n".join(ops) + "\n", sum(len(t) for _, t, _ in batch)))
    return requests


def verify_counts(local: Mapping[str, int], remote: Mapping[str, int]) -> list[Problem]:
    """Differences between local and server triple counts per chipgraph graph (empty when equal)."""
    problems = []
    for g in sorted(set(local) | set(remote)):
        mine, theirs = local.get(g, 0), remote.get(g, 0)
        if mine != theirs:
            problems.append(Problem(f"graph <{g}>: {mine} triple(s) locally, {theirs} on the server"))
    return problems


def push(
    store: RemoteStore,
    trig: Path,
    *,
    graph_store: str | None = None,
    batch_triples: int | None = None,
    batch_graphs: int | None = None,
    op_triples: int = DEFAULT_OP_TRIPLES,
    progress: Progress | None = None,
) -> PushResult:
    """Replace chipgraph's graphs on the server behind ``store`` with those of ``trig``; verify.

    Without batch limits the update is one request, except on Virtuoso (recognised by its
    ``Server`` header), where requests hold at most ``VIRTUOSO_BATCH_TRIPLES`` triples and
    ``VIRTUOSO_BATCH_GRAPHS`` graphs.

    Raises ChipgraphError when the server cannot be reached, refuses the write, or ends up with
    counts that differ from the local ones.
    """
    progress = progress or _noop
    started = time.monotonic()
    graphs = load_graphs(trig)
    local = {g: len(ts) for g, ts in graphs.items()}
    total = sum(local.values())
    progress(f"read {total:,} triples in {len(graphs):,} graphs from {trig}")
    before = store.graph_counts()
    stale = sorted(set(before) - set(graphs))
    progress(
        f"server holds {sum(before.values()):,} chipgraph triples in {len(before):,} graphs; "
        f"{len(stale):,} stale graph(s) to drop"
    )
    if graph_store:
        requests = _push_graph_store(store, graph_store, graphs, stale, progress)
        method, atomic = "graph-store", False
    else:
        if "virtuoso" in store.server.lower():
            batch_triples = batch_triples or VIRTUOSO_BATCH_TRIPLES
            batch_graphs = batch_graphs or VIRTUOSO_BATCH_GRAPHS
        texts = update_requests(
            graphs, stale, batch_triples=batch_triples, batch_graphs=batch_graphs, op_triples=op_triples
        )
        sent = 0
        for index, (text, size) in enumerate(texts, 1):
            store.update(text, timeout=max(store.timeout, PUSH_TIMEOUT))
            sent += size
            progress(f"update request {index}/{len(texts)} done ({sent:,}/{total:,} triples)")
        requests = len(texts)
        method, atomic = "update", requests <= 1
    progress("verifying triple counts on the server")
    after = store.graph_counts()
    problems = verify_counts(local, after)
    if problems:
        raise ChipgraphError(
            f"the server's counts differ from the local dataset in {len(problems)} graph(s) after the push",
            problems[:20],
        )
    return PushResult(
        endpoint=store.update_endpoint,
        method=method,
        graphs=len(graphs),
        triples=total,
        removed=stale,
        requests=requests,
        atomic=atomic,
        seconds=time.monotonic() - started,
        counts=after,
    )


def _push_graph_store(store: RemoteStore, url: str, graphs: Graphs, stale: list[str], progress: Progress) -> int:
    """PUT each graph and DELETE each stale one through the Graph Store HTTP Protocol."""
    store.add_url(url)
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    done = 0
    step = max(1, len(graphs) // 10)
    for g, triples in graphs.items():
        target = f"{url}{sep}{urllib.parse.urlencode({'graph': g})}"
        # PUT replaces the graph with its first part; POST appends the rest (big bodies upset servers).
        for start in range(0, len(triples), GSP_PART_TRIPLES):
            store.request(
                target,
                data=_ntriples(triples[start : start + GSP_PART_TRIPLES]).encode("utf-8"),
                method="PUT" if start == 0 else "POST",
                headers={"Content-Type": "application/n-triples; charset=utf-8"},
                timeout=max(store.timeout, PUSH_TIMEOUT),
            )
        done += 1
        if done % step == 0 or done == len(graphs):
            progress(f"graph store: {done:,}/{len(graphs):,} graphs written")
    for g in stale:
        target = f"{url}{sep}{urllib.parse.urlencode({'graph': g})}"
        try:
            store.request(target, method="DELETE")
        except ChipgraphError as exc:
            if "HTTP 404" not in str(exc):
                raise
    if stale:
        progress(f"graph store: {len(stale):,} stale graph(s) deleted")
    return len(graphs) + len(stale)
