"""The SHACL shapes: every shape has a valid and an invalid fixture, and the messages are plain.

Fixtures live in tests/fixtures/shapes/: ``<Shape>-valid.ttl`` must conform and each
``<Shape>-invalid*.ttl`` must fail with a message of that shape (its own or one of its property
shapes'), and with no other shape's message unless the file's header names it in an
``# also-violates: cgsh:OtherShape`` line. ``common.ttl`` (a source and a small valid world) is
merged into every fixture; the ontology is mixed in by :func:`graph.rdf.shacl.validate_graph`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from graph.rdf.shacl import validate_graph, validate_quads

REPO = Path(__file__).resolve().parent.parent
SHAPES_FILE = REPO / "ontology" / "shapes.ttl"
ONTOLOGY_FILE = REPO / "ontology" / "chipgraph.ttl"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
CGSH = "https://w3id.org/chipgraph/shapes#"
CG = "https://w3id.org/chipgraph#"

SHAPES = rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def node_shapes() -> list[str]:
    """Local names of the named node shapes."""
    return sorted(str(s)[len(CGSH) :] for s in SHAPES.subjects(RDF.type, SH.NodeShape) if str(s).startswith(CGSH))


def messages_of(shape_name: str) -> set[str]:
    """The shape's own message and those of its property shapes."""
    shape = rdflib.URIRef(CGSH + shape_name)
    parts = [shape, *SHAPES.objects(shape, SH.property)]
    return {str(m) for part in parts for m in SHAPES.objects(part, SH.message)}


def fixture_graph(path: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(FIXTURES / "common.ttl", format="turtle")
    graph.parse(path, format="turtle")
    return graph


def fixture_files(kind: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"*Shape-{kind}*.ttl"))


def shape_of(path: Path) -> str:
    return path.name.split("-", 1)[0]


def test_every_shape_has_a_valid_and_an_invalid_fixture():
    shapes = node_shapes()
    assert len(shapes) >= 20
    valid = {shape_of(p) for p in fixture_files("valid")}
    invalid = {shape_of(p) for p in fixture_files("invalid")}
    assert [s for s in shapes if s not in valid] == []
    assert [s for s in shapes if s not in invalid] == []
    assert sorted(valid | invalid) == shapes  # no fixture for a shape that does not exist


def test_every_shape_and_property_shape_has_a_plain_message():
    missing = []
    for name in node_shapes():
        shape = rdflib.URIRef(CGSH + name)
        for part in [shape, *SHAPES.objects(shape, SH.property)]:
            english = [m for m in SHAPES.objects(part, SH.message) if getattr(m, "language", None) == "en"]
            if len(english) != 1 or len(str(english[0])) < 20:
                missing.append(f"{name}: {part}")
    assert missing == []


def test_shapes_use_only_terms_the_ontology_defines():
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    defined = {str(s) for s in ontology.subjects(RDF.type, None) if str(s).startswith(CG)}
    used = {str(t) for triple in SHAPES for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(CG)}
    assert sorted(used - defined) == []


def test_common_context_conforms():
    graph = rdflib.Graph().parse(FIXTURES / "common.ttl", format="turtle")
    report = validate_graph(graph)
    assert report.conforms, [str(p) for p in report.violations]


@pytest.mark.parametrize("path", fixture_files("valid"), ids=lambda p: p.name)
def test_valid_fixture_conforms(path: Path):
    report = validate_graph(fixture_graph(path))
    assert report.conforms, [str(p) for p in report.violations]
    assert report.violations == []


@pytest.mark.parametrize("path", fixture_files("invalid"), ids=lambda p: p.name)
def test_invalid_fixture_fails_with_its_shapes_message(path: Path):
    shape = shape_of(path)
    also = re.findall(r"^# also-violates: cgsh:(\w+)", path.read_text(encoding="utf-8"), flags=re.M)
    allowed = set().union(*(messages_of(s) for s in [shape, *also]))
    report = validate_graph(fixture_graph(path))
    assert not report.conforms
    assert report.violations
    found = {m for p in report.violations for m in allowed if m in p.message}
    assert found & messages_of(shape), [p.message for p in report.violations]
    strays = [p.message for p in report.violations if not any(m in p.message for m in allowed)]
    assert strays == []
    for problem in report.violations:  # plain data the build maps back to YAML lines
        assert problem.focus and problem.focus.startswith("https://w3id.org/chipgraph/")
        assert problem.message.startswith("cg")


def test_problem_names_focus_path_value_and_message():
    report = validate_graph(fixture_graph(FIXTURES / "ProvisionShape-invalid.ttl"))
    [problem] = report.violations
    assert problem.focus == "https://w3id.org/chipgraph/id/provision-fab-euv"
    assert problem.path == "cg:sharePercent"
    assert problem.message == (
        "cgid:provision-fab-euv cg:sharePercent: A provision's market share (cg:sharePercent) is one "
        'xsd:decimal between 0 and 100 (percent, not a fraction). (value: "150.0"^^xsd:decimal)'
    )


def test_subclass_instances_are_targeted_through_the_ontology():
    """A node typed only cg:EntityListing is checked by the export-control measure shape."""
    graph = fixture_graph(FIXTURES / "ExportControlMeasureShape-invalid.ttl")
    assert (None, RDF.type, rdflib.URIRef(CG + "ExportControlMeasure")) not in graph
    report = validate_graph(graph)
    assert [p.path for p in report.violations] == ["cg:effectiveDate"]


def _quads(text: str):
    import pyoxigraph

    return list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.TRIG))


PREFIXES = """
@prefix cg: <https://w3id.org/chipgraph#> . @prefix cgid: <https://w3id.org/chipgraph/id/> .
@prefix cgsrc: <https://w3id.org/chipgraph/source/> . @prefix cggraph: <https://w3id.org/chipgraph/graph/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def test_validate_quads_counts_a_sourced_graph_that_describes_an_entity():
    """An imported data set is one claim graph: its entities are sourced by being described in it."""
    common = (FIXTURES / "common.ttl").read_text(encoding="utf-8")
    dataset = (
        PREFIXES
        + """
        cggraph:eto { cgid:stage-x a cg:SupplyChainStage ; rdfs:label "Stage X"@en . }
        cggraph:provenance { cggraph:eto a cg:Assertion ; cg:statedIn cgsrc:fixture ;
                             cg:confidence cg:HighConfidence . }
    """
    )
    quads = _quads(common) + _quads(dataset)
    assert validate_quads(quads).conforms
    unsourced = dataset.replace("cg:statedIn cgsrc:fixture ;", "")
    report = validate_quads(_quads(common) + _quads(unsourced))
    assert not report.conforms
    assert {(p.focus, p.path) for p in report.violations} == {
        ("https://w3id.org/chipgraph/id/stage-x", "^cg:subjectEntity/cg:statedIn"),
        ("https://w3id.org/chipgraph/graph/eto", "cg:statedIn"),
    }


def test_validate_quads_matches_validate_graph_on_a_fixture():
    path = FIXTURES / "DeploymentShape-invalid-2.ttl"
    common = (FIXTURES / "common.ttl").read_text(encoding="utf-8")
    quads = _quads(common) + _quads(path.read_text(encoding="utf-8"))
    by_quads = [str(p) for p in validate_quads(quads).violations]
    by_graph = [str(p) for p in validate_graph(fixture_graph(path)).violations]
    assert by_quads == by_graph and by_quads


def test_validate_graph_leaves_the_data_graph_unchanged():
    """With the ontology present pyshacl works in place (no copy); it must still add nothing."""
    graph = fixture_graph(FIXTURES / "FigureClaimShape-invalid.ttl")
    graph.parse(ONTOLOGY_FILE, format="turtle")
    before = set(graph)
    report = validate_graph(graph)
    assert len(report.violations) == 3
    assert set(graph) == before


def test_validate_quads_leaves_the_inferred_graph_out():
    """cggraph:inferred is no claim: its statements are neither checked nor counted as sourced."""
    common = (FIXTURES / "common.ttl").read_text(encoding="utf-8")
    valid = PREFIXES + """
        cggraph:eto { cgid:stage-x a cg:SupplyChainStage ; rdfs:label "Stage X"@en . }
        cggraph:provenance { cggraph:eto a cg:Assertion ; cg:statedIn cgsrc:fixture ;
                             cg:confidence cg:HighConfidence . }
    """  # fmt: skip
    # an unlabelled, unsourced stage that only the inferred graph mentions: ignored, not a violation
    inferred = PREFIXES + "cggraph:inferred { cgid:stage-y a cg:SupplyChainStage . }"
    assert validate_quads(_quads(common) + _quads(valid) + _quads(inferred)).conforms
    # the same statement in a claim graph is checked (it lacks a label and a source)
    claimed = inferred.replace("cggraph:inferred", "cggraph:other")
    assert not validate_quads(_quads(common) + _quads(valid) + _quads(claimed)).conforms
