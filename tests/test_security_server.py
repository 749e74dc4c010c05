"""Security review cases for the query path (F1, F2, F5, F6, F7, F15, F16, F21), each a test.

Every SSRF case runs with a listener on a loopback port that must receive nothing: it counts
the TCP connections it accepts, so a fetch is seen even if it would fail later. The endpoint runs
on a small store made here; the CLI cases run ``chipgraph query`` over the same store.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.cli import cli
from graph.server.app import ServerConfig
from graph.server.httpd import make_server
from graph.sparql import sandbox
from graph.sparql.guard import QueryRefused, check_query
from graph.sparql.lex import MAX_NESTING, nesting_depth, strip_opaque
from graph.vocab.namespaces import ID, RDFS

REQUEST_TIMEOUT = 2.0
GRAPH = "https://w3id.org/chipgraph/claim/test"


class Listener:
    """A TCP listener on 127.0.0.1 that accepts and counts connections (and answers nothing)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def url(self, path: str = "x") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture(scope="module")
def listener() -> Listener:
    return Listener()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder with a small store: 3 statements in one graph, 20 in another."""
    root = tmp_path_factory.mktemp("sec")
    store = ox.Store(str(root / "store"))
    label = ox.NamedNode(RDFS + "label")
    for i in range(3):
        store.add(ox.Quad(ox.NamedNode(f"{ID}a{i}"), label, ox.Literal(f"a {i}"), ox.NamedNode(GRAPH)))
    for i in range(20):
        store.add(ox.Quad(ox.NamedNode(f"{ID}f{i}"), label, ox.Literal(f"f {i}"), ox.NamedNode(GRAPH + "-filler")))
    store.flush()
    del store
    # a hand-made store carries the record a build writes, or chipgraph refuses to open it
    from graph.store.local import STORE_RECORD

    (root / "store" / STORE_RECORD).write_text(json.dumps({"input_hash": "hand-made for this test"}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(out: Path):
    config = ServerConfig(
        store_dir=out / "store", port=0, timeout=3, workers=2, log=False, request_timeout=REQUEST_TIMEOUT
    )
    srv = make_server(config)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def get(srv, query: str, **extra: str) -> tuple[int, dict]:
    host, port = srv.server_address
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query, **extra}))
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, json.loads(body) if body.startswith(b"{") else {"raw": body}


def post(srv, body: bytes, ctype: str = "application/sparql-query") -> tuple[int, dict]:
    host, port = srv.server_address
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("POST", "/sparql", body=body, headers={"Content-Type": ctype})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, json.loads(data) if data.startswith(b"{") else {"raw": data}


def raw(srv, data: bytes, wait: float = 10.0) -> bytes:
    """Send raw bytes, return what the server answers before it closes (or ``wait`` runs out)."""
    with socket.create_connection(srv.server_address, timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def ssrf_cases(listener: Listener) -> dict[str, str]:
    """The refusal cases of the review (ep-service-*, ep-load*), aimed at the listener."""
    u = listener.url
    return {
        "ep-service-plain": f"SELECT * WHERE {{ SERVICE <{u('plain')}> {{ ?s ?p ?o }} }}",
        "ep-service-case": f"select * where {{ sErViCe <{u('case')}> {{ ?s ?p ?o }} }}",
        "ep-service-dot": f"SELECT * WHERE {{ ?a ?b ?c .SERVICE <{u('dot')}> {{ ?x ?p ?o }} }} LIMIT 1",
        "ep-service-dot-silent": (
            f"SELECT * WHERE {{ {{ SELECT * WHERE {{ ?a ?b ?c .SERVICE SILENT <{u('subq')}> {{ ?x ?p ?o }} }} }} }}"
        ),
        "ep-service-quote-desync": (
            f"SELECT * WHERE {{ ?a ?b ?c FILTER(1<'>'||true) SERVICE <{u('quote')}> {{ ?x ?p ?o }} "
            "FILTER(true||'') } LIMIT 1"
        ),
        "ep-service-var": f"SELECT * WHERE {{ BIND(<{u('var')}> AS ?svc) SERVICE ?svc {{ ?s ?p ?o }} }}",
        "ep-service-unicode-escape": f"SELECT * WHERE {{ \\u0053ERVICE <{u('esc')}> {{ ?s ?p ?o }} }}",
        "ep-service-file": "SELECT * WHERE { ?a ?b ?c .SERVICE <file:///etc/passwd> { ?x ?p ?o } } LIMIT 1",
        # round 2: Oxigraph ends a comment at a bare CR (rdflib at LF only), and rdflib expands
        # codepoint escapes before it parses (Oxigraph does not): both now read one canonical text
        "ep-svc-cr-comment": f"SELECT * WHERE {{ ?s ?p ?o # \r SERVICE <{u('cr')}> {{ ?x ?y ?z }} \n }}",
        "ep-svc-cr-comment-silent": f"SELECT * WHERE {{ ?s ?p ?o # \r SERVICE SILENT <{u('crs')}> {{ ?x ?y ?z }} \n }}",
        "ep-svc-escaped-cr": f"SELECT * WHERE {{ ?s ?p ?o # \\u000d SERVICE <{u('ecr')}> {{ ?x ?y ?z }} \n }}",
        "ep-load": f"LOAD <{u('load')}>",
        "ep-load-lower-into": f"load silent <{u('l2')}> into graph <urn:g>",
    }


# -- F1: SSRF ----------------------------------------------------------------------------------


def test_every_ssrf_case_is_refused_and_nothing_is_fetched(server, listener):
    for name, query in ssrf_cases(listener).items():
        status, doc = get(server, query)
        assert status in (400, 403), (name, status, doc)
        assert status == 403 or name == "ep-service-unicode-escape", (name, doc)
    assert listener.accepted == 0


def test_cli_refuses_ssrf_cases_and_fetches_nothing(out, listener):
    for name, query in ssrf_cases(listener).items():
        result = CliRunner().invoke(cli, ["query", "--output-dir", str(out), "-e", query])
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("Error:") and "Traceback" not in result.output, name
    assert listener.accepted == 0


def test_the_check_and_the_engine_read_the_same_text(server, listener, out):
    """Round 2 (G1): text the check once skipped (after ``# \\r``) or read as something else (a
    ``\\u005c`` that ends a string for rdflib only) is what the engine runs, or is refused."""
    u = listener.url
    cases = {
        # after the CR the VALUES clause is query text for both readers: it binds ?z
        "cr-values": ("SELECT * WHERE { ?s ?p ?o } LIMIT 1 # \r VALUES ?z { 1 }\n", 200),
        # rdflib expanded the escape and saw SERVICE; Oxigraph did not, and ran the SERVICE. Now
        # both read the expanded text, in which the SERVICE is inside a string: harmless, and run
        "u005c-string": (
            f'SELECT ?z WHERE {{ BIND("\\u005c" AS ?a) SERVICE <{u("u5c")}> {{ ?x ?y ?z }} }} #" AS ?z) }}',
            200,
        ),
        # an escape that spells another escape would be expanded twice by rdflib, once by Oxigraph
        "double-escape": ('SELECT ?x WHERE { BIND("\\u005cu0053" AS ?x) }', 400),
    }
    for name, (query, expected) in cases.items():
        status, doc = get(server, query)
        assert status == expected, (name, status, doc)
        if name == "cr-values":
            assert "z" in doc["head"]["vars"], doc
    assert listener.accepted == 0
    checked = check_query("SELECT * WHERE { ?s ?p ?o } # \r\nVALUES ?z { 1 }")
    assert "\r" not in checked.text and checked.text.endswith("VALUES ?z { 1 }")


@pytest.mark.parametrize(
    "prefix", ["# \r", "FILTER(1<'>'||true) ", '"\\u005c" ', "# \\u000d"], ids=["cr", "iri-or-less", "u5c", "u000d"]
)
def test_no_lexer_trick_hides_a_deep_nesting(server, out, tmp_path, prefix):
    """100,000 brackets after a prefix that once made the nesting count skip them: 400 on the
    endpoint (the worker survives) and a clean Error from the CLI (no segfault)."""
    query = "SELECT * WHERE { " + prefix + "{" * 100_000 + "}" * 100_000 + " }"
    status, doc = post(server, query.encode())
    assert status == 400 and "brackets" in doc["error"], (status, doc)
    assert get(server, "ASK { ?s ?p ?o }")[0] == 200
    path = tmp_path / "deep.rq"
    path.write_text(query, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "graph", "query", "--output-dir", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and done.stderr.startswith("Error:") and "brackets" in done.stderr, done


def test_service_in_strings_comments_and_names_is_not_refused(server):
    harmless = 'SELECT ?service WHERE { ?service rdfs:label ?l FILTER(?l != "SERVICE <x>") } # SERVICE\nLIMIT 1'
    assert get(server, harmless)[0] == 200


_GLUE = st.sampled_from(
    [" ", "\n", "\t", " . ", ".", " .\n", " # SERVICE\n", " #x\n", " #x\r", " # SERVICE\r\n", " #x\\u000d"]
)
_CASE = st.sampled_from(["SERVICE", "service", "Service", "sErViCe"])
_DECOY = st.sampled_from(
    [
        "",
        " FILTER(1<'>'||true) ",
        ' FILTER("\\"" != "") ',
        " FILTER(1<'<'||true) ",
        ' BIND("}" AS ?z) ',
        " ?q ?r '''x''' .",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(glue=_GLUE, case=_CASE, decoy=_DECOY, silent=st.booleans(), nested=st.booleans(), tail=_DECOY)
def test_generated_service_variants_are_refused(listener, glue, case, decoy, silent, nested, tail):
    """SERVICE hidden in generated ways (glued to '.', after quote tricks, in sub-selects, with
    comments around it): the parse check refuses every one that parses, and none runs."""
    service = f"{case}{' SILENT' if silent else ''} <{listener.url('gen')}> {{ ?x ?p ?o }}"
    body = f"?a ?b ?c{decoy}{glue}{service}{tail}"
    if nested:
        body = f"{{ SELECT * WHERE {{ {body} }} }}"
    query = f"SELECT * WHERE {{ {body} }} LIMIT 1"
    with pytest.raises(QueryRefused) as refused:
        check_query(query)
    assert refused.value.status in (400, 403)


def test_generated_variants_over_http_fetch_nothing(server, listener):
    """A sample of the generated shapes through the endpoint: 403/400 and no connection."""
    for glue in (" ", ".", " .\n", " #x\n"):
        for decoy in ("", " FILTER(1<'>'||true) ", ' FILTER("\\"" != "") '):
            query = f"SELECT * WHERE {{ ?a ?b ?c{decoy}{glue}SERVICE <{listener.url('h')}> {{ ?x ?p ?o }} }}"
            assert get(server, query)[0] in (400, 403), query
    assert listener.accepted == 0


# -- the second layer, on its own --------------------------------------------------------------


@pytest.mark.skipif(not sandbox.available(), reason=str(sandbox.unavailable_reason()))
def test_sandbox_stops_oxigraph_fetching_without_the_parse_check(listener):
    """With no parse check at all, a SERVICE query run in the sandbox cannot connect; the same
    process keeps its network outside it."""
    query = f"SELECT * WHERE {{ SERVICE <{listener.url('sandbox')}> {{ ?s ?p ?o }} }}"
    with pytest.raises(OSError, match="Permission denied"):
        sandbox.run_without_network(lambda: list(ox.Store().query(query)))
    assert listener.accepted == 0
    socket.create_connection(("127.0.0.1", listener.port)).close()  # this thread still may
    time.sleep(0.2)
    assert listener.accepted == 1
    listener.accepted = 0


def _whole_process_probe(url: str, conn) -> None:  # runs in a child process
    sandbox.forbid_network(whole_process=True)
    outcome: list[str] = []

    def in_thread() -> None:  # a thread started after the filter inherits it
        try:
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
            outcome.append("fetched")
        except OSError as exc:
            outcome.append(str(exc))

    t = threading.Thread(target=in_thread)
    t.start()
    t.join()
    conn.send(outcome[0])


@pytest.mark.skipif(not sandbox.available(), reason=str(sandbox.unavailable_reason()))
def test_worker_filter_covers_the_whole_process(listener):
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_whole_process_probe, args=(listener.url("proc"), child))
    proc.start()
    assert "Permission denied" in parent.recv()
    proc.join(10)
    assert listener.accepted == 0


_NONET_PROBE = """
import os, socket, sys
import graph.server.nonet  # installs the filter on this process when its parent asked, as in the fork server
from graph.sparql import sandbox

def probe():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        return "open"
    except PermissionError:
        return "refused"

here = probe()
r, w = os.pipe()
pid = os.fork()
if pid == 0:  # a worker forked from it: born with the filter, and forbid_network has nothing to do
    os.write(w, (probe() + " " + str(sandbox.forbid_network(whole_process=True))).encode())
    os._exit(0)
os.waitpid(pid, 0)
print(here, os.read(r, 100).decode(), socket.socketpair()[0].family.name)
"""


@pytest.mark.skipif(not sandbox.available(), reason=str(sandbox.unavailable_reason()))
def test_the_fork_server_installs_the_filter_that_its_workers_inherit():
    from graph.server.nonet import ENV

    def probe(value: str) -> list[str]:
        env = {**os.environ, ENV: value}
        done = subprocess.run([sys.executable, "-c", _NONET_PROBE], env=env, capture_output=True, text=True, timeout=60)
        return done.stdout.split() or [done.stderr]

    # asked for by its parent (this process, as a pool asks for its fork server): filtered, and so is its fork
    assert probe(str(os.getpid())) == ["refused", "refused", "True", "AF_UNIX"]  # Unix sockets still work
    # the variable inherited from another pool (a `chipgraph serve` started from a test): left alone,
    # or the endpoint itself could not listen on its TCP port
    assert probe(str(os.getppid()))[:2] == ["open", "open"]
    assert probe("")[:2] == ["open", "open"]


def test_endpoint_workers_run_sandboxed(server):
    assert server.pool.sandboxed is sandbox.available()


# -- F16: FROM / FROM NAMED honoured -----------------------------------------------------------


COUNT = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ {pattern} }}"


def _count(doc: dict) -> int:
    return int(doc["results"]["bindings"][0]["n"]["value"])


def test_from_is_honoured_on_the_endpoint(server, listener):
    assert _count(get(server, COUNT.format(**{"from": ""}, pattern="?s ?p ?o"))[1]) == 23
    assert _count(get(server, COUNT.format(**{"from": f"FROM <{GRAPH}>"}, pattern="?s ?p ?o"))[1]) == 3
    assert _count(get(server, COUNT.format(**{"from": "FROM <urn:nonexistent>"}, pattern="?s ?p ?o"))[1]) == 0
    named = COUNT.format(**{"from": f"FROM NAMED <{GRAPH}-filler>"}, pattern="GRAPH ?g { ?s ?p ?o }")
    assert _count(get(server, named)[1]) == 20
    remote = COUNT.format(**{"from": f"FROM <{listener.url('from')}>"}, pattern="?s ?p ?o")
    assert _count(get(server, remote)[1]) == 0
    # the protocol's default-graph-uri overrides the query's FROM
    status, doc = get(
        server, COUNT.format(**{"from": "FROM <urn:nonexistent>"}, pattern="?s ?p ?o"), **{"default-graph-uri": GRAPH}
    )
    assert status == 200 and _count(doc) == 3
    assert listener.accepted == 0


def test_from_is_honoured_by_the_cli(out):
    def run(text: str) -> int:
        result = CliRunner().invoke(cli, ["query", "--output-dir", str(out), "--json", "-e", text])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)[0]["n"]

    assert run(COUNT.format(**{"from": "FROM <urn:nonexistent>"}, pattern="?s ?p ?o")) == 0
    assert run(COUNT.format(**{"from": f"FROM <{GRAPH}>"}, pattern="?s ?p ?o")) == 3
    assert run(COUNT.format(**{"from": ""}, pattern="?s ?p ?o")) == 23


# -- F15: 4xx, not 5xx -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value"), [("default-graph-uri", "not an iri"), ("named-graph-uri", "<bad>"), ("default-graph-uri", "x")]
)
def test_invalid_graph_uri_is_400_naming_the_parameter(server, param, value):
    status, doc = get(server, "ASK {}", **{param: value})
    assert status == 400 and param in doc["error"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO"])
def test_other_methods_get_405_with_allow(server, method):
    host, port = server.server_address
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request(method, "/sparql")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 405 and "POST" in resp.getheader("Allow", "")
    conn.close()


# -- F7: deep nesting --------------------------------------------------------------------------


DEEP = {
    "ep-deep-braces": "SELECT * WHERE " + "{" * 100_000 + "}" * 100_000,
    "ep-deep-parens": "SELECT * WHERE { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }",
    "ep-deep-optional": "SELECT * WHERE " + "{ ?s ?p ?o OPTIONAL " * 20_000 + "{}" + "}" * 20_000,
}


def test_an_answer_of_too_many_bytes_is_refused_whatever_its_rows():
    """One row, one value of 10 MB built by doubling REPLACEs from a query of 300 bytes: the row
    cap does not stop it, the byte cap does (422, saying what to do). The worker's own check,
    with a 1 MB cap, so that the test does not depend on how fast the machine builds the value."""
    import pyoxigraph as ox

    from graph.server.worker import QueryFailed, execute

    grow = "".join(f' BIND(REPLACE(?{a},"a",?a) AS ?{b})' for a, b in zip("abcdef", "bcdefg"))
    job = {"query": 'SELECT ?g WHERE { BIND("aaaaaaaaaa" AS ?a)' + grow + " }", "max_rows": 10, "max_bytes": 1_000_000}
    with pytest.raises(QueryFailed) as exc:
        execute(ox.Store(), job)
    assert exc.value.status == 422 and "1,000,000 bytes of values" in exc.value.message and "LIMIT" in exc.value.message
    assert execute(ox.Store(), {**job, "max_bytes": 20_000_000})["count"] == 1  # under the cap: answered


@pytest.mark.parametrize(
    "query",
    [
        "ASK { FILTER(<urn:x>(1)) }",
        "SELECT (xsd:int(1) AS ?x) {}",
        'SELECT (xsd:integer("1", "2") AS ?x) {}',
        'SELECT (<http://www.w3.org/2005/xpath-functions#concat>("a", "b") AS ?x) {}',
    ],
    ids=["unknown-function", "unknown-cast", "cast-arity", "xpath-function"],
)
def test_a_function_the_engine_lacks_is_400_not_500(server, query):
    status, body = get(server, query)
    assert status == 400 and "cannot evaluate" in body["error"], body


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_400_and_the_workers_survive(server, name):
    status, doc = post(server, DEEP[name].encode())
    assert status == 400 and "nested more than" in doc["error"], doc
    assert get(server, "ASK { ?s ?p ?o }")[0] == 200


def test_nesting_at_the_limit_still_runs(server):
    query = "SELECT * WHERE " + "{ " * (MAX_NESTING - 1) + "?s ?p ?o" + " }" * (MAX_NESTING - 1)
    assert get(server, query)[0] == 200


def test_cli_deep_braces_is_an_error_not_a_crash(out, tmp_path):
    """cli-deep-braces: a subprocess, because the old failure was a segfault of the whole process."""
    path = tmp_path / "deep.rq"
    path.write_text(DEEP["ep-deep-braces"] + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "graph", "query", "--output-dir", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("Error:") and str(path) in proc.stderr and "nested" in proc.stderr


def test_nesting_depth_skips_strings_iris_and_comments():
    assert nesting_depth("SELECT * { ?s ?p \"{{{{\" . ?s ?p '(((' # {{{{\n }").depth == 1
    deep = nesting_depth("{" * (MAX_NESTING + 5))
    assert deep.depth == MAX_NESTING + 1 and (deep.line, deep.column) == (1, MAX_NESTING + 1)
    assert nesting_depth("a\n  ((((", limit=2) == (3, 2, 5)


# -- F2: the lexer is linear and the checks run inside the time limit ---------------------------


def test_escaped_quote_run_is_answered_at_once_and_blocks_no_one(server):
    """ep-lexer-quadratic: 60 KB of escaped quotes took 7 s in the HTTP thread; now 400 within the
    bounded wait, and a concurrent cheap query is answered meanwhile."""
    body = ('"' + '\\"' * 30_000).encode()
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(post(server, body)))
    thread.start()
    assert get(server, "ASK {}")[0] == 200
    thread.join(timeout=10)
    assert outcome and outcome[0][0] == 400


def test_strip_opaque_keeps_unterminated_strings_opaque():
    text = 'SELECT "\\"\\" SERVICE\nx'
    blanked = strip_opaque(text)
    assert "SERVICE" not in blanked and blanked.endswith("\nx") and len(blanked) == len(text)


# -- F5, F6, F21: HTTP framing, slow and vanishing clients --------------------------------------


HEAD = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"


def test_negative_content_length_is_400(server):
    answer = raw(server, HEAD + b"Content-Length: -1\r\n\r\nASK {}")
    assert answer.startswith(b"HTTP/1.1 400")


def test_content_length_with_chunked_is_400(server):
    answer = raw(server, HEAD + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n")
    assert answer.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request") and answer.count(b"HTTP/1.") == 1


def test_conflicting_content_lengths_are_400(server):
    answer = raw(server, HEAD + b"Content-Length: 6\r\nContent-Length: 500\r\nConnection: close\r\n\r\nASK {}")
    assert answer.startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    ("request_bytes", "status", "why"),
    [
        (b"GET /sparql?query=ASK%7B%7D HTTP/9.9\r\nHost: x\r\n\r\n", b"505", b"HTTP/9.9 is not served"),
        (b"GET /sparql?query=ASK%7B%7D HTTP/2.0\r\nHost: x\r\n\r\n", b"505", b"HTTP/2.0 is not served"),
        (b"GET /sparql?query=ASK%7B%7D\r\nHost: x\r\n\r\n", b"400", b"no HTTP version"),
        (b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", b"400", b"obsolete line folding"),
        (b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tfolded\r\n\r\n", b"400", b"obsolete line folding"),
        (b"GET sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n", b"400", b"starts with /"),
        (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", b"400", b"starts with /"),
        (b"GET /\x1b]0;PWNED\x07\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n", b"400", b"control character"),
        (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n\r\n", b"400", b"needs a Host header"),
        (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", b"400", b"more than one Host"),
    ],
    ids=[
        "http-9.9",
        "http-2.0",
        "http-0.9",
        "obs-fold-space",
        "obs-fold-tab",
        "target-without-slash",
        "asterisk",
        "control-in-target",
        "no-host",
        "two-hosts",
    ],  # fmt: skip
)
def test_request_lines_and_headers_outside_http_1_are_refused(server, request_bytes: bytes, status: bytes, why: bytes):
    """RFC 9112/9110: other versions get 505, a versionless line, obs-fold and a target that is
    no path get 400 (waitress alone answered all of them as HTTP/1.x requests)."""
    answer = raw(server, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n", 1)[0].split(b" ")[1] == status and why in body, answer
    assert json.loads(body)["status"] == int(status)


def test_an_absolute_form_target_is_still_served(server):
    answer = raw(server, b"GET http://x/sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200"), answer


def test_body_shorter_than_announced_is_closed_in_bounded_time(server):
    started = time.monotonic()
    answer = raw(server, HEAD + b"Content-Length: 1000\r\n\r\nASK {}", wait=REQUEST_TIMEOUT + 10)
    assert time.monotonic() - started < REQUEST_TIMEOUT + 5
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and answer.count(b"HTTP/1.") == 1
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["status"] == 408


def test_trickled_request_is_closed_in_bounded_time(server):
    """A request sent one header byte at a time never finishes; it is closed, not held."""
    started = time.monotonic()
    with socket.create_connection(server.server_address, timeout=1) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        closed = False
        while time.monotonic() - started < REQUEST_TIMEOUT + 8 and not closed:
            try:
                sock.sendall(b"X")
                closed = sock.recv(1) == b""
            except TimeoutError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                closed = True
    assert closed


def test_400_half_open_connections_while_queries_keep_answering(server):
    """ep-slowloris: 400 connections with half-sent headers cost no threads; normal clients are
    served meanwhile, and the server closes the half-open ones after its request timeout."""
    held = [socket.create_connection(server.server_address) for _ in range(400)]
    try:
        for sock in held:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for _ in range(5):
            assert get(server, "ASK { ?s ?p ?o }")[0] == 200
        time.sleep(REQUEST_TIMEOUT + 2.5)
        closed = 0
        for sock in held:
            sock.settimeout(2)
            try:
                closed += sock.recv(1) == b""  # closed, with no answer: its header never ended
            except (TimeoutError, ConnectionResetError):
                closed += 0
        assert closed == 400
        assert get(server, "ASK { ?s ?p ?o }")[0] == 200
    finally:
        for sock in held:
            sock.close()


def test_clients_that_hang_up_leave_no_traceback(out):
    """ep-log-tracebacks: clients that disconnect before their answer give no traceback in the log."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--output-dir", str(out), "--port", "0", "--timeout", "2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        while line and "chipgraph endpoint:" not in line:
            line = proc.stderr.readline()
        port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
        expensive = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
        for _ in range(10):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(f"GET /sparql?query={expensive} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.close()  # a reset, before the answer
            half = socket.create_connection(("127.0.0.1", port))
            half.sendall(b"GET / HTTP/1.1\r\nHo")
            half.close()
        time.sleep(3)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql?query=ASK%7B%7D")
        assert conn.getresponse().status == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Traceback" not in err, err


# -- F12 (query files): encodings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (b'SELECT * WHERE { ?s ?p "caf\xe9" }\n', ":1:28: not valid UTF-8"),
        (b"\xff\xfeS\x00E\x00", ":1:1: not valid UTF-8"),
    ],
)
def test_query_file_not_utf8_is_an_error_with_file_and_line(out, tmp_path, data, expect):
    path = tmp_path / "q.rq"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["query", "--output-dir", str(out), str(path)])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {path}")
    assert expect in result.output and "bug" not in result.output


# -- G5 (round 2): rdflib's literal-conversion traceback --------------------------------------


def test_huge_integer_literal_logs_no_traceback(out, server, caplog):
    """rdflib (the parse check) cannot turn a 5,000-digit integer into an int and logs a warning
    with a traceback; chipgraph drops that record, so the successful query prints nothing else."""
    query = "SELECT (" + "9" * 5000 + " AS ?x) WHERE {}"
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(cli, ["query", "--output-dir", str(out), "-e", query])
        status, _ = get(server, query)
    assert result.exit_code == 0 and status == 200, result.output
    assert "Failed to convert Literal" not in caplog.text and "Traceback" not in result.output
    assert "Exceeds the limit" not in caplog.text + result.output


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        ('SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }', "xml"),
        ('SELECT ?x WHERE { BIND(STRLANG("a\\u0008", "en") AS ?x) }', "xml"),
        ('CONSTRUCT { <urn:a> <urn:p> "a\\u001Bb" } WHERE {}', "rdfxml"),
    ],
    ids=["literal", "language-literal", "construct"],
)
def test_a_value_xml_cannot_carry_is_422_in_xml_and_answered_in_json(server, query, fmt):
    """No stored value holds a control character (inputs refuse them), but a query can make one
    with a \\u escape. Written raw it made ill-formed XML; it is refused in the XML formats, with
    the formats that can carry it named, and answered in those."""
    status, body = get(server, query, format=fmt)
    assert status == 422 and "XML 1.0 cannot carry" in body["error"] and "JSON" in body["error"], body
    assert get(server, query, format="json" if fmt == "xml" else "ntriples")[0] == 200


def test_a_carriage_return_survives_the_xml_formats(server):
    """A parser reads a raw CR in XML as a newline: it is written as &#13;, so the value comes back."""
    from xml.dom import minidom

    import pyoxigraph as ox

    status, body = get(server, 'SELECT ?x WHERE { BIND("a\\rb" AS ?x) }', format="xml")
    assert status == 200
    (literal,) = minidom.parseString(body["raw"]).getElementsByTagName("literal")
    assert literal.firstChild.data == "a\rb"
    status, body = get(server, 'CONSTRUCT { <urn:a> <urn:p> "a\\rb" } WHERE {}', format="rdfxml")
    assert status == 200
    (triple,) = ox.parse(body["raw"], format=ox.RdfFormat.RDF_XML)
    assert triple.object.value == "a\rb"


def test_cli_refuses_rdfxml_it_cannot_write(out):
    from click.testing import CliRunner

    from graph.cli import cli

    query = 'CONSTRUCT { <urn:a> <urn:p> "a\\u0001" } WHERE {}'
    result = CliRunner().invoke(cli, ["query", "--output-dir", str(out), "-e", query, "--rdf-format", "rdfxml"])
    assert result.exit_code == 1 and "U+0001" in result.stderr and "--rdf-format turtle" in result.stderr
    assert "Traceback" not in result.stderr
