"""Benchmark the chokepoint analysis: the real graph, and synthetic graphs of 10^3..10^6 nodes.

For the real graph (a built store, default ./output): projection (SPARQL -> networkx) and the
analysis of every domestic accelerator. For synthetic graphs (scripts/gen_synthetic.py, seeded):
generation (no cut edges, so every root stays available and all cut sets are computed), then
order-1/2 minimal cut sets of every root. Reports wall time and the growth of
peak resident memory (ru_maxrss) per step. gc.freeze() after building, as in
/work/shared/research/performance.md.

Usage: python scripts/bench_chokepoints.py [--output-dir output] [--max-exp 6] [--seed 0]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def step(name: str, func, *args, **kwargs):
    before = rss_mb()
    t = time.perf_counter()
    result = func(*args, **kwargs)
    dt = time.perf_counter() - t
    print(f"{name:<44} {dt:9.3f} s   peak RSS +{rss_mb() - before:8.1f} MB", flush=True)
    return result


def bench_real(output_dir: Path) -> None:
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.projection import dependency_graph
    from graph.store.local import open_store

    try:
        store = open_store(output_dir)
    except Exception as exc:  # noqa: BLE001 - no build: skip the real graph
        print(f"real graph: skipped ({exc})")
        return
    G = step("real: projection (SPARQL -> networkx)", dependency_graph, store)
    gc.freeze()
    print(f"    {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
    res = step("real: all domestic accelerators, order<=2", all_chokepoints, G)
    print(f"    {len(res)} accelerators, {sum(len(r['chokepoints']) for r in res)} chokepoint rows")


def bench_synthetic(max_exp: int, seed: int) -> None:
    from gen_synthetic import synthetic_graph

    from graph.chokepoints.cutsets import minimal_cut_sets

    for exp in range(3, max_exp + 1):
        n = 10**exp
        gc.unfreeze()
        G = step(f"synthetic 10^{exp}: generate", synthetic_graph, n, seed=seed, cut_rate=0.0)
        gc.freeze()

        def analyse_all(G=G):
            return [minimal_cut_sets(G, f"acc:{r}", max_order=2, on_cycle="break") for r in range(10)]

        res = step(f"synthetic 10^{exp}: cut sets of 10 roots", analyse_all)
        import networkx as nx

        reach = len(nx.descendants(G, "acc:0"))
        print(
            f"    {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, {reach} reachable from acc:0; "
            f"{sum(len(c.singles) for c in res)} singles, {sum(len(c.pairs) for c in res)} pairs"
        )
        del G, res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=Path("output"))
    parser.add_argument("--max-exp", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bench_real(args.output_dir)
    bench_synthetic(args.max_exp, args.seed)


if __name__ == "__main__":
    main()
