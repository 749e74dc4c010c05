"""Shared helpers of the benchmark scripts: worker subprocesses, peak memory, machine facts.

Every measured item runs in its own Python subprocess (``python scripts/bench_X.py --worker ...``)
that prints one JSON object as its last stdout line, including its own peak resident memory
(``resource.getrusage``), so items do not inherit each other's heap.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
PYTHON = sys.executable


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def emit(result: dict) -> None:
    """Print a worker's result as the last line of stdout."""
    result.setdefault("peak_rss_mb", peak_rss_mb())
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def run_worker(script: str, args: list[str], timeout: float = 3600, env: dict | None = None) -> dict:
    """Run ``scripts/<script> --worker args...`` and return its JSON result (or an error record)."""
    cmd = [PYTHON, str(SCRIPTS / script), "--worker", *args]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    """The facts a reader needs to compare figures: cores, RAM, CPU, Python and library versions."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gb": ram_gb,
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": {
            d: version(d)
            for d in (
                "pyoxigraph",
                "rdflib",
                "oxrdflib",
                "networkx",
                "rustworkx",
                "pyshacl",
                "pyvis",
                "click",
                "chipgraph",
            )
        },
    }
