"""SHACL validation of a chipgraph dataset with pyshacl, returning plain Problems.

The shapes (``ontology/shapes.ttl``) are written for the *union* of all named graphs of a
build: entity triples, the ontology, the source registry and the provenance of each claim graph
together in one rdflib Graph. Validation runs without inference (RDFS inference is ~10x slower
and is not needed: SHACL's ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf`` triples
in the data graph, so the ontology only has to be *in* it; :func:`validate_graph` mixes it in
when it is missing). The data graph is an rdflib in-memory Graph, which pyshacl walks 3-4x faster
than an Oxigraph-backed one (see research/performance.md).

Each violation becomes one :class:`graph.errors.Problem` whose ``focus`` and ``path`` let the
build map it back to a YAML file and line, and whose message reads
``"cgid:x cg:effectiveDate: An export-control measure needs ..."``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import Problem, ValidationReport
from graph.vocab.namespaces import BASE, CG, ID, PREFIXES, RDF, SH
from graph.vocab.terms import term_value

if TYPE_CHECKING:  # heavy imports stay inside the functions that need them
    import pyoxigraph
    import rdflib

__all__ = ["compact", "load_shapes", "validate_graph", "validate_quads", "quads_to_rdflib"]

_ONTOLOGY_IRI = BASE  # <https://w3id.org/chipgraph> a owl:Ontology
# Longest namespace first, so "cgid:" wins over a shorter prefix of the same IRI.
_COMPACT = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def compact(iri: str) -> str:
    """Write an IRI with the project's prefixes (``cgid:huawei``), or in ``<...>`` if none fits."""
    for prefix, namespace in _COMPACT:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local and all(c.isalnum() or c in "-_./" for c in local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


@lru_cache(maxsize=4)
def _parse_turtle(path: str, mtime_ns: int) -> rdflib.Graph:
    import rdflib

    return rdflib.Graph().parse(path, format="turtle")


def load_shapes(shapes_path: str | Path | None = None) -> rdflib.Graph:
    """The shapes graph (``ontology/shapes.ttl`` by default), parsed once per file version."""
    from graph.paths import shapes_file

    path = Path(shapes_path) if shapes_path is not None else shapes_file()
    return _parse_turtle(str(path), path.stat().st_mtime_ns)


def _ontology_graph() -> rdflib.Graph:
    from graph.paths import ontology_file

    path = ontology_file()
    return _parse_turtle(str(path), path.stat().st_mtime_ns)


def validate_graph(data: rdflib.Graph, shapes_path: str | Path | None = None) -> ValidationReport:
    """Validate ``data`` (the union of all graphs, an rdflib Graph) against the SHACL shapes.

    Parameters
    ----------
    data:
        Every triple of the dataset merged into one graph. It is not modified.
    shapes_path:
        A shapes file; ``ontology/shapes.ttl`` when None.

    Returns
    -------
    ValidationReport
        ``conforms`` and one Problem per violation (focus node, property path, offending value
        and the shape's plain-language message), sorted so that output is deterministic.
    """
    import rdflib
    from pyshacl import validate

    shapes = load_shapes(shapes_path)
    ontology_present = (rdflib.URIRef(_ONTOLOGY_IRI), rdflib.RDF.type, rdflib.OWL.Ontology) in data
    conforms, results, _text = validate(
        data,
        shacl_graph=shapes,
        ont_graph=None if ontology_present else _ontology_graph(),
        # Without inference and without SHACL rules pyshacl changes nothing in the data graph, so
        # skip its copy (a third of the run time); with an ont_graph to mix in, it must copy.
        inplace=ontology_present,
        inference="none",
        advanced=True,  # SHACL-AF: the SPARQL target of cgsh:SourcedEntityShape
        abort_on_first=False,
        allow_warnings=False,
        meta_shacl=False,
        do_owl_imports=False,
        js=False,
    )
    problems = _problems(results)
    return ValidationReport(conforms=bool(conforms) and not problems, violations=problems)


def quads_to_rdflib(quads: Iterable[pyoxigraph.Quad]) -> rdflib.Graph:
    """Merge quads into one rdflib in-memory Graph (the union view) via N-Triples.

    pyoxigraph serialises fast; rdflib's N-Triples parser is its quickest; duplicates across
    named graphs collapse into one triple.
    """
    import pyoxigraph
    import rdflib

    data = pyoxigraph.serialize((q.triple for q in quads), format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    if data:
        graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


#: Named graphs under these prefixes hold bulk imports written by one code path from strictly
#: checked input (the restricted-party lists, graph.rdf.lists_rdf; the earlier ETO releases,
#: graph/eto-<commit>, graph.rdf.eto_history). pyshacl's time grows with the
#: number of focus nodes (thousands of list entries would add a minute to every build), so by
#: default these graphs get a targeted pass instead (:func:`check_references`): every sh:class,
#: sh:datatype and sh:pattern that a shape attaches to a simple path is applied to each triple of
#: those graphs with that predicate, against types from the whole dataset, so a reference into the
#: curated or ETO data that is missing or of the wrong class is still caught. ``full=True`` runs
#: every shape over everything; tests/test_lists.py and tests/test_eto_import.py do so on the shipped data.
TARGETED_PREFIXES = (BASE + "/graph/lists/", BASE + "/graph/eto-")


def validate_quads(
    quads: Iterable[pyoxigraph.Quad], shapes_path: str | Path | None = None, *, full: bool = False
) -> ValidationReport:
    """Validate a dataset given as pyoxigraph quads: build the union graph, then :func:`validate_graph`.

    Quads still know their named graph, which the union view forgets. So that an imported data
    set held in one claim graph (the ETO graph) counts as the source of every entity it
    describes, the validated graph (never the output) also gets ``<graph> cg:subjectEntity <s>``
    for each data-namespace subject ``<s>`` of a triple in an assertion graph ``<graph>``.
    Quads of the bulk graphs (:data:`TARGETED_PREFIXES`) get :func:`check_references` instead of
    pyshacl unless ``full`` is true. The inferred graph (:data:`graph.rdf.inference.INFERRED_GRAPH`)
    is left out: it is no claim, and the shapes are about what the sources assert (sh:class
    already follows rdfs:subClassOf in the ontology graph).
    """
    from graph.rdf.inference import is_inferred

    quads = [q for q in quads if not is_inferred(q.graph_name)]
    if not full:
        import pyoxigraph

        def is_bulk(q: pyoxigraph.Quad) -> bool:
            g = q.graph_name
            return isinstance(g, pyoxigraph.NamedNode) and g.value.startswith(TARGETED_PREFIXES)

        bulk = [q for q in quads if is_bulk(q)]
        if bulk:
            core = [q for q in quads if not is_bulk(q)]
            report = validate_quads(core, shapes_path, full=True)
            extra = check_references(bulk, quads, shapes_path)
            return ValidationReport(conforms=report.conforms and not extra, violations=report.violations + extra)
    graph = quads_to_rdflib(quads)
    graph += _membership_triples(quads)
    return validate_graph(graph, shapes_path)


def _path_constraints(shapes_path: str | Path | None) -> dict[str, list[tuple[str, str, str]]]:
    """Simple path IRI -> [(kind, value, message)] for every sh:class / sh:datatype / sh:pattern."""
    import rdflib

    shapes = load_shapes(shapes_path)
    sh = rdflib.Namespace(SH)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for prop_shape, path in shapes.subject_objects(sh.path):
        if not isinstance(path, rdflib.URIRef):
            continue
        message = str(shapes.value(prop_shape, sh.message) or "")
        for kind in ("class", "datatype", "pattern"):
            for value in shapes.objects(prop_shape, sh[kind]):
                out.setdefault(str(path), []).append((kind, str(value), message))
    return out


def check_references(
    bulk: list[pyoxigraph.Quad], everything: list[pyoxigraph.Quad], shapes_path: str | Path | None = None
) -> list[Problem]:
    """The targeted pass over bulk graphs: class, datatype and pattern of each value (see :data:`TARGETED_PREFIXES`)."""
    import re

    import pyoxigraph

    constraints = _path_constraints(shapes_path)
    rdf_type, sub = RDF + "type", "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    types: dict[str, set[str]] = {}
    supers: dict[str, set[str]] = {}
    for q in everything:
        if q.predicate.value == rdf_type:
            types.setdefault(term_value(q.subject), set()).add(term_value(q.object))
        elif q.predicate.value == sub and isinstance(q.object, pyoxigraph.NamedNode):
            supers.setdefault(term_value(q.subject), set()).add(q.object.value)

    def closure(cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in supers.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    closures: dict[str, set[str]] = {}
    problems: dict[tuple[str, str, str], Problem] = {}
    for q in bulk:
        for kind, value, message in constraints.get(q.predicate.value, ()):
            o = q.object
            if kind == "class":
                ok = isinstance(o, pyoxigraph.NamedNode) and any(
                    value in closures.setdefault(t, closure(t)) for t in types.get(o.value, ())
                )
            elif kind == "datatype":
                ok = isinstance(o, pyoxigraph.Literal) and o.datatype.value == value
            else:
                ok = isinstance(o, pyoxigraph.Literal) and re.search(value, o.value) is not None
            if not ok:
                focus, path = term_value(q.subject), compact(q.predicate.value)
                text = f"{compact(focus)} {path}: {message} (value: {o})"
                problems.setdefault((focus, path, str(o)), Problem(message=text, focus=focus, path=path))
    return [problems[k] for k in sorted(problems)]


def _membership_triples(quads: list[pyoxigraph.Quad]) -> list[tuple]:
    """``(graph, cg:subjectEntity, subject)`` for data-namespace subjects of assertion graphs."""
    import pyoxigraph
    import rdflib

    assertion = pyoxigraph.NamedNode(CG + "Assertion")
    rdf_type = pyoxigraph.NamedNode(RDF + "type")
    assertions = {term_value(q.subject) for q in quads if q.predicate == rdf_type and q.object == assertion}
    pairs = {
        (q.graph_name.value, q.subject.value)
        for q in quads
        if isinstance(q.graph_name, pyoxigraph.NamedNode)
        and q.graph_name.value in assertions
        and isinstance(q.subject, pyoxigraph.NamedNode)
        and q.subject.value.startswith(ID)
    }
    subject_entity = rdflib.URIRef(CG + "subjectEntity")
    return [(rdflib.URIRef(g), subject_entity, rdflib.URIRef(s)) for g, s in sorted(pairs)]


def _term_text(term: rdflib.term.Node | None, graph: rdflib.Graph) -> str | None:
    """A short, readable rendering of an RDF term (IRIs compacted, literals as N3)."""
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return compact(str(term))
    if isinstance(term, rdflib.Literal):
        text = term.n3()
        if term.datatype is not None:
            lexical = rdflib.Literal(str(term)).n3()
            text = f"{lexical}^^{compact(str(term.datatype))}"
        return text
    return f"_:{term}"


def _path_text(path: rdflib.term.Node | None, graph: rdflib.Graph) -> str | None:
    """Render a SHACL property path: an IRI, or ``^p`` for an inverse path."""
    import rdflib

    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return compact(str(path))
    inverse = graph.value(path, rdflib.URIRef(SH + "inversePath"))
    if inverse is not None:
        return "^" + (_path_text(inverse, graph) or "?")
    if graph.value(path, rdflib.RDF.first) is not None:  # a sequence path: an RDF list
        from rdflib.collection import Collection

        return "/".join(_path_text(step, graph) or "?" for step in Collection(graph, path))
    return "(complex path)"


def _problems(results: rdflib.Graph) -> list[Problem]:
    """One Problem per sh:ValidationResult with severity sh:Violation, deduplicated and sorted."""
    import rdflib

    sh = rdflib.Namespace(SH)
    seen: dict[tuple[str, str, str, str], Problem] = {}
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        if results.value(result, sh.resultSeverity) not in (None, sh.Violation):
            continue
        focus = results.value(result, sh.focusNode)
        focus_text = _term_text(focus, results) or "?"
        path_text = _path_text(results.value(result, sh.resultPath), results)
        value_node = results.value(result, sh.value)
        value_text = _term_text(value_node, results) if value_node is not None else None
        messages = sorted(str(m) for m in results.objects(result, sh.resultMessage))
        message = (
            messages[0]
            if messages
            else "violates " + (_term_text(results.value(result, sh.sourceConstraintComponent), results) or "a shape")
        )
        text = f"{focus_text} {path_text}: {message}" if path_text else f"{focus_text}: {message}"
        if value_text is not None and value_node != focus:
            text += f" (value: {value_text})"
        key = (str(focus), path_text or "", message, value_text or "")
        seen.setdefault(
            key,
            Problem(message=text, focus=str(focus) if focus is not None else None, path=path_text),
        )
    return [seen[key] for key in sorted(seen)]
