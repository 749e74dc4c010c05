"""A short run of the endpoint load test (4 clients, 3 s) on the real build.

The full test (32 clients, 60 s) is ``python scripts/loadtest.py``; it is not part of the
default test run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "loadtest.py"


@pytest.mark.slow
def test_endpoint_survives_a_short_mixed_load(built: Path) -> None:
    spec = importlib.util.spec_from_file_location("loadtest", SCRIPT)
    loadtest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loadtest)
    report = loadtest.run(built, clients=4, duration=3, timeout=1.0)
    assert report["requests"] > 0
    assert report["n_bad_5xx"] == 0, report["bad_5xx"]
    assert report["n_connection_errors"] == 0, report["connection_errors"]
    assert report["n_unexpected_status"] == 0, report["unexpected_status"]
    assert report["server_alive"] and report["server_answers_after"]
    assert report["kinds"]["expensive"]["statuses"].get(422), report["kinds"]["expensive"]
    assert not report["expensive_not_cut_in_time"], report["expensive_not_cut_in_time"]
    assert report["busy_429"] == 0
    assert report["passed"], report
