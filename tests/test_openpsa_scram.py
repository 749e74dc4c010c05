"""The Open-PSA MEF export, checked with SCRAM as an oracle (graph.chokepoints.openpsa).

SCRAM (Debian package ``scram``; scripts/test.sh installs it) reads the export and computes the
minimal cut sets with MOCUS truncated at the same order; they must equal chipgraph's, set by set,
for every accelerator of the real graph (orders 2 and 3) and for the roots of seeded synthetic
graphs (scripts/gen_synthetic.py, 10^3 and 10^4 nodes, with cut edges: house events, and stock).
Its importance analysis (rare-event approximation) must give the same occurrences and, where no
probability is clipped at 1, the same Fussell-Vesely shares as graph.chokepoints.importance.
The export itself must be valid against SCRAM's RelaxNG schema of the MEF and deterministic.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from graph.chokepoints.cutsets import availability, minimal_cut_sets
from graph.chokepoints.importance import importance
from graph.chokepoints.openpsa import (
    basic_event_nodes,
    default_bridged,
    default_roots,
    mef_name,
    open_psa,
    read_scram_report,
)

REPO = Path(__file__).resolve().parent.parent
SCHEMA = Path("/usr/share/scram/input.rng")
needs_scram = pytest.mark.skipif(
    shutil.which("scram") is None, reason="SCRAM is not installed (apt-get install scram; scripts/test.sh does it)"
)


def synthetic_graph(n: int, seed: int, cut_rate: float) -> nx.DiGraph:
    spec = importlib.util.spec_from_file_location("gen_synthetic", REPO / "scripts" / "gen_synthetic.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.synthetic_graph(n, seed=seed, cut_rate=cut_rate)


def scram(xml: str, tmp_path: Path, *args: str) -> dict:
    model, report = tmp_path / "model.xml", tmp_path / "report.xml"
    model.write_text(xml, encoding="utf-8")
    subprocess.run(["scram", *args, str(model), "-o", str(report)], check=True, capture_output=True, timeout=300)
    return read_scram_report(report.read_text(encoding="utf-8"))


def chipgraph_sets(G: nx.DiGraph, root, order: int) -> set[frozenset]:
    """chipgraph's cut sets of a root, with the stock bridging of the analysis (``{frozenset()}`` if down)."""
    from graph.chokepoints.analysis import _blocked

    bridged = _blocked(G, root, availability(G, root))
    cs = minimal_cut_sets(G, root, max_order=order, bridged=bridged, on_cycle="break")
    return set(cs.as_sets()) if cs.available else {frozenset()}


def assert_same_cut_sets(G: nx.DiGraph, xml: str, report: dict, roots, order: int) -> int:
    names = basic_event_nodes(xml)
    compared = 0
    for root in roots:
        theirs = {frozenset(names[e] for e in p) for p in report["products"][mef_name(root)]}
        ours = chipgraph_sets(G, root, order)
        assert ours == theirs, (root, sorted(map(sorted, ours - theirs))[:5], sorted(map(sorted, theirs - ours))[:5])
        compared += len(ours)
    return compared


def tiny() -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_node("acc:chip", kind="accelerator", gate="and", label="Chip")
    G.add_node("litho", gate="or", kind="supply")
    G.add_node("etch", gate="or", kind="supply")
    G.add_node("hbm", gate="or", kind="supply")
    for p in ("asml", "nikon", "tel", "lam", "sk:hynix"):
        G.add_node(p, gate="and", basic=True, kind="provider")
    G.add_edges_from([("acc:chip", "litho"), ("acc:chip", "etch"), ("acc:chip", "hbm")], cut_by=())
    G.add_edges_from([("litho", "asml"), ("litho", "nikon"), ("etch", "tel")], cut_by=())
    G.add_edge("etch", "lam", cut_by=("entity-list",))
    G.add_edge("hbm", "sk:hynix", cut_by=("hbm-rule",))
    return G


def test_export_of_a_hand_checked_graph():
    xml = open_psa(tiny())
    # chip fails if litho, etch or hbm fails; litho if ASML and Nikon fail; etch if TEL fails (Lam is cut off)
    assert '<define-gate name="acc_chip">' in xml
    assert '<or><gate name="etch"/><gate name="hbm"/><gate name="litho"/></or>' in xml
    assert '<and><basic-event name="tel"/><house-event name="cut-etch-lam"/></and>' in xml
    # hbm is cut off entirely and bridged by stock: its AND gate has a house event set false
    assert '<and><house-event name="cut-hbm-sk_hynix"/><house-event name="stock-hbm"/></and>' in xml
    assert '<define-house-event name="stock-hbm"><label>stock bridges the cut-off of hbm</label>' in xml
    assert "entity-list" in xml and "sk:hynix" in xml  # the measure and the node id are kept
    assert basic_event_nodes(xml) == {"asml": "asml", "nikon": "nikon", "tel": "tel"}
    assert open_psa(tiny()) == xml  # deterministic
    assert "stock-hbm" not in open_psa(tiny(), bridged=[])


def test_names_are_mef_identifiers_without_clashes():
    G = nx.DiGraph()
    G.add_node("acc:a", kind="accelerator", gate="and")
    for p in ("x:y", "x_y", "x.y", "1--z-"):
        G.add_node(p, basic=True)
        G.add_edge("acc:a", p, cut_by=())
    names = sorted(basic_event_nodes(open_psa(G)))
    assert names == ["_1-_-z-_", "x_y", "x_y_2", "x_y_3"]


@pytest.mark.skipif(not SCHEMA.exists(), reason="SCRAM's MEF schema (/usr/share/scram/input.rng) is not installed")
def test_export_is_valid_against_the_mef_schema(store):
    etree = pytest.importorskip("lxml.etree", reason="lxml validates the RelaxNG schema")
    from graph.chokepoints.projection import dependency_graph

    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    for G in (tiny(), dependency_graph(store, as_of="2025-06-01"), synthetic_graph(1000, seed=3, cut_rate=0.05)):
        doc = etree.fromstring(open_psa(G).encode("utf-8"))
        assert schema.validate(doc), schema.error_log


@needs_scram
@pytest.mark.parametrize("order", [2, 3])
def test_scram_agrees_on_the_real_graph(store, tmp_path, order):
    from graph.chokepoints.projection import dependency_graph

    for as_of in ("2023-01-01", "2025-06-01"):
        G = dependency_graph(store, as_of=as_of)
        xml = open_psa(G)
        report = scram(xml, tmp_path, "--mocus", "-l", str(order))
        roots = default_roots(G)
        assert len(roots) > 20 and set(map(mef_name, roots)) <= set(report["products"])
        assert assert_same_cut_sets(G, xml, report, roots, order) > 50


@needs_scram
def test_scram_agrees_on_the_narrow_reading_exported_by_the_cli(built, store, tmp_path):
    """`export-network --reading narrow` cuts fewer edges (in-part coverage left out) and SCRAM still agrees."""
    from click.testing import CliRunner

    from graph.chokepoints.cuts import annotate_cuts
    from graph.chokepoints.projection import dependency_graph
    from graph.cli import cli
    from graph.read.model import date_or_data_date

    files = {}
    for reading in ("broad", "narrow"):
        files[reading] = tmp_path / f"{reading}.xml"
        args = ["export-network", "--format", "open-psa", "--reading", reading, "-o", str(files[reading])]
        result = CliRunner().invoke(cli, [*args, "--output-dir", str(built)])
        assert result.exit_code == 0, result.output
    broad, narrow = (files[r].read_text(encoding="utf-8") for r in ("broad", "narrow"))
    assert narrow.count('<house-event name="cut-') < broad.count('<house-event name="cut-')
    G = dependency_graph(store, as_of=date_or_data_date(store, None))  # the CLI's default date
    annotate_cuts(G, G.graph["as_of"], reading="narrow")
    assert open_psa(G) == narrow  # the CLI wrote the narrow reading of the data date
    report = scram(narrow, tmp_path, "--mocus", "-l", "2")
    # (about 40 sets: the 20 accelerators with no sourced foundry have no fab-tool requirements)
    assert assert_same_cut_sets(G, narrow, report, default_roots(G), 2) > 30


@needs_scram
@pytest.mark.parametrize(("n", "seed"), [(1000, 0), (1000, 1), (10_000, 2)])
def test_scram_agrees_on_synthetic_graphs_of_order_two(tmp_path, n, seed):
    G = synthetic_graph(n, seed=seed, cut_rate=0.05)  # cut edges: house events set true, and stock
    roots = default_roots(G)
    assert default_bridged(G, roots)  # some cut-offs are bridged by stock
    xml = open_psa(G, roots)
    report = scram(xml, tmp_path, "--mocus", "-l", "2")
    assert assert_same_cut_sets(G, xml, report, roots, 2) > 10


@needs_scram
def test_scram_agrees_on_a_synthetic_graph_of_order_three_without_cuts(tmp_path):
    G = synthetic_graph(10_000, seed=4, cut_rate=0.0)
    roots = default_roots(G)
    xml = open_psa(G, roots)
    report = scram(xml, tmp_path, "--mocus", "-l", "3")
    assert assert_same_cut_sets(G, xml, report, roots, 3) > 100


@needs_scram
def test_scram_importance_coincides_with_fussell_vesely(store, tmp_path):
    """Occurrences equal everywhere; FV = SCRAM's CIF wherever SCRAM clips no probability at 1."""
    from graph.chokepoints.projection import dependency_graph

    q = 1e-4
    G = dependency_graph(store, as_of="2025-06-01")
    xml = open_psa(G, probability=q)
    report = scram(xml, tmp_path, "--mocus", "-l", "2", "--importance", "true", "--rare-event")
    names = basic_event_nodes(xml)
    checked = 0
    for root in default_roots(G):
        sets = chipgraph_sets(G, root, 2)
        if sets == {frozenset()}:
            continue
        ours = {r["provider"]: r for r in importance(sets, q=q)}
        theirs = {names[e]: m for e, m in report["importance"].get(mef_name(root), {}).items()}
        assert {p: r["cut_sets"] for p, r in ours.items()} == {p: int(m["occurrence"]) for p, m in theirs.items()}
        total = sum(q ** len(c) for c in sets)
        for p, r in ours.items():
            # SCRAM's P(top | p failed), rare-event: cut sets without p, plus those with p at probability 1
            if sum(q ** (len(c) - (p in c)) for c in sets) < 1.0:
                assert theirs[p]["CIF"] == pytest.approx(r["importance"], rel=1e-4), (root, p)
            else:  # clipped at 1 (a single point): CIF = q (1 - P(top | p works)) / P(top)
                without = sum(q ** len(c) for c in sets if p not in c)
                assert theirs[p]["CIF"] == pytest.approx(q * (1 - without) / total, rel=1e-4), (root, p)
            checked += 1
    assert checked > 60  # about 80 (providers x roots), with no fab tools for unknown foundries


def test_export_refuses_bad_arguments():
    from graph.errors import ChipgraphError

    with pytest.raises(ChipgraphError, match="not in the dependency graph"):
        open_psa(tiny(), ["acc:none"])
    with pytest.raises(ChipgraphError, match="probability"):
        open_psa(tiny(), probability=1.0)
