"""Crash safety: a build killed with SIGKILL at random points loses nothing.

One real build of the shipped data is the baseline. Then ``chipgraph build --force`` is started
again several times and killed with SIGKILL after a seeded random delay spread over the whole
build (reading, validation, serialisation, store bulk load and swap, analyses, site). After each
kill:

- every output file of the baseline is still there and byte-identical (the inputs did not
  change and builds are deterministic, so an old file and a completed new one are the same
  bytes; a half-written file would differ);
- the persistent store opens read-only (after crash recovery of an interrupted directory swap)
  and holds exactly the baseline's quads.

Finally a normal build succeeds and the outputs still match. Leftover temporary files of the
killed writers are allowed (they are hidden and never read) and reported.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KILLS = 4
SEED = 20250217


def output_hashes(root: Path) -> dict[str, str]:
    """sha256 of every output file, skipping the store folder (checked through Oxigraph) and temp files."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0].startswith("store") or rel.parts[0].startswith("."):
            continue
        if any(part.startswith(".") for part in rel.parts) or path.name.endswith(".tmp"):
            continue
        out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def store_fingerprint(output_dir: Path) -> tuple[int, str]:
    """(number of quads, sha256 of the sorted N-Quads) of the store, opened as every reader does."""
    from graph.store.local import open_store

    store = open_store(output_dir)
    lines = sorted(str(q) for q in store.quads())
    del store
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def run_build(output_dir: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("CHIPGRAPH_ENDPOINT", None)
    return subprocess.Popen(
        [sys.executable, "-m", "graph", "build", "-q", "-o", str(output_dir), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


@pytest.mark.slow
def test_sigkill_during_build_leaves_outputs_and_store_consistent(tmp_path: Path) -> None:
    out = tmp_path / "out"
    start = time.monotonic()
    first = run_build(out)
    _, err = first.communicate(timeout=900)
    duration = time.monotonic() - start
    assert first.returncode == 0, err.decode()[-2000:]
    baseline = output_hashes(out)
    assert baseline, "the build wrote no files"
    fingerprint = store_fingerprint(out)
    assert fingerprint[0] > 0

    rng = random.Random(SEED)
    killed_at = []
    for i in range(KILLS):
        # Spread the kills over the build: stratified so that early and late phases are both hit.
        delay = duration * (i + rng.random()) / KILLS
        proc = run_build(out, "--force")
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_at.append(round(delay, 2))
        proc.communicate(timeout=900)
        assert output_hashes(out) == baseline, f"outputs changed after a kill at {delay:.2f} s"
        assert store_fingerprint(out) == fingerprint, f"store changed after a kill at {delay:.2f} s"
    assert killed_at, "every build finished before it could be killed; the delays are wrong"

    final = run_build(out)
    _, err = final.communicate(timeout=900)
    assert final.returncode == 0, err.decode()[-2000:]
    assert output_hashes(out) == baseline
    assert store_fingerprint(out) == fingerprint
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    print(f"killed at {killed_at} s of a {duration:.1f} s build; leftover temp entries: {leftovers}")
