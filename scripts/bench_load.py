"""Benchmark: load rate of an N-Quads file into chipgraph's store, raw pyoxigraph and rdflib.

Three loaders on the same file, each in its own subprocess (so peak memory is its own):

- ``chipgraph``: ``graph.build.load_store(path, store_dir)``, the function ``chipgraph build``
  uses to write ``output/store`` (bulk load into a temporary folder, then an atomic swap).
- ``raw``: ``pyoxigraph.Store(store_dir).bulk_load(data)`` + ``flush()``: the same kind of
  on-disk store, without chipgraph's extra step (the atomic swap).
- ``rdflib``: ``rdflib.Dataset().parse(data=..., format="nquads")`` in memory.

Usage::

    python scripts/bench_load.py FILE.nq [--repeats 3] [--skip-rdflib]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import emit, median, run_worker  # noqa: E402

LOADERS = ("chipgraph", "raw", "rdflib")


def load_chipgraph(data: bytes, store_dir: Path) -> tuple[int, str]:
    """Load through chipgraph's own loading function; returns (quads, which function)."""
    import pyoxigraph as ox

    from graph.build import load_store

    load_store(data, store_dir)
    return len(ox.Store.read_only(str(store_dir))), "graph.build.load_store"


def load_raw(data: bytes, store_dir: Path) -> int:
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    store.flush()
    return len(store)


def load_rdflib(data: bytes) -> int:
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=data, format="nquads")
    return len(ds)


def worker(loader: str, path: Path, store_dir: Path) -> dict:
    """Time one load in this process; imports and reading the file happen before the clock starts.

    All three loaders get the same bytes in memory (``chipgraph build`` holds its N-Quads in
    memory), so the figures compare parsing and indexing, not disk reads.
    """
    import pyoxigraph  # noqa: F401

    if loader == "rdflib":
        import rdflib  # noqa: F401
    else:
        import graph.build  # noqa: F401 - imported before the clock starts
    data = path.read_bytes()
    start = time.perf_counter()
    via = None
    if loader == "chipgraph":
        quads, via = load_chipgraph(data, store_dir)
    elif loader == "raw":
        quads = load_raw(data, store_dir)
    else:
        quads = load_rdflib(data)
    seconds = time.perf_counter() - start
    return {"loader": loader, "seconds": seconds, "quads": quads, "via": via}


def bench(
    path: Path,
    repeats: int = 3,
    loaders: tuple[str, ...] = LOADERS,
    keep_store: Path | None = None,
    timeout: float = 3600,
) -> dict:
    """Run each loader ``repeats`` times (interleaved) and return medians, rates and ratios.

    With ``keep_store`` the last chipgraph store is moved there (for the query benchmark).
    """
    runs: dict[str, list[dict]] = {name: [] for name in loaders}
    work = Path(tempfile.mkdtemp(prefix="cg-bench-load-"))
    try:
        for rep in range(repeats):
            for name in loaders:
                store_dir = work / f"{name}-{rep}" / "store"
                store_dir.parent.mkdir(parents=True)
                res = run_worker("bench_load.py", [name, str(path), str(store_dir)], timeout=timeout)
                runs[name].append(res)
                if keep_store and name == "chipgraph" and rep == repeats - 1 and "error" not in res:
                    if keep_store.exists():
                        shutil.rmtree(keep_store)
                    keep_store.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(store_dir), keep_store)
                shutil.rmtree(store_dir.parent, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out: dict = {"file": str(path), "repeats": repeats}
    for name, results in runs.items():
        ok = [r for r in results if "error" not in r]
        if not ok:
            out[name] = {"error": results[0].get("error") if results else "not run"}
            continue
        secs = median([r["seconds"] for r in ok])
        quads = ok[0]["quads"]
        out[name] = {
            "seconds": round(secs, 3),
            "quads": quads,
            "quads_per_s": round(quads / secs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in ok),
            "via": ok[0].get("via"),
        }
    if "quads_per_s" in out.get("chipgraph", {}) and "quads_per_s" in out.get("raw", {}):
        out["ratio_chipgraph_vs_raw"] = round(out["chipgraph"]["quads_per_s"] / out["raw"]["quads_per_s"], 2)
    if "quads_per_s" in out.get("raw", {}) and "quads_per_s" in out.get("rdflib", {}):
        out["ratio_raw_vs_rdflib"] = round(out["raw"]["quads_per_s"] / out["rdflib"]["quads_per_s"], 1)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        loader, path, store_dir = argv[1], Path(argv[2]), Path(argv[3])
        emit(worker(loader, path, store_dir))
        return 0
    ap = argparse.ArgumentParser(description="Load-rate benchmark: chipgraph vs raw pyoxigraph vs rdflib")
    ap.add_argument("file", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-rdflib", action="store_true")
    args = ap.parse_args(argv)
    loaders = tuple(x for x in LOADERS if not (args.skip_rdflib and x == "rdflib"))
    print(json.dumps(bench(args.file, args.repeats, loaders), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
