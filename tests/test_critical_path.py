"""The critical-path tree of an accelerator page (graph.render.critical_path) on the shipped data."""

from __future__ import annotations

from typing import Any

import pytest

from graph.render.critical_path import MAX_PROVIDERS, critical_path

ASCEND_910C = "https://w3id.org/chipgraph/id/ascend-910c"


def _walk(nodes: list[dict[str, Any]], path: tuple[str, ...] = ()):
    for n in nodes:
        yield path + (n["label"],), n
        yield from _walk(n["children"], path + (n["label"],))


@pytest.fixture(scope="module")
def ascend(store):
    from graph.render.analysis import run_analysis

    analysis = run_analysis(store, [ASCEND_910C])[ASCEND_910C]
    return analysis, critical_path(analysis.graph, analysis.root, analysis.rows)


def _find(tree, route: str, label: str) -> dict[str, Any]:
    hits = [n for path, n in _walk(tree) if label == n["label"] and any(route in p for p in path) and not n["ref"]]
    assert len(hits) == 1, (route, label, len(hits))
    return hits[0]


def test_lithography_inputs_are_open_and_cut_off_by_dutch_measures(ascend):
    _, tree = ascend
    assert [s["label"] for s in tree] == ["design", "fabrication", "memory", "packaging"]
    for label in ("EUV lithography tools", "ArF immersion (DUV) lithography tools"):
        node = _find(tree, "SMIC", label)
        assert node["open"] and node["verdict"] == "cut off" and node["providers_open"]
        assert node["verdicts"][0]["anchor"].startswith("cp-cut-")
        asml = next(p for p in node["providers"] if p["label"] == "ASML")
        assert asml["country"] == "NLD" and asml["share"] is not None and asml["share"] > 99
        assert any(m["label"].startswith("Netherlands") for m in asml["cut_by"]), asml["cut_by"]
        assert all(p["cut_by"] for p in node["providers"])  # every provider cut: that is what order 0 means
    # open all the way down from its stage
    assert next(s for s in tree if s["label"] == "fabrication")["open"]


def test_uncut_inputs_are_folded_and_buyers_kept_apart(ascend):
    _, tree = ascend
    core_ip = _find(tree, "design", "Core intellectual property")
    assert core_ip["verdict"] == "fine" and not core_ip["open"] and not core_ip["providers_open"]
    assert not next(s for s in tree if s["label"] == "packaging")["open"]
    # TSMC's route is cut as a whole; its own EUV supply is not what the analysis names
    tsmc = next(n for _, n in _walk(tree) if n["kind"] == "route" and "TSMC" in n["label"])
    assert tsmc["cut_by"] and not tsmc["open"]
    assert _find(tree, "TSMC", "EUV lithography tools")["verdict"] == "fine"


def test_every_chokepoint_row_is_marked_and_the_tree_is_bounded_and_deterministic(ascend):
    analysis, tree = ascend
    anchors = {v["anchor"] for _, n in _walk(tree) for v in n["verdicts"]}
    anchors |= {v["anchor"] for _, n in _walk(tree) for p in n["providers"] for v in p["verdicts"]}
    assert {r["anchor"] for r in analysis.rows} <= anchors
    assert all(len(n["providers"]) <= MAX_PROVIDERS for _, n in _walk(tree))
    assert any(n["more"] for _, n in _walk(tree))  # some input has more providers than are listed
    assert critical_path(analysis.graph, analysis.root, analysis.rows) == tree


def test_labels_are_escaped_in_the_tree():
    import networkx as nx

    from graph.render.templating import render

    probe = '<img src=x onerror="alert(1)">'
    G = nx.DiGraph(measures={})
    G.add_node("acc:a", kind="accelerator", label="A")
    G.add_node("stage:a:design", kind="stage", label="design", gate="and")
    G.add_node("need:x@a", kind="need", label=probe, entity="x", buyer="a")
    G.add_node("supply:x@a", kind="supply", label=probe, entity="x", buyer="a")
    G.add_node("provider:p", kind="provider", label=probe, entity="p")
    G.add_edge("acc:a", "stage:a:design", relation="stage")
    G.add_edge("stage:a:design", "need:x@a", relation="requires")
    G.add_edge("need:x@a", "supply:x@a", relation="supplied-as")
    G.add_edge("supply:x@a", "provider:p", relation="provided-by", provider_country=probe, cut_by=(probe,))
    rows = [{"key": "cut:x", "order": 0, "anchor": 'cp-"x', "item_ids": ["x"], "buyers": ["a"]}]
    html = str(render("_critical_path.html", entity={"label": probe}, critical_path=critical_path(G, "acc:a", rows)))
    assert "<img" not in html and html.count("&lt;img") >= 5
    assert 'href="#cp-&#34;x"' in html


def test_a_cut_in_the_broad_reading_only_is_marked_so(store):
    """Huawei's HBM stacking for the 950PR: every foreign bonder is cut only through the
    foreign-direct-product reach of Huawei's listings (coverage in part), and the tree says so;
    ASML's cut for the 910C's SMIC route rests on measures that cover it in full."""
    from graph.render.analysis import run_analysis

    iri = "https://w3id.org/chipgraph/id/ascend-950pr"
    analysis = run_analysis(store, [iri])[iri]
    tree = critical_path(analysis.graph, analysis.root, analysis.rows)
    bonders = _find(tree, "Huawei HBM stacking", "Die attaching tools for IC")
    hanmi = next(p for p in bonders["providers"] if p["label"] == "HANMI")
    assert hanmi["cut_by"] and all(m["in_part"] for m in hanmi["cut_by"])


def test_a_cut_in_full_is_not_marked_in_part(ascend):
    _, tree = ascend
    node = _find(tree, "SMIC", "EUV lithography tools")
    asml = next(p for p in node["providers"] if p["label"] == "ASML")
    assert asml["cut_by"] and not any(m["in_part"] for m in asml["cut_by"])
