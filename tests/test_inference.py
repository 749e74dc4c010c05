"""RDFS entailments materialised at build time (graph.rdf.inference)."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from graph.rdf.inference import INFERRED_GRAPH, inferred_quads
from graph.vocab.namespaces import CG, DCTERMS, GRAPH, ID, ONTOLOGY_GRAPH, OWL, RDF, RDFS, XSD

ONTO = NamedNode(ONTOLOGY_GRAPH)
DATA = NamedNode("https://w3id.org/chipgraph/claim/x")
TYPE = NamedNode(RDF + "type")


def _onto(*axioms: tuple[str, str, str]) -> list[Quad]:
    """An ontology graph with its header (version and date, which the source record needs) and ``axioms``."""
    header = NamedNode("https://w3id.org/chipgraph")
    quads = [
        Quad(header, NamedNode(OWL + "versionInfo"), Literal("0.0.1"), ONTO),
        Quad(header, NamedNode(DCTERMS + "modified"), Literal("2026-12-02", datatype=NamedNode(XSD + "date")), ONTO),
    ]
    return quads + [Quad(NamedNode(CG + s), NamedNode(RDFS + p), NamedNode(CG + o), ONTO) for s, p, o in axioms]


def test_types_are_closed_over_subclasses_transitively_and_only_what_is_new_is_added() -> None:
    chip = NamedNode(ID + "chip")
    quads = _onto(("NPU", "subClassOf", "AIAccelerator"), ("AIAccelerator", "subClassOf", "Product"))
    quads += [Quad(chip, TYPE, NamedNode(CG + "NPU"), DATA), Quad(chip, TYPE, NamedNode(CG + "Product"), DATA)]
    added = [q for q in inferred_quads(quads) if q.subject.value != INFERRED_GRAPH]
    assert added == [Quad(chip, TYPE, NamedNode(CG + "AIAccelerator"), NamedNode(INFERRED_GRAPH))]


def test_statements_are_closed_over_subproperties() -> None:
    a, b = NamedNode(ID + "a"), NamedNode(ID + "b")
    quads = _onto(("parentOrganisation", "subPropertyOf", "subOrganizationOf"))
    quads.append(Quad(a, NamedNode(CG + "parentOrganisation"), b, DATA))
    added = [q for q in inferred_quads(quads) if q.subject.value != INFERRED_GRAPH]
    assert added == [Quad(a, NamedNode(CG + "subOrganizationOf"), b, NamedNode(INFERRED_GRAPH))]


def test_the_ontology_itself_is_not_closed_over_and_nothing_to_infer_adds_nothing() -> None:
    quads = _onto(("NPU", "subClassOf", "AIAccelerator"))
    quads.append(Quad(NamedNode(CG + "NPU"), TYPE, NamedNode("http://www.w3.org/2002/07/owl#Class"), ONTO))
    quads.append(Quad(NamedNode(ID + "x"), NamedNode(CG + "label"), Literal("x"), DATA))
    assert inferred_quads(quads) == []


def test_cycles_in_the_hierarchy_end() -> None:
    x = NamedNode(ID + "x")
    quads = _onto(("A", "subClassOf", "B"), ("B", "subClassOf", "A"))
    quads.append(Quad(x, TYPE, NamedNode(CG + "A"), DATA))
    added = {q.object.value for q in inferred_quads(quads) if q.subject.value != INFERRED_GRAPH}
    assert added == {CG + "B"}


def test_the_inferred_graph_describes_itself_and_is_no_claim() -> None:
    chip = NamedNode(ID + "chip")
    quads = _onto(("NPU", "subClassOf", "AIAccelerator"))
    quads.append(Quad(chip, TYPE, NamedNode(CG + "NPU"), DATA))
    out = inferred_quads(quads)
    assert {q.graph_name.value for q in out} == {INFERRED_GRAPH}
    about = {q.predicate.value: q.object.value for q in out if q.subject.value == INFERRED_GRAPH}
    assert about["http://www.w3.org/ns/prov#wasDerivedFrom"] == ONTOLOGY_GRAPH
    assert CG + "statedIn" not in about and RDF + "type" not in about  # no cg:Assertion, no source
    assert out == inferred_quads(list(reversed(quads)))  # order of the input does not matter
    assert inferred_quads(quads + out) == out  # an earlier inferred graph is ignored, not closed over


# On the shipped data (the session build).

MEASURES = ["us-entity-list-huawei-2019", "us-entity-list-smic-2020", "us-advanced-computing-rule-2022-10",
            "us-hbm-rule-2024-12", "nl-duv-control-2023-09", "jp-sme-control-2023-07"]  # fmt: skip


def test_export_control_measures_are_found_by_their_superclass(store) -> None:
    rows = store.select("SELECT DISTINCT ?m WHERE { ?m a cg:ExportControlMeasure }")
    found = {r["m"].value.removeprefix(ID) for r in rows}
    assert set(MEASURES) <= found  # entity listings and item controls of measures.yaml
    # none of them is asserted so: the type comes from cggraph:inferred alone
    asserted = store.select(
        "SELECT ?m WHERE { GRAPH ?g { ?m a cg:ExportControlMeasure } FILTER(?g != cggraph:inferred) }"
    )
    assert asserted == []
    inferred = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH cggraph:inferred { ?m a cg:ExportControlMeasure } }")
    assert int(inferred[0]["n"].value) == len(found)


def test_sub_properties_are_closed_over(store) -> None:
    # cg:parentOrganisation rdfs:subPropertyOf org:subOrganizationOf (ontology/chipgraph.ttl)
    assert store.ask(
        "ASK { GRAPH cggraph:inferred { cgid:hisilicon <http://www.w3.org/ns/org#subOrganizationOf> cgid:huawei } }"
    )
    parents = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a cg:parentOrganisation ?b }")
    subs = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/ns/org#subOrganizationOf> ?b }")
    assert int(subs[0]["n"].value) == int(parents[0]["n"].value) > 0


def test_the_inferred_graph_is_in_the_trig_and_no_claim(built, store) -> None:
    import json

    from click.testing import CliRunner

    from graph.cli import cli

    trig = (built / "chipgraph.trig").read_text(encoding="utf-8")
    assert "\ncggraph:inferred {\n" in trig
    assert not store.ask("ASK { cggraph:inferred a ?type }")
    assert not store.ask("ASK { cggraph:inferred cg:statedIn ?source }")
    result = CliRunner().invoke(cli, ["show", "hisilicon", "--output-dir", str(built), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert all(f["claim"] != "cggraph:inferred" for f in shown["facts"] + shown["referenced_by"])
    assert "prov:Agent" not in shown["types"]  # the types as asserted, not their superclasses
    stats = json.loads(CliRunner().invoke(cli, ["stats", "--output-dir", str(built), "--json"]).output)
    assert stats["inferred_triples"] > 1000


def test_every_named_graph_but_the_bookkeeping_ones_is_a_sourced_claim(store) -> None:
    rows = store.select("""
        SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o }
          FILTER NOT EXISTS { ?g a cg:Assertion ; cg:statedIn ?src } }""")
    bookkeeping = {GRAPH + name for name in ("ontology", "provenance", "sources", "inferred")}
    assert {r["g"].value for r in rows} == bookkeeping
