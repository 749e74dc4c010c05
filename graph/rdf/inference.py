"""The RDFS entailments the ontology implies, materialised into their own named graph.

A SPARQL user expects ``?m a cg:ExportControlMeasure`` to return the entity listings and item
controls, and ``?x org:subOrganizationOf ?y`` to return what ``cg:parentOrganisation`` states;
Oxigraph and Virtuoso answer only what is stored. :func:`inferred_quads` therefore adds, once at
build time, the two RDFS rules the ontology's hierarchy implies:

- rdfs9: ``?s a ?C`` and ``?C rdfs:subClassOf+ ?D`` give ``?s a ?D``;
- rdfs7: ``?s ?P ?o`` and ``?P rdfs:subPropertyOf+ ?Q`` give ``?s ?Q ?o``.

Domain and range typing (rdfs2, rdfs3) is left out on purpose: several properties are used on
more than their declared domain or range (their ``skos:scopeNote`` says so), and typing every
subject and object from them would put wrong classes on entities that SHACL checked as right.

Only what no graph already asserts is added, and all of it goes into :data:`INFERRED_GRAPH`
(``cggraph:inferred``), which also describes itself (``prov:wasDerivedFrom cggraph:ontology`` and
an ``rdfs:comment``). It is *not* a claim: it is no ``cg:Assertion``, cites no source, and the
reports, SHACL validation and provenance checks skip it (:func:`is_inferred`); a query that wants
asserted facts only leaves it out (``FILTER(?g != cggraph:inferred)`` under ``GRAPH ?g``). The
ontology's own class and property declarations are not closed over (they are schema, not data).
The result is sorted, so builds stay byte-identical.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad

from graph.vocab.namespaces import GRAPH, ONTOLOGY_GRAPH, PROV, RDF, RDFS

__all__ = ["INFERRED_GRAPH", "inferred_quads", "is_inferred"]

#: The named graph holding every entailed statement.
INFERRED_GRAPH = GRAPH + "inferred"

_TYPE = RDF + "type"
_SUBCLASS = RDFS + "subClassOf"
_SUBPROPERTY = RDFS + "subPropertyOf"
_NOTE = (
    "Entailed by the chipgraph ontology's rdfs:subClassOf and rdfs:subPropertyOf axioms (RDFS rules rdfs9 "
    "and rdfs7), materialised at build time; not a claim of any source."
)


def is_inferred(graph: object) -> bool:
    """Whether ``graph`` (a pyoxigraph term, or an IRI string) is the inferred graph."""
    return (graph if isinstance(graph, str) else _v(graph)) == INFERRED_GRAPH


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
    """The entailed quads of ``quads``, all in :data:`INFERRED_GRAPH`, with the graph's description.

    Parameters
    ----------
    quads : iterable of Quad
        The whole dataset: the ontology graph (whose subClassOf/subPropertyOf axioms are read)
        and every data graph. Quads already in the inferred graph are ignored.

    Returns
    -------
    list of Quad
        Sorted; empty of anything some graph already asserts; empty when nothing is entailed.
    """
    quads = [q for q in quads if not is_inferred(q.graph_name)]
    onto = [q for q in quads if _v(q.graph_name) == ONTOLOGY_GRAPH]
    classes = _closure((_v(q.subject), _v(q.object)) for q in onto if _v(q.predicate) == _SUBCLASS)
    props = _closure((_v(q.subject), _v(q.object)) for q in onto if _v(q.predicate) == _SUBPROPERTY)
    heads = {_TYPE}.union(*props.values())  # the predicates an entailment can have
    asserted = {(q.subject, q.predicate.value, q.object) for q in quads if q.predicate.value in heads}
    graph = NamedNode(INFERRED_GRAPH)
    out: set[Quad] = set()
    for q in quads:
        pred = q.predicate.value
        if (pred != _TYPE and pred not in props) or _v(q.graph_name) == ONTOLOGY_GRAPH:
            continue
        if pred == _TYPE:
            for sup in classes.get(_v(q.object), ()):
                if (q.subject, _TYPE, NamedNode(sup)) not in asserted:
                    out.add(Quad(q.subject, q.predicate, NamedNode(sup), graph))
        for sup in props.get(pred, ()):
            if (q.subject, sup, q.object) not in asserted:
                out.add(Quad(q.subject, NamedNode(sup), q.object, graph))
    if not out:
        return []
    out.add(Quad(graph, NamedNode(PROV + "wasDerivedFrom"), NamedNode(ONTOLOGY_GRAPH), graph))
    out.add(Quad(graph, NamedNode(RDFS + "comment"), Literal(_NOTE, language="en"), graph))
    return sorted(out, key=lambda q: (str(q.subject), q.predicate.value, str(q.object)))
