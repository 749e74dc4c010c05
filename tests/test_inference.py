"""RDFS entailments materialised at build time (graph.rdf.inference)."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from graph.rdf.inference import INFERRED_GRAPH, inferred_quads
from graph.vocab.namespaces import CG, DCTERMS, ID, ONTOLOGY_GRAPH, OWL, RDF, RDFS, XSD

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
    added = [q for q in inferred_quads(quads) if q.graph_name.value == INFERRED_GRAPH]
    assert added == [Quad(chip, TYPE, NamedNode(CG + "AIAccelerator"), NamedNode(INFERRED_GRAPH))]


def test_statements_are_closed_over_subproperties() -> None:
    a, b = NamedNode(ID + "a"), NamedNode(ID + "b")
    quads = _onto(("parentOrganisation", "subPropertyOf", "subOrganizationOf"))
    quads.append(Quad(a, NamedNode(CG + "parentOrganisation"), b, DATA))
    added = [q for q in inferred_quads(quads) if q.graph_name.value == INFERRED_GRAPH]
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
    added = {q.object.value for q in inferred_quads(quads) if q.graph_name.value == INFERRED_GRAPH}
    assert added == {CG + "B"}


def test_the_inferred_graph_says_who_states_it() -> None:
    chip = NamedNode(ID + "chip")
    quads = _onto(("NPU", "subClassOf", "AIAccelerator"))
    quads.append(Quad(chip, TYPE, NamedNode(CG + "NPU"), DATA))
    out = inferred_quads(quads)
    stated = [q for q in out if q.subject.value == INFERRED_GRAPH and q.predicate.value == CG + "statedIn"]
    assert [q.object.value for q in stated] == ["https://w3id.org/chipgraph/source/chipgraph-ontology"]
    assert out == inferred_quads(list(reversed(quads)))  # order of the input does not matter
