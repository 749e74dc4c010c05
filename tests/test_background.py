"""Steps run in a forked child (graph.background): results, exceptions, a dead child, serial mode."""

from __future__ import annotations

import os
import time

import pytest

from graph.background import Background, parallel_jobs
from graph.errors import InputError, Problem


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _refuse(path: str) -> None:
    raise InputError("the data does not conform", [Problem("bad value", path, line=7)])


def _die() -> None:
    os._exit(3)


def _slow_then(value: int) -> int:
    time.sleep(0.5)
    return value


@pytest.fixture()
def parallel(monkeypatch):
    monkeypatch.setenv("CHIPGRAPH_JOBS", "2")


def test_a_step_runs_in_another_process_and_returns_its_result(parallel):
    pid, doubled = Background(_pid_and, 21).result()
    assert doubled == 42 and pid != os.getpid()


def test_the_steps_exception_is_raised_where_its_result_is_asked_for_with_file_and_line(parallel):
    step = Background(_refuse, "curated/x.yaml")
    deadline = time.monotonic() + 30
    while not step.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert step.failed()  # known without asking for the result, so a build can stop early
    with pytest.raises(InputError) as info:
        step.result()
    assert "curated/x.yaml:7" in str(info.value)


def test_a_child_that_dies_gives_an_error_not_a_hang(parallel):
    with pytest.raises(RuntimeError, match="exit code 3"):
        Background(_die).result()


def test_done_does_not_wait(parallel):
    step = Background(_slow_then, 5)
    assert not step.done() and not step.failed()
    assert step.result() == 5 and step.done()


def test_one_job_runs_the_step_here_at_once(monkeypatch):
    monkeypatch.setenv("CHIPGRAPH_JOBS", "1")
    assert parallel_jobs() == 1
    step = Background(_refuse, "y.yaml")
    assert step.done() and step.failed()  # ran in the constructor, as the serial code did
    assert Background(_pid_and, 1).result() == (os.getpid(), 2)


def test_serial_and_parallel_builds_write_the_same_bytes(built, tmp_path, monkeypatch):
    """The build's background steps (validation, history, half the site) change no byte."""
    import hashlib

    from graph.build import build

    monkeypatch.setenv("CHIPGRAPH_JOBS", "1")
    build(tmp_path / "serial", force=True)

    def digest(folder):
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and "store" not in p.relative_to(folder).parts
        }

    serial, parallel_built = digest(tmp_path / "serial"), digest(built)
    assert serial == parallel_built and any(name.startswith("site/") for name in serial)
