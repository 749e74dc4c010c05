"""Named queries: the catalogue, parameter binding, errors, the CLI, and each query's answer on the
shipped data (one real build per session, the ``built``/``store`` fixtures of conftest.py).

Expected answers are facts of the curated data (graph/data/curated/*.yaml) and of the ETO release,
named in each test; they are not snapshots of whatever the query happened to return.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.errors import InputError, NotFoundError
from graph.sparql.queries import (
    bind_params,
    catalogue,
    forbidden_operation,
    load_query,
    parse_named_query,
    parse_value,
    query_form,
    run_query,
    syntax_error_message,
)
from graph.store.local import memory_store
from graph.vocab.namespaces import CG, ID, SOURCE, XSD

QUERIES_DIR = Path(__file__).resolve().parent.parent / "ontology" / "queries"


# --------------------------------------------------------------------------------------------
# The catalogue


def test_catalogue_has_documented_queries():
    queries = catalogue(QUERIES_DIR)
    assert len(queries) >= 15
    for q in queries.values():
        assert q.path is not None and q.path.stem == q.name, q.name
        assert len(q.description) > 20, q.name
        assert q.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), q.name
        assert all(p.description for p in q.params), q.name


def test_the_shipped_verdicts_are_those_of_a_full_check_of_every_named_query():
    """ontology/queries/checked.json lets `query NAME` skip rdflib; it must say what the check says."""
    from graph.paths import queries_dir
    from graph.sparql.guard import VERDICTS_FILE, fresh_verdicts

    texts = {name: q.text for name, q in catalogue().items()}
    shipped = json.loads((queries_dir() / VERDICTS_FILE).read_text(encoding="utf-8"))
    assert shipped == fresh_verdicts(texts), "named queries changed: run python scripts/gen_query_checks.py"
    assert len(shipped["verdicts"]) == len(texts)


def test_a_text_not_in_the_shipped_verdicts_is_checked_in_full():
    from graph.sparql.guard import QueryRefused, check_query, shipped_verdicts, text_digest

    text = catalogue()["sources"].text
    assert text_digest(text) in shipped_verdicts()
    edited = text.replace("WHERE {", "WHERE { SERVICE <http://127.0.0.1:9/> { ?x ?y ?z }", 1)
    assert text_digest(edited) not in shipped_verdicts()
    with pytest.raises(QueryRefused) as info:
        check_query(edited)
    assert info.value.status == 403


def test_every_query_parses_and_binds_every_parameter():
    """Run each query on an empty store with every parameter bound (Oxigraph refuses to bind a
    variable that the query does not project) and with only the defaults."""
    empty = memory_store([])
    samples = {
        "iri": "cgid:huawei",
        "string": "ascend",
        "date": "2024-01-01",
        "integer": "3",
        "decimal": "2.5",
        "boolean": "true",
        "gyear": "2024",
    }
    for q in catalogue(QUERIES_DIR).values():
        every = [(p.name, samples[p.type]) for p in q.params]
        run_query(empty, q.text, bind_params(q, every), source=q.name)
        required = [(p.name, samples[p.type]) for p in q.params if p.required]
        run_query(empty, q.text, bind_params(q, required, data_date=lambda: "2024-01-01"), source=q.name)


def test_header_parsing():
    q = parse_named_query(
        "# name: demo\n# description: A demo\n# param: day (date, default: 2024-01-02) The day\n"
        "# param: who (iri, required) Somebody\n# param: any (string, default: none) Text\n"
        "SELECT ?day ?who ?any WHERE { ?who ?p ?any }\n"
    )
    assert q.name == "demo" and q.description == "A demo" and q.form == "SELECT"
    assert [(p.name, p.type, p.default, p.required) for p in q.params] == [
        ("day", "date", "2024-01-02", False),
        ("who", "iri", None, True),
        ("any", "string", None, False),
    ]


@pytest.mark.parametrize("header", ["# param: x (colour) bad type", "# param: x date", "# param: x (date, maybe)"])
def test_malformed_param_declaration(header):
    with pytest.raises(InputError, match=r"bad.rq:2: (malformed|unknown parameter type)"):
        parse_named_query(f"# name: bad\n{header}\nSELECT * WHERE {{ ?s ?p ?o }}\n", Path("bad.rq"))


def test_unknown_query_name_suggests():
    with pytest.raises(NotFoundError, match="did you mean accelerators"):
        load_query("acelerators", QUERIES_DIR)


def test_load_by_file(tmp_path):
    f = tmp_path / "mine.rq"
    f.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n")
    assert load_query(str(f)).name == "mine"
    with pytest.raises(NotFoundError):
        load_query(str(tmp_path / "missing.rq"))


# --------------------------------------------------------------------------------------------
# Parameters


def test_parse_value_types():
    assert parse_value("cgid:huawei", "iri") == ox.NamedNode(ID + "huawei")
    assert parse_value("huawei", "iri") == ox.NamedNode(ID + "huawei")
    assert parse_value("CHN", "iri") == ox.NamedNode(ID + "CHN")
    assert parse_value("<https://example.org/x>", "iri") == ox.NamedNode("https://example.org/x")
    assert parse_value("2024-12-02", "date") == ox.Literal("2024-12-02", datatype=ox.NamedNode(XSD + "date"))
    assert parse_value("7", "integer") == ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))
    assert parse_value("cgid:huawei", "string") == ox.Literal("cgid:huawei")
    # undeclared: guessed from the look of the value
    assert parse_value("cg:Foundry") == ox.NamedNode(CG + "Foundry")
    assert parse_value("2024-12-02").datatype == ox.NamedNode(XSD + "date")
    assert parse_value("12.5").datatype == ox.NamedNode(XSD + "decimal")
    assert parse_value("Ascend 910C") == ox.Literal("Ascend 910C")


@pytest.mark.parametrize(
    ("value", "ptype"),
    [("2024-13-01", "date"), ("soon", "date"), ("x1", "integer"), ("nope:thing", "iri"), ("two words", "iri")],
)
def test_parse_value_rejects(value, ptype):
    with pytest.raises(InputError):
        parse_value(value, ptype, "p")


def test_bind_params_unknown_and_missing():
    q = load_query("measures-in-force", QUERIES_DIR)
    assert bind_params(q, [], data_date=lambda: "2025-02-17")["as_of"] == parse_value("2025-02-17", "date")
    with pytest.raises(InputError, match="data date") as refused:
        bind_params(q, [])
    assert "-p as_of YYYY-MM-DD" in str(refused.value)
    assert bind_params(q, [("as_of", "2024-01-01")])["as_of"] == parse_value("2024-01-01", "date")
    with pytest.raises(InputError, match="not a valid date"):
        bind_params(q, [("as_of", "20240101")], data_date=lambda: "2025-02-17")
    with pytest.raises(InputError, match="did you mean as_of"):
        bind_params(q, [("asof", "2024-01-01")])
    with pytest.raises(InputError, match="needs parameter"):
        bind_params(load_query("search", QUERIES_DIR), [])
    adhoc = parse_named_query("SELECT ?x WHERE { ?x ?p ?o }", default_name="expression")
    with pytest.raises(InputError, match="did you mean x"):
        bind_params(adhoc, [("xx", "1")])


def test_values_are_bound_not_pasted():
    """A value that would break out of a string literal is still one plain literal."""
    store = memory_store(
        [ox.Quad(ox.NamedNode(ID + "a"), ox.NamedNode(CG + "p"), ox.Literal("x"), ox.NamedNode(ID + "g"))]
    )
    q = parse_named_query("# param: v (string, required) v\nSELECT ?s ?v WHERE { ?s ?p ?o FILTER(?o = ?v) }\n")
    evil = '" ) } SELECT * WHERE { ?s ?p ?o } #'
    assert run_query(store, q.text, bind_params(q, [("v", evil)])).rows == []
    assert len(run_query(store, q.text, bind_params(q, [("v", "x")])).rows) == 1


# --------------------------------------------------------------------------------------------
# Lexical checks


def test_query_form_and_forbidden_operations():
    assert query_form("PREFIX a: <http://x/SELECT>\n# ASK\nCONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }") == "SELECT"
    assert forbidden_operation("LOAD <http://example.org/x>") is not None
    assert forbidden_operation("PREFIX : <http://x/>\nINSERT DATA { :a :b :c }") is not None
    assert "SERVICE" in forbidden_operation("SELECT * { service <http://x/> { ?s ?p ?o } }")
    assert forbidden_operation('SELECT ?service WHERE { ?service ?p "SERVICE" } # SERVICE') is None
    assert forbidden_operation("SELECT ?load WHERE { ?s cg:delete ?load }") is None


def test_syntax_error_position():
    store = memory_store([])
    with pytest.raises(InputError, match=r"line 2, column \d+"):
        run_query(store, "SELECT ?s WHERE {\n ?s ?p }", source="-e")
    message = syntax_error_message(SyntaxError("error at 4:7: expected something"), "q.rq")
    assert message == "SPARQL syntax error in q.rq at line 4, column 7: expected something"


def test_unknown_prefix_is_named_with_its_position_and_the_declared_prefixes():
    store = memory_store([])
    with pytest.raises(InputError) as info:
        run_query(
            store, "PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n  ?s ex:a ?x .\n  ?x foo:bar ?o }", source="-e"
        )
    message = str(info.value)
    assert "-e at line 4, column 13: unknown prefix 'foo:'; declared prefixes are cg:, cgid:" in message
    assert "ex:" in message and "'%'" not in message and len(message) < 300


# --------------------------------------------------------------------------------------------
# CLI (on the shipped data)


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_queries_lists_everything():
    result = run_cli("queries", "--json")
    assert result.exit_code == 0
    listed = {q["name"]: q for q in json.loads(result.output)}
    assert set(listed) == set(catalogue(QUERIES_DIR))
    assert listed["measures-in-force"]["params"][0]["default"] == "data-date"
    assert "as_of (date, default: data-date)" in run_cli("queries", "--tsv").output


def test_cli_errors():
    result = CliRunner().invoke(cli, ["query", "acelerators"])
    assert result.exit_code == 1 and "did you mean accelerators" in result.output
    result = CliRunner().invoke(cli, ["query", "search", "-p", "txt", "x", "--show"])
    assert result.exit_code == 1 and "did you mean text" in result.output
    result = CliRunner().invoke(cli, ["query"])
    assert result.exit_code == 1
    result = CliRunner().invoke(cli, ["query", "search", "-e", "ASK {}"])
    assert result.exit_code == 1


def test_cli_syntax_error(built):
    result = CliRunner().invoke(cli, ["query", "--output-dir", str(built), "-e", "SELECT * WHERE {\n ?s ?p }"])
    assert result.exit_code == 1
    assert "line 2, column" in result.output
    assert "Traceback" not in result.output


def test_cli_query_formats(built):
    out = str(built)
    result = run_cli("query", "search", "-p", "text", "华为", "--output-dir", out, "--json")
    rows = json.loads(result.output)
    assert {r["entity"] for r in rows} >= {ID + "huawei"}
    assert all(r["text"] == "华为" for r in rows)
    csv_out = run_cli("query", "search", "-p", "text", "华为", "--output-dir", out, "--csv").output
    assert csv_out.splitlines()[0].startswith("text,entity,label")
    nl = run_cli("query", "search", "-p", "text", "华为", "--output-dir", out, "--nl").output
    assert len(nl.splitlines()) == len(rows)
    tsv = run_cli("query", "search", "-p", "text", "华为", "--output-dir", out, "--tsv").output
    assert "\t" in tsv.splitlines()[0]
    ttl = run_cli("query", "entity-graph", "-p", "entity", "cgid:huawei", "--output-dir", out).output
    assert "cgid:huawei" in ttl and "@prefix" in ttl
    nt = run_cli(
        "query", "entity-graph", "-p", "entity", "cgid:huawei", "--rdf-format", "ntriples", "--output-dir", out
    ).output
    assert f"<{ID}huawei>" in nt
    jsonld = run_cli(
        "query", "entity-graph", "-p", "entity", "cgid:huawei", "--rdf-format", "jsonld", "--output-dir", out
    ).output
    assert json.loads(jsonld)
    ask = run_cli("query", "is-listed", "-p", "party", "cgid:huawei", "--output-dir", out, "--json").output
    assert json.loads(ask) == {"boolean": True}


# --------------------------------------------------------------------------------------------
# Each named query's answer on the shipped data


def run_named(store, name: str, **params: str):
    q = load_query(name, QUERIES_DIR)
    return run_query(
        store, q.text, bind_params(q, list(params.items()), data_date=lambda: _data_date(store)), source=name
    )


def _data_date(store) -> str | None:
    from graph.read.model import data_date

    day = data_date(store)
    return day.isoformat() if day else None


def col(result, name: str) -> list:
    out = []
    for row in result.rows:
        term = row.get(name)
        out.append(None if term is None else term.value)
    return out


def ids(values) -> set[str]:
    return {v.removeprefix(ID) for v in values if v}


def rows_where(result, **match: str) -> list[dict]:
    """Rows whose columns equal the given values (entity ids are matched without the namespace)."""
    out = []
    for row in result.rows:
        ok = True
        for key, want in match.items():
            term = row.get(key)
            value = None if term is None else term.value
            if value not in (want, ID + want, SOURCE + want):
                ok = False
                break
        if ok:
            out.append(row)
    return out


def test_accelerators(store):
    r = run_named(store, "accelerators")
    # facts.md C5 / accelerators.yaml: the 910C is claimed to be made at SMIC and (teardown) at TSMC;
    # both claims are kept, each with its own sources.
    foundries = ids(row["value"].value for row in rows_where(r, accelerator="ascend-910c", aspect="2 foundry"))
    assert foundries == {"smic", "tsmc"}
    tsmc = rows_where(r, accelerator="ascend-910c", aspect="2 foundry", value="tsmc")[0]
    assert "bloomberg-2025-10-03-huawei-components" in tsmc["sources"].value.split()
    # the 910C's HBM came from Samsung and SK hynix (high); CXMT only per the founding article (low)
    suppliers = {
        (row["value"].value.removeprefix(ID), row["confidence"].value)
        for row in rows_where(r, accelerator="ascend-910c", aspect="5 memory supplier")
    }
    assert suppliers == {("samsung", "high"), ("sk-hynix", "high"), ("cxmt", "low")}
    # designed_by follows parentOrganisation: HiSilicon (a Huawei subsidiary) designs the Ascend 910
    huawei = ids(col(run_named(store, "accelerators", designed_by="cgid:huawei"), "accelerator"))
    assert {"ascend-910", "ascend-910b", "ascend-910c"} <= huawei
    assert "br100" not in huawei


def test_listed_firm_designs(store):
    r = run_named(store, "listed-firm-designs")
    row = rows_where(r, firm="huawei", product="ascend-910c")[0]
    assert row["firstListed"].value == "2019-05-16"  # measures.yaml: us-entity-list-huawei-2019
    assert rows_where(r, firm="moore-threads", product="mtt-s4000")[0]["firstListed"].value == "2023-10-17"
    assert rows_where(r, firm="biren", product="br100")
    # products of unlisted designers (TSMC-made NVIDIA parts, Baidu's Kunlun) are not listed
    assert not rows_where(r, product="nvidia-a100") and not rows_where(r, product="kunlun-1")


def test_measures_in_force(store):
    early = ids(col(run_named(store, "measures-in-force", as_of="2023-01-01"), "measure"))
    assert "us-advanced-computing-rule-2022-10" in early  # effective 2022-10-07
    assert "us-hbm-rule-2024-12" not in early  # effective 2024-12-02
    default = run_named(store, "measures-in-force")
    assert {r["as_of"].value for r in default.rows} == {_data_date(store)}  # no as_of: the data date
    assert "us-hbm-rule-2024-12" in ids(col(default, "measure"))
    usa = ids(col(run_named(store, "measures-in-force", jurisdiction="USA"), "measure"))
    assert usa and not any(m.startswith("nl-") for m in usa)


def test_listed_parties(store):
    # measures.yaml: Huawei listed 2019-05-16, Hygon and Sugon 2019-06-24, SMIC only from 2020-12-18
    # chengdu-haiguang-ic is the 2019 entry with the alias Hygon (split from hygon in the 2026-12 review)
    # (the bulk lists add every other party listed by then; SMIC came only later)
    early = ids(col(run_named(store, "listed-parties", as_of="2020-01-01"), "party"))
    assert {"huawei", "hygon", "sugon", "chengdu-haiguang-ic"} <= early
    assert "smic" not in early
    assert "smic" in ids(col(run_named(store, "listed-parties"), "party"))


def test_model_deployments(store):
    r = run_named(store, "model-deployments", model="cgid:deepseek-v3")
    training = rows_where(r, kind="training", accelerator="nvidia-h800")
    assert training and training[0]["sources"].value == "arxiv-2412-19437"  # the DeepSeek-V3 report
    r1 = run_named(store, "model-deployments", model="cgid:deepseek-r1")
    assert rows_where(r1, kind="inference", accelerator="ascend-910c")[0]["confidence"].value == "low"


def test_training_runs(store):
    # Epoch AI's notable-models data: Huawei's PanGu-alpha, trained on 2,048 Ascend 910 (domestic chips)
    r = run_named(store, "training-runs", accelerator="cgid:ascend-910", source="cgsrc:epoch-ai-models-ff656d2")
    pangu = rows_where(r, model="epoch-model-pangu-alpha")
    assert len(pangu) == 1
    assert pangu[0]["chips"].value == "2048" and pangu[0]["date"].value == "2021-04-25"
    assert pangu[0]["sources"].value == "epoch-ai-models-ff656d2" and pangu[0]["developers"].value == "Huawei"
    # GLM-130B's curated A100 run gets Epoch's chip count beside the paper's claim, which gives none
    glm = rows_where(run_named(store, "training-runs", accelerator="cgid:nvidia-a100"), model="glm-130b")
    by_source = {row["sources"].value: row for row in glm}
    assert set(by_source) == {"arxiv-2210-02414", "epoch-ai-models-ff656d2"}
    assert by_source["epoch-ai-models-ff656d2"]["chips"].value == "768"
    assert by_source["arxiv-2210-02414"].get("chips") is None
    assert {row["deployment"].value for row in glm} == {ID + "glm-130b-training-nvidia-a100"}


def test_input_dependents(store):
    r = run_named(store, "input-dependents")
    # rules.yaml: logic nodes of 7 nm or below need EUV or ArF immersion multi-patterning
    assert {"ascend-910c", "br100"} <= ids(col(r, "accelerator"))
    assert "kunlun-1" not in ids(col(r, "accelerator"))  # Samsung 14 nm
    asml = rows_where(r, accelerator="ascend-910c", supplier="asml")
    assert asml and asml[0]["share"].value == "100"  # ETO: ASML holds 100% of EUV tools


def test_input_providers(store):
    euv = run_named(store, "input-providers", input="cgid:euv-lithography-tools")
    assert [
        (r["country"].value, r["provider"].value.removeprefix(ID), r["share"].value)
        for r in euv.rows
        if r["providerKind"].value == "organisation"
    ] == [("NLD", "asml", "100")]
    arf = run_named(store, "input-providers")
    assert rows_where(arf, provider="asml")[0]["share"].value == "99.3"
    assert rows_where(arf, provider="JPN")[0]["share"].value == "0.7"


def test_input_providers_share_then_and_now(store):
    """ETO 0bb9949 (2024 figures) beside 46e0106 (2025): China 0.3 -> 3.8 % of ion implanters and
    0.5 -> 2.6 % of ALD tools; Piotech is named for ALD only in 2025, so it has no share then."""

    def then_now(rows, provider):
        [row] = rows_where(rows, provider=provider)
        return tuple(None if row.get(k) is None else row[k].value for k in ("shareThen", "yearThen", "share", "year"))

    ion = run_named(store, "input-providers", input="cgid:ion-implanters")
    assert then_now(ion, "CHN") == ("0.3", "2024", "3.8", "2025")
    assert rows_where(ion, provider="CHN")[0]["releaseThen"].value == SOURCE + "eto-chip-explorer-0bb9949"
    ald = run_named(store, "input-providers", input="cgid:atomic-layer-deposition-tools")
    assert then_now(ald, "CHN") == ("0.5", "2024", "2.6", "2025")
    assert then_now(ald, "piotech") == (None, None, "2.2", "2025")
    assert len(ald.rows) == len({(r["provider"].value) for r in ald.rows})  # one row per provider, no double count


def test_conflicts(store):
    r = run_named(store, "conflicts")
    foundry = rows_where(r, subject="ascend-910c", property=CG + "fabricatedBy")
    assert {(x["value"].value.removeprefix(ID), x["otherValue"].value.removeprefix(ID)) for x in foundry} == {
        ("smic", "tsmc")
    }
    founder = rows_where(r, subject="moore-threads", property=CG + "founderName")[0]
    assert {founder["value"].value, founder["otherValue"].value} == {"Zhang Jianjun", "Zhang Jianzhong"}
    assert "kr-article-2025-02-17" in (founder["sources"].value + " " + founder["otherSources"].value)
    only = run_named(store, "conflicts", subject="cgid:moore-threads")
    assert ids(col(only, "subject")) == {"moore-threads"}


def test_source_claims(store):
    r = run_named(store, "source-claims")  # the founding article
    cxmt = rows_where(r, subject="ascend-910c", property=CG + "memorySupplier", value="cxmt")
    assert cxmt[0]["confidence"].value == "low"
    assert rows_where(r, subject="moore-threads", value="Zhang Jianjun")
    paper = run_named(store, "source-claims", source="cgsrc:arxiv-2412-19437")
    assert paper.rows and not rows_where(paper, value="Zhang Jianjun")


def test_hbm_controls(store):
    r = run_named(store, "hbm-controls")
    row = rows_where(r, measure="us-hbm-rule-2024-12", item="hbm")[0]
    assert row["effective"].value == "2024-12-02"
    assert row["reachesForeignProducts"].value == "true"
    assert "us-advanced-computing-rule-2022-10" not in ids(col(r, "measure"))
    # the May 2025 guidance covers Ascend chips that carry HBM, not HBM itself
    assert "us-gp10-ascend-guidance-2025-05" not in ids(col(r, "measure"))


def test_measures_timeline(store):
    r = run_named(store, "measures-timeline")
    dates = col(r, "date")
    assert dates == sorted(dates)
    nl = ids(col(run_named(store, "measures-timeline", jurisdiction="NLD"), "measure"))
    assert nl == {
        "nl-euv-licence-not-granted",
        "nl-duv-control-2023-09",
        "nl-licence-revocation-2024-01",
        "nl-duv-extension-2024-09",
        "nl-servicing-licences-2025-01",
        "nl-metrology-control-2025-04",
    }
    # Taiwan's one measure: the SHTC Entity List update that added Huawei and SMIC (2025-06-10)
    tw = run_named(store, "measures-timeline", jurisdiction="TWN")
    assert ids(col(tw, "measure")) == {"tw-shtc-entity-list-huawei-smic-2025-06"}
    assert rows_where(tw, measure="tw-shtc-entity-list-huawei-smic-2025-06", event="in force", date="2025-06-10")
    # the affiliates rule (measures_2022_2026.yaml): in force 2025-09-29, suspended from 2025-11-10
    # to 2026-11-09 by the US-China package, so it resumes on 2026-11-10
    affiliates = [
        (row["date"].value, row["event"].value) for row in rows_where(r, measure="us-affiliates-rule-2025-09")
    ]
    assert affiliates == [("2025-09-29", "in force"), ("2025-11-10", "suspended"), ("2026-11-10", "resumed")]
    suspended = rows_where(r, measure="us-affiliates-rule-2025-09", event="suspended")[0]
    assert suspended["suspension"].value == "us-affiliates-rule-suspension-2025-11"
    assert suspended["package"].value == "pkg-us-cn-busan-2025-11"
    # the AI Diffusion rule ended as rescinded; the foundry rule was announced the day before it took effect
    ended = rows_where(r, measure="us-ai-diffusion-rule-2025-01", event="ended")[0]
    assert (ended["date"].value, ended["reason"].value) == ("2025-05-13", "rescinded")
    assert rows_where(r, measure="us-foundry-due-diligence-rule-2025-01", event="announced", date="2025-01-15")
    # China's measures carry their own jurisdiction and kind; the Micron ban is a procurement ban
    micron = rows_where(r, measure="cn-cac-micron-2023-05")[0]
    assert (micron["jurisdictionCode"].value, micron["kind"].value) == ("CHN", "procurement-ban")
    # a complete history to November 2026: the last events are the scheduled ends of suspensions
    assert max(dates) >= "2026-11-01"
    assert {row["event"].value for row in r.rows} == {"announced", "in force", "suspended", "resumed", "ended"}


def test_measures_in_force_gives_each_measures_status(store):
    r = run_named(store, "measures-in-force", as_of="2026-02-01")
    status = {row["measure"].value.removeprefix(ID): row["status"].value for row in r.rows}
    assert status["us-affiliates-rule-2025-09"] == "suspended"  # 2025-11-10 to 2026-11-09
    assert status["us-ai-diffusion-rule-2025-01"] == "rescinded"
    assert status["us-eda-licence-letters-2025"] == "revoked"
    assert status["us-hbm-rule-2024-12"] == "in force"
    assert "us-veu-revocation-2025-12" in status and status["us-veu-revocation-2025-12"] == "in force"
    before = run_named(store, "measures-in-force", as_of="2025-09-01")
    early = {row["measure"].value.removeprefix(ID): row["status"].value for row in before.rows}
    assert early["us-veu-revocation-2025-12"] == "announced"  # announced 2025-08-29, effective 2025-12-31
    assert "us-affiliates-rule-2025-09" not in early  # not yet announced on 2025-09-01


def test_measure_packages(store):
    r = run_named(store, "measure-packages")
    members = {}
    for row in r.rows:
        members.setdefault(row["package"].value.removeprefix(ID), set()).add(row["member"].value.removeprefix(ID))
    # measures.yaml / measure_packages.yaml: the 2024-12-02 listings came with the HBM and SME rules
    # and the SME foreign-direct-product rule (one IFR, modelled as two measures)
    assert members["pkg-us-2024-12-02"] == {
        "us-entity-list-2024-12",
        "us-sme-rule-2024-12",
        "us-sme-fdpr-2024-12",
        "us-hbm-rule-2024-12",
    }
    # which listings came with which rule is one query: the Oct 2023 pair despite different effective dates
    oct_2023 = run_named(store, "measure-packages", package="pkg-us-2023-10-17")
    assert {row["effective"].value for row in oct_2023.rows} == {"2023-10-17", "2023-10-23", "2023-11-17"}
    listing = rows_where(oct_2023, member="us-entity-list-biren-moore-threads-2023")[0]
    assert set(listing["parties"].value.split()) == {"biren", "moore-threads"}
    # suspensions are members too: the US-China arrangement of November 2025
    busan = rows_where(r, package="pkg-us-cn-busan-2025-11")
    assert {row["kind"].value for row in busan} == {"suspension"}
    assert {row["jurisdictionCode"].value for row in busan} == {"CHN", "USA"}


def test_firms_by_country(store):
    foundries = ids(col(run_named(store, "firms-by-country", country="CHN", role="cg:Foundry"), "firm"))
    assert "smic" in foundries and "tsmc" not in foundries
    everyone = run_named(store, "firms-by-country")
    assert "foundry" in rows_where(everyone, firm="tsmc")[0]["roles"].value
    assert rows_where(everyone, firm="asml")[0]["countryCode"].value == "NLD"


def test_search(store):
    assert "huawei" in ids(col(run_named(store, "search", text="화웨이"), "entity"))
    assert "huawei" in ids(col(run_named(store, "search", text="华为"), "entity"))
    upper = ids(col(run_named(store, "search", text="ASCEND 910C"), "entity"))
    assert "ascend-910c" in upper  # case-insensitive
    assert run_named(store, "search", text="no such thing anywhere").rows == []


def test_who_says(store):
    r = run_named(store, "who-says", subject="cgid:ascend-910c", property="cg:fabricatedBy")
    said = {(x["value"].value.removeprefix(ID), x["sourceId"].value) for x in r.rows}
    assert ("tsmc", "bloomberg-2025-10-03-huawei-components") in said
    assert ("smic", "kr-article-2025-02-17") in said
    assert all(x["title"] is not None for x in r.rows)
    # every row's title is its own source's: a graph that cites no source (the sources registry)
    # is no claim, and was once paired with every source's title
    about_a_source = run_named(store, "who-says", subject="cgsrc:kr-article-2025-02-17")
    assert about_a_source.rows == []


def test_sources(store):
    r = run_named(store, "sources")
    kr = rows_where(r, sourceId="kr-article-2025-02-17")[0]
    assert kr["kind"].value == "news" and int(kr["claims"].value) > 10
    assert rows_where(r, sourceId="eto-chip-explorer")
    primary = run_named(store, "sources", kind="primary")
    assert primary.rows and {x["kind"].value for x in primary.rows} == {"primary"}


def test_entity_graph(store):
    r = run_named(store, "entity-graph", entity="cgid:huawei")
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in r.triples}
    assert (ID + "ascend-910c", CG + "designedBy", ID + "huawei") in triples
    assert any(s == ID + "huawei" and o == "Huawei" for s, _, o in triples)


def test_is_listed(store):
    # HiSilicon is not listed itself, but its parent Huawei is (from 2019-05-16)
    assert run_named(store, "is-listed", party="cgid:hisilicon").boolean is True
    assert run_named(store, "is-listed", party="cgid:hisilicon", as_of="2019-01-01").boolean is False
    assert run_named(store, "is-listed", party="cgid:tsmc").boolean is False


def test_figure_claims(store):
    r = run_named(store, "figure-claims", about="cgid:nvidia")
    row = rows_where(r, figure="tianfeng-nvidia-share-china-2022")[0]
    assert (row["value"].value, row["unit"].value) == ("85", "percent")
    assert row["claimantLabel"].value == "Tianfeng Securities"
    assert row["sources"].value == "kr-article-2025-02-17"


def test_figure_estimates(store):
    r = run_named(store, "figure-estimates", about="cgid:ascend-910c", metric="output-units-per-quarter")
    assert len(r.rows) == 8  # Epoch's eight quarters, Q1 2024 to Q4 2025, and no yearly sum
    row = rows_where(r, figure="epoch-sales-ascend-910c-2025-q4")[0]
    # line 24 of graph/data/epoch/sales_quarterly_by_chip.csv: 125000 / 150000 / 175000
    assert (row["low"].value, row["value"].value, row["high"].value) == ("125000", "150000", "175000")
    assert (row["periodStart"].value, row["periodEnd"].value, row["year"].value) == ("2025-10-01", "2025-12-31", "2025")
    assert (row["unit"].value, row["claimantLabel"].value) == ("units sold", "Epoch AI")
    assert row["sources"].value == "epoch-ai-chip-counts-10c28e4"
    yearly = run_named(store, "figure-estimates", about="cgid:ascend-910c", metric="output-units-per-year")
    assert rows_where(yearly, figure="cap-epoch-ascend-910c-2025")
    assert not [x for x in yearly.rows if "epoch-sales-" in x["figure"].value]


def test_every_named_query_has_a_data_test():
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    assert set(catalogue(QUERIES_DIR)) <= tested


# -- the questions analysts ask (issue 16): one named query each ----------------------------


def test_controls_on_firm(store):
    r = run_named(store, "controls-on-firm", firm="cgid:smic", as_of="2025-06-01")
    listed = rows_where(r, measure="us-entity-list-smic-2020", how="listed")
    assert len(listed) == 1 and listed[0]["status"].value == "in force"
    # destination-wide controls reach SMIC as a buyer in China; none that had ended by the day
    assert rows_where(r, measure="us-sme-rule-2024-12", how="applies to buyers in its country")
    assert not rows_where(r, measure="us-eda-licence-letters-2025") or all(
        row["end"].value > "2025-06-01" for row in rows_where(r, measure="us-eda-licence-letters-2025")
    )
    # HiSilicon is reached through its parent's listing, and not before the listing took effect
    hisilicon = run_named(store, "controls-on-firm", firm="cgid:hisilicon", as_of="2019-06-01")
    assert rows_where(hisilicon, measure="us-entity-list-huawei-2019", how="parent listed", via="huawei")
    before = run_named(store, "controls-on-firm", firm="cgid:hisilicon", as_of="2019-05-15")
    assert not rows_where(before, measure="us-entity-list-huawei-2019")


def test_models_on_restricted_chips(store):
    r = run_named(store, "models-on-restricted-chips", as_of="2024-12-31")
    # DeepSeek-R1 ran on the Ascend 910C, whose designer Huawei is listed
    assert rows_where(r, model="deepseek-r1", accelerator="ascend-910c", how="lists its designer")
    # NVIDIA is listed by no US measure: the A100 is reached by US product rules, and by name only
    # by China's own measures against NVIDIA (the SAMR investigation)
    a100 = rows_where(r, accelerator="nvidia-a100")
    assert rows_where(r, accelerator="nvidia-a100", how="covers the product", jurisdiction="USA")
    assert all(row["jurisdiction"].value == ID + "CHN" for row in a100 if row["how"].value == "lists its designer")


def test_listed_designs_foreign_parts(store):
    r = run_named(store, "listed-designs-foreign-parts", as_of="2021-01-01")
    # Huawei was listed by then, and the Ascend 910's dies were made by TSMC (Taiwan)
    rows = rows_where(r, accelerator="ascend-910", part="die", supplier="tsmc")
    assert rows and all(row["supplierCountry"].value.endswith("/TWN") for row in rows)
    assert all(row["supplierCountry"].value != ID + "CHN" for row in r.rows)
    # before any Huawei listing, no Huawei chip appears
    early = run_named(store, "listed-designs-foreign-parts", as_of="2019-01-01")
    assert not rows_where(early, designer="huawei")


def test_control_reach(store):
    r = run_named(store, "control-reach", measure="cgid:us-hbm-rule-2024-12")
    reached = ids(col(r, "accelerator"))
    assert {"ascend-910c", "br100"} <= reached
    # GDDR6 chips are not reached by the HBM control
    assert "mtt-s80" not in reached


def test_supply_history(store):
    r = run_named(store, "supply-history")
    # facts-2025-2026.md: TSMC stopped making Biren's chips in Oct 2022, a year before Biren was listed
    biren = rows_where(r, relationship="supply-tsmc-biren-foundry")
    assert biren and {row["end"].value for row in biren} == {"2022-10"} and biren[0]["endReason"].value
    only_smic = run_named(store, "supply-history", firm="cgid:smic")
    assert only_smic.rows and {row["supplierLabel"].value for row in only_smic.rows} == {"SMIC"}
    for row in r.rows:
        assert row["supplierLabel"].value and row["customerLabel"].value and row["sources"].value
        if row.get("end") is not None and row.get("start") is not None:
            assert row["start"].value <= row["end"].value


def test_deployments(store):
    r = run_named(store, "deployments")
    # every deployment is listed once per accelerator claim, with a kind and at least one source
    assert {row["kind"].value for row in r.rows} <= {"training", "inference"}
    assert all(row["sources"].value for row in r.rows)
    deployments = {row["deployment"].value for row in r.rows}
    everything = store.select("SELECT DISTINCT ?d WHERE { ?d a cg:Deployment }")
    assert deployments == {row["d"].value for row in everything}
    # every deployment names an operator or says that no source names one (assertions.yaml)
    assert all(row["operatorLabel"].value for row in r.rows)
    cloud = run_named(store, "deployments", operator="cgid:huawei-cloud")
    assert cloud.rows and {row["operatorLabel"].value for row in cloud.rows} == {"Huawei Cloud"}


def test_listing_check(store):
    # the curated SMIC listing of 2020 is confirmed by the bulk Entity List (more cases in test_lists.py)
    r = run_named(store, "listing-check")
    assert rows_where(r, party="smic", verdict="confirms")


@pytest.mark.parametrize(
    ("declaration", "problem"),
    [
        ("# param: x (date, default: notadate) a day", "the default of parameter x: 'notadate' is not a valid date"),
        ("# param: n (integer, default: ten) a count", "the default of parameter n: 'ten' is not a valid integer"),
    ],
)
def test_a_default_that_cannot_be_bound_is_refused_at_its_line(tmp_path, declaration: str, problem: str):
    """Round 5: a bad default was reported at run time, naming no file or line."""
    from graph.errors import InputError
    from graph.sparql.queries import load_query

    path = tmp_path / "bad.rq"
    path.write_text(f"# name: bad-default\n{declaration}\nSELECT ?x ?n WHERE {{ }}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_query(str(path))
    assert f"{path}:2:" in str(exc.value) and problem in str(exc.value)
