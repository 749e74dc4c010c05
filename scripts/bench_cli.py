"""Benchmark: CLI latency of ``chipgraph show NAME`` / ``chipgraph query NAME`` vs a bare script.

Each command is run as a fresh process (as a user runs it) ``--repeats`` times on a built output
folder; the baseline is a bare ``python -c`` that imports pyoxigraph, opens the same store
read-only and does the same lookup. Also reports the slowest imports of ``chipgraph show`` from
``python -X importtime``, so heavy modules (pyvis, pyshacl, networkx, rdflib) can be kept out.

Usage::

    python scripts/bench_cli.py --output-dir output [--name "Ascend 910C"] [--query NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import PYTHON, REPO, median  # noqa: E402

HEAVY = ("pyvis", "pyshacl", "networkx", "rdflib", "jinja2", "owlrl", "yaml")

BARE_SHOW = """
import sys, pyoxigraph as ox
s = ox.Store.read_only(sys.argv[1])
lab = ox.Literal(sys.argv[2], language="en")
q = ('SELECT ?e ?p ?o WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l . '
     'FILTER(STR(?l) = STR(?name)) ?e ?p ?o } ')
rows = [tuple(r) for r in s.query(q.replace('?name', lab.__str__()), use_default_graph_as_union=True)]
for r in rows: print(*r, sep='\\t')
"""

BARE_QUERY = """
import sys, pyoxigraph as ox
s = ox.Store.read_only(sys.argv[1])
text = open(sys.argv[2], encoding='utf-8').read()
for r in s.query(text, use_default_graph_as_union=True, prefixes={PREFIXES}):
    print(*r, sep='\\t')
"""


GNU_TIME = "/usr/bin/time"
RSS_MARK = "chipgraph-bench-maxrss-kb"


def timed(cmd: list[str], env: dict, repeats: int) -> dict:
    """Median and minimum wall time of ``cmd`` over ``repeats`` runs, and its peak RSS."""
    times, rc, err = [], 0, ""
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
        times.append(time.perf_counter() - t)
        rc, err = proc.returncode, proc.stderr.strip()[-300:]
    out = {
        "median_s": round(median(times), 4),
        "min_s": round(min(times), 4),
        "exit": rc,
        "peak_rss_mb": peak_rss_mb(cmd, env),
    }
    if rc:
        out["stderr"] = err
    return out


def peak_rss_mb(cmd: list[str], env: dict) -> float | None:
    """Peak RSS of one run of ``cmd`` in MiB, by GNU time (``/usr/bin/time -f %M``), or None.

    Not from ``os.wait4`` of our own child: a forked child's maximum RSS includes the pages it
    shared with this (larger) benchmark process before it executed the command."""
    if not os.path.exists(GNU_TIME):
        return None
    proc = subprocess.run([GNU_TIME, "-f", f"{RSS_MARK} %M", *cmd], capture_output=True, text=True, env=env, cwd=REPO)
    marks = [line.split()[-1] for line in proc.stderr.splitlines() if line.startswith(RSS_MARK)]
    return round(int(marks[-1]) / 1024, 1) if marks else None


def import_offenders(args: list[str], env: dict, top: int = 12) -> dict:
    """Top cumulative import times (microseconds) of ``python -X importtime -m graph ARGS``."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "graph", *args], capture_output=True, text=True, env=env, cwd=REPO
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line.split(":", 1)[1].split("|", 2)
        rows.append((int(cum_us), int(self_us), name.rstrip()[1:]))  # one space follows the bar
    top_level = [r for r in rows if not r[2].startswith(" ")]
    loaded = {r[2].strip().split(".")[0] for r in rows}
    return {
        "top": [
            {"module": n.strip(), "cumulative_ms": round(c / 1000, 1)}
            for c, _, n in sorted(top_level, reverse=True)[:top]
        ],
        "top_self": [
            {"module": n.strip(), "self_ms": round(su / 1000, 1)}
            for _, su, n in sorted(rows, key=lambda r: -r[1])[:top]
        ],
        "heavy_loaded": sorted(m for m in HEAVY if m in loaded),
    }


def bench(output_dir: Path, name: str, query: str | None, repeats: int = 7) -> dict:
    from graph.vocab.namespaces import PREFIXES

    # Users run from an installed package with cached bytecode; a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every run recompile chipgraph's modules (~70 ms).
    env = {**os.environ, "CHIPGRAPH_OUTPUT": str(output_dir)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("CHIPGRAPH_ENDPOINT", None)
    store = str(output_dir / "store")
    subprocess.run([PYTHON, "-m", "graph", "show", name], capture_output=True, env=env, cwd=REPO)  # warm-up
    chipgraph = [PYTHON, "-m", "graph"]
    res: dict = {"output_dir": str(output_dir), "name": name, "repeats": repeats}
    res["python_startup"] = timed([PYTHON, "-c", "pass"], env, repeats)
    res["show"] = {
        "chipgraph": timed([*chipgraph, "show", name], env, repeats),
        "bare": timed([PYTHON, "-c", BARE_SHOW, store, name], env, repeats),
    }
    if query is None:
        try:
            from graph.sparql.queries import catalogue

            cat = catalogue()
            query = next((q for q, nq in sorted(cat.items()) if not any(p.required for p in nq.params)), None)
        except Exception:  # noqa: BLE001
            query = None
    if query:
        from graph.sparql.queries import load_query

        path = load_query(query).path
        res["query"] = {
            "name": query,
            "chipgraph": timed([*chipgraph, "query", query], env, repeats),
            "bare": timed(
                [PYTHON, "-c", BARE_QUERY.replace("{PREFIXES}", repr(PREFIXES)), store, str(path)], env, repeats
            ),
        }
    for key in ("show", "query"):
        if key in res and res[key]["chipgraph"]["exit"] == 0 and res[key]["bare"]["exit"] == 0:
            res[key]["ratio"] = round(res[key]["chipgraph"]["median_s"] / res[key]["bare"]["median_s"], 2)
    res["importtime_show"] = import_offenders(["show", name], env)
    if query:
        res["importtime_query"] = import_offenders(["query", query], env)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="CLI latency: chipgraph show/query vs bare pyoxigraph")
    ap.add_argument("--output-dir", type=Path, default=REPO / "output")
    ap.add_argument("--name", default="Ascend 910C")
    ap.add_argument("--query", default=None, help="named query (default: first one without required params)")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    print(json.dumps(bench(args.output_dir, args.name, args.query, args.repeats), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
