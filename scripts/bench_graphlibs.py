"""Benchmark the hot graph routines of the chokepoint analysis: networkx vs rustworkx vs python-igraph.

``minimal_cut_sets`` (graph/chokepoints/cutsets.py) does two kinds of work per root: a graph
traversal (``_postorder``: an iterative DFS over uncut edges giving a post-order and the back
edges; ``_children``: adjacency filtered by ``cut_by``) and set algebra on frozensets
(``_evaluate``/``_fold_or``), which no graph library offers. This script measures, on the same
seeded synthetic graphs as scripts/bench_chokepoints.py (scripts/gen_synthetic.py, cut_rate=0.0,
roots ``acc:0`` .. ``acc:9``), how much of the analysis the traversal is and how fast the
equivalent traversals are in rustworkx and igraph, conversion from networkx included, so one can
judge whether moving the hot path to another library would pay off.

Per size (10^4 .. 10^max-exp nodes), each step for all 10 roots:

- networkx: generate; ``nx.descendants``; ``nx.dfs_postorder_nodes``; reachable set + induced
  subgraph + ``nx.topological_sort``; chipgraph's own ``_postorder``; ``_evaluate`` given the
  post-orders, and the ``_children`` reads it repeats; the full ``minimal_cut_sets``.
- rustworkx: integer index + uncut edge list (shared with igraph), ``PyDiGraph`` build,
  ``rustworkx.networkx_converter`` (for reference); ``descendants``; ``digraph_dfs_edges`` (native
  pre-order); ``digraph_dfs_search`` with a post-order/back-edge visitor (the functional equivalent
  of ``_postorder``, with Python callbacks); reachable set + ``subgraph`` + ``topological_sort``;
  ``successor_indices`` for every node ``_evaluate`` reads the children of.
- igraph: ``Graph(n, edges, directed=True)`` build; ``subcomponent(mode="out")``; ``dfsiter``
  (C iterator, pre-order); ``Graph.dfs`` (pure Python in python-igraph); reachable set +
  ``induced_subgraph`` + ``topological_sorting``; ``successors`` for the nodes ``_evaluate`` reads.

The summary per size gives the share of ``minimal_cut_sets`` spent in ``_postorder`` (and in
``_postorder`` plus ``_evaluate``'s ``_children`` reads), each library's speedup on that work with
and without the conversion, and the ``minimal_cut_sets`` time projected with the library doing the
graph work (set algebra assumed unchanged), with the number of 10-root runs that repays conversion.

Times are the median of up to 5 runs (a single run when the first takes >= 1 s); RSS columns are
the growth of the peak resident set (ru_maxrss, a high-water mark, so 0 once a bigger step ran)
and the current RSS after the step. ``gc.freeze()`` after building each graph, as in
/work/shared/research/performance.md. Reachable-set sizes (and node sets) are checked to agree
across libraries; a mismatch is printed as ``AGREEMENT FAILED`` and the exit status is 1.
A library that is not installed is skipped with a note (install: ``pip install -e '.[bench]'``).

Usage: python scripts/bench_graphlibs.py [--max-exp 6] [--seed 0] [--out output/bench/graphlibs.json]
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_synthetic import synthetic_graph  # noqa: E402

from graph.chokepoints.cutsets import _children, _evaluate, _postorder, is_cut, minimal_cut_sets  # noqa: E402

N_ROOTS = 10
REPEATS = 5
CHEAP_S = 1.0  # repeat a step only while one run stays under this
MIN_EXP = 4


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    """Current resident set size, to see what a graph keeps (the peak only ever grows)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def optional_import(name: str) -> ModuleType | None:
    """The module, or None with a note: the benchmark still runs the other libraries."""
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"{name}: not installed, skipped (pip install -e '.[bench]')", flush=True)
        return None


@dataclass
class Row:
    """One timed step: all 10 roots unless the step is a build/conversion."""

    size: int
    library: str
    step: str
    seconds: float
    runs: int
    peak_rss_growth_mb: float
    rss_mb: float


@dataclass
class Bench:
    """Times steps, prints each as a table row as soon as it is done, keeps rows and agreement failures."""

    rows: list[Row] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def header(self) -> None:
        """Print the table header."""
        print(f"{'nodes':>9} {'library':<10} {'step':<44} {'seconds':>9} {'runs':>4} {'peak+MB':>8} {'RSS MB':>8}")
        print("-" * 98, flush=True)

    def run(self, size: int, library: str, step: str, func: Callable[[], Any], repeats: int = REPEATS) -> Any:
        """Run ``func`` (median of up to ``repeats`` runs while cheap), record and print a row, return its result."""
        before = peak_rss_mb()
        times: list[float] = []
        result = None
        for _ in range(repeats):
            result = None  # free the previous run's result before the next run
            t = time.perf_counter()
            result = func()
            times.append(time.perf_counter() - t)
            if times[0] >= CHEAP_S:
                break
        row = Row(size, library, step, statistics.median(times), len(times), peak_rss_mb() - before, current_rss_mb())
        self.rows.append(row)
        print(
            f"{size:>9} {library:<10} {step:<44} {row.seconds:>9.4f} {row.runs:>4} "
            f"{row.peak_rss_growth_mb:>8.1f} {row.rss_mb:>8.0f}",
            flush=True,
        )
        return result

    def seconds(self, size: int, library: str, step: str) -> float | None:
        """The recorded time of a step, or None if it did not run (library not installed)."""
        for row in self.rows:
            if (row.size, row.library, row.step) == (size, library, step):
                return row.seconds
        return None

    def agree(self, size: int, what: str, got: list[Any], want: list[Any]) -> None:
        """Record (and print loudly) a disagreement between a library's per-root result and networkx's."""
        if got != want:
            bad = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
            msg = f"AGREEMENT FAILED at {size} nodes: {what} differs for roots {bad}: "
            msg += f"got {got!r:.300}, want {want!r:.300}"
            self.failures.append(msg)
            print(msg, flush=True)


# -- networkx and chipgraph -------------------------------------------------------------------


def nx_topo(G: nx.DiGraph, root: Hashable) -> list | None:
    """Topological order of the subgraph reachable from root, None if it has a cycle."""
    H = G.subgraph(nx.descendants(G, root) | {root})
    try:
        return list(nx.topological_sort(H))
    except nx.NetworkXUnfeasible:
        return None


def children_reads(G: nx.DiGraph, orders: list[list[Hashable]]) -> int:
    """Repeat the ``_children`` calls ``_evaluate`` makes: its share of graph reads outside ``_postorder``."""
    return sum(len(_children(G, node)) for order in orders for node in order)


@dataclass
class Reference:
    """networkx's answers, which the other libraries must reproduce, and chipgraph's post-orders."""

    reach: list[set]  # nx.descendants per root
    orders: list[list[Hashable]]  # _postorder per root: the nodes _evaluate reads the children of
    cut_sets: list[int]  # number of minimal cut sets per root (for the record)


def bench_networkx(bench: Bench, G: nx.DiGraph, roots: list[str], size: int) -> Reference:
    """Time networkx's traversals and chipgraph's analysis for the roots."""
    reach = bench.run(size, "networkx", "descendants", lambda: [nx.descendants(G, r) for r in roots])
    post = bench.run(
        size, "networkx", "dfs_postorder_nodes", lambda: [list(nx.dfs_postorder_nodes(G, r)) for r in roots]
    )
    topo = bench.run(size, "networkx", "reach+subgraph+topological_sort", lambda: [nx_topo(G, r) for r in roots])
    walks = bench.run(
        size,
        "chipgraph",
        "_postorder (DFS, sorted children, back edges)",
        lambda: [_postorder(G, r, "break") for r in roots],
    )
    orders = [w[0] for w in walks]
    bench.run(
        size,
        "chipgraph",
        "_evaluate (set algebra + _children)",
        lambda: [_evaluate(G, r, order, back, frozenset(), 2) for r, (order, back, _) in zip(roots, walks)],
    )
    bench.run(size, "chipgraph", "  of which _children reads", lambda: children_reads(G, orders))
    cs = bench.run(
        size,
        "chipgraph",
        "minimal_cut_sets (full analysis)",
        lambda: [minimal_cut_sets(G, r, max_order=2, on_cycle="break") for r in roots],
    )
    want = [len(s) for s in reach]
    bench.agree(size, "networkx dfs_postorder_nodes length - 1", [len(p) - 1 for p in post], want)
    bench.agree(size, "networkx topological order length - 1", [len(t) - 1 if t else None for t in topo], want)
    bench.agree(size, "chipgraph _postorder length - 1", [len(o) - 1 for o in orders], want)
    return Reference(reach, orders, [len(c.singles) + len(c.pairs) for c in cs])


# -- conversion -------------------------------------------------------------------------------


def to_index(G: nx.DiGraph) -> tuple[list[Hashable], dict[Hashable, int], list[tuple[int, int]]]:
    """Nodes, node -> integer index, and the uncut edges as index pairs: what both libraries need."""
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v, d in G.edges(data=True) if not is_cut(d)]
    return nodes, index, edges


def names(nodes: list[Hashable], ids: Any) -> set:
    """Integer ids back to node names (for the agreement check, not timed)."""
    return {nodes[i] for i in ids}


# -- rustworkx --------------------------------------------------------------------------------


def rx_build(rx: ModuleType, nodes: list[Hashable], edges: list[tuple[int, int]]) -> Any:
    """A PyDiGraph whose node i is nodes[i] (payload = the name) with the uncut edges."""
    g = rx.PyDiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from_no_data(edges)
    return g


def rx_postorder(rx: ModuleType, g: Any, root: int) -> tuple[list[int], list[tuple[int, int]]]:
    """Post-order and back edges from root via dfs_search: what ``_postorder`` computes (unsorted children)."""
    from rustworkx.visit import DFSVisitor

    class PostOrder(DFSVisitor):
        def __init__(self) -> None:
            self.order: list[int] = []
            self.back: list[tuple[int, int]] = []

        def finish_vertex(self, v: int, t: int) -> None:
            self.order.append(v)

        def back_edge(self, e: tuple) -> None:
            self.back.append((e[0], e[1]))

    vis = PostOrder()
    rx.digraph_dfs_search(g, [root], vis)
    return vis.order, vis.back


def rx_topo(rx: ModuleType, g: Any, root: int) -> Any:
    """Topological order of the subgraph reachable from root, None if it has a cycle."""
    sub = g.subgraph(list(rx.descendants(g, root) | {root}))
    try:
        return rx.topological_sort(sub)
    except rx.DAGHasCycle:
        return None


def bench_rustworkx(
    bench: Bench, rx: ModuleType, G: nx.DiGraph, conv: tuple, roots: list[str], size: int, ref: Reference
) -> None:
    """Time rustworkx's build and traversals for the roots and check them against networkx."""
    nodes, index, edges = conv
    reach = ref.reach
    g = bench.run(size, "rustworkx", "build PyDiGraph from index + edges", lambda: rx_build(rx, nodes, edges))
    bench.run(size, "rustworkx", "networkx_converter (reference)", lambda: rx.networkx_converter(G))
    gc.freeze()
    ids = [index[r] for r in roots]
    orders = [[index[n] for n in order] for order in ref.orders]
    rreach = bench.run(size, "rustworkx", "descendants", lambda: [rx.descendants(g, i) for i in ids])
    tree = bench.run(
        size, "rustworkx", "digraph_dfs_edges (native pre-order)", lambda: [rx.digraph_dfs_edges(g, i) for i in ids]
    )
    post = bench.run(
        size, "rustworkx", "dfs_search post-order+back-edge visitor", lambda: [rx_postorder(rx, g, i) for i in ids]
    )
    topo = bench.run(size, "rustworkx", "reach+subgraph+topological_sort", lambda: [rx_topo(rx, g, i) for i in ids])
    bench.run(
        size,
        "rustworkx",
        "successor_indices reads (as _evaluate)",
        lambda: [len(g.successor_indices(i)) for order in orders for i in order],
    )
    want = [len(s) for s in reach]
    bench.agree(size, "rustworkx descendants size", [len(s) for s in rreach], want)
    bench.agree(size, "rustworkx descendants node sets", [names(nodes, s) for s in rreach], reach)
    bench.agree(size, "rustworkx dfs tree edges", [len(t) for t in tree], want)
    bench.agree(size, "rustworkx post-order length - 1", [len(p[0]) - 1 for p in post], want)
    bench.agree(
        size, "rustworkx topological order length - 1", [len(t) - 1 if t is not None else None for t in topo], want
    )


# -- igraph -----------------------------------------------------------------------------------


def ig_topo(g: Any, root: int) -> list[int] | None:
    """Topological order of the subgraph reachable from root, None if it has a cycle."""
    sub = g.induced_subgraph(g.subcomponent(root, mode="out"))
    return sub.topological_sorting(mode="out") if sub.is_dag() else None


def bench_igraph(bench: Bench, ig: ModuleType, conv: tuple, roots: list[str], size: int, ref: Reference) -> None:
    """Time igraph's build and traversals for the roots and check them against networkx."""
    nodes, index, edges = conv
    reach = ref.reach
    g = bench.run(
        size,
        "igraph",
        "build Graph(n, edges, directed=True)",
        lambda: ig.Graph(n=len(nodes), edges=edges, directed=True),
    )
    gc.freeze()
    ids = [index[r] for r in roots]
    orders = [[index[n] for n in order] for order in ref.orders]
    sub = bench.run(size, "igraph", "subcomponent(mode='out')", lambda: [g.subcomponent(i, mode="out") for i in ids])
    pre = bench.run(size, "igraph", "dfsiter (C iterator, pre-order)", lambda: [list(g.dfsiter(i)) for i in ids])
    dfs = bench.run(size, "igraph", "Graph.dfs (pure Python, pre-order)", lambda: [g.dfs(i)[0] for i in ids])
    topo = bench.run(size, "igraph", "reach+induced_subgraph+topological_sorting", lambda: [ig_topo(g, i) for i in ids])
    bench.run(
        size,
        "igraph",
        "successors reads (as _evaluate)",
        lambda: [len(g.successors(i)) for order in orders for i in order],
    )
    want = [len(s) for s in reach]
    bench.agree(size, "igraph subcomponent size - 1", [len(s) - 1 for s in sub], want)
    bench.agree(size, "igraph subcomponent node sets", [names(nodes, s) - {r} for s, r in zip(sub, roots)], reach)
    bench.agree(size, "igraph dfsiter length - 1", [len(p) - 1 for p in pre], want)
    bench.agree(size, "igraph dfs length - 1", [len(d) - 1 for d in dfs], want)
    bench.agree(
        size, "igraph topological order length - 1", [len(t) - 1 if t is not None else None for t in topo], want
    )


# -- one size, summary, output ----------------------------------------------------------------


def bench_size(bench: Bench, exp: int, seed: int, libs: dict[str, ModuleType | None]) -> None:
    """Generate one synthetic graph and run every library's steps on it, freeing everything afterwards."""
    size = 10**exp
    gc.unfreeze()
    gc.collect()
    G = bench.run(
        size,
        "networkx",
        "generate (gen_synthetic, cut_rate=0)",
        lambda: synthetic_graph(size, seed=seed, cut_rate=0.0),
    )
    gc.freeze()
    print(f"{'':>9} {G.number_of_nodes()} nodes, {G.number_of_edges()} edges", flush=True)
    roots = [f"acc:{r}" for r in range(N_ROOTS)]
    ref = bench_networkx(bench, G, roots, size)
    if libs["rustworkx"] or libs["igraph"]:
        conv = bench.run(size, "rx & ig", "integer index + uncut edge list", lambda: to_index(G))
        gc.freeze()
        if libs["rustworkx"]:
            bench_rustworkx(bench, libs["rustworkx"], G, conv, roots, size, ref)
        if libs["igraph"]:
            bench_igraph(bench, libs["igraph"], conv, roots, size, ref)
    print(f"{'':>9} reachable per root: {[len(s) for s in ref.reach]}; cut sets per root: {ref.cut_sets}", flush=True)
    gc.unfreeze()


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing."""
    return a / b if a is not None and b else None


# Per library: its conversion, reachable-set, adjacency-read and DFS steps (labels as in the table).
LIB_STEPS: dict[str, dict[str, Any]] = {
    "rustworkx": {
        "build": "build PyDiGraph from index + edges",
        "reach": "descendants",
        "reads": "successor_indices reads (as _evaluate)",
        "dfs": {
            "post-order visitor (does what _postorder does)": "dfs_search post-order+back-edge visitor",
            "native DFS, pre-order only (lower bound)": "digraph_dfs_edges (native pre-order)",
        },
    },
    "igraph": {
        "build": "build Graph(n, edges, directed=True)",
        "reach": "subcomponent(mode='out')",
        "reads": "successors reads (as _evaluate)",
        "dfs": {"native DFS, pre-order only (lower bound)": "dfsiter (C iterator, pre-order)"},
    },
}


def swap_projection(mcs: float, post: float, reads: float, conv: float, t_dfs: float, t_reads: float) -> dict:
    """What minimal_cut_sets would cost with the library doing the graph work (DFS + adjacency reads)."""
    swapped = mcs - post - reads + t_dfs + t_reads
    gain = mcs - swapped
    return {
        "seconds": t_dfs,
        "speedup_vs__postorder": post / t_dfs,
        "speedup_vs__postorder_incl_conversion": post / (t_dfs + conv),
        "minimal_cut_sets_swapped_s": swapped,
        "minimal_cut_sets_swapped_incl_conversion_s": swapped + conv,
        "minimal_cut_sets_speedup": mcs / swapped,
        "minimal_cut_sets_speedup_incl_conversion": mcs / (swapped + conv),
        "break_even_runs_of_10_roots": conv / gain if gain > 0 else None,
    }


def summarise(bench: Bench, size: int) -> dict[str, Any]:
    """Traversal share of minimal_cut_sets and the other libraries' speedups, with and without conversion."""
    s = bench.seconds
    mcs = s(size, "chipgraph", "minimal_cut_sets (full analysis)")
    post = s(size, "chipgraph", "_postorder (DFS, sorted children, back edges)")
    reads = s(size, "chipgraph", "  of which _children reads")
    index = s(size, "rx & ig", "integer index + uncut edge list") or 0.0
    out: dict[str, Any] = {
        "size": size,
        "minimal_cut_sets_s": mcs,
        "postorder_s": post,
        "children_reads_s": reads,
        "postorder_share": post / mcs,
        "graph_work_share": (post + reads) / mcs,
    }
    nx_reach = s(size, "networkx", "descendants")
    for lib, steps in LIB_STEPS.items():
        build = s(size, lib, steps["build"])
        if build is None:
            continue  # not installed
        conv = index + build
        t_reads = s(size, lib, steps["reads"])
        entry: dict[str, Any] = {
            "conversion_s": conv,
            "build_only_s": build,
            "reach_speedup_vs_nx_descendants": ratio(nx_reach, s(size, lib, steps["reach"])),
            "reads_speedup_vs__children": ratio(reads, t_reads),
        }
        for label, step in steps["dfs"].items():
            entry[label] = swap_projection(mcs, post, reads, conv, s(size, lib, step), t_reads)
        out[lib] = entry
    return out


def print_summary(summary: dict[str, Any]) -> None:
    """A few readable lines per size: what fraction is graph work and what switching would buy."""
    print(
        f"\n{summary['size']} nodes: minimal_cut_sets {summary['minimal_cut_sets_s']:.3f} s; "
        f"_postorder {summary['postorder_share']:.1%} of it, "
        f"_postorder + _children reads in _evaluate {summary['graph_work_share']:.1%}"
    )
    for lib in LIB_STEPS:
        entry = summary.get(lib)
        if not entry:
            continue
        print(
            f"  {lib}: conversion {entry['conversion_s']:.3f} s (build alone {entry['build_only_s']:.3f} s); "
            f"reachable set {entry['reach_speedup_vs_nx_descendants']:.1f}x nx.descendants; "
            f"adjacency reads {entry['reads_speedup_vs__children']:.1f}x _children"
        )
        for label in LIB_STEPS[lib]["dfs"]:
            e = entry[label]
            runs = e["break_even_runs_of_10_roots"]
            print(
                f"    {label}: {e['speedup_vs__postorder']:.1f}x _postorder "
                f"({e['speedup_vs__postorder_incl_conversion']:.2f}x incl. conversion); minimal_cut_sets "
                f"{e['minimal_cut_sets_swapped_s']:.3f} s = {e['minimal_cut_sets_speedup']:.2f}x "
                f"({e['minimal_cut_sets_speedup_incl_conversion']:.2f}x incl. conversion, "
                f"break-even after {runs if runs is None else round(runs, 1)} runs of 10 roots)"
            )


def versions(libs: dict[str, ModuleType | None]) -> dict[str, str | None]:
    """Versions of Python and the graph libraries (None: not installed)."""
    out = {"python": platform.python_version(), "networkx": nx.__version__}
    out.update({name: getattr(mod, "__version__", "?") if mod else None for name, mod in libs.items()})
    return out


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write atomically: a temp file in the same directory, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    os.replace(tmp, path)


def main() -> int:
    """Run all sizes, print the table and summaries, write the JSON; exit 1 if the libraries disagree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-exp", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("output/bench/graphlibs.json"))
    args = parser.parse_args()
    libs = {name: optional_import(name) for name in ("rustworkx", "igraph")}
    meta = {
        "versions": versions(libs),
        "seed": args.seed,
        "max_exp": args.max_exp,
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
    }
    print(f"versions: {meta['versions']}; {meta['cpus']} CPUs, load average {meta['loadavg_start']}")
    bench = Bench()
    bench.header()
    for exp in range(MIN_EXP, args.max_exp + 1):
        bench_size(bench, exp, args.seed, libs)
    summaries = [summarise(bench, 10**exp) for exp in range(MIN_EXP, args.max_exp + 1)]
    for summary in summaries:
        print_summary(summary)
    meta["loadavg_end"] = os.getloadavg()
    ok = not bench.failures
    print(f"\nagreement: {'all libraries agree' if ok else f'{len(bench.failures)} FAILURES (see above)'}")
    write_json(
        args.out,
        {
            "meta": meta,
            "rows": [asdict(r) for r in bench.rows],
            "summary": summaries,
            "agreement_failures": bench.failures,
        },
    )
    print(f"wrote {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
