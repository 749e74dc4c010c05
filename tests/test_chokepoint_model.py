"""The chokepoint model on a hand-made graph in memory (graph.chokepoints on memory_store).

A Chinese accelerator "test-npu" designed by "testco" (CHN), fabricated by "smic" on a 7 nm
node; a rule says 7 nm needs ArF immersion or EUV scanners; ASML (NLD) makes both, Nikon (JPN)
makes ArF immersion tools; HBM2E comes from SK hynix (KOR). Measures: the Dutch EUV licence
(2019), the Dutch DUV control (2023-09-01), the Japanese control (2023-07-23), the US HBM rule
(2024-12-02, reaching foreign products), and a US listing of "huawei" (2019-05-16). Every
expectation below follows from those facts by hand.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from graph.chokepoints.analysis import analyse, chokepoints
from graph.chokepoints.measures import Measure, cutting_measures, in_force
from graph.chokepoints.projection import dependency_graph
from graph.chokepoints.scenarios import compare, load_scenario
from graph.errors import InputError, NotFoundError
from graph.vocab.namespaces import CG, PROVENANCE_GRAPH, RDF, RDFS, XSD, entity_iri, source_iri

SRC = "test-source"


def _o(value):
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=NamedNode(XSD + "boolean"))
    if isinstance(value, (int, float)):
        return Literal(str(value), datatype=NamedNode(XSD + "decimal"))
    if isinstance(value, str) and value[:4].isdigit() and len(value) == 10 and value[4] == "-":
        return Literal(value, datatype=NamedNode(XSD + "date"))
    if isinstance(value, str) and value[:1].isupper() and not value.isupper():
        return NamedNode(CG + value)  # an ontology class
    return entity_iri(value)


def quads() -> list[Quad]:
    out: list[Quad] = []
    n = [0]

    def fact(s, p, o, label=None):
        n[0] += 1
        g = NamedNode(f"https://w3id.org/chipgraph/claim/t/{n[0]}")
        pred = NamedNode(RDF + "type") if p == "a" else NamedNode(CG + p)
        obj = NamedNode(CG + o) if p == "a" else (Literal(o) if p in ("legalCitation",) else _o(o))
        out.append(Quad(entity_iri(s), pred, obj, g))
        out.append(Quad(g, NamedNode(CG + "statedIn"), source_iri(SRC), NamedNode(PROVENANCE_GRAPH)))
        out.append(Quad(g, NamedNode(CG + "confidence"), NamedNode(CG + "HighConfidence"), NamedNode(PROVENANCE_GRAPH)))
        if label:
            out.append(Quad(entity_iri(s), NamedNode(RDFS + "label"), Literal(label, language="en"), g))

    for cls in ("GPU", "NPU", "ASIC"):
        out.append(
            Quad(
                NamedNode(CG + cls),
                NamedNode(RDFS + "subClassOf"),
                NamedNode(CG + "AIAccelerator"),
                NamedNode("https://w3id.org/chipgraph/graph/ontology"),
            )
        )
    fact("test-npu", "a", "NPU", "Test NPU")
    fact("test-npu", "designedBy", "testco")
    fact("testco", "a", "Organisation", "TestCo")
    fact("testco", "country", "CHN")
    fact("CHN", "a", "Country", "China")
    fact("test-npu", "fabricatedBy", "smic")
    fact("test-npu", "processNode", "smic-7")
    fact("test-npu", "memoryTechnology", "hbm2e")
    fact("test-npu", "memorySupplier", "sk-hynix")
    fact("hbm2e", "a", "HBMGeneration", "HBM2E")
    fact("smic-7", "a", "ProcessNode", "SMIC 7nm")
    fact("smic-7", "nodeOperatedBy", "smic")
    fact("smic-7", "nodeSizeNm", 7)
    for org, c in (("smic", "CHN"), ("asml", "NLD"), ("nikon", "JPN"), ("sk-hynix", "KOR"), ("huawei", "CHN")):
        fact(org, "a", "Organisation", org.upper())
        fact(org, "country", c)
    for item in ("euv-lithography-tools", "arf-immersion-duv-lithography-tools"):
        fact(item, "a", "Tool", item.replace("-", " "))
    fact("rule-7nm", "a", "RequirementRule")
    fact("rule-7nm", "maxNodeSizeNm", 7)
    fact("rule-7nm", "requiresAnyOf", "euv-lithography-tools")
    fact("rule-7nm", "requiresAnyOf", "arf-immersion-duv-lithography-tools")
    for i, (prov, item, share) in enumerate(
        (
            ("asml", "euv-lithography-tools", 100),
            ("asml", "arf-immersion-duv-lithography-tools", 95),
            ("nikon", "arf-immersion-duv-lithography-tools", 5),
        )
    ):
        fact(f"provision-{i}", "a", "Provision")
        fact(f"provision-{i}", "provider", prov)
        fact(f"provision-{i}", "providedInput", item)
        fact(f"provision-{i}", "sharePercent", share)

    def measure(mid, kind, juris, eff, covers=(), dest=(), parties=(), reach=False):
        fact(mid, "a", kind, mid)
        fact(mid, "jurisdiction", juris)
        fact(mid, "effectiveDate", eff)
        fact(mid, "legalCitation", f"citation of {mid}")
        fact(mid, "reachesForeignProducts", reach)
        for c in covers:
            fact(mid, "coversInput", c)
        for d in dest:
            fact(mid, "appliesToDestination", d)
        for p in parties:
            fact(mid, "listsParty", p)

    measure("nl-euv", "ItemControl", "NLD", "2019-01-01", ["euv-lithography-tools"], ["CHN"])
    measure("nl-duv", "ItemControl", "NLD", "2023-09-01", ["arf-immersion-duv-lithography-tools"], ["CHN"])
    measure("jp-sme", "ItemControl", "JPN", "2023-07-23", ["arf-immersion-duv-lithography-tools"], ["CHN"])
    measure("us-hbm", "ItemControl", "USA", "2024-12-02", ["hbm"], ["CHN"], reach=True)
    measure("us-el-huawei", "EntityListing", "USA", "2019-05-16", parties=["huawei"])
    # a second design, by the listed firm, with memory from a US maker: the listing's buyer
    fact("huawei-npu", "a", "NPU", "Huawei NPU")
    fact("huawei-npu", "designedBy", "huawei")
    fact("huawei-npu", "memorySupplier", "micron")
    fact("micron", "a", "Organisation", "MICRON")
    fact("micron", "country", "USA")
    fact("USA", "a", "Country", "United States")
    # and one by the unlisted testco with the same US memory maker, which the listing must not cut
    fact("test-gpu", "a", "GPU", "Test GPU")
    fact("test-gpu", "designedBy", "testco")
    fact("test-gpu", "memorySupplier", "micron")
    return out


@pytest.fixture(scope="module")
def store():
    from graph.store.local import memory_store

    return memory_store(quads())


@pytest.fixture(scope="module")
def G(store):
    return dependency_graph(store, as_of="2025-06-01")


def keys(rows, order=None):
    return {r["key"] for r in rows if order is None or r["order"] == order}


def test_measure_window_is_effective_inclusive_end_exclusive():
    import datetime as dt

    m = Measure(
        id="m",
        label="m",
        kind="ItemControl",
        jurisdiction=frozenset({"USA"}),
        effective=dt.date(2022, 10, 7),
        end=dt.date(2023, 1, 1),
    )
    assert not in_force(m, dt.date(2022, 10, 6))
    assert in_force(m, dt.date(2022, 10, 7)) and in_force(m, dt.date(2022, 12, 31))
    assert not in_force(m, dt.date(2023, 1, 1))
    low = m.with_(confidence="low", end=None)
    assert cutting_measures({"m": low}, ["m"], dt.date(2024, 1, 1)) == ()
    assert cutting_measures({"m": low}, ["m"], dt.date(2024, 1, 1), min_confidence="low") == ("m",)


def test_euv_and_arf_immersion_are_cut_for_a_7nm_smic_chip(G):
    rows = chokepoints(G, "test-npu")
    assert {"cut:euv-lithography-tools", "cut:arf-immersion-duv-lithography-tools"} <= keys(rows, 0)
    euv = next(r for r in rows if r["key"] == "cut:euv-lithography-tools")
    assert euv["measures"] == ["nl-euv"] and euv["buyers"] == ["smic"] and euv["countries"] == ["NLD"]
    result = analyse(G, "test-npu")
    assert result["domestic"] is True and result["feasible"] is False and result["feasible_with_stock"] is True


def test_before_the_duv_controls_asml_and_nikon_are_a_pair(G):
    rows = chokepoints(G, "test-npu", as_of="2023-01-01")
    # EUV is cut, but ArF immersion is still an alternative: the EUV cut alone does not bind
    assert keys(rows, 0) == set()
    # ArF immersion from ASML or Nikon: the pair {asml, nikon} ends lithography
    assert "providers:asml+nikon" in keys(rows, 2)


def test_hbm_from_korea_is_cut_from_2024_12_02(G):
    assert "cut:hbm2e" not in keys(chokepoints(G, "test-npu", as_of="2024-12-01"))
    rows = chokepoints(G, "test-npu", as_of="2024-12-02")
    hbm = next(r for r in rows if r["key"] == "cut:hbm2e")
    assert hbm["measures"] == ["us-hbm"] and hbm["countries"] == ["KOR"]


def test_listing_applies_only_from_its_date_and_only_to_listed_buyers(G):
    def cut_by_listing(date):
        return sorted(str(u) for u, _, d in dependency_graph_edges(G, date) if "us-el-huawei" in d["cut_by"])

    assert cut_by_listing("2019-05-15") == []
    on_the_day = cut_by_listing("2019-05-16")
    assert on_the_day and all("huawei-npu" in u for u in on_the_day)  # Huawei's own supply, from the US
    # testco is not listed, so the Huawei listing never cuts its supply, though from the same US maker
    testco_us = [d for u, v, d in G.edges(data=True) if "test-gpu" in str(u) and v == "provider:micron"]
    assert testco_us and not any("us-el-huawei" in d.get("candidates", ()) for d in testco_us)


def dependency_graph_edges(G, date):
    from graph.chokepoints.projection import annotate_cuts

    H = G.copy()
    annotate_cuts(H, date)
    return [(u, v, d) for u, v, d in H.edges(data=True) if "candidates" in d]


def test_scenario_lifting_a_measure_removes_its_chokepoint(G, tmp_path):
    path = tmp_path / "lift.yaml"
    path.write_text("name: lift HBM\nlift_measures: [us-hbm]\n")
    base = [analyse(G, "test-npu")]
    after = [analyse(G, "test-npu", scenario=load_scenario(path))]
    diff = compare(base, after)
    assert {"change": "removed", "key": "cut:hbm2e"} in [{"change": d["change"], "key": d["key"]} for d in diff]


def test_scenario_adding_a_domestic_provider(G, tmp_path):
    path = tmp_path / "add.yaml"
    path.write_text(
        "name: domestic scanner\nadd_providers:\n  - {provider: huawei, input: "
        "arf-immersion-duv-lithography-tools, share: 1, country: CHN}\n"
    )
    rows = chokepoints(G, "test-npu", scenario=path)
    assert "cut:arf-immersion-duv-lithography-tools" not in keys(rows)
    single = next(r for r in rows if r["key"] == "providers:huawei")
    assert single["domestic"] is True and single["domestic_share"] == 1.0


def test_bad_scenarios_are_refused_with_file_and_line(G, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlift_measures: [no-such-measure]\nremove_providers: [nobody]\n")
    with pytest.raises(InputError) as err:
        chokepoints(G, "test-npu", scenario=bad)
    text = str(err.value)
    assert "no-such-measure" in text and "nobody" in text and "bad.yaml:2" in text
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("name: x\nadd_measures:\n  - {id: m, effective: 2024-99-01}\nbogus: 1\n")
    with pytest.raises(InputError, match="bogus"):
        load_scenario(malformed)


def test_unknown_accelerator_and_bad_date(G):
    with pytest.raises(NotFoundError):
        chokepoints(G, "no-such-chip")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        chokepoints(G, "test-npu", as_of="2024-02-30")
