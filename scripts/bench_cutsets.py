"""Benchmark chipgraph's minimal cut sets against SCRAM's MOCUS, side by side, on the same graphs.

For each size (seeded synthetic graphs of scripts/gen_synthetic.py, ``cut_rate=0.0`` as in
bench_chokepoints.py, so every root is available; roots ``acc:0`` .. ``acc:9``) the graph is
written once as an Open-PSA MEF fault tree with every root as a top event
(:func:`graph.chokepoints.openpsa.open_psa`), then, for each order, ``--repeat`` rounds
alternate:

- ``scram --mocus -l ORDER`` on the file: the time SCRAM reports per top event (``calculation-time
  / products``: building its graph, preprocessing and MOCUS, after reading the XML) and the wall
  time of the whole process (reading the XML included);
- ``minimal_cut_sets(G, root, max_order=ORDER)`` for every root: wall time per root (from the
  networkx graph, traversal included).

Each root keeps its fastest round on each side; the table gives the sums over the 10 roots and
over ``acc:0`` alone, and the ratio chipgraph / SCRAM (below 1.0: chipgraph is faster). Every
cut set of every root is compared between the two (``AGREEMENT FAILED`` and exit status 1 when
they differ). ``--reference`` also times the previous frozenset implementation (order 2).
The machine may be shared: rounds alternate so both sides see the same load, and the minimum
over rounds is the least disturbed figure.

Usage: python scripts/bench_cutsets.py [--sizes 10000 100000 1000000] [--orders 2 3]
                                       [--repeat 5] [--seed 0] [--reference] [--json FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _scram(path: Path, order: int, out: Path) -> tuple[dict[str, Any], float]:
    from graph.chokepoints.openpsa import read_scram_report

    t = time.perf_counter()
    subprocess.run(["scram", "--mocus", "-l", str(order), str(path), "-o", str(out)], check=True, capture_output=True)
    wall = time.perf_counter() - t
    return read_scram_report(out.read_text(encoding="utf-8")), wall


def bench_size(n: int, orders: list[int], repeat: int, seed: int, reference: bool, tmp: Path) -> list[dict]:
    from gen_synthetic import synthetic_graph

    from graph.chokepoints.cutsets import _evaluate, _postorder, minimal_cut_sets
    from graph.chokepoints.openpsa import basic_event_nodes, mef_name, open_psa

    gc.unfreeze()
    t = time.perf_counter()
    G = synthetic_graph(n, seed=seed, cut_rate=0.0)
    gen_s = time.perf_counter() - t
    roots = [f"acc:{r}" for r in range(10)]
    t = time.perf_counter()
    xml = open_psa(G, roots)
    export_s = time.perf_counter() - t
    path = tmp / f"synthetic-{n}.xml"
    path.write_text(xml, encoding="utf-8")
    names = basic_event_nodes(xml)
    gc.freeze()
    rows = []
    for order in orders:
        ours = {r: float("inf") for r in roots}
        theirs = {r: float("inf") for r in roots}
        walls = []
        results: dict[str, Any] = {}
        report: dict[str, Any] = {}
        for _ in range(repeat):
            report, wall = _scram(path, order, tmp / "report.xml")
            walls.append(wall)
            for r in roots:
                theirs[r] = min(theirs[r], report["seconds"][mef_name(r)])
            for r in roots:
                t = time.perf_counter()
                results[r] = minimal_cut_sets(G, r, max_order=order, on_cycle="break")
                ours[r] = min(ours[r], time.perf_counter() - t)
        agree = all(
            {frozenset(names[e] for e in p) for p in report["products"][mef_name(r)]} == set(results[r].as_sets())
            for r in roots
        )
        row = {
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "order": order,
            "cut_sets_acc0": len(results["acc:0"].as_sets()),
            "chipgraph_acc0_s": ours["acc:0"],
            "scram_acc0_s": theirs["acc:0"],
            "chipgraph_s": sum(ours.values()),
            "scram_s": sum(theirs.values()),
            "scram_process_wall_s": min(walls),
            "ratio_acc0": ours["acc:0"] / theirs["acc:0"],
            "ratio": sum(ours.values()) / sum(theirs.values()),
            "agree": agree,
            "generate_s": gen_s,
            "export_s": export_s,
        }
        if reference and order == 2:
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                for r in roots:
                    o, back, _ = _postorder(G, r, "break")
                    _evaluate(G, r, o, back, frozenset(), 2)
                best = min(best, time.perf_counter() - t)
            row["frozenset_version_s"] = best
        rows.append(row)
        print(_line(row), flush=True)
    del G
    return rows


HEADER = (
    f"{'nodes':>9} {'order':>5} {'cut sets acc:0':>14} {'chipgraph acc:0':>15} {'SCRAM acc:0':>11} "
    f"{'ratio':>6} {'chipgraph 10':>12} {'SCRAM 10':>9} {'ratio':>6} {'SCRAM process':>13} agree"
)


def _line(r: dict) -> str:
    ms = 1e3
    extra = f"  (frozenset version: {r['frozenset_version_s'] * ms:.1f} ms)" if "frozenset_version_s" in r else ""
    return (
        f"{r['nodes']:>9} {r['order']:>5} {r['cut_sets_acc0']:>14} {r['chipgraph_acc0_s'] * ms:>12.2f} ms "
        f"{r['scram_acc0_s'] * ms:>8.2f} ms {r['ratio_acc0']:>5.2f}x {r['chipgraph_s'] * ms:>9.1f} ms "
        f"{r['scram_s'] * ms:>6.1f} ms {r['ratio']:>5.2f}x {r['scram_process_wall_s']:>11.2f} s "
        f"{'yes' if r['agree'] else 'NO'}{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--orders", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference", action="store_true", help="also time the frozenset version (order 2)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if shutil.which("scram") is None:
        sys.exit("scram is not installed (Debian: apt-get install scram)")
    print(HEADER)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            rows += bench_size(n, args.orders, args.repeat, args.seed, args.reference, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if not all(r["agree"] for r in rows):
        print("AGREEMENT FAILED: chipgraph and SCRAM found different cut sets", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
