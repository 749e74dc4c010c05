"""The remote store and ``chipgraph push`` against a real Virtuoso (see tests/virtuoso_server.py).

The first tests need no server: they check that bound values travel as escaped RDF terms in a
VALUES block with the same answers as the embedded store's substitutions. The others push to a
Virtuoso started for the session, query it through ``--endpoint``, and compare every named query
with the embedded store.
"""

from __future__ import annotations

import decimal
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from virtuoso_server import Virtuoso, virtuoso  # noqa: F401 - the fixture

from graph.cli import cli
from graph.errors import ChipgraphError, InputError
from graph.store.local import memory_store
from graph.store.remote import RemoteStore, bind_values
from graph.vocab.namespaces import CG, DCTERMS, XSD

TITLE = DCTERMS + "title"
NASTY = 'A "title" } # not a comment\n} ; DROP ALL ; {'
SMALL_TRIG = f"""\
@prefix cg: <{CG}> .
@prefix dcterms: <{DCTERMS}> .
<https://w3id.org/chipgraph/graph/sources> {{
  <https://w3id.org/chipgraph/source/a> dcterms:title {ox.Literal(NASTY, language="en")} , "华为 화웨이" .
  <https://w3id.org/chipgraph/source/b> dcterms:title "plain" .
}}
<https://w3id.org/chipgraph/claim/huawei/designs/1> {{
  <https://w3id.org/chipgraph/id/huawei> cg:designs <https://w3id.org/chipgraph/id/ascend-910c> .
}}
<https://w3id.org/chipgraph/claim/old/stale/1> {{
  <https://w3id.org/chipgraph/id/old> cg:designs <https://w3id.org/chipgraph/id/gone> .
}}
"""


# ---------------------------------------------------------------------------------------------
# Binding without a server


def _sample_store():
    return memory_store(list(ox.parse(SMALL_TRIG, ox.RdfFormat.TRIG)))


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?t WHERE { ?s dcterms:title ?t }",
        "SELECT ?s ?t WHERE { ?s dcterms:title ?x FILTER(?x = ?t) }",
        "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s dcterms:title ?x FILTER(STR(?x) = STR(?t)) } GROUP BY ?t",
        "SELECT * { { SELECT ?s WHERE { ?s ?p ?o } } ?s dcterms:title ?t }",
        "ASK { ?s dcterms:title ?t }",
        "CONSTRUCT WHERE { ?s dcterms:title ?t }",
        "CONSTRUCT { ?s <http://example.org/has> ?t } WHERE { ?s dcterms:title ?t }",
        '# a comment with WHERE {\nSELECT ?s ?t WHERE { ?s dcterms:title ?t . FILTER(?t != "{ WHERE") }',
    ],
)
@pytest.mark.parametrize(
    "value", [ox.Literal(NASTY, language="en"), ox.Literal("plain"), ox.Literal('x" } ?s ?p ?o . FILTER("a" = "a')]
)
def test_values_block_gives_the_same_answers_as_engine_substitution(query: str, value: ox.Literal) -> None:
    store = _sample_store()
    bound = bind_values(query, {"t": value})
    assert bound.count("VALUES") == 1
    expected = store.raw_query(query, {"t": value})
    got = store.raw_query(bound)
    if isinstance(expected, ox.QuerySolutions):
        assert sorted(map(str, got)) == sorted(map(str, expected))
    elif isinstance(expected, ox.QueryBoolean):
        assert bool(got) == bool(expected)
    else:
        assert sorted(map(str, got)) == sorted(map(str, expected))


def test_a_hostile_value_stays_one_token() -> None:
    bound = bind_values("SELECT ?s WHERE { ?s ?p ?t }", {"t": ox.Literal(NASTY)})
    # The value is escaped: its newline, quotes and braces cannot close the VALUES block.
    assert "\n" not in bound.split("VALUES", 1)[1].split("?s ?p ?t")[0]
    assert '\\"title\\"' in bound
    store = _sample_store()
    assert store.raw_query(bound).__class__ is ox.QuerySolutions
    assert (
        list(
            store.raw_query(
                bind_values("SELECT ?s WHERE { ?s ?p ?t }", {"t": ox.Literal('x" } ?s ?p ?o . FILTER("a" = "a')})
            )
        )
        == []
    )


def test_bad_binding_names_and_values_are_refused() -> None:
    with pytest.raises(InputError, match="variable name"):
        bind_values("SELECT * { ?s ?p ?o }", {"o } . ?x": ox.Literal("v")})
    with pytest.raises(InputError, match="IRI or a literal"):
        bind_values("SELECT * { ?s ?p ?o }", {"o": "raw text"})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        ox.NamedNode("http://x/> . ?s ?p ?o")


def test_unreachable_endpoint_is_a_clear_error() -> None:
    store = RemoteStore("http://127.0.0.1:9/sparql", timeout=5)
    with pytest.raises(ChipgraphError, match="cannot reach endpoint http://127.0.0.1:9/sparql"):
        store.select("SELECT * { ?s ?p ?o }")
    result = CliRunner().invoke(
        cli, ["query", "-e", "SELECT * { ?s ?p ?o } LIMIT 1", "--endpoint", "http://127.0.0.1:9/sparql", "--json"]
    )
    assert result.exit_code == 1
    assert "Error: cannot reach endpoint http://127.0.0.1:9/sparql" in result.output


@pytest.fixture
def odd_endpoint():
    """A loopback server that answers every query with one row of a variable nobody asked for."""
    import http.server
    import threading

    answer = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}})

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = answer.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/sparql"
    srv.shutdown()


def test_an_endpoint_that_leaves_out_a_selected_variable_is_a_clear_error(odd_endpoint: str) -> None:
    rows = RemoteStore(odd_endpoint).select("SELECT ?entity WHERE { ?entity ?p ?o }")
    with pytest.raises(ChipgraphError, match=r"without the variable \?entity"):
        rows[0]["entity"]
    result = CliRunner().invoke(cli, ["show", "huawei", "--endpoint", odd_endpoint, "--json"])
    assert result.exit_code == 1
    assert "Error: endpoint http://127.0.0.1" in result.output and "this is a bug" not in result.output


def test_endpoint_url_must_be_http() -> None:
    with pytest.raises(InputError, match="not an http"):
        RemoteStore("ftp://example.org/sparql")


@pytest.mark.parametrize("limits", [{}, {"batch_triples": 2, "batch_graphs": 1}, {"batch_triples": 1, "op_triples": 1}])
def test_update_requests_replace_chipgraph_graphs_only(tmp_path: Path, limits: dict) -> None:
    """Applied by a SPARQL engine (Oxigraph), the requests leave exactly the new graphs."""
    from graph.store.push import load_graphs, update_requests

    graphs = load_graphs(_small(tmp_path) / "chipgraph.trig")
    engine = ox.Store()
    engine.update(
        "PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:other { ex:a ex:p 1 } "
        "GRAPH <https://w3id.org/chipgraph/graph/sources> { ex:old ex:p 2 } "
        "GRAPH <https://w3id.org/chipgraph/claim/gone> { ex:old ex:p 3 } }"
    )
    requests = update_requests(graphs, ["https://w3id.org/chipgraph/claim/gone"], **limits)
    assert (len(requests) == 1) == (not limits)
    assert sum(n for _, n in requests) == 5
    for text, _ in requests:
        engine.update(text)
    expected = {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in graphs.items() for t in ts}
    other = ox.NamedNode("http://example.org/other")
    assert {q for q in engine if q.graph_name != other} == expected
    assert len(list(engine.quads_for_pattern(None, None, None, other))) == 1


# ---------------------------------------------------------------------------------------------
# Against Virtuoso


def _push(server: Virtuoso, out: Path, *extra: str) -> tuple[int, str]:
    """Run ``chipgraph push`` with the credentials in the environment; (exit code, stdout+stderr)."""
    result = CliRunner().invoke(
        cli,
        ["push", "--endpoint", server.sparql_auth, "--output-dir", str(out), *extra],
        env={"CHIPGRAPH_USER": server.user, "CHIPGRAPH_PASSWORD": server.password},
    )
    return result.exit_code, result.output


def _push_json(server: Virtuoso, out: Path, *extra: str) -> dict:
    result = CliRunner().invoke(
        cli,
        ["push", "--endpoint", server.sparql_auth, "--output-dir", str(out), "--json", *extra],
        env={"CHIPGRAPH_USER": server.user, "CHIPGRAPH_PASSWORD": server.password},
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _small(tmp_path: Path, text: str = SMALL_TRIG) -> Path:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "chipgraph.trig").write_text(text, encoding="utf-8")
    return out


@pytest.mark.virtuoso
def test_push_small_dataset_roundtrips_values_exactly(virtuoso: Virtuoso, tmp_path: Path) -> None:  # noqa: F811
    code, output = _push(virtuoso, _small(tmp_path))
    assert code == 0, output
    assert "pushed 5 triples in 3 graphs" in output
    assert "one atomic SPARQL Update request" in output
    remote = RemoteStore(virtuoso.sparql)
    assert remote.graph_counts() == {
        "https://w3id.org/chipgraph/graph/sources": 3,
        "https://w3id.org/chipgraph/claim/huawei/designs/1": 1,
        "https://w3id.org/chipgraph/claim/old/stale/1": 1,
    }
    # The hostile value came back byte for byte, and binding it finds exactly its subject.
    rows = remote.select("SELECT ?s WHERE { ?s dcterms:title ?t }", {"t": ox.Literal(NASTY, language="en")})
    assert [r["s"] for r in rows] == [ox.NamedNode("https://w3id.org/chipgraph/source/a")]
    rows = remote.select('SELECT ?t WHERE { cgsrc:a dcterms:title ?t FILTER(LANG(?t) = "") }')
    assert [r["t"].value for r in rows] == ["华为 화웨이"]
    # A value crafted to widen the query matches nothing.
    widen = ox.Literal('x" } ?s ?p ?o . FILTER("a" = "a')
    rows = remote.select("SELECT ?s WHERE { ?s dcterms:title ?t }", {"t": widen})
    assert rows == []
    assert remote.ask("ASK { ?s cg:designs ?o }", {"o": ox.NamedNode("https://w3id.org/chipgraph/id/ascend-910c")})
    assert not remote.ask("ASK { ?s cg:designs ?o }", {"o": ox.NamedNode("https://w3id.org/chipgraph/id/nothing")})
    triples = remote.construct(
        "CONSTRUCT WHERE { ?s dcterms:title ?t }", {"s": ox.NamedNode("https://w3id.org/chipgraph/source/a")}
    )
    assert ox.Literal(NASTY, language="en") in {t.object for t in triples}


@pytest.mark.virtuoso
def test_second_push_replaces_drops_stale_and_keeps_foreign_graphs(virtuoso: Virtuoso, tmp_path: Path) -> None:  # noqa: F811
    admin = RemoteStore(virtuoso.sparql_auth, user=virtuoso.user, password=virtuoso.password)
    admin.update("INSERT DATA { GRAPH <http://example.org/other> { <http://example.org/a> <http://example.org/p> 1 } }")
    assert _push(virtuoso, _small(tmp_path))[0] == 0
    without_stale = SMALL_TRIG.split("<https://w3id.org/chipgraph/claim/old/stale/1>")[0]
    code, output = _push(virtuoso, _small(tmp_path, without_stale))
    assert code == 0, output
    assert "removed 1 stale chipgraph graph(s)" in output
    code, output = _push(virtuoso, _small(tmp_path, without_stale))
    assert code == 0, output
    remote = RemoteStore(virtuoso.sparql)
    assert remote.graph_counts() == {
        "https://w3id.org/chipgraph/graph/sources": 3,
        "https://w3id.org/chipgraph/claim/huawei/designs/1": 1,
    }
    assert remote.ask("ASK { GRAPH <http://example.org/other> { <http://example.org/a> ?p ?o } }")
    assert (
        sorted(q.graph_name.value for q in remote.quads())
        == ["https://w3id.org/chipgraph/claim/huawei/designs/1"] + ["https://w3id.org/chipgraph/graph/sources"] * 3
    )


@pytest.mark.virtuoso
def test_push_through_the_graph_store_protocol(virtuoso: Virtuoso, tmp_path: Path) -> None:  # noqa: F811
    summary = _push_json(virtuoso, _small(tmp_path), "--graph-store", virtuoso.graph_store)
    assert summary["method"] == "graph-store" and summary["triples"] == 5 and summary["verified"]
    assert RemoteStore(virtuoso.sparql).graph_counts()["https://w3id.org/chipgraph/graph/sources"] == 3


@pytest.mark.virtuoso
def test_push_errors_are_clear(virtuoso: Virtuoso, tmp_path: Path) -> None:  # noqa: F811
    out = _small(tmp_path)
    result = CliRunner().invoke(cli, ["push", "--endpoint", virtuoso.sparql, "--output-dir", str(out)])
    assert result.exit_code == 1
    assert "Error: endpoint " + virtuoso.sparql in result.output and "/sparql-auth" in result.output
    code, output = _push(virtuoso, tmp_path / "nothing-built")
    assert code == 1 and "run `chipgraph build` first" in output
    code, output = _push(virtuoso, _small(tmp_path, "<http://example.org/g> { <http://a/b> <http://a/c> 1 . }"))
    assert code == 1 and "is not a chipgraph graph" in output


# ---------------------------------------------------------------------------------------------
# The full dataset: every named query answers the same on Virtuoso as on the embedded store

_NUMERIC = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "decimal",
        "double",
        "float",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedInt",
    )
}


EMPTY = ("text", ())


def _norm(term: object) -> object:
    """A term as comparable plain data, blind to what SPARQL leaves to the engine.

    Numbers compare by value (Virtuoso rewrites ``2.50`` as ``2.5``), booleans by truth
    (Virtuoso answers ``"1"^^xsd:boolean``), partial dates by their year (Virtuoso 7.2 stores
    xsd:gYear and xsd:gYearMonth as datetimes and, after a SPARQL Update push, may give ``"2025"``
    back as ``"2025-01"^^xsd:gYearMonth``), language tags case-insensitively (Virtuoso lowers
    them), and plain strings as their sorted tokens, because the order of GROUP_CONCAT is
    unspecified and the engines concatenate in different orders.
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else XSD + "string"
        if datatype in _NUMERIC:
            return ("number", decimal.Decimal(term.value).normalize())
        if datatype == XSD + "boolean":
            return ("boolean", term.value in ("true", "1"))
        if datatype in (XSD + "gYear", XSD + "gYearMonth"):
            return ("partial date", term.value[:4])
        if term.language:
            return ("text", term.value, term.language.lower())
        if datatype != XSD + "string":
            return ("typed", term.value, datatype)
        return ("text", tuple(sorted(t for t in re.split(r"[\s,;]+", term.value) if t)))
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    return ("iri", getattr(term, "value", str(term)))


def _examples(named) -> dict[str, str]:
    """Values for required parameters: the first example of the parameter's description."""
    values = {}
    for p in named.params:
        if p.required:
            m = re.search(r"e\.g\. ([^,)\s]+)", p.description)
            assert m, f"{named.name}: parameter {p.name} is required but its description gives no example"
            values[p.name] = m.group(1)
    return values


def _answer(store, named, given: dict[str, str] | None = None) -> object:
    from graph.sparql.queries import bind_params, run_query

    values = _examples(named) | (given or {})
    result = run_query(store, named.text, bind_params(named, values, data_date=lambda: "2025-02-17"), source=named.name)
    if result.form == "SELECT":
        # An empty GROUP_CONCAT is "" on Virtuoso (as the spec says) and unbound on Oxigraph.
        return sorted(
            (
                tuple(sorted((k, _norm(v)) for k, v in row.items() if v is not None and _norm(v) != EMPTY))
                for row in result.rows
            ),
            key=repr,
        )
    if result.form == "ASK":
        return result.boolean
    return sorted((tuple(_norm(x) for x in (t.subject, t.predicate, t.object)) for t in result.triples), key=repr)


@pytest.fixture
def full_remote(virtuoso: Virtuoso, built: Path) -> RemoteStore:  # noqa: F811
    """Virtuoso holding the session build (pushed again if another test replaced it)."""
    from graph.store.push import load_graphs

    local = {g: len(ts) for g, ts in load_graphs(built / "chipgraph.trig").items()}
    remote = RemoteStore(virtuoso.sparql)
    if remote.graph_counts() != local:
        code, output = _push(virtuoso, built)
        assert code == 0, output
    assert remote.graph_counts() == local
    return remote


@pytest.mark.virtuoso
@pytest.mark.slow
def test_full_push_is_verified_and_idempotent(virtuoso: Virtuoso, built: Path) -> None:  # noqa: F811
    from graph.store.push import load_graphs

    local = {g: len(ts) for g, ts in load_graphs(built / "chipgraph.trig").items()}
    for extra in ((), ("--graph-store", virtuoso.graph_store)):
        code, output = _push(virtuoso, built, *extra)
        assert code == 0, output
        assert f"pushed {sum(local.values()):,} triples in {len(local):,} graphs" in output
        assert RemoteStore(virtuoso.sparql).graph_counts() == local
    assert len(list(RemoteStore(virtuoso.sparql).quads())) == sum(local.values())


@pytest.mark.virtuoso
@pytest.mark.slow
def test_every_named_query_answers_the_same_on_virtuoso(full_remote: RemoteStore, store) -> None:
    from graph.sparql.queries import catalogue

    queries = catalogue()
    assert queries, "no named queries found in ontology/queries"
    cases = [(name, {}) for name in sorted(queries)]
    cases += [
        ("search", {"text": "华为"}),
        ("search", {"text": "화웨이"}),
        ("search", {"text": 'x" } ?s ?p ?o #'}),
        ("accelerators", {"designed_by": "cgid:huawei"}),
        ("input-dependents", {"input": "cgid:lithography-tools"}),
        ("firms-by-country", {"country": "cgid:CHN"}),
        ("firms-by-country", {"role": "cg:Foundry"}),
    ]
    # The named queries are written to be portable (their comments name the Virtuoso 7.2
    # deviations they avoid), so every one must answer exactly as on the embedded store.
    differ = []
    for name, given in cases:
        here, there = _answer(store, queries[name], given), _answer(full_remote, queries[name], given)
        if here != there:
            differ.append((name, given, here, there))

    def _difference(here: object, there: object) -> object:
        if isinstance(here, list) and isinstance(there, list):
            return {
                "only here": [r for r in here if r not in there][:3],
                "only on Virtuoso": [r for r in there if r not in here][:3],
            }
        return (here, there)

    assert [d[:2] for d in differ] == [], repr([(d[0], d[1], _difference(d[2], d[3])) for d in differ[:2]])


@pytest.mark.virtuoso
@pytest.mark.slow
def test_cli_query_and_show_through_endpoint(full_remote: RemoteStore, virtuoso: Virtuoso, built: Path) -> None:  # noqa: F811
    from graph.sparql.queries import catalogue

    runner = CliRunner()
    assert "who-says" in catalogue()
    args = ["query", "who-says", "-p", "subject", "cgid:ascend-910c", "--json"]
    local = runner.invoke(cli, [*args, "--output-dir", str(built)])
    remote = runner.invoke(cli, [*args, "--endpoint", virtuoso.sparql])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert json.loads(local.stdout), "who-says found nothing for the Ascend 910C"

    def key(row: dict) -> str:
        # Virtuoso 7.2 stores xsd:gYear and xsd:gYearMonth as datetimes and may give one back as
        # the other ("2025" as "2025-01"); compare partial dates by their year.
        return json.dumps(
            {k: (v[:4] if k == "date" and isinstance(v, str) else v) for k, v in row.items()}, sort_keys=True
        )

    here, there = sorted(map(key, json.loads(local.stdout))), sorted(map(key, json.loads(remote.stdout)))
    assert there == here, (set(here) - set(there), set(there) - set(here))
    env_remote = runner.invoke(cli, args, env={"CHIPGRAPH_ENDPOINT": virtuoso.sparql})
    assert env_remote.exit_code == 0 and sorted(map(key, json.loads(env_remote.stdout))) == sorted(
        map(key, json.loads(local.stdout))
    )
    local_show = runner.invoke(cli, ["show", "Huawei", "--output-dir", str(built), "--json"])
    remote_show = runner.invoke(cli, ["show", "Huawei", "--endpoint", virtuoso.sparql, "--json"])
    assert local_show.exit_code == 0, local_show.output
    assert remote_show.exit_code == 0, remote_show.output
    assert json.loads(remote_show.stdout) == json.loads(local_show.stdout)


@pytest.mark.virtuoso
def test_a_query_refused_on_its_cost_estimate_says_what_to_do(full_remote: RemoteStore, virtuoso: Virtuoso) -> None:  # noqa: F811
    # A three-way cross join of every quad: Virtuoso's estimate is far above the test server's
    # MaxQueryCostEstimationTime, so it refuses before running it; the user reads why and what to do.
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = CliRunner().invoke(cli, ["query", "-e", text, "--endpoint", virtuoso.sparql])
    assert result.exit_code == 1, result.output
    assert "estimated execution time" in result.output, result.output
    assert "comment out MaxQueryCostEstimationTime" in result.output and "Traceback" not in result.output


@pytest.mark.virtuoso
@pytest.mark.slow
def test_the_inferred_graph_answers_the_same_on_virtuoso(full_remote: RemoteStore, store) -> None:
    # pushed with the rest of the TriG: the subclass closure holds on the server without its reasoner
    queries = {
        "measures": "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a cg:ExportControlMeasure }",
        "inferred": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH cggraph:inferred { ?s ?p ?o } }",
        "sub-organisations": "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/ns/org#subOrganizationOf> ?b }",
    }
    here = {k: int(store.select(q)[0]["n"].value) for k, q in queries.items()}
    there = {k: int(full_remote.select(q)[0]["n"].value) for k, q in queries.items()}
    assert there == here and here["measures"] > 1000, (here, there)
