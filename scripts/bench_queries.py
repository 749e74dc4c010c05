"""Benchmark: every named query (and a fixed set of shaped queries) on three engines, same data.

- ``chipgraph``: ``graph.sparql.queries.run_query(OxigraphStore(...), text, bindings)``, what
  ``chipgraph query NAME`` runs (rows converted to dicts of variable -> term);
- ``raw``: ``pyoxigraph.Store.query`` on the same read-only store, rows materialised as tuples;
- ``memory``: chipgraph on an in-memory copy of that store (``graph.store.local.memory_copy``, what
  ``open_store(in_memory=True)`` gives a long-running session);
- ``rdflib``: ``rdflib.Dataset(default_union=True)`` in memory, parsed from the same N-Quads.

chipgraph and raw run in one process on one store, interleaved, so they see the same cache;
rdflib runs in its own process. Medians of ``--repeats`` runs; rdflib stops repeating a query
once one run exceeds ``--rdflib-budget`` seconds.

Usage::

    python scripts/bench_queries.py --data FILE.nq --store OUTPUT_DIR/store [--repeats 5]
        [--queries a,b] [--rdflib-limit 600] [--query-limit 1200]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import emit, median, run_worker  # noqa: E402

from graph.vocab.namespaces import ID, SOURCE  # noqa: E402

#: Queries shaped like the analyses chipgraph serves, written for any chipgraph data
#: (the synthetic generator's entity ids are used as bindings). pyoxigraph 0.5 only substitutes
#: variables that are in the SELECT projection, so bound variables are projected.
SHAPED: dict[str, tuple[str, dict[str, str]]] = {
    "x-point-lookup": ("SELECT ?e ?p ?o WHERE { ?e ?p ?o }", {"e": ID + "acc-0"}),
    "x-who-says-so": (
        """SELECT ?e ?g ?src ?title WHERE {
        GRAPH ?g { ?e cg:fabricatedBy ?f } ?g cg:statedIn ?src . ?src dcterms:title ?title }""",
        {"e": ID + "acc-0"},
    ),
    "x-two-hop-join": (
        """SELECT ?acc ?designer ?country WHERE {
        ?acc cg:designedBy ?designer . ?designer cg:country ?country }""",
        {},
    ),
    "x-input-tree": ("SELECT ?root ?x WHERE { ?x (cg:goesInto|cg:isTypeOf)+ ?root }", {"root": ID + "input-0"}),
    "x-share-groupby": (
        """SELECT ?input (MAX(?s) AS ?top) (COUNT(?p) AS ?n) WHERE {
        ?p a cg:Provision ; cg:providedInput ?input ; cg:sharePercent ?s } GROUP BY ?input""",
        {},
    ),
    "x-label-regex": (
        """SELECT ?e ?l WHERE { ?e rdfs:label ?l
        FILTER(REGEX(STR(?l), "accelerator 1[0-9]$", "i")) }""",
        {},
    ),
    "x-measures-in-force": (
        """SELECT ?m ?d WHERE { ?m cg:effectiveDate ?d
        FILTER(?d <= "2023-01-01"^^xsd:date) }""",
        {},
    ),
}

#: Parameter values for the named queries, by parameter name: entities that
#: ``scripts/gen_triples.py`` generates at every size, chosen so that each query returns rows
#: (the queries' own defaults, such as cgid:hbm, cgid:euv-lithography-tools or the Korean
#: article's source, are not in synthetic data, and timing an empty result measures nothing).
#: input-0 is the root of the generated input forest and the most provided input (the heaviest
#: case for the input queries); s0 is the most cited source; firm-0 is the most listed firm.
#: Parameters not named here keep the query's own default (most are optional filters that
#: default to none, i.e. all rows). A required parameter not named here is an error.
SYNTHETIC_PARAMS: dict[str, str] = {
    "input": f"<{ID}input-0>",
    "memory": f"<{ID}input-0>",
    "source": f"<{SOURCE}s0>",
    "entity": f"<{ID}acc-0>",
    "subject": f"<{ID}acc-0>",
    "party": f"<{ID}firm-0>",
    "text": "Accelerator 1",
}


def synthetic_params(q) -> dict[str, str]:
    """The values given to named query ``q`` on synthetic data (name -> command-line string).

    Every parameter named in :data:`SYNTHETIC_PARAMS` is given when the query is run with a
    value (required, or with a default other than none); IRI defaults are replaced because the
    curated entities they name do not exist in synthetic data; date defaults (2025-02-17) are kept.
    """
    given = {}
    for p in q.params:
        if p.name in SYNTHETIC_PARAMS and (p.required or (p.default is not None and p.type in ("iri", "string"))):
            given[p.name] = SYNTHETIC_PARAMS[p.name]
        elif p.required:
            raise ValueError(f"no synthetic value for required parameter {p.name!r}: add it to SYNTHETIC_PARAMS")
    return given


def query_set() -> dict[str, tuple[str, dict]]:
    """Named queries (with synthetic-data bindings as N-Triples strings) plus the shaped ones."""
    out: dict[str, tuple[str, dict]] = {}
    try:
        from graph.sparql.queries import bind_params, catalogue

        named = catalogue()
    except Exception as exc:  # noqa: BLE001 - the catalogue may be mid-edit; report, go on
        print(f"named queries unavailable: {exc}", file=sys.stderr)
        named = {}
    for name, q in sorted(named.items()):
        try:
            bindings = bind_params(q, synthetic_params(q))
        except Exception as exc:  # noqa: BLE001
            print(f"skipping {name}: {exc}", file=sys.stderr)
            continue
        out[name] = (q.text, {k: _nt(v) for k, v in bindings.items()})
    for name, (text, b) in SHAPED.items():
        out[name] = (text, {k: f"<{v}>" for k, v in b.items()})
    return out


def _nt(term) -> str:
    return str(term)


def _ox_term(text: str):
    import pyoxigraph as ox

    return next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES))).object


def worker_oxigraph(store_dir: Path, repeats: int, only: str | None = None) -> dict:
    """chipgraph vs raw pyoxigraph on one read-only store, interleaved per run (one query if ``only``)."""
    import pyoxigraph as ox

    from graph.sparql.queries import run_query
    from graph.store.local import OxigraphStore, memory_copy
    from graph.vocab.namespaces import PREFIXES

    raw = ox.Store.read_only(str(store_dir))
    cg = OxigraphStore(raw, location=str(store_dir))  # the same handle, so the same cache
    t = time.perf_counter()
    mem = memory_copy(raw)
    copy_s = time.perf_counter() - t
    results = {}
    for name, (text, b) in query_set().items():
        if only is not None and name != only:
            continue
        bindings = {k: _ox_term(v) for k, v in b.items()}
        subs = {ox.Variable(k): v for k, v in bindings.items()} or None
        times: dict[str, list[float]] = {"chipgraph": [], "raw": [], "memory": []}
        rows = {}

        def run_cg(text: str = text, bindings: dict = bindings, store=cg) -> int:
            res = run_query(store, text, bindings)
            if res.form == "ASK":  # a true ASK is one solution, a false one none
                return int(bool(res.boolean))
            return len(res.rows) if res.form == "SELECT" else len(res.triples)

        def run_raw(text: str = text, subs: dict | None = subs) -> int:
            r = raw.query(text, use_default_graph_as_union=True, prefixes=PREFIXES, substitutions=subs)
            if isinstance(r, ox.QuerySolutions):
                return len([tuple(sol) for sol in r])
            return int(bool(r)) if isinstance(r, ox.QueryBoolean) else len(list(r))

        engines = {"chipgraph": run_cg, "raw": run_raw, "memory": lambda: run_cg(store=mem)}
        try:
            slow = False
            for key, fn in engines.items():  # warm-up: page cache and query parsing paths
                t = time.perf_counter()
                rows[key] = fn()
                slow = slow or time.perf_counter() - t > 5.0
            for rep in range(1 if slow else repeats):
                order = ("chipgraph", "raw", "memory") if rep % 2 == 0 else ("memory", "raw", "chipgraph")
                for key in order:
                    t = time.perf_counter()
                    rows[key] = engines[key]()
                    times[key].append(time.perf_counter() - t)
        except Exception as exc:  # noqa: BLE001
            results[name] = {"error": str(exc)[:200]}
            continue
        results[name] = {k: {"median_s": median(v), "rows": rows[k]} for k, v in times.items()}
    return {"engine": "oxigraph", "queries": results, "memory_copy_s": round(copy_s, 2)}


class QueryTimeout(Exception):
    """Raised by SIGALRM when an rdflib query overruns its limit."""


def _alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise QueryTimeout


def worker_rdflib(data: Path, repeats: int, budget: float, limit: float = 30.0, only: list[str] | None = None) -> dict:
    """rdflib in memory. Pure Python, so SIGALRM can stop a query after ``limit`` seconds, and the
    address space is capped (``RDFLIB_MAX_GB``, default 8) so one query cannot take the machine."""
    import os
    import resource
    import signal

    cap = int(float(os.environ.get("RDFLIB_MAX_GB", "8")) * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    signal.signal(signal.SIGALRM, _alarm)
    from rdflib import Dataset, URIRef
    from rdflib.util import from_n3

    from graph.vocab.namespaces import PREFIXES

    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(str(data), format="nquads")
    load_s = time.perf_counter() - t
    results = {}
    for name, (text, b) in query_set().items():
        if only and name not in only:
            continue
        init = {k: (URIRef(v[1:-1]) if v.startswith("<") else from_n3(v)) for k, v in b.items()}
        times, rows = [], 0
        try:
            for _ in range(repeats):
                t = time.perf_counter()
                signal.setitimer(signal.ITIMER_REAL, limit)
                try:
                    res = ds.query(text, initNs=PREFIXES, initBindings=init)
                    rows = len(list(res)) if res.type != "ASK" else int(bool(res.askAnswer))
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                times.append(time.perf_counter() - t)
                if times[-1] > budget:
                    break
        except QueryTimeout:
            results[name] = {"rdflib": {"median_s": None, "timeout_s": limit, "rows": None}}
            continue
        except MemoryError:
            results[name] = {"rdflib": {"median_s": None, "out_of_memory": True, "rows": None}}
            continue
        except Exception as exc:  # noqa: BLE001 - rdflib fails on some valid queries; record it
            results[name] = {
                "rdflib": {"median_s": None, "error": f"{type(exc).__name__}: {str(exc)[:150]}", "rows": None}
            }
            continue
        results[name] = {"rdflib": {"median_s": median(times), "rows": rows, "runs": len(times)}}
    return {"engine": "rdflib", "load_s": load_s, "queries": results}


def bench(
    data: Path,
    store_dir: Path,
    repeats: int = 5,
    rdflib: bool = True,
    budget: float = 5.0,
    timeout: float = 3600,
    query_limit: float = 120.0,
    only: list[str] | None = None,
    rdflib_limit: float = 30.0,
) -> dict:
    """Both workers, merged per query, with ratios chipgraph/raw and rdflib/chipgraph.

    Oxigraph has no query timeout, so each query runs in its own worker process, killed after
    ``query_limit`` seconds; rdflib runs all queries in one process with a SIGALRM limit each.
    """
    ox_res: dict = {"queries": {}, "peak_rss_mb": 0.0}
    queries = {k: v for k, v in query_set().items() if not only or k in only}
    for name in queries:
        one = run_worker("bench_queries.py", ["oxigraph", str(store_dir), str(repeats), name], timeout=query_limit)
        if "error" in one:
            ox_res["queries"][name] = (
                {"chipgraph": {"median_s": None, "timeout_s": query_limit, "rows": None}}
                if "timed out" in one["error"]
                else {"error": one["error"]}
            )
            continue
        ox_res["queries"].update(one["queries"])
        ox_res["peak_rss_mb"] = max(ox_res["peak_rss_mb"], one["peak_rss_mb"])
        ox_res["memory_copy_s"] = one.get("memory_copy_s")
    rd_args = ["rdflib", str(data), str(repeats), str(budget), str(rdflib_limit), ",".join(only or [])]
    rd_res = run_worker("bench_queries.py", rd_args, timeout=timeout) if rdflib else {"queries": {}}
    merged: dict = {}
    for name in sorted(set(ox_res.get("queries", {})) | set(rd_res.get("queries", {}))):
        entry = {**ox_res.get("queries", {}).get(name, {}), **rd_res.get("queries", {}).get(name, {})}
        if "error" in entry:
            merged[name] = entry
            continue
        c, r, lib = (entry.get(k, {}).get("median_s") for k in ("chipgraph", "raw", "rdflib"))
        if c and r:
            entry["chipgraph_vs_raw"] = round(c / r, 2)
        if c and lib:
            entry["rdflib_vs_chipgraph"] = round(lib / c, 1)
        mem = entry.get("memory", {}).get("median_s")
        if mem and lib:
            entry["rdflib_vs_memory"] = round(lib / mem, 1)
        counts = {k: entry[k]["rows"] for k in ENGINES if entry.get(k, {}).get("rows") is not None}
        if len(set(counts.values())) > 1:
            entry["rows_differ"] = counts
        entry["params"] = queries.get(name, ("", {}))[1]
        merged[name] = entry
    for line in summary(merged):
        print(line, file=sys.stderr)
    return {
        "queries": merged,
        "memory_copy_s": ox_res.get("memory_copy_s"),
        "peak_rss_mb": {"oxigraph": ox_res.get("peak_rss_mb"), "rdflib": rd_res.get("peak_rss_mb")},
        "errors": [x["error"] for x in (ox_res, rd_res) if "error" in x],
    }


ENGINES = ("chipgraph", "raw", "memory", "rdflib")


def summary(merged: dict) -> list[str]:
    """One line per query: rows and median ms per engine, so an empty result is seen next to its time."""

    def cell(x: dict | None) -> str:
        if not x:
            return "-"
        if x.get("median_s") is None:
            return f">{x['timeout_s']:.0f}s" if "timeout_s" in x else ("fails" if "error" in x else "OOM")
        return f"{x['median_s'] * 1000:.2f}"

    lines = [f"{'query':24} {'rows':>7} {'chipgraph ms':>13} {'raw ms':>10} {'memory ms':>10} {'rdflib ms':>10}"]
    for name, e in merged.items():
        if "error" in e:
            lines.append(f"{name:24} error: {e['error'][:80]}")
            continue
        rows = next((e[k]["rows"] for k in ENGINES if e.get(k, {}).get("rows") is not None), None)
        note = "  EMPTY" if rows == 0 else ""
        if "rows_differ" in e:
            note += f"  rows differ: {e['rows_differ']}"
        lines.append(
            f"{name:24} {rows if rows is not None else '-':>7} {cell(e.get('chipgraph')):>13} "
            f"{cell(e.get('raw')):>10} {cell(e.get('memory')):>10} {cell(e.get('rdflib')):>10}{note}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        if argv[1] == "oxigraph":
            emit(worker_oxigraph(Path(argv[2]), int(argv[3]), argv[4] if len(argv) > 4 else None))
        else:
            emit(
                worker_rdflib(
                    Path(argv[2]), int(argv[3]), float(argv[4]), float(argv[5]), [n for n in argv[6].split(",") if n]
                )
            )
        return 0
    ap = argparse.ArgumentParser(description="Query benchmark: chipgraph vs raw pyoxigraph vs rdflib")
    ap.add_argument("--data", type=Path, required=True, help="the N-Quads file the store was loaded from")
    ap.add_argument(
        "--store",
        type=Path,
        required=True,
        help="an Oxigraph store directory (loaded from --data first if it does not exist)",
    )
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-rdflib", action="store_true")
    ap.add_argument("--rdflib-budget", type=float, default=5.0, help="stop repeating a query after a run this long")
    ap.add_argument("--rdflib-limit", type=float, default=30.0, help="seconds before an rdflib query is stopped")
    ap.add_argument(
        "--query-limit",
        type=float,
        default=120.0,
        help="seconds before an Oxigraph worker (all its runs of one query) is stopped",
    )
    ap.add_argument("--queries", default="", help="comma-separated query names (default: all)")
    args = ap.parse_args(argv)
    if not args.store.exists():
        import pyoxigraph as ox

        print(f"loading {args.data} into {args.store}", file=sys.stderr)
        store = ox.Store(str(args.store))
        store.bulk_load(path=str(args.data), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    only = [n for n in args.queries.split(",") if n] or None
    print(
        json.dumps(
            bench(
                args.data,
                args.store,
                args.repeats,
                not args.skip_rdflib,
                args.rdflib_budget,
                query_limit=args.query_limit,
                only=only,
                rdflib_limit=args.rdflib_limit,
            ),
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
