"""The RDFS entailments the ontology implies, materialised into their own named graph.

A SPARQL user expects ``?m a cg:ExportControlMeasure`` to return the entity listings and item
controls, and ``?x org:subOrganizationOf ?y`` to return what ``cg:parentOrganisation`` states;
Oxigraph and Virtuoso answer only what is stored. :func:`inferred_quads` therefore adds, once at
build time, the two RDFS rules the ontology uses:

- rdfs9: ``?s a ?C`` and ``?C rdfs:subClassOf+ ?D`` give ``?s a ?D``;
- rdfs7: ``?s ?P ?o`` and ``?P rdfs:subPropertyOf+ ?Q`` give ``?s ?Q ?o``.

Only what no graph already asserts is added, and all of it goes into ``cggraph:inferred``, an
assertion stated by the ontology itself (source ``chipgraph-ontology``), so "says who?" answers
"entailed by the ontology", and a query that wants asserted facts only can leave that graph out.
The ontology's own class and property declarations are not closed over (they are schema, not
data). The result is sorted, so builds stay byte-identical.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pyoxigraph import NamedNode, Quad

from graph.rdf.provenance import assertion_quads, source_quads
from graph.sources.records import SourceRecord
from graph.vocab.namespaces import DCTERMS, GRAPH, ONTOLOGY_GRAPH, OWL, RDF, RDFS

__all__ = ["INFERRED_GRAPH", "ONTOLOGY_SOURCE_ID", "inferred_quads", "ontology_source"]

#: The named graph holding every entailed statement.
INFERRED_GRAPH = GRAPH + "inferred"
#: The source that states the inferred graph: the ontology.
ONTOLOGY_SOURCE_ID = "chipgraph-ontology"

_TYPE = RDF + "type"
_SUBCLASS = RDFS + "subClassOf"
_SUBPROPERTY = RDFS + "subPropertyOf"


def ontology_source(version: str, modified: str) -> SourceRecord:
    """The source record of the ontology, which states the inferred graph."""
    return SourceRecord(
        id=ONTOLOGY_SOURCE_ID,
        title=f"chipgraph ontology {version}",
        publisher="chipgraph maintainers",
        date=modified,
        url="https://w3id.org/chipgraph",
        language="en",
        kind="dataset",
        note="RDFS entailments (rdfs:subClassOf, rdfs:subPropertyOf) of the ontology, materialised at build time.",
    )


def _v(term: object) -> str:
    """The lexical value of an IRI, blank node or literal ('' for the default graph or a quoted triple)."""
    return str(getattr(term, "value", ""))


def _closure(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Every term's strict ancestors under the given (child, parent) pairs; cycles are tolerated."""
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in pairs:
        if child != parent:
            parents[child].add(parent)
    ancestors: dict[str, set[str]] = {}
    for term in sorted(parents):
        seen: set[str] = set()
        todo = sorted(parents[term])
        while todo:
            node = todo.pop()
            if node in seen or node == term:
                continue
            seen.add(node)
            todo.extend(sorted(parents.get(node, ())))
        ancestors[term] = seen
    return ancestors


def inferred_quads(quads: Iterable[Quad]) -> list[Quad]:
    """The entailed quads of ``quads`` in :data:`INFERRED_GRAPH`, with the graph's provenance.

    Parameters
    ----------
    quads : iterable of Quad
        The whole dataset: the ontology graph (whose subClassOf/subPropertyOf axioms are read)
        and every data graph.

    Returns
    -------
    list of Quad
        Sorted; empty of anything some graph already asserts.
    """
    quads = list(quads)
    onto = [q for q in quads if _v(q.graph_name) == ONTOLOGY_GRAPH]
    classes = _closure((_v(q.subject), _v(q.object)) for q in onto if _v(q.predicate) == _SUBCLASS)
    props = _closure((_v(q.subject), _v(q.object)) for q in onto if _v(q.predicate) == _SUBPROPERTY)
    asserted = {(q.subject, _v(q.predicate), q.object) for q in quads}
    version = next((_v(q.object) for q in onto if _v(q.predicate) == OWL + "versionInfo"), "")
    modified = next((_v(q.object) for q in onto if _v(q.predicate) == DCTERMS + "modified"), "")
    graph = NamedNode(INFERRED_GRAPH)
    out: set[Quad] = set()
    for q in quads:
        if _v(q.graph_name) == ONTOLOGY_GRAPH:
            continue
        pred = _v(q.predicate)
        if pred == _TYPE:
            for sup in classes.get(_v(q.object), ()):
                if (q.subject, _TYPE, NamedNode(sup)) not in asserted:
                    out.add(Quad(q.subject, q.predicate, NamedNode(sup), graph))
        for sup in props.get(pred, ()):
            if (q.subject, sup, q.object) not in asserted:
                out.add(Quad(q.subject, NamedNode(sup), q.object, graph))
    if not out:
        return []
    if len(modified) != 10:
        raise ValueError("the ontology header has no dcterms:modified date, which the inferred graph's source needs")
    provenance = assertion_quads(
        graph,
        sources=[ONTOLOGY_SOURCE_ID],
        confidence="high",
        note="Entailed by the ontology's rdfs:subClassOf and rdfs:subPropertyOf axioms (RDFS rules rdfs9, rdfs7).",
    )
    return sorted(out, key=str) + source_quads(ontology_source(version, modified)) + provenance
