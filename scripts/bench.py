"""Run every chipgraph benchmark in one go and write a results table.

One command, same synthetic data for every engine, medians and ratios, peak memory per item:

1. generate seeded datasets (``scripts/gen_triples.py``) at each size;
2. load rate: chipgraph's store loader vs raw ``pyoxigraph.Store.bulk_load`` vs rdflib
   (``scripts/bench_load.py``);
3. queries: every named query and the shaped set on chipgraph vs raw pyoxigraph vs rdflib
   (``scripts/bench_queries.py``);
4. chokepoints: ``scripts/bench_chokepoints.py`` (cut sets), ``scripts/bench_analysis.py`` (the full
   per-accelerator analysis) and ``scripts/bench_graphlibs.py`` (networkx vs rustworkx vs igraph,
   skipped for a library that is not installed: ``pip install -e '.[bench]'``);
5. CLI latency of ``chipgraph show`` / ``chipgraph query`` on the built default data vs a bare
   pyoxigraph script, with import-time offenders (``scripts/bench_cli.py``);
6. HTML: ``scripts/bench_render.py`` (owned by the rendering module).

Results go to ``output/bench/results.json`` and ``output/bench/results.md``.

Usage::

    python scripts/bench.py                      # sizes 1e4,1e5,1e6
    python scripts/bench.py --quick              # 1e4,1e5, one repeat, fewer query runs
    python scripts/bench.py --big                # adds 1e7 (rdflib skipped above --rdflib-max)
    python scripts/bench.py --sizes 1e5 --only load,queries
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402
import bench_load  # noqa: E402
import bench_queries  # noqa: E402
import gen_triples  # noqa: E402
from benchlib import PYTHON, REPO, SCRIPTS, machine  # noqa: E402

PARTS = ("load", "queries", "chokepoints", "cli", "render")


def size_label(n: int) -> str:
    exp = len(str(n)) - 1
    return f"1e{exp}" if n == 10**exp else str(n)


def external(script: str, args: list[str], timeout: float) -> dict:
    """Run another module's benchmark script; keep its JSON (if it prints any) and its output tail."""
    path = SCRIPTS / script
    if not path.exists():
        return {"skipped": f"{script} does not exist yet"}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [PYTHON, str(path), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "command": f"python scripts/{script} {' '.join(args)}"}
    out: dict = {
        "command": f"python scripts/{script} {' '.join(args)}".strip(),
        "exit": proc.returncode,
        "seconds": round(time.perf_counter() - start, 1),
    }
    text = proc.stdout.strip()
    try:
        out["result"] = json.loads(text)
    except ValueError:
        out["stdout_tail"] = text.splitlines()[-40:]
    if proc.returncode:
        out["stderr_tail"] = proc.stderr.strip().splitlines()[-5:]
    return out


def default_build(work: Path, timeout: float) -> Path | None:
    """The built default data for the CLI benchmark: ``output/`` if built, else a fresh build."""
    out = REPO / "output"
    if (out / "store").exists():
        return out
    target = work / "default-build"
    proc = subprocess.run(
        [PYTHON, "-m", "graph", "build", "-o", str(target)], capture_output=True, text=True, cwd=REPO, timeout=timeout
    )
    if proc.returncode or not (target / "store").exists():
        print("default build failed: " + proc.stderr.strip()[-300:], file=sys.stderr)
        return None
    return target


def markdown(results: dict) -> str:
    """The results as Markdown tables (what the README's Performance section quotes)."""
    m = results["machine"]
    lines = [
        f"Machine: {m['nproc']} cores, {m['ram_gb']} GB RAM, {m['cpu']}, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v != "not installed")
        + f". Run {results['started']} with `{results['command']}`.",
        "",
    ]
    load = results.get("load", {})
    if load:
        lines += [
            "### Load rate (median; quads/s; peak RSS MiB)",
            "",
            "| quads | chipgraph store | raw pyoxigraph bulk_load | rdflib memory | chipgraph/raw "
            "(target >= 0.8) | raw/rdflib |",
            "|---|---|---|---|---|---|",
        ]
        for size, r in load.items():

            def cell(k: str, r: dict = r) -> str:
                x = r.get(k, {})
                if "quads_per_s" not in x:
                    return x.get("error", "skipped")[:60] if x else "skipped"
                return f"{x['seconds']:.2f} s, {x['quads_per_s']:,}/s, {x['peak_rss_mb']:.0f} MiB"

            quads = r.get("raw", {}).get("quads", size)
            lines.append(
                f"| {quads:,} | {cell('chipgraph')} | {cell('raw')} | {cell('rdflib')} | "
                f"{r.get('ratio_chipgraph_vs_raw', '-')} | {r.get('ratio_raw_vs_rdflib', '-')} |"
            )
        lines.append("")
    queries = results.get("queries", {})
    for size, r in queries.items():
        lines += [
            f"### Queries at {size} triples (median ms; targets: chipgraph/raw <= 1.5, rdflib/chipgraph >= 20 at 1e6)",
            "",
            "chipgraph and raw pyoxigraph read the on-disk store; 'in memory' is chipgraph on an "
            f"in-memory copy of it (`open_store(in_memory=True)`, copied in {r.get('memory_copy_s', '-')} s).",
            "",
            "| query | rows | chipgraph | raw pyoxigraph | chipgraph in memory | rdflib | chipgraph/raw "
            "| rdflib/chipgraph | rdflib/in memory |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, q in r.get("queries", {}).items():
            if "chipgraph" not in q:
                lines.append(f"| {name} | error: {q.get('error', '?')[:80]} | | | | | | | |")
                continue

            def ms(k: str, q: dict = q) -> str:
                if k not in q:
                    return "-"
                if q[k].get("median_s") is None:
                    if "timeout_s" in q[k]:
                        return f"> {q[k]['timeout_s']:.0f} s"
                    return "fails" if "error" in q[k] else "out of memory"
                return f"{q[k]['median_s'] * 1000:.2f}"

            lines.append(
                f"| {name} | {q['chipgraph']['rows']} | {ms('chipgraph')} | {ms('raw')} | {ms('memory')} "
                f"| {ms('rdflib')} | {q.get('chipgraph_vs_raw', '-')} | {q.get('rdflib_vs_chipgraph', '-')} "
                f"| {q.get('rdflib_vs_memory', '-')} |"
            )
        pk = r.get("peak_rss_mb", {})
        lines += [
            "",
            f"Peak RSS: oxigraph process {pk.get('oxigraph')} MiB, rdflib process {pk.get('rdflib')} MiB.",
            "",
        ]
    cli = results.get("cli")
    if cli and "show" in cli:
        lines += [
            "### CLI latency (fresh process, median s; target chipgraph/bare <= 3)",
            "",
            "| command | chipgraph | bare pyoxigraph script | ratio | peak RSS chipgraph / bare |",
            "|---|---|---|---|---|",
        ]
        for key in ("show", "query"):
            if key in cli:
                c, b = cli[key]["chipgraph"], cli[key]["bare"]
                label = f"show {cli['name']}" if key == "show" else f"query {cli[key]['name']}"
                ratio = cli[key].get("ratio", c.get("stderr", "-"))
                lines.append(
                    f"| {label} | {c['median_s']} | {b['median_s']} | {ratio} | "
                    f"{c.get('peak_rss_mb', '-')} / {b.get('peak_rss_mb', '-')} MiB |"
                )
        lines.append(
            f"| python -c pass | {cli['python_startup']['median_s']} | | | "
            f"{cli['python_startup'].get('peak_rss_mb', '-')} MiB |"
        )
        imp = cli.get("importtime_show", {})
        lines += [
            "",
            "Slowest imports of `chipgraph show` (cumulative ms): "
            + ", ".join(f"{x['module']} {x['cumulative_ms']}" for x in imp.get("top", [])[:8])
            + f"; heavy modules loaded: {', '.join(imp.get('heavy_loaded', [])) or 'none'}.",
            "",
        ]
    for part in ("chokepoints", "analysis", "graphlibs", "render"):
        r = results.get(part)
        if r:
            lines += [
                f"### {part}",
                "",
                f"Command: `{r.get('command', '-')}`; "
                + (r.get("skipped") or r.get("error") or f"exit {r.get('exit')}, {r.get('seconds')} s"),
                "",
            ]
            if "stdout_tail" in r:
                lines += ["```", *r["stdout_tail"], "```", ""]
            elif "result" in r:
                lines += ["```json", json.dumps(r["result"], indent=1)[:4000], "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run all chipgraph benchmarks and write a results table")
    ap.add_argument("--sizes", default=None, help="comma-separated triple counts (default 1e4,1e5,1e6)")
    ap.add_argument("--big", action="store_true", help="also run 1e7 triples (needs ~10 GB RAM, ~15 min)")
    ap.add_argument("--quick", action="store_true", help="sizes 1e4,1e5, one load repeat, 3 query runs")
    ap.add_argument("--only", default=",".join(PARTS), help=f"subset of {','.join(PARTS)}")
    ap.add_argument("--rdflib-max", type=float, default=1e6, help="largest size rdflib is run at")
    ap.add_argument("--out", type=Path, default=REPO / "output" / "bench")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder for data and stores")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    sizes = [int(float(x)) for x in (args.sizes or ("1e4,1e5" if args.quick else "1e4,1e5,1e6")).split(",")]
    if args.big and 10**7 not in sizes:
        sizes.append(10**7)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    load_repeats = 1 if args.quick else 3
    query_repeats = 3 if args.quick else 5
    work = args.work or Path(os.environ.get("TMPDIR", "/tmp")) / "chipgraph-bench"
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    results: dict = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python scripts/bench.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "sizes": sizes,
        "datasets": {},
    }

    def save() -> None:
        (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        (args.out / "results.md").write_text(markdown(results), encoding="utf-8")

    for n in sizes:
        label = size_label(n)
        data = work / f"synthetic-{label}-seed{args.seed}.nq"
        if not data.exists():
            print(f"[gen] {label}", file=sys.stderr)
            results["datasets"][label] = gen_triples.generate(n, data, args.seed)
        else:
            results["datasets"][label] = {"path": str(data), "reused": True}
        store = work / f"store-{label}"
        rdflib_ok = n <= args.rdflib_max
        if "load" in parts or "queries" in parts:
            print(f"[load] {label}", file=sys.stderr)
            loaders = (
                bench_load.LOADERS
                if ("load" in parts and rdflib_ok)
                else ("chipgraph", "raw")
                if "load" in parts
                else ("chipgraph",)
            )
            res = bench_load.bench(
                data, 1 if n >= 10**6 and not args.quick else load_repeats, loaders, keep_store=store
            )
            if "load" in parts:
                results.setdefault("load", {})[label] = res
            save()
        if "queries" in parts and store.exists():
            print(f"[queries] {label}", file=sys.stderr)
            results.setdefault("queries", {})[label] = bench_queries.bench(
                data, store, query_repeats if n < 10**6 else 3, rdflib=rdflib_ok
            )
            save()
        shutil.rmtree(store, ignore_errors=True)

    built = None
    if "chokepoints" in parts or "cli" in parts:
        print("[default build]", file=sys.stderr)
        built = default_build(work, timeout=900)
    if "chokepoints" in parts:
        print("[chokepoints]", file=sys.stderr)
        extra = ["--max-exp", "5" if args.quick else "6"] + (["--output-dir", str(built)] if built else [])
        results["chokepoints"] = external("bench_chokepoints.py", extra, timeout=3600)
        save()
        print("[chokepoints: full analysis, incremental vs full re-evaluation]", file=sys.stderr)
        sizes = ["10000", "100000"] + ([] if args.quick else ["1000000"])
        results["analysis"] = external("bench_analysis.py", ["--sizes", *sizes], timeout=3600)
        save()
        print("[chokepoints: networkx vs rustworkx vs igraph]", file=sys.stderr)
        results["graphlibs"] = external(
            "bench_graphlibs.py",
            ["--max-exp", "5" if args.quick else "6", "--out", str(args.out / "graphlibs.json")],
            timeout=3600,
        )
        save()
    if "cli" in parts:
        print("[cli]", file=sys.stderr)
        results["cli"] = (
            bench_cli.bench(built, "Ascend 910C", None, 3 if args.quick else 7)
            if built
            else {"skipped": "no built default data (chipgraph build failed)"}
        )
        save()
    if "render" in parts:
        print("[render]", file=sys.stderr)
        extra = ["--sizes", "1000,5000"] if args.quick else []
        results["render"] = external("bench_render.py", extra, timeout=1800)
        save()
    save()
    print((args.out / "results.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
