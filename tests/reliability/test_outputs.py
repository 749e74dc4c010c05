"""Outputs under stress: two builds at once, a build killed in its swap, unreplaceable outputs.

The promise (README, reliability): a build that fails at any step leaves every output as it
was, or all of them new, never a mix; a second build into the same folder is refused with
"another build or render is running"; a store is reused only when its own record says it was completed
from the same inputs. One real build of the shipped data (the session fixture ``built``) is
copied for each test, so each starts from a complete output folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from graph import atomic
from graph.atomic import BuildLocked, build_lock, commit_outputs, new_staging_dir, recover_outputs
from graph.errors import ChipgraphError

REPO = Path(__file__).resolve().parents[2]
CURATED = REPO / "graph" / "data" / "curated"
ETO = REPO / "graph" / "data" / "eto"


def tree_hash(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    """A private copy of the session build."""
    copy = tmp_path / "out"
    shutil.copytree(built, copy)
    return copy


def _huawei_label(output_dir: Path) -> str:
    from graph.store.local import open_store

    rows = open_store(output_dir).select(
        'SELECT ?l WHERE { <https://w3id.org/chipgraph/id/huawei> rdfs:label ?l FILTER(LANG(?l) = "en") }'
    )
    return rows[0]["l"].value


def _changed_curated(tmp_path: Path, label: str) -> Path:
    curated = tmp_path / "curated"
    shutil.copytree(CURATED, curated)
    path = curated / "organisations.yaml"
    text = path.read_text(encoding="utf-8")
    assert "label: {en: Huawei," in text
    path.write_text(text.replace("label: {en: Huawei,", f"label: {{en: {label},", 1), encoding="utf-8")
    return curated


# -- the lock -------------------------------------------------------------------------------------


def test_a_second_build_is_refused_while_one_holds_the_lock(out: Path) -> None:
    from graph.build import build

    before = tree_hash(out)
    with build_lock(out):
        with pytest.raises(ChipgraphError, match="another build or render is running") as info:
            build(out, force=True, site=False, analyses=False)
        assert str(os.getpid()) in str(info.value)
    assert tree_hash(out) == before
    assert not (out / atomic.LOCK_NAME).exists(), "the lock file is removed on release"


def test_a_render_is_refused_while_a_build_holds_the_lock(out: Path) -> None:
    """``chipgraph render`` writes site/ into the folder a build swaps outputs into: it takes the
    same lock, and fails with the folder named and nothing written."""
    from click.testing import CliRunner

    from graph.cli import cli

    before = tree_hash(out)
    with build_lock(out):
        result = CliRunner().invoke(cli, ["render", "-q", "--output-dir", str(out)])
    assert result.exit_code == 1, result.output
    assert "another build or render is running into this folder" in result.stderr
    assert str(out) in result.stderr and "Traceback" not in result.stderr
    assert tree_hash(out) == before


def test_a_render_on_its_own_keeps_the_builds_capacity_pages(out: Path) -> None:
    """A plain ``chipgraph render`` computes the capacity results as build does: the same pages,
    byte for byte (an earlier render dropped them)."""
    from click.testing import CliRunner

    from graph.cli import cli

    site = out / "site"
    built = {p.name: p.read_bytes() for p in site.glob("capacity-*.html")}
    assert built, "the build writes capacity pages"
    result = CliRunner().invoke(cli, ["render", "-q", "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in site.glob("capacity-*.html")} == built
    assert (site / "index.html").read_bytes().count(b"capacity-") >= len(built)


def test_lock_is_exclusive_between_processes(tmp_path: Path) -> None:
    code = (
        "import sys, time; from graph.atomic import build_lock\n"
        "with build_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(30)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(BuildLocked) as info, build_lock(tmp_path):
            pass
        assert info.value.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()
    with build_lock(tmp_path):  # a holder killed by SIGKILL leaves the lock free
        pass


@pytest.mark.slow
def test_two_concurrent_builds_never_corrupt_the_store(out: Path) -> None:
    env = {**os.environ}
    env.pop("CHIPGRAPH_ENDPOINT", None)
    args = [sys.executable, "-m", "graph", "build", "-q", "--force", "--no-site", "-o", str(out)]
    procs = [subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    assert sorted(code for code, _ in results) in ([0, 0], [0, 1]), results
    for code, err in results:
        assert "Traceback" not in err
        if code == 1:
            assert "another build or render is running" in err, err
    assert _huawei_label(out) == "Huawei"


# -- staging and the swap ----------------------------------------------------------------------


def _staged(tmp_path: Path) -> tuple[Path, Path]:
    """An output folder with old a, b/ and c, and a staging folder with new a, b/ and d."""
    output = tmp_path / "o"
    output.mkdir()
    (output / "a").write_text("old a")
    (output / "b").mkdir()
    (output / "b" / "x").write_text("old b")
    (output / "c").write_text("old c, not rebuilt")
    staging = new_staging_dir(output)
    (staging / "a").write_text("new a")
    (staging / "b").mkdir()
    (staging / "b" / "x").write_text("new b")
    (staging / "d").write_text("new d")
    return output, staging


NEW = {"a": "new a", "b/x": "new b", "c": "old c, not rebuilt", "d": "new d"}
OLD = {"a": "old a", "b/x": "old b", "c": "old c, not rebuilt"}


def _visible(output: Path) -> dict[str, str]:
    return {
        str(p.relative_to(output)): p.read_text()
        for p in sorted(output.rglob("*"))
        if p.is_file() and not p.relative_to(output).parts[0].startswith(".")
    }


def test_commit_replaces_every_entry_and_leaves_nothing_behind(tmp_path: Path) -> None:
    output, staging = _staged(tmp_path)
    commit_outputs(staging, output)
    assert _visible(output) == NEW
    assert sorted(p.name for p in output.iterdir()) == ["a", "b", "c", "d"]


@pytest.mark.parametrize("fail_at", range(1, 7))
def test_an_error_during_the_swap_rolls_everything_back(tmp_path: Path, monkeypatch, fail_at: int) -> None:
    output, staging = _staged(tmp_path)
    calls = {"n": 0}
    real = os.replace

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(28, "simulated failure")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(OSError, match="simulated"):
        commit_outputs(staging, output)
    monkeypatch.setattr(atomic.os, "replace", real)
    assert _visible(output) == OLD
    assert not (output / atomic.JOURNAL_NAME).exists()


@pytest.mark.parametrize("killed_after", range(0, 6))
def test_a_swap_killed_half_way_is_completed_by_recovery(tmp_path: Path, monkeypatch, killed_after: int) -> None:
    """A kill is an exception nothing catches: the roll-back never runs, the journal stays."""
    output, staging = _staged(tmp_path)
    calls = {"n": 0}
    real = os.replace

    class Killed(BaseException):
        pass

    def dying(src, dst):
        if calls["n"] == killed_after:
            raise Killed
        calls["n"] += 1
        return real(src, dst)

    def no_roll_back(*_args):
        raise Killed

    monkeypatch.setattr(atomic.os, "replace", dying)
    monkeypatch.setattr(atomic, "_roll_back", no_roll_back)
    with pytest.raises(Killed):
        commit_outputs(staging, output)
    monkeypatch.setattr(atomic.os, "replace", real)
    # call 0 is the journal's own atomic write: killed there, nothing was replaced yet
    assert (output / atomic.JOURNAL_NAME).exists() == (killed_after > 0)
    assert recover_outputs(output)  # it always has something to do: finish, or remove leftovers
    assert _visible(output) == (NEW if killed_after > 0 else OLD)
    assert sorted(p.name for p in output.iterdir()) == (["a", "b", "c", "d"] if killed_after > 0 else ["a", "b", "c"])


@pytest.mark.slow
def test_sigkill_around_the_swap_never_leaves_a_stale_store(out: Path, tmp_path: Path) -> None:
    """The security review's kill-stale-store case, made deterministic: kill as the swap starts.

    A build of changed inputs (label B) is killed as soon as it says it is replacing the outputs;
    whatever the kill interrupted, the store, chipgraph.ttl and manifest.json must agree, and
    after the inputs are restored a normal build must serve the original label everywhere.
    """
    curated = _changed_curated(tmp_path, "Huawei-B-KILLED")
    env = {**os.environ}
    env.pop("CHIPGRAPH_ENDPOINT", None)
    args = [sys.executable, "-m", "graph", "build", "--no-site", "--curated-dir", str(curated), "-o", str(out)]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stderr:
        if "replacing the outputs" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=600)
    label = _huawei_label(out)  # a reader completes an interrupted swap (no build holds the lock)
    ttl = (out / "chipgraph.ttl").read_text(encoding="utf-8")
    assert ("Huawei-B-KILLED" in ttl) == (label == "Huawei-B-KILLED"), "store and chipgraph.ttl disagree"

    from graph.build import build

    result = build(out, site=False)  # the original inputs again
    assert result.store_rebuilt == (label == "Huawei-B-KILLED")
    assert _huawei_label(out) == "Huawei"
    assert "Huawei-B-KILLED" not in (out / "chipgraph.ttl").read_text(encoding="utf-8")


# -- the store's own record ---------------------------------------------------------------------


def test_a_store_without_its_record_is_rebuilt_and_refused_on_open(out: Path) -> None:
    from graph.build import build
    from graph.store.local import STORE_RECORD, open_store

    (out / "store" / STORE_RECORD).unlink()
    with pytest.raises(ChipgraphError, match="no record of the inputs"):
        open_store(out)
    result = build(out, site=False, analyses=False)
    assert result.store_rebuilt
    assert (out / "store" / STORE_RECORD).is_file()
    open_store(out)


def test_a_store_of_other_inputs_than_the_manifest_is_refused_on_open(out: Path) -> None:
    import json

    from graph.store.local import STORE_RECORD, open_store

    record = out / "store" / STORE_RECORD
    data = json.loads(record.read_text())
    data["input_hash"] = "0" * 64
    record.write_text(json.dumps(data))
    with pytest.raises(ChipgraphError, match="other inputs"):
        open_store(out)


def test_unchanged_inputs_reuse_the_store(out: Path) -> None:
    from graph.build import build

    inode = (out / "store").stat().st_ino
    assert not build(out, site=False).store_rebuilt
    assert (out / "store").stat().st_ino == inode


# -- outputs that cannot be replaced are refused before anything changes -------------------------


@pytest.mark.parametrize("name", ["chipgraph.trig", "manifest.json", "chokepoints.csv"])
def test_an_output_of_the_wrong_kind_is_refused_and_nothing_changes(out: Path, tmp_path: Path, name: str) -> None:
    from graph.build import build

    (out / name).unlink()
    (out / name).mkdir()
    (out / name / "keep.txt").write_text("someone's notes")
    before = tree_hash(out)
    curated = _changed_curated(tmp_path, "Huawei Changed")
    with pytest.raises(ChipgraphError, match="not a regular file") as info:
        build(out, curated_dir=curated, force=True)
    assert name in str(info.value)
    assert tree_hash(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_a_failing_step_after_the_store_leaves_every_output_as_it_was(out: Path, tmp_path: Path, monkeypatch) -> None:
    """The review's out-site-unwritable, as a failure of the site step itself."""
    import graph.render
    from graph.build import build

    def broken_render(*_args, **_kwargs):
        raise PermissionError(13, "permission denied", "accelerator-enflame-dtu.html")

    monkeypatch.setattr(graph.render, "render_site", broken_render)
    before = tree_hash(out)
    curated = _changed_curated(tmp_path, "Huawei Changed")
    with pytest.raises(ChipgraphError, match="permission denied") as info:
        build(out, curated_dir=curated)
    assert "accelerator-enflame-dtu.html" in str(info.value)
    assert tree_hash(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("target", ["/dev/null/x", "file"])
def test_an_output_path_that_cannot_be_a_folder_is_refused(tmp_path: Path, target: str) -> None:
    from graph.build import build

    if target == "file":
        path = tmp_path / "a-file"
        path.write_text("x")
    else:
        path = Path(target)
    with pytest.raises(ChipgraphError, match="folder"):
        build(path, site=False, analyses=False)


def test_an_output_folder_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    from graph.build import build

    curated = tmp_path / "curated"
    shutil.copytree(CURATED, curated)
    with pytest.raises(ChipgraphError, match="inside the input folder"):
        build(curated / "out", curated_dir=curated, site=False)
    assert not (curated / "out").exists()


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv to drop to nobody")
@pytest.mark.parametrize("case", ["folder-read-only", "site-read-only"])
def test_unwritable_outputs_are_refused_with_a_message(built: Path, case: str) -> None:
    """The review's out-unwritable and out-site-unwritable, run as the user nobody."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="chipgraph-nobody-"))  # pytest's own tmp folders are 0700
    try:
        out = base / "out"
        shutil.copytree(built, out)
        curated = _changed_curated(base, "Huawei Changed")
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if case == "folder-read-only":
            out.chmod(0o555)
        else:
            for path in [out, *out.rglob("*")]:
                os.chown(path, 65534, 65534)
            for path in [out / "site", *(out / "site").rglob("*")]:
                os.chown(path, 0, 0)
                path.chmod(0o555 if path.is_dir() else 0o444)
        before = tree_hash(out)
        env = {**os.environ, "HOME": str(base)}
        env.pop("CHIPGRAPH_ENDPOINT", None)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "graph"]
        proc = subprocess.run(
            [*cmd, "build", "-q", "--curated-dir", str(curated), "-o", str(out)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=600,
        )
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr and "this is a bug" not in proc.stderr, proc.stderr
        assert "permission denied" in proc.stderr and str(out) in proc.stderr, proc.stderr
        assert tree_hash(out) == before
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base)


def test_leftovers_of_a_killed_build_are_removed_by_the_next(out: Path) -> None:
    from graph.build import build

    (out / ".staging-1-abc").mkdir()
    (out / ".staging-1-abc" / "half.ttl").write_text("half")
    (out / ".previous-1-abc").mkdir()
    (out / ".store.tmp").mkdir()
    build(out, site=False, analyses=False)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def _largest_table(out: Path) -> Path:
    return max((out / "store").glob("*.sst"), key=lambda p: (p.stat().st_size, p.name))


def test_a_damaged_store_is_rebuilt_not_reused(out: Path) -> None:
    """Flip bytes inside one of the store's tables, as a bad disk would: the inputs are unchanged,
    but the build finds the file is not the one its record lists, says so and rebuilds; a
    reuse would have kept a store whose queries fail (or answer less) on that table."""
    from graph.build import build
    from graph.store.local import open_store

    table = _largest_table(out)
    data = bytearray(table.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 256] = bytes(b ^ 0xFF for b in data[middle : middle + 256])
    table.write_bytes(bytes(data))
    messages: list[str] = []
    result = build(out, site=False, analyses=False, progress=messages.append)
    assert result.store_rebuilt
    assert any(f"({table.name} has changed): rebuilding it" in m for m in messages), messages
    assert _huawei_label(out) == "Huawei"
    open_store(out)  # the new store's record lists its own files


def test_a_truncated_store_is_refused_on_open(out: Path) -> None:
    """Readers compare the store's file names and sizes with its record (cheap, on every open):
    a truncated table is an error naming the file and what to do, not a RocksDB message later."""
    from graph.store.local import open_store

    table = _largest_table(out)
    with table.open("r+b") as f:
        f.truncate(1000)
    with pytest.raises(ChipgraphError, match=rf"damaged \({table.name} has changed size") as info:
        open_store(out)
    assert "chipgraph build" in str(info.value)
