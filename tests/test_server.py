"""The SPARQL endpoint, driven over HTTP on a free loopback port.

The store is small and made here (a few chipgraph-shaped statements plus filler triples), so
these tests check the protocol, the limits and the isolation, not the shipped data.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.server.app import ServerConfig
from graph.server.httpd import make_server
from graph.server.static import resolve_static
from graph.vocab.namespaces import CG, ID, RDFS

TIMEOUT = 1.5
MAX_ROWS = 50
FILLER = 400

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("srv")
    store = ox.Store(str(root / "store"))
    g = _n("https://w3id.org/chipgraph/claim/test")
    label = _n(RDFS + "label")
    store.add(ox.Quad(_n(ID + "huawei"), label, ox.Literal("Huawei", language="en"), g))
    store.add(ox.Quad(_n(ID + "huawei"), label, ox.Literal("华为", language="zh"), g))
    store.add(ox.Quad(_n(ID + "ascend-910c"), _n(CG + "designedBy"), _n(ID + "huawei"), g))
    for i in range(FILLER):
        store.add(
            ox.Quad(
                _n(f"{ID}filler-{i:04d}"),
                label,
                ox.Literal(f"filler {i}", language="en"),
                _n("https://w3id.org/chipgraph/graph/filler"),
            )
        )
    store.flush()
    del store
    site = root / "site"
    (site / "entity").mkdir(parents=True)
    (site / "index.html").write_text("<html><body>chipgraph site</body></html>", encoding="utf-8")
    (site / "entity" / "index.html").write_text("<p>entity page</p>", encoding="utf-8")
    (root / "secret.txt").write_text("outside the site", encoding="utf-8")
    (site / "escape").symlink_to(root / "secret.txt")
    config = ServerConfig(
        store_dir=root / "store",
        site_dir=site,
        port=0,
        timeout=TIMEOUT,
        max_rows=MAX_ROWS,
        max_body=20_000,
        workers=2,
        log=False,
    )
    srv = make_server(config)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def request(
    srv, path: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None
) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(srv.url.rstrip("/") + path, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get_query(srv, query: str, accept: str = "application/sparql-results+json", **extra: str):
    qs = urllib.parse.urlencode({"query": query, **extra})
    return request(srv, "/sparql?" + qs, headers={"Accept": accept})


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_get_select_json(server):
    status, headers, body = get_query(server, COUNT)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    doc = json.loads(body)
    assert doc["head"]["vars"] == ["n"]
    assert doc["results"]["bindings"][0]["n"]["value"] == str(FILLER + 3)
    assert headers["X-Chipgraph-Truncated"] == "false"


def test_post_form_and_direct_body(server):
    query = "SELECT ?l WHERE { cgid:huawei rdfs:label ?l } ORDER BY ?l"
    form = urllib.parse.urlencode({"query": query}).encode()
    status, _, body = request(
        server,
        "/sparql",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    assert status == 200
    labels = [b["l"] for b in json.loads(body)["results"]["bindings"]]
    assert labels == [
        {"type": "literal", "value": "Huawei", "xml:lang": "en"},
        {"type": "literal", "value": "华为", "xml:lang": "zh"},
    ]
    status, _, body2 = request(
        server,
        "/sparql",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert status == 200 and json.loads(body2) == json.loads(body)


@pytest.mark.parametrize(
    ("accept", "ctype", "check"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", b'<literal xml:lang="zh">'),
        ("text/csv", "text/csv", "l\r\nHuawei\r\n华为\r\n".encode()),
        ("text/tab-separated-values", "text/tab-separated-values", b'?l\n"Huawei"@en\n'),
        ("text/html, application/xml;q=0.9, */*;q=0.8", "application/sparql-results+xml", b"<sparql"),
        ("*/*", "application/sparql-results+json", b'"vars": ["l"]'),
    ],
)
def test_select_content_negotiation(server, accept, ctype, check):
    status, headers, body = get_query(server, "SELECT ?l WHERE { cgid:huawei rdfs:label ?l } ORDER BY ?l", accept)
    assert status == 200
    assert headers["Content-Type"].startswith(ctype)
    assert check in body


@pytest.mark.parametrize(
    ("accept", "ctype", "check"),
    [
        ("text/turtle", "text/turtle", b"cgid:ascend-910c cg:designedBy cgid:huawei"),
        (
            "application/n-triples",
            "application/n-triples",
            b"<https://w3id.org/chipgraph/id/ascend-910c> <https://w3id.org/chipgraph#designedBy>",
        ),
        ("application/ld+json", "application/ld+json", b'"@id"'),
    ],
)
def test_construct_content_negotiation(server, accept, ctype, check):
    query = "CONSTRUCT { ?s cg:designedBy ?o } WHERE { ?s cg:designedBy ?o }"
    status, headers, body = get_query(server, query, accept)
    assert status == 200
    assert headers["Content-Type"].startswith(ctype)
    assert check in body


def test_unacceptable_media_type_is_406(server):
    status, _, body = get_query(server, COUNT, "text/turtle")
    assert status == 406
    assert b"sparql-results+json" in body


def test_ask_and_format_parameter(server):
    status, headers, body = get_query(server, "ASK { cgid:ascend-910c cg:designedBy cgid:huawei }", format="xml")
    assert status == 200 and b"<boolean>true</boolean>" in body


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <https://e/a> <https://e/b> <https://e/c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
    ],
)
def test_updates_and_load_refused(server, query):
    status, _, body = get_query(server, query)
    assert status == 403
    assert "read-only" in json.loads(body)["error"]
    form = urllib.parse.urlencode({"update": query}).encode()
    status, _, _ = request(server, "/sparql", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    status, _, _ = request(
        server, "/sparql", data=query.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    assert status == 403
    # and the store is unchanged
    assert json.loads(get_query(server, COUNT)[2])["results"]["bindings"][0]["n"]["value"] == str(FILLER + 3)


def test_service_refused_but_lookalikes_allowed(server):
    status, _, body = get_query(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert status == 403
    assert "SERVICE" in json.loads(body)["error"]
    lower = "select * where { service silent <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert get_query(server, lower)[0] == 403
    # the word in a string, a comment, an IRI or a variable is not the keyword
    harmless = 'SELECT ?service WHERE { ?service rdfs:label ?l FILTER(?l != "SERVICE <x>") } # SERVICE\nLIMIT 1'
    assert get_query(server, harmless)[0] == 200


def test_malformed_query_400_with_position(server):
    status, _, body = get_query(server, "SELECT ?s WHERE {\n  ?s ?p \n}")
    assert status == 400
    message = json.loads(body)["error"]
    assert "line 3, column" in message


def test_body_too_big_413(server):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    status, _, body = request(
        server, "/sparql", data=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert status == 413
    assert b"over the limit" in body


def test_remote_mode_reads_a_whole_answer_and_refuses_a_cut_one(server):
    """chipgraph's own --endpoint mode on chipgraph's endpoint: an answer under the row cap is read
    (the truncation marker never upsets the results parser), one cut at the cap is refused with
    what to do, never used as if whole (a count or a report would be silently wrong)."""
    from graph.errors import ChipgraphError
    from graph.store.remote import RemoteStore

    remote = RemoteStore(server.url.rstrip("/") + "/sparql")
    rows = remote.select("SELECT ?l WHERE { <https://w3id.org/chipgraph/id/huawei> rdfs:label ?l }")
    assert sorted(str(r["l"]) for r in rows) == ['"Huawei"@en', '"华为"@zh']
    with pytest.raises(ChipgraphError, match="row cap.*--max-rows"):
        remote.select("SELECT ?s WHERE { ?s ?p ?o }")


def test_row_cap_reported(server):
    status, headers, body = get_query(server, "SELECT ?s WHERE { ?s ?p ?o }")
    assert status == 200
    doc = json.loads(body)
    assert len(doc["results"]["bindings"]) == MAX_ROWS
    assert doc["chipgraph"] == {"truncated": True, "maxRows": MAX_ROWS}
    assert headers["X-Chipgraph-Truncated"] == "true"
    # a streaming results parser (pyoxigraph's, as chipgraph's remote mode uses) reads it whole
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert sum(1 for _ in parsed) == MAX_ROWS
    status, headers, body = get_query(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert headers["X-Chipgraph-Truncated"] == "true"
    assert len(body.splitlines()) == MAX_ROWS


def test_expensive_queries_cut_off_while_cheap_ones_are_served(server):
    """Three expensive queries at once (more than the two fast-lane workers) are each cut at the
    time limit with 422 naming it, while cheap queries keep being answered quickly."""
    outcome: list = []

    def slow() -> None:
        started = time.monotonic()
        status, _, body = get_query(server, EXPENSIVE)
        outcome.append((status, json.loads(body)["error"], time.monotonic() - started))

    threads = [threading.Thread(target=slow) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    fast_times = []
    while any(t.is_alive() for t in threads):
        started = time.monotonic()
        status, _, _ = get_query(server, "ASK { ?s ?p ?o }")
        fast_times.append(time.monotonic() - started)
        assert status == 200
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert len(outcome) == 3
    for status, message, seconds in outcome:
        assert status == 422
        assert f"exceeded the {TIMEOUT:g} s time limit" in message
        assert TIMEOUT <= seconds < TIMEOUT + 1.0
    assert fast_times and max(fast_times) < 1.0
    # the cancelled workers were replaced: the pool still answers four queries at once
    assert _at_once(lambda: get_query(server, COUNT)[0], 4) == [200] * 4


def test_busy_pool_answers_429_with_retry_after(server):
    """With one worker and no room for long queries, a query that finds the worker taken waits
    for it a bounded time and then gets 429 + Retry-After; the replacement worker answers after."""
    from graph.server.pool import QueryPool

    pool = QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=0, wait=0.3)
    try:
        job = {"query": EXPENSIVE, "format": "json", "max_rows": 10}
        cut: list = []
        thread = threading.Thread(target=lambda: cut.append(_failure(pool.run, job)))
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        busy = _failure(pool.run, {**job, "query": "ASK { ?s ?p ?o }"})
        assert 0.3 <= time.monotonic() - started < 1.0
        assert busy.status == 429 and int(busy.headers["Retry-After"]) >= 1
        thread.join()
        assert cut[0].status == 422
        answer = pool.run({**job, "query": "ASK { ?s ?p ?o }"})  # the replacement worker answers
        assert b"true" in answer["body"]
    finally:
        pool.close()


def test_time_limit_counts_from_arrival_waiting_included(server):
    """A query that waits for a worker uses up its time limit waiting: with a long ``wait`` the
    client still gets its answer (429) at the time limit, not at wait + limit; an expensive query
    that is cut reports how long it waited."""
    from graph.server.pool import QueryPool

    pool = QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=0, wait=30)
    try:
        job = {"query": EXPENSIVE, "format": "json", "max_rows": 10}
        cut: list = []
        thread = threading.Thread(target=lambda: cut.append(_failure(pool.run, job)))
        thread.start()
        time.sleep(0.2)
        arrived = time.monotonic() - 0.5  # as if it had spent 0.5 s in the HTTP layer already
        busy = _failure(pool.run, {**job, "query": "ASK { ?s ?p ?o }"}, arrived)
        assert busy.status == 429
        assert TIMEOUT - 0.1 <= time.monotonic() - arrived < TIMEOUT + 0.5
        thread.join()
        assert cut[0].status == 422 and "waiting for a worker" in cut[0].message
        answer = pool.run({**job, "query": "ASK { ?s ?p ?o }"})
        assert answer["queued_s"] >= 0 and answer["run_s"] > 0
    finally:
        pool.close()


def test_worker_cpu_time_is_read_and_grows_with_work(server):
    """Demotion to the long lane is by CPU time used, so a cheap query that only waited for a core
    is not niced among expensive ones; the CPU clock of a worker must therefore be readable."""
    from graph.server.pool import QueryPool

    pool = QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=2)
    try:
        worker = pool._idle[0]
        before = worker.cpu_seconds()
        assert before is not None
        two_way = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", "format": "json", "max_rows": 10}
        for _ in range(5):
            assert b'"162409"' in pool.run(two_way)["body"]  # (400 + 3 triples)^2 solutions
        assert pool._idle == [worker]  # cheap enough to stay in the fast lane
        assert worker.cpu_seconds() > before
    finally:
        pool.close()


def _wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_query_cut_before_runs_on_an_idle_spare_and_leaves_the_fast_lane_free(server):
    """The same work (comments aside) as a query cut at the limit starts on a spare process at
    SCHED_IDLE priority, not on the fast-lane worker, so a cheap query is answered meanwhile."""
    from graph.server.pool import QueryPool

    pool = QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=2)
    try:
        job = {"format": "json", "max_rows": 10}
        assert _failure(pool.run, {**job, "query": EXPENSIVE + "\n# first"}).status == 422
        assert len(pool._slow) == 1
        _wait_for(lambda: pool._spares)
        spare = pool._spares[0]
        if hasattr(os, "SCHED_IDLE"):
            assert os.sched_getscheduler(spare.process.pid) == os.SCHED_IDLE
        fast = list(pool._idle)
        outcome: dict = {}
        repeat = {**job, "query": EXPENSIVE + "\n# again"}
        again = threading.Thread(target=lambda: outcome.update(err=_failure(pool.run, repeat)))
        again.start()
        _wait_for(lambda: pool._long == 1)
        assert pool._long == 1 and pool._idle == fast  # the fast-lane worker is still free
        started = time.monotonic()
        assert b"true" in pool.run({**job, "query": "ASK { ?s ?p ?o }"})["body"]
        assert time.monotonic() - started < TIMEOUT / 2
        again.join()
        assert outcome["err"].status == 422
    finally:
        pool.close()


def test_a_query_cut_before_with_no_spare_ready_is_answered_as_cut_within_its_limit(server, monkeypatch):
    from graph.server import pool as pool_module

    monkeypatch.setattr(pool_module, "SPARE_LONG_WORKERS", 0)
    pool = pool_module.QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=2)
    try:
        job = {"format": "json", "max_rows": 10}
        assert _failure(pool.run, {**job, "query": EXPENSIVE}).status == 422
        started = time.monotonic()
        err = _failure(pool.run, {**job, "query": "# a comment\n" + EXPENSIVE})
        assert err.status == 422 and "exceeded the" in err.message and "cut at the limit before" in err.message
        assert TIMEOUT - 0.1 < time.monotonic() - started < TIMEOUT + 0.5
    finally:
        pool.close()


CHEAP_JOB = {"format": "json", "max_rows": 10, "query": "ASK { ?s ?p ?o } # 1"}


@pytest.fixture()
def pool_remembering_a_cheap_shape(server):
    """A one-worker pool that holds CHEAP_JOB's shape as cut before (as if the machine had been saturated)."""
    from graph.server.pool import QueryPool, query_shape

    pool = QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=2)
    with pool._cond:
        pool._remember_slow(query_shape(CHEAP_JOB))
    yield pool
    pool.close()


def test_a_remembered_shape_that_turns_out_cheap_is_forgotten(pool_remembering_a_cheap_shape):
    from graph.server.pool import query_shape

    pool = pool_remembering_a_cheap_shape
    assert b"true" in pool.run({**CHEAP_JOB, "query": "ASK { ?s ?p ?o } # 2"})["body"]  # on a spare
    assert query_shape(CHEAP_JOB) not in pool._slow  # next time it takes the fast lane again


def test_one_in_probation_of_a_shape_cut_before_goes_through_the_fast_lane(pool_remembering_a_cheap_shape):
    """So that a query cut only because the machine was saturated is not kept in the idle lane."""
    from graph.server.pool import PROBATION, SPARE_LONG_WORKERS, query_shape

    pool = pool_remembering_a_cheap_shape
    with pool._cond:
        pool._slow[query_shape(CHEAP_JOB)] = PROBATION - 1
    _wait_for(lambda: len(pool._spares) == SPARE_LONG_WORKERS)
    spares = {w.process.pid for w in pool._spares}
    assert b"true" in pool.run(CHEAP_JOB)["body"]
    assert {w.process.pid for w in pool._spares} == spares  # no spare taken: it ran in the fast lane
    assert query_shape(CHEAP_JOB) not in pool._slow


def test_the_servers_own_work_runs_under_a_limit_of_its_own_and_marks_no_shape_slow(server):
    """Warming the cache runs named queries under a limit of their own, at full priority, and
    remembers no shape: a query cut at the clients' limit is answered under the longer one, and a
    cut while warming does not send clients' queries of that shape to the idle lane."""
    from graph.server.pool import QueryFailed, QueryPool, query_shape

    job = {
        "format": "json",
        "max_rows": 10,
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STRLEN(CONCAT(STR(?c), STR(?f))) > 3) }",
    }
    pool = QueryPool(server.config.store_dir, workers=1, timeout=0.01, long_workers=1)
    try:
        with pytest.raises(QueryFailed) as cut:
            pool.run(job, own_limit=0.01)
        assert cut.value.status == 422 and "0.01 s time limit" in cut.value.message
        assert query_shape(job) not in pool._slow
        _wait_for(lambda: len(pool._idle) == 1)  # the cut one's replacement
        (worker,) = pool._idle
        answer = pool.run(job, own_limit=60)
        assert json.loads(answer["body"])["results"]["bindings"][0]["n"]["value"] == str((FILLER + 3) ** 2)
        # never niced (a niced process gets no CPU while anything else is busy), so it stays in the fast lane
        assert pool._idle == [worker] and os.sched_getscheduler(worker.process.pid) == os.SCHED_OTHER
    finally:
        pool.close()


def test_many_clients_connecting_at_once_are_all_answered(server):
    """The listen backlog holds a burst of connections: 64 clients connecting together all get an
    answer (with socketserver's backlog of 5, some were reset or waited for a SYN retry)."""

    def hit() -> int | str:
        try:
            with urllib.request.urlopen(f"{server.url}/api/queries", timeout=30) as resp:
                return resp.status
        except OSError as exc:
            return repr(exc)

    assert _at_once(hit, 64) == [200] * 64


def test_checks_run_in_the_worker_inside_the_time_limit(server):
    """The parse check runs in the worker: a malformed job gets 400 with Oxigraph's position, a
    refused one 403, and costly constant data (which an empty-store check used to evaluate) is cut
    at the time limit like any expensive query."""
    from graph.server.pool import QueryPool

    pool = QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=1)
    try:
        job = {"format": "json", "max_rows": 10}
        bad = _failure(pool.run, {**job, "query": "SELECT ?x WHERE {\n ?x ?p \n}"})
        assert bad.status == 400 and "line 3, column" in bad.message
        assert _failure(pool.run, {**job, "query": "SELECT * { ?s ?p ?o .SERVICE <http://x/> { } }"}).status == 403
        values = " ".join(str(i) for i in range(3000))
        costly = f"ASK {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} FILTER(?a + ?b < 0) }}"
        started = time.monotonic()
        assert _failure(pool.run, {**job, "query": costly}).status == 422
        assert time.monotonic() - started < TIMEOUT + 1.0
    finally:
        pool.close()


def _at_once(call, n: int) -> list:
    """Results of ``n`` calls of ``call`` started together in threads (in completion order)."""
    results: list = []
    lock = threading.Lock()

    def one() -> None:
        value = call()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _failure(call, *args):
    from graph.server.pool import QueryFailed

    try:
        call(*args)
    except QueryFailed as exc:
        return exc
    raise AssertionError("expected a QueryFailed")


def test_query_page_offline_with_named_queries(server):
    status, headers, body = request(server, "/query")
    assert status == 200
    page = body.decode()
    assert "<script nonce=" in page
    assert "http://" not in page.split("<script", 1)[0].replace("http://www.w3.org", "")
    assert "https://" not in page.replace("https://w3id.org/chipgraph", "")  # no CDN or remote asset
    assert '"name": "accelerators"' in page or '"name":"accelerators"' in page
    assert "script-src 'nonce-" in headers["Content-Security-Policy"]
    assert "</script>" not in page.split("const QUERIES = ", 1)[1].split(";\n", 1)[0]


def test_named_query_api_binds_parameters(server):
    status, _, body = request(server, "/api/queries")
    names = [q["name"] for q in json.loads(body)]
    assert "search" in names
    status, _, body = request(server, "/api/queries/search?text=%E5%8D%8E")  # 华
    rows = json.loads(body)["results"]["bindings"]
    assert [r["entity"]["value"] for r in rows] == [ID + "huawei"]
    status, _, body = request(server, "/api/queries/search")
    assert status == 400 and "needs parameter" in json.loads(body)["error"]
    status, _, body = request(server, "/api/queries/serch?text=x")
    assert status == 404 and "search" in json.loads(body)["error"]
    status, _, body = request(server, "/api/queries/search?txt=x")
    assert status == 400 and "did you mean text" in json.loads(body)["error"]
    # A name in the URL is only ever looked up in the catalogue, never opened as a file.
    for path in ("/api/queries/%2Fetc%2Fpasswd", "/api/queries/..%2Fontology%2Fqueries%2Fsearch.rq"):
        status, _, body = request(server, path)
        assert status == 404 and "no named query" in json.loads(body)["error"], path


def test_static_site_and_no_traversal(server):
    status, headers, body = request(server, "/")
    assert status == 200 and b"chipgraph site" in body
    assert request(server, "/entity/")[2] == b"<p>entity page</p>"
    for path in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/entity/..%2f..%2fsecret.txt",
        "/escape",
        "/..%5csecret.txt",
        "/nothing-here.html",
    ):
        status, _, body = request(server, path)
        assert status == 404, path
        assert b"outside the site" not in body


def test_unsatisfiable_ranges_on_the_site_are_416_not_500(server):
    """werkzeug refuses these ranges with an exception; the app answers 416 with the file's length."""
    size = len(b"<html><body>chipgraph site</body></html>")
    many = ",".join(f"{i}-{i}" for i in range(3000))
    for rng in ("bytes=-0", "bytes=99999999999999999999-", "bytes=9999-", "bytes=" + many, "bytes=x"):
        status, headers, body = request(server, "/index.html", headers={"Range": rng})
        assert status == 416, rng[:40]
        assert headers["Content-Range"] == f"bytes */{size}" and b"chipgraph site" not in body
    status, headers, body = request(server, "/index.html", headers={"Range": "bytes=0-5"})
    assert status == 206 and body == b"<html>" and headers["Content-Range"] == f"bytes 0-5/{size}"


def test_resolve_static_refuses_escapes(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text("a")
    assert resolve_static(site.resolve(), "/a.html") == (site / "a.html").resolve()
    assert resolve_static(site.resolve(), "/../site/a.html") is None
    assert resolve_static(site.resolve(), "/a.html%00.png") is None


def test_bound_to_loopback_by_default():
    assert ServerConfig(store_dir=Path("x")).host == "127.0.0.1"


REQUIRED_SAMPLES = {
    "party": "cgid:huawei",
    "subject": "cgid:ascend-910c",
    "entity": "cgid:huawei",
    "text": "ascend",
    "firm": "cgid:smic",
    "measure": "cgid:us-hbm-rule-2024-12",
    "as_of": "2024-12-31",
}


def test_endpoint_answers_every_named_query_like_the_library(built: Path):
    """Over the real build, each named query (with its defaults, within the default time limit)
    gives the same rows through /api/queries/NAME as through the library."""
    from graph.read.model import data_date
    from graph.sparql.queries import bind_params, catalogue, run_query
    from graph.store.local import open_store

    store = open_store(built)
    day = data_date(store)
    assert day is not None
    srv = make_server(ServerConfig(store_dir=built / "store", site_dir=built / "site", port=0, workers=1, log=False))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        for q in catalogue().values():
            given = [(p.name, REQUIRED_SAMPLES[p.name]) for p in q.params if p.required]
            expected = run_query(store, q.text, bind_params(q, given, data_date=day.isoformat))
            qs = urllib.parse.urlencode(given + [("format", "ntriples" if q.form == "CONSTRUCT" else "json")])
            status, _, body = request(srv, f"/api/queries/{q.name}?{qs}")
            assert status == 200, (q.name, body[:300])
            if q.form == "SELECT":
                doc = json.loads(body)
                assert doc["head"]["vars"] == expected.variables, q.name
                got = [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
                want = [{k: v.value for k, v in row.items() if v is not None} for row in expected.rows]
                assert got == want and want, q.name
            elif q.form == "ASK":
                assert json.loads(body)["boolean"] == expected.boolean, q.name
            else:
                assert len(body.decode().strip().splitlines()) == len(set(expected.triples)), q.name
        status, _, body = request(srv, "/")
        assert status == 200 and b"<html" in body.lower()
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_serve_command_in_a_subprocess(built: Path, stop: str):
    """`chipgraph serve --port 0` announces its URL, serves, and stops on SIGINT (Ctrl-C) or SIGTERM.

    SIGINT is restored to its default in the child: a test runner started as a background job
    inherits SIGINT ignored, and so would the server (Python then installs no Ctrl-C handler)."""
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graph",
            "serve",
            "--output-dir",
            str(built),
            "--port",
            "0",
            "--quiet",
            "--timeout",
            "3",
        ],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        lines = [proc.stderr.readline()]  # what it says while starting, then where it listens
        while lines[-1] and "chipgraph endpoint:" not in lines[-1]:
            lines.append(proc.stderr.readline())
        assert "http://127.0.0.1:" in lines[-1], lines
        assert any(line.startswith("answered ") and "named queries once" in line for line in lines), lines
        url = lines[-1].split()[2].removesuffix("sparql")
        with urllib.request.urlopen(
            url + "sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}), timeout=30
        ) as resp:
            assert json.loads(resp.read())["boolean"] is True
    finally:
        proc.send_signal(getattr(signal, stop))
        proc.wait(timeout=20)
    assert proc.returncode == 0


@pytest.mark.browser
def test_query_page_runs_in_a_browser(server):
    """The query page works offline under its CSP: pick a named query, bind its parameter, run it,
    see the rows; run ad hoc text; every request stays on the endpoint's origin."""
    import shutil

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed (apt-get install chromium, or run scripts/test.sh as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    origin = server.url.rstrip("/")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            errors: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(origin + "/query", wait_until="load")
            page.select_option("#examples", "search")
            page.fill("#params input[name=text]", "华为")
            page.click("#run")
            page.wait_for_selector("#results td", timeout=15000)
            cells = page.locator("#results td").all_text_contents()
            assert ID + "huawei" in cells
            assert "1 row(s)" in page.text_content("#status")
            page.fill("#query", "SELECT ?x WHERE {")
            page.click("#run")
            page.wait_for_selector("#status.error", timeout=15000)
            assert "400" in page.text_content("#status")
            assert errors == [] or all("400" in e for e in errors), errors
            assert all(r.startswith(origin) for r in requests), requests
        finally:
            browser.close()


def test_serve_in_memory_answers_from_a_shared_copy(server):
    """``chipgraph serve --in-memory`` (its own process, so its own fork server) says it answers
    from an in-memory copy, and answers like the store on disk."""
    import os
    import subprocess
    import sys

    out = server.config.store_dir.parent
    env = {**os.environ}
    env.pop("CHIPGRAPH_SERVE_MEMORY_STORE", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graph",
            "serve",
            "--in-memory",
            "--port",
            "0",
            "--quiet",
            "--workers",
            "2",
            "--output-dir",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("chipgraph endpoint:"):
                break
        banner = "".join(lines)
        assert "answered from an in-memory copy" in banner, banner
        url = banner.split("chipgraph endpoint: ", 1)[1].split("sparql", 1)[0]
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        request = urllib.request.Request(f"{url}sparql?{query}", headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as resp:
            n = int(json.load(resp)["results"]["bindings"][0]["n"]["value"])
        assert n == len(ox.Store.read_only(str(server.config.store_dir))) == FILLER + 3
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_default_workers_fit_the_workers_range_on_many_cores(tmp_path: Path):
    """Issue 11: with 4 per core the default exceeded --workers' maximum on more than 16 cores and
    `chipgraph serve` exited 2; now 2 per core, capped."""
    import subprocess
    import sys

    from graph.server.pool import MAX_WORKERS, default_workers

    assert [default_workers(n) for n in (1, 2, 16, 32, 128)] == [2, 4, 32, MAX_WORKERS, MAX_WORKERS]
    code = (
        "import os; os.cpu_count = lambda: 128\n"
        "from click.testing import CliRunner\nfrom graph.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['serve', '--output-dir', {str(tmp_path)!r}])\n"
        "print(r.exit_code); print(r.output)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    code_line, _, output = proc.stdout.partition("\n")
    assert code_line == "1" and "no built store" in output, proc.stdout + proc.stderr


def test_a_repeated_query_is_answered_from_the_cache(server):
    """The same query again gets the same bytes without a worker (X-Chipgraph-Cache: hit); a
    refusal is not kept, so it is asked again."""
    query = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l LIMIT 3 # cache test"
    before = server.app.answers.stats()["entries"]
    status, first_headers, first = get_query(server, query)
    status_again, headers, again = get_query(server, query)
    assert status == status_again == 200
    assert first_headers["X-Chipgraph-Cache"] == "miss" and headers["X-Chipgraph-Cache"] == "hit"
    assert again == first and headers["X-Chipgraph-Queued"] == "0.000"
    # another result format is another answer
    _, csv_headers, csv = get_query(server, query, accept="text/csv")
    assert csv_headers["X-Chipgraph-Cache"] == "miss" and csv.startswith(b"l\r\n")
    for _ in range(2):
        status, _, _ = get_query(server, "SELECT ?x WHERE { ?x ?p  # cache test, malformed")
        assert status == 400
    assert server.app.answers.stats()["entries"] == before + 2


def test_warming_keeps_the_default_answer_of_every_named_query(server):
    """At start, ``serve`` answers each named query that needs no parameter once: the first
    client asking one gets the kept answer."""
    kept, failed = server.app.warm_answers()
    needs_nothing = [q for q in server.app.catalogue.values() if not any(p.required for p in q.params)]
    # this store has no manifest, so the queries whose date defaults to the data date are refused
    # (as a client asking them would be) and the others are kept
    dated = [q.name for q in needs_nothing if any(p.default == "data-date" for p in q.params)]
    assert dated and sorted(f.split(":")[0].removeprefix("query ") for f in failed) == sorted(dated), failed
    assert kept == len(needs_nothing) - len(dated) > 5
    status, headers, body = request(server, "/api/queries/accelerators")
    assert status == 200 and headers["X-Chipgraph-Cache"] == "hit", headers
    assert json.loads(body)["head"]["vars"]


def test_waiting_queries_get_workers_first_come_first_served(server):
    """Under load the wait is the queue's length for every query: with the only worker taken,
    five queries that arrive one after another get it in their order of arrival."""
    from graph.server.pool import QueryPool

    pool = QueryPool(server.config.store_dir, workers=1, timeout=TIMEOUT, long_workers=0)
    try:
        worker = pool._acquire(time.monotonic() + 1)
        order: list[int] = []

        def wait_then_release(n: int) -> None:
            got = pool._acquire(time.monotonic() + 10)
            order.append(n)
            time.sleep(0.02)  # newcomers keep arriving while it holds the worker
            pool._release(got, long=False, keep=True)

        threads = []
        for n in range(5):
            threads.append(threading.Thread(target=wait_then_release, args=(n,)))
            threads[-1].start()
            time.sleep(0.05)
        pool._release(worker, long=False, keep=True)
        for t in threads:
            t.join()
        assert order == [0, 1, 2, 3, 4]
    finally:
        pool.close()


def _label_store(path, label: str) -> None:
    store = ox.Store(str(path))
    g = _n("https://w3id.org/chipgraph/claim/test")
    store.add(ox.Quad(_n(ID + "huawei"), _n(RDFS + "label"), ox.Literal(label, language="en"), g))
    store.flush()
    del store


def test_after_a_rebuild_every_worker_answers_from_the_new_store(tmp_path):
    """A build swaps a new store in and writes a new manifest.json under a running server: every
    query after that, on every worker and with the answer cache off, sees the new graph."""
    import json

    _label_store(tmp_path / "store", "Huawei")
    (tmp_path / "manifest.json").write_text(json.dumps({"build": 1}), encoding="utf-8")
    config = ServerConfig(store_dir=tmp_path / "store", port=0, timeout=TIMEOUT, workers=2, log=False, cache_mb=0)
    srv = make_server(config)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        query = 'SELECT ?l WHERE { cgid:huawei rdfs:label ?l FILTER(LANG(?l) = "en") } # '

        def labels(n: int, tag: str) -> set[str]:
            out = set()
            for i in range(n):
                status, _, body = get_query(srv, query + f"{tag}{i}")
                assert status == 200, body
                out |= {b["l"]["value"] for b in json.loads(body)["results"]["bindings"]}
            return out

        assert labels(4, "before") == {"Huawei"}
        _label_store(tmp_path / "store.new", "Huawei Changed")
        (tmp_path / "store").rename(tmp_path / "store.old")
        (tmp_path / "store.new").rename(tmp_path / "store")
        (tmp_path / "manifest.json").write_text(json.dumps({"build": 2, "note": "rebuilt"}), encoding="utf-8")
        assert labels(8, "after") == {"Huawei Changed"}
    finally:
        srv.shutdown()
        srv.server_close()
