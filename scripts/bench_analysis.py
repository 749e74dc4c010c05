"""Benchmark the per-cut-set step of the chokepoint analysis: full re-evaluation vs incremental.

After ``minimal_cut_sets``, :func:`graph.chokepoints.analysis.analyse` asks for every cut set of
an accelerator which items its failure takes away. It used to call ``availability(G, root,
failed=cut)`` per cut set, a walk of everything reachable from the root each time (about
cut sets x reachable nodes per root: quadratic); it now builds one ``IncrementalAvailability``
per root and propagates upwards from the failed providers only. This script measures both on the
seeded synthetic graphs of scripts/gen_synthetic.py (``cut_rate=0.0`` by default, so every root
stays available and has all its cut sets; roots ``acc:0`` .. ``acc:9``):

- ``analyse``: :func:`analyse` itself for the 10 roots (the synthetic graph gets
  ``G.graph["min_confidence"] = "medium"`` so that ``_prepared`` uses it as it is instead of
  copying it to re-annotate cuts; its ``cut_by`` edges are final already);
- the steps of that analysis per root, for all 10 roots: availability without stock plus the
  blocked nodes (``prep``), ``minimal_cut_sets`` (``mcs``), the killed items of every cut set the
  new way (``new``: build + ``failures`` per cut set) and the old way (``old``: a copy of the loop
  ``analyse`` had, full ``availability`` per cut set). The old loop stops at ``--budget`` seconds
  per size and reports ``> budget`` with the cut sets done and a linear extrapolation of the rest.

The killed items of every cut set the old loop reached are checked to equal the new ones
(``AGREEMENT FAILED`` and exit status 1 otherwise). Each size runs in its own subprocess
(scripts/benchlib.py) so a size does not inherit the peak memory of the one before; peak RSS
(``ru_maxrss``) is given after generation and at the end. ``gc.freeze()`` after generation.

Usage: python scripts/bench_analysis.py [--sizes 10000 100000 1000000] [--budget 120] [--seed 0]
                                        [--cut-rate 0.0] [--json FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import emit, peak_rss_mb, run_worker  # noqa: E402

N_ROOTS = 10


def killed_old(G: Any, root: str, cut_sets: list[frozenset], bridged: list[str], deadline: float) -> list[list[str]]:
    """The loop ``analyse`` had: one full ``availability`` per cut set (stops at ``deadline``)."""
    from graph.chokepoints.cutsets import availability

    before = availability(G, root, bridged=bridged)
    out = []
    for cut in cut_sets:
        if time.perf_counter() > deadline:
            break
        members = sorted(cut, key=str)
        after = availability(G, root, failed=members, bridged=bridged)
        out.append(
            sorted(
                n
                for n, ok in after.items()
                if not ok
                and before.get(n)
                and G.nodes[n].get("kind") in ("supply", "stage")
                and G.nodes[n].get("gate") == "or"
            )
        )
    return out


def killed_new(G: Any, root: str, cut_sets: list[frozenset], bridged: list[str]) -> tuple[list[list[str]], int]:
    """What ``analyse`` does now: one ``IncrementalAvailability``, ``failures`` per cut set (+ reachable count)."""
    from graph.chokepoints.analysis import _killed_items
    from graph.chokepoints.cutsets import IncrementalAvailability

    impact = IncrementalAvailability(G, root, bridged=bridged)
    return [_killed_items(G, impact.failures(sorted(cut, key=str))) for cut in cut_sets], len(impact.before)


def timed(func: Any, *args: Any) -> tuple[Any, float]:
    """``func(*args)`` and its wall time in seconds."""
    t = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - t


def steps(G: Any, budget: float) -> dict[str, Any]:
    """Per root: prep, minimal_cut_sets, new loop; then the old loop over all roots within ``budget``."""
    from graph.chokepoints.analysis import _blocked
    from graph.chokepoints.cutsets import availability, minimal_cut_sets

    roots = [f"acc:{r}" for r in range(N_ROOTS)]
    t = {"prep": 0.0, "mcs": 0.0, "new": 0.0, "old": 0.0}
    work, n_cuts, reach, n_killed = [], [], [], []
    for root in roots:
        plain, dt = timed(availability, G, root)
        bridged = _blocked(G, root, plain)
        t["prep"] += dt
        cs, dt = timed(lambda r=root, b=bridged: minimal_cut_sets(G, r, max_order=2, bridged=b, on_cycle="break"))
        t["mcs"] += dt
        cut_sets = cs.as_sets()
        (new, n_reach), dt = timed(killed_new, G, root, cut_sets, bridged)
        t["new"] += dt
        work.append((root, cut_sets, bridged, new))
        n_cuts.append(len(cut_sets))
        reach.append(n_reach)
        n_killed.extend(len(k) for k in new)
    rss_new = peak_rss_mb()
    deadline, done, agree = time.perf_counter() + budget, 0, True
    for root, cut_sets, bridged, new in work:
        old, dt = timed(killed_old, G, root, cut_sets, bridged, deadline)
        t["old"] += dt
        done += len(old)
        agree &= old == new[: len(old)]
    total = sum(n_cuts)
    return {
        "times_s": {k: round(v, 3) for k, v in t.items()},
        "old_done": done,
        "old_complete": done == total,
        "old_extrapolated_s": round(t["old"] * total / done, 1) if done else None,
        "agree": agree,
        "cut_sets_total": total,
        "cut_sets_per_root": [min(n_cuts), round(statistics.mean(n_cuts), 1), max(n_cuts)],
        "reachable_per_root": [min(reach), round(statistics.mean(reach), 1), max(reach)],
        "killed_items_per_cut_set": round(statistics.mean(n_killed), 2) if n_killed else 0,
        "peak_rss_after_new_mb": rss_new,
    }


def worker(n: int, seed: int, cut_rate: float, budget: float) -> None:
    """One size: generate, ``analyse`` the 10 roots, then the step breakdown; print one JSON line."""
    from gen_synthetic import synthetic_graph

    from graph.chokepoints.analysis import analyse

    G, gen_s = timed(lambda: synthetic_graph(n, seed=seed, cut_rate=cut_rate))
    gc.freeze()
    res: dict[str, Any] = {"n": n, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "generate_s": gen_s}
    res["peak_rss_after_generate_mb"] = peak_rss_mb()
    G.graph["min_confidence"] = "medium"  # _prepared then analyses G itself (no copy, no re-annotation)
    out, res["analyse_s"] = timed(lambda: [analyse(G, f"acc:{r}") for r in range(N_ROOTS)])
    res["analyse_rows"] = sum(len(a["chokepoints"]) for a in out)
    del out
    res.update(steps(G, budget))
    emit(res)


def old_cell(r: dict[str, Any], budget: float) -> str:
    """The old loop's time, or '> budget' with the share done and the linear extrapolation."""
    old = r["times_s"]["old"]
    if r["old_complete"]:
        return f"{old:.2f}"
    return f"> {budget:.0f} ({r['old_done']}/{r['cut_sets_total']} done; ~{r['old_extrapolated_s']:.0f} est.)"


def table(results: list[dict[str, Any]], budget: float) -> str:
    """A markdown table of the per-size results."""
    head = (
        "| nodes | cut sets/root (min/mean/max) | reachable/root (min/mean/max) | analyse 10 roots s | prep s | mcs s "
        "| killed: new s | killed: old s | old/new | peak RSS gen / end MB |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        if "error" in r:
            lines.append(f"| {r.get('n', '?')} | error: {r['error']} |")
            continue
        t = r["times_s"]
        ratio = r["old_extrapolated_s"] / t["new"] if t["new"] and r["old_extrapolated_s"] else float("nan")
        lines.append(
            f"| {r['nodes']:,} | {'/'.join(map(str, r['cut_sets_per_root']))} "
            f"| {'/'.join(map(str, r['reachable_per_root']))} | {r['analyse_s']:.2f} | {t['prep']:.2f} "
            f"| {t['mcs']:.2f} | {t['new']:.3f} | {old_cell(r, budget)} "
            f"| {ratio:,.0f}x{'' if r['old_complete'] else ' est.'} "
            f"| {r['peak_rss_after_generate_mb']:.0f} / {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--budget", type=float, default=120.0, help="seconds for the old loop per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cut-rate", type=float, default=0.0)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.sizes[0], args.seed, args.cut_rate, args.budget)
        return 0
    results = []
    for n in args.sizes:
        opts = ["--seed", str(args.seed), "--cut-rate", str(args.cut_rate), "--budget", str(args.budget)]
        r = run_worker("bench_analysis.py", ["--sizes", str(n), *opts])
        r.setdefault("n", n)
        results.append(r)
        print(json.dumps(r), flush=True)
    print(table(results, args.budget))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    bad = [r["n"] for r in results if "error" in r or not r.get("agree", False)]
    if bad:
        print(f"AGREEMENT FAILED (or error) for sizes {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
