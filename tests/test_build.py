"""The build on the real embedded data: conformance, determinism, provenance, outputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph.cli import cli

FOUNDING = "kr-article-2025-02-17"
# Every firm, product, facility, model and figure the founding article names (issue 2).
FOUNDING_ENTITIES = [
    "huawei",
    "biren",
    "moore-threads",
    "jingjia-micro",
    "cambricon",
    "hygon",
    "lingjiu",
    "deepseek",
    "deepseek-r1",
    "ascend-910c",
    "mtt-s80",
    "mtt-s4000",
    "kuae",
    "jm9",
    "siyuan-590",
    "gp201",
    "smic",
    "tsmc",
    "cxmt",
    "nvidia-h100",
    "nvidia-a100",
    "gtx-1050",
    "gt-1030",
    "rtx-4070",
    "pd-general",
    "tianfeng-securities",
    "smbu",
]

WHO_SAYS = """
SELECT ?s ?p ?o ?g ?source ?title ?publisher ?date WHERE {
  GRAPH ?g { ?s ?p ?o }
  ?g cg:statedIn ?source .
  ?source dcterms:title ?title ; cg:publisher ?publisher ; dcterms:date ?date .
}"""


def _hash_outputs(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "store" not in p.relative_to(out).parts
    }


def test_build_writes_every_output(built: Path) -> None:
    for name in ("chipgraph.trig", "chipgraph.ttl", "chipgraph.jsonld", "manifest.json"):
        assert (built / name).stat().st_size > 0, name
    assert (built / "store").is_dir()
    # The files parse, and the TriG holds every claim graph with its provenance.
    dataset = ox.Dataset(ox.parse(path=str(built / "chipgraph.trig"), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name for q in dataset}
    assert len(graphs) > 100
    json.loads((built / "chipgraph.jsonld").read_text(encoding="utf-8"))
    union = list(ox.parse(path=str(built / "chipgraph.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(union) == len({(q.subject, q.predicate, q.object) for q in dataset})


def test_the_json_ld_file_holds_the_same_quads_as_the_trig(built: Path) -> None:
    """chipgraph.jsonld is written by chipgraph's own writer (compact IRIs, one node per line):
    read back by Oxigraph's JSON-LD parser it must give every quad of the TriG, and no other."""
    trig = set(ox.parse(path=str(built / "chipgraph.trig"), format=ox.RdfFormat.TRIG))
    jsonld = set(ox.parse(path=str(built / "chipgraph.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert jsonld == trig
    lines = (built / "chipgraph.jsonld").read_text(encoding="utf-8").splitlines()
    assert len(lines) > len({q.subject for q in trig})  # one node object per line, not one huge line


def test_same_inputs_give_byte_identical_outputs(built: Path, tmp_path: Path) -> None:
    from graph.build import build

    build(tmp_path / "again")
    assert _hash_outputs(tmp_path / "again") == _hash_outputs(built)
    assert b"\ncggraph:inferred {\n" in (built / "chipgraph.trig").read_bytes()  # the entailments too


def test_every_claim_graph_has_a_source_with_title_publisher_date(store) -> None:
    rows = store.select("""
        SELECT ?g WHERE { ?g a cg:Assertion .
          FILTER NOT EXISTS { ?g cg:statedIn ?s .
                              ?s dcterms:title ?t ; cg:publisher ?p ; dcterms:date ?d ; cg:url ?u } }""")
    assert rows == []


def test_no_blank_nodes(built: Path) -> None:
    for quad in ox.parse(path=str(built / "chipgraph.trig"), format=ox.RdfFormat.TRIG):
        assert not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode)


@pytest.mark.parametrize("entity", FOUNDING_ENTITIES)
def test_founding_article_entities_are_present_with_their_source(store, entity: str) -> None:
    rows = store.select(
        """
        SELECT ?e ?src ?label ?g WHERE {
          ?e rdfs:label ?label . FILTER(LANG(?label) = "en")
          ?g cg:subjectEntity ?e ; cg:statedIn ?src .
        }""",
        {
            "e": ox.NamedNode(f"https://w3id.org/chipgraph/id/{entity}"),
            "src": ox.NamedNode(f"https://w3id.org/chipgraph/source/{FOUNDING}"),
        },
    )
    assert rows, f"{entity} is missing or no claim about it cites the founding article"


def test_who_says_so_in_one_query(store) -> None:
    # The founding article says the Ascend 910C is made at SMIC; TechInsights' teardown found TSMC dies.
    rows = store.select(
        WHO_SAYS.replace(
            "GRAPH ?g { ?s ?p ?o }", "GRAPH ?g { ?s ?p ?o } FILTER(?s = cgid:ascend-910c && ?p = cg:fabricatedBy)"
        )
    )
    by_value = {}
    for r in rows:
        by_value.setdefault(r["o"].value.rsplit("/", 1)[-1], set()).add(r["source"].value.rsplit("/", 1)[-1])
    assert FOUNDING in by_value.get("smic", set())
    assert "tsmc" in by_value and FOUNDING not in by_value["tsmc"]


def test_entity_listing_is_sourced_to_the_federal_register(store) -> None:
    rows = store.select("""
        SELECT ?m ?publisher ?date WHERE {
          ?m a cg:EntityListing .  # the curated listing; the Entity List snapshot's entry dates it 2023-10-19
          FILTER NOT EXISTS { ?m a cg:ListEntry }  # (an entry is a cg:EntityListing too, by inference)
          GRAPH ?g { ?m cg:listsParty cgid:biren }
          ?g cg:statedIn ?src . ?src cg:publisher ?publisher .
          ?m cg:effectiveDate ?date .
        }""")
    assert any("Federal Register" in r["publisher"].value for r in rows)
    assert {r["date"].value for r in rows} == {"2023-10-17"}


def test_labels_in_three_languages(store) -> None:
    rows = store.select("SELECT ?l WHERE { cgid:huawei rdfs:label ?l }")
    assert {r["l"].language for r in rows} >= {"en", "zh", "ko"}


def test_conflicts_list_both_sides_with_sources(built: Path) -> None:
    result = CliRunner().invoke(cli, ["conflicts", "--output-dir", str(built), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    founder = [r for r in rows if r["property"] == "cg:founderName" and r["subject"] == "Moore Threads"]
    assert {r["value"] for r in founder} >= {"Zhang Jianjun", "Zhang Jianzhong"}
    assert all(r["sources"] for r in rows)


def test_show_finds_an_entity_by_korean_and_chinese_label(built: Path) -> None:
    runner = CliRunner()
    for name in ("화웨이", "华为", "HUAWEI"):
        result = runner.invoke(cli, ["show", name, "--output-dir", str(built), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["id"] == "huawei"


def test_show_unknown_name_suggests(built: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "Ascend 91OC", "--output-dir", str(built)])
    assert result.exit_code == 1
    assert "did you mean" in result.output and "Ascend 910C" in result.output


def test_show_input_lists_providers_with_shares(built: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "EUV lithography tools", "--output-dir", str(built), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    firms = {p["provider"]: p for p in report["providers"] if p["kind"] == "firm"}
    assert "ASML" in firms and firms["ASML"]["share_percent"] == 100.0 and firms["ASML"]["year"]


def test_stats_counts_classes_and_no_missing_dates(built: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--output-dir", str(built), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    counts = {c["class"]: c["count"] for c in stats["classes"]}
    assert sum(counts.get(c, 0) for c in ("cg:GPU", "cg:NPU", "cg:ASIC")) >= 20
    assert counts["cg:EntityListing"] >= 5 and counts["cg:Provision"] > 1000
    assert all(v == 0 for v in stats["missing_dates"].values()), stats["missing_dates"]


def test_stats_reports_the_newest_date_of_each_kind_of_fact(built: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--output-dir", str(built), "--json"])
    assert result.exit_code == 0, result.output
    newest = {d["kind"]: d for d in json.loads(result.output)["newest_dates"]}
    # china_measures.yaml: the reported H200 import approvals relax the customs block from 2026-01-28;
    # measures_2022_2026.yaml: BIS's headquarters guidance of 2026-05-31 is the newest effective date
    assert newest["suspensions (start)"]["newest"] == "2026-01-28"
    assert newest["measure effective dates"]["newest"] == "2026-05-31"
    assert newest["deployments"]["newest"] == "2026-04-24"  # DeepSeek-V4 on Ascend (deployments_2025_2026.yaml)
    assert newest["supply relationships (end)"]["newest"] == "2024-12-02"
    # the bulk lists' entries are counted on their own row, apart from the curated measures
    assert newest["restricted-party list entries"]["count"] > 1000
    assert all(d["count"] > 0 for d in newest.values())
    table = CliRunner().invoke(cli, ["stats", "--output-dir", str(built), "--tsv"]).output
    assert "newest measure effective dates\t2026-05-31" in table


def test_sources_lists_the_claims_of_one_source(built: Path) -> None:
    result = CliRunner().invoke(cli, ["sources", FOUNDING, "--output-dir", str(built), "--json"])
    assert result.exit_code == 0, result.output
    claims = json.loads(result.output)
    assert any(c["property"] == "cg:founderName" and c["value"] == "Zhang Jianjun" for c in claims)


def test_build_writes_the_capacity_results_and_their_pages(built: Path) -> None:
    import csv
    import json

    results = json.loads((built / "capacity.json").read_text(encoding="utf-8"))
    c910 = next(r for r in results if r["accelerator"] == "ascend-910c" and r["year"] == 2025)
    assert c910["status"] == "modelled" and c910["output"]["p10"] <= c910["output"]["p50"] <= c910["output"]["p90"]
    rows = list(csv.DictReader(open(built / "capacity.csv", encoding="utf-8")))
    assert len(rows) == len(results) and {r["year"] for r in rows} >= {"2025", "2026"}
    page = (built / "site" / "capacity-ascend-910c-2025.html").read_text(encoding="utf-8")
    assert "Ascend 910C: production capacity in 2025" in page and "e+0" not in page
    # Epoch's estimate beside the model, with its own p5-p95 interval from capacity.json
    epoch = next(p for p in c910["published"] if p["claimed_by"] == "epoch-ai")
    assert f'<td class="num">{epoch["low"]:,.0f} – {epoch["high"]:,.0f}</td>' in page
    accelerator_page = (built / "site" / "accelerator-ascend-910c.html").read_text(encoding="utf-8")
    assert 'href="capacity-ascend-910c-2025.html"' in accelerator_page


def test_index_matrix_links_every_cell_to_its_row_on_the_accelerator_page(built: Path) -> None:
    import re

    site = built / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<h2>Chokepoint matrix</h2>" in index
    links = re.findall(r'<td class="o([012])( fragile)?"><a href="([^"#]+)#([^"]+)"', index)
    assert links, "no cell in the matrix"
    pages: dict[str, str] = {}
    for _order, _fragile, page, anchor in links:
        text = pages.setdefault(page, (site / page).read_text(encoding="utf-8"))
        assert f'id="{anchor}"' in text, (page, anchor)
    # the Ascend 910C's EUV cut-off is a robust order-0 cell
    assert re.search(r'<td class="o0"><a href="accelerator-ascend-910c.html#cp-cut-euv-lithography-tools"', index)


def test_every_site_page_credits_the_licensed_datasets(built: Path) -> None:
    """CC BY / BY-NC ask for attribution wherever the data is shown: every page's footer names the
    imported datasets (from their cg:Source records in the graph) with their licences."""
    pages = sorted((built / "site").glob("*.html"))
    assert len(pages) > 30
    for page in pages:
        text = page.read_text(encoding="utf-8")
        footer = text[text.index("Data from:") :]
        assert "Emerging Technology Observatory" in footer and "CC BY-NC 4.0" in footer, page.name
        assert "Epoch AI" in footer and "CC BY 4.0" in footer, page.name
