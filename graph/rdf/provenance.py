"""Provenance stamping: the one place that says who asserts a named graph, how surely, and when.

Every curated claim and every imported dataset lives in its own named graph. This module writes
the triples *about* those graphs (into the provenance graph) and the source registry (into the
sources graph), so that loaders never spell provenance themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad

from graph.sources.records import SourceRecord
from graph.vocab.namespaces import (
    CG,
    DCTERMS,
    PROVENANCE_GRAPH,
    RDF,
    RDFS,
    SOURCES_GRAPH,
    XSD,
    source_iri,
)

CONFIDENCE = {
    "high": NamedNode(CG + "HighConfidence"),
    "medium": NamedNode(CG + "MediumConfidence"),
    "low": NamedNode(CG + "LowConfidence"),
}

_TYPE = NamedNode(RDF + "type")
_PROV = NamedNode(PROVENANCE_GRAPH)
_SRC = NamedNode(SOURCES_GRAPH)


def date_literal(value: str) -> Literal:
    """A date as xsd:date, xsd:gYearMonth or xsd:gYear depending on its precision."""
    kind = {10: "date", 7: "gYearMonth", 4: "gYear"}[len(value)]
    return Literal(value, datatype=NamedNode(XSD + kind))


def assertion_quads(
    graph: NamedNode,
    *,
    sources: Iterable[str],
    confidence: str,
    subject: NamedNode | None = None,
    valid_from: str | None = None,
    valid_until: str | None = None,
    note: str | None = None,
) -> list[Quad]:
    """Provenance of one assertion graph: its sources, confidence, subject and validity dates."""
    quads = [
        Quad(graph, _TYPE, NamedNode(CG + "Assertion"), _PROV),
        Quad(graph, NamedNode(CG + "confidence"), CONFIDENCE[confidence], _PROV),
    ]
    quads += [Quad(graph, NamedNode(CG + "statedIn"), source_iri(s), _PROV) for s in sources]
    if subject is not None:
        quads.append(Quad(graph, NamedNode(CG + "subjectEntity"), subject, _PROV))
    if valid_from:
        quads.append(Quad(graph, NamedNode(CG + "validFrom"), date_literal(valid_from), _PROV))
    if valid_until:
        quads.append(Quad(graph, NamedNode(CG + "validUntil"), date_literal(valid_until), _PROV))
    if note:
        quads.append(Quad(graph, NamedNode(RDFS + "comment"), Literal(note, language="en"), _PROV))
    return quads


def source_quads(src: SourceRecord) -> list[Quad]:
    """The registry triples of one source, in the sources graph."""
    s = source_iri(src.id)
    quads = [
        Quad(s, _TYPE, NamedNode(CG + "Source"), _SRC),
        Quad(s, NamedNode(DCTERMS + "identifier"), Literal(src.id), _SRC),
        Quad(s, NamedNode(DCTERMS + "title"), Literal(src.title), _SRC),
        Quad(s, NamedNode(RDFS + "label"), Literal(src.title, language=src.language), _SRC),
        Quad(s, NamedNode(CG + "publisher"), Literal(src.publisher), _SRC),
        Quad(s, NamedNode(DCTERMS + "date"), date_literal(src.date), _SRC),
        Quad(s, NamedNode(CG + "url"), Literal(src.url, datatype=NamedNode(XSD + "anyURI")), _SRC),
        Quad(s, NamedNode(DCTERMS + "language"), Literal(src.language), _SRC),
        Quad(s, NamedNode(CG + "sourceKind"), Literal(src.kind), _SRC),
    ]
    if src.is_dataset:
        quads.append(Quad(s, _TYPE, NamedNode(CG + "Dataset"), _SRC))
    if src.license:
        quads.append(Quad(s, NamedNode(DCTERMS + "license"), NamedNode(src.license), _SRC))
    if src.release_commit:
        quads.append(Quad(s, NamedNode(CG + "releaseCommit"), Literal(src.release_commit), _SRC))
    if src.note:
        quads.append(Quad(s, NamedNode(RDFS + "comment"), Literal(src.note, language="en"), _SRC))
    return quads
