"""The endpoint's answer cache (graph.server.answers): what it keeps, for whom, and when it forgets."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from graph.server.answers import AnswerCache
from graph.server.worker import QueryFailed

JOB = {"query": "SELECT * WHERE { ?s ?p ?o }", "accept": None, "format": None, "max_rows": 10}


def _cache(tmp_path: Path, **kw) -> AnswerCache:
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"data_date": "2026-11-30"}', encoding="utf-8")
    return AnswerCache(manifest, **kw)


class _Runs:
    """A stand-in for the pool: counts runs, answers with a body naming the run."""

    def __init__(self, delay: float = 0.0, fail: QueryFailed | None = None):
        self.count, self.delay, self.fail = 0, delay, fail
        self.lock = threading.Lock()

    def __call__(self) -> dict:
        with self.lock:
            self.count += 1
            n = self.count
        time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return {"body": f"run {n}".encode(), "type": "application/sparql-results+json", "queued_s": 0.0}


def test_a_repeated_job_is_answered_from_memory(tmp_path: Path) -> None:
    cache, runs = _cache(tmp_path), _Runs()
    first, shared_first = cache.answer(JOB, runs, lambda: 1.0)
    again, shared_again = cache.answer(dict(JOB), runs, lambda: 1.0)
    assert (shared_first, shared_again) == (False, True)
    assert again["body"] == first["body"] == b"run 1" and runs.count == 1
    # no Accept header and */* ask for the same answer; another format does not
    assert cache.answer({**JOB, "accept": "*/*"}, runs, lambda: 1.0)[1] is True
    assert cache.answer({**JOB, "format": "csv"}, runs, lambda: 1.0)[1] is False
    assert runs.count == 2


def test_failures_are_not_kept(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cut = _Runs(fail=QueryFailed(422, "the query exceeded the 2 s time limit"))
    for _ in range(2):
        with pytest.raises(QueryFailed) as caught:
            cache.answer(JOB, cut, lambda: 1.0)
        assert caught.value.status == 422
    assert cut.count == 2 and cache.stats()["entries"] == 0


def test_a_rebuild_is_never_answered_from_the_old_graph(tmp_path: Path) -> None:
    cache, runs = _cache(tmp_path), _Runs()
    cache.answer(JOB, runs, lambda: 1.0)
    (tmp_path / "manifest.json").write_text('{"data_date": "2026-12-01", "rebuilt": true}', encoding="utf-8")
    answer, shared = cache.answer(JOB, runs, lambda: 1.0)
    assert not shared and answer["body"] == b"run 2"


def _ask_together(cache: AnswerCache, job: dict, runs: _Runs, n: int = 8) -> list:
    """Outcomes (body or status) of ``n`` threads asking ``job`` at once."""
    outcomes: list = []

    def ask() -> None:
        try:
            outcomes.append(cache.answer(job, runs, lambda: 5.0)[0]["body"])
        except QueryFailed as exc:
            outcomes.append(exc.status)

    threads = [threading.Thread(target=ask) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_identical_jobs_at_once_cost_one_run_and_share_a_refusal_too(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    answering, refused = _Runs(delay=0.3), _Runs(delay=0.3, fail=QueryFailed(422, "cut"))
    assert _ask_together(cache, {**JOB, "query": "ASK { } # a"}, answering) == [b"run 1"] * 8
    assert _ask_together(cache, {**JOB, "query": "ASK { } # b"}, refused) == [422] * 8
    assert answering.count == 1 and refused.count == 1


def test_a_waiter_out_of_time_runs_the_job_itself(tmp_path: Path) -> None:
    cache, slow = _cache(tmp_path), _Runs(delay=0.5)
    thread = threading.Thread(target=cache.answer, args=(JOB, slow, lambda: 5.0))
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    answer, shared = cache.answer(JOB, slow, lambda: 0.1)  # may wait 0.1 s only
    thread.join()
    assert not shared and answer["body"] == b"run 2"
    assert time.monotonic() - started < 1.0


def test_memory_is_bounded_least_recently_used_out(tmp_path: Path) -> None:
    cache = _cache(tmp_path, max_bytes=3_000, max_entry=1_500)

    def big(n: int) -> dict:
        return {"body": bytes(1000) + str(n).encode(), "type": "text/csv", "queued_s": 0.0}

    for n in range(3):
        cache.answer({**JOB, "query": f"q{n}"}, lambda n=n: big(n), lambda: 1.0)
    stats = cache.stats()
    assert stats["bytes"] <= 3_000 and stats["entries"] == 2
    assert cache.answer({**JOB, "query": "q2"}, lambda: big(99), lambda: 1.0)[1] is True
    assert cache.answer({**JOB, "query": "q0"}, lambda: big(99), lambda: 1.0)[1] is False  # the oldest went
    huge = {"body": bytes(2_000), "type": "text/csv", "queued_s": 0.0}
    cache.answer({**JOB, "query": "huge"}, lambda: huge, lambda: 1.0)
    assert cache.answer({**JOB, "query": "huge"}, lambda: huge, lambda: 1.0)[1] is False  # over max_entry


def test_a_zero_size_cache_runs_every_job(tmp_path: Path) -> None:
    cache, runs = _cache(tmp_path, max_bytes=0), _Runs()
    assert not cache.enabled
    for _ in range(3):
        assert cache.answer(JOB, runs, lambda: 1.0)[1] is False
    assert runs.count == 3
