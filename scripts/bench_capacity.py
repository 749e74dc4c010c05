"""Benchmark the capacity model: 100,000 draws for every accelerator whose inputs the sources give.

Reads the claims once from a built store (default ./output), then times, for each year, the full
:func:`graph.capacity.model.capacity` (range rule, Monte Carlo, binding shares, sensitivity with
two extra evaluations per uncertain input, published-estimate comparison) for every modelled
accelerator. The target of issue 15 is under 2 s per year for all of them together. Best of
``--repeat`` runs (the first run also pays numpy's warm-up).

Usage: python scripts/bench_capacity.py [--output-dir output] [--draws 100000] [--years 2025 2026]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output-dir", type=Path, default=Path("output"))
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--years", type=int, nargs="+", default=[2025, 2026])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from graph.capacity.assumptions import load_assumptions
    from graph.capacity.claims import read_claims
    from graph.capacity.model import capacity
    from graph.capacity.report import default_accelerators
    from graph.store.local import open_store

    t0 = time.perf_counter()
    data = read_claims(open_store(args.output_dir))
    assumptions = load_assumptions()
    print(f"read {len(data.claims)} claims in {time.perf_counter() - t0:.3f} s")
    for year in args.years:
        accs = [
            a
            for a in default_accelerators(data, assumptions)
            if capacity(data, a, year, assumptions=assumptions, draws=10)["status"] == "modelled"
        ]
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            for a in accs:
                capacity(data, a, year, assumptions=assumptions, draws=args.draws)
            best = min(best, time.perf_counter() - t)
        verdict = "OK" if best < 2.0 else "SLOW"
        print(f"{year}: {len(accs)} accelerators ({', '.join(accs)}) x {args.draws:,} draws: {best:.3f} s [{verdict}]")


if __name__ == "__main__":
    main()
