"""Deterministic serialisations of the dataset: TriG (with provenance), Turtle (union), JSON-LD.

Quads are sorted before writing and blank nodes never occur, so the same inputs give
byte-identical files. TriG and Turtle are written by Oxigraph; JSON-LD by a small writer here:
Oxigraph writes only expanded JSON-LD (full IRIs, no @context), and rdflib's writer is slow and
its output order is not stable across runs.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterable

import pyoxigraph as ox

from graph.vocab.namespaces import PREFIXES, RDF, XSD
from graph.vocab.terms import term_value


def quad_sort_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), term_value(q.subject), q.predicate.value, str(q.object))


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Unique quads in a stable order (graph, subject, predicate, object)."""
    return sorted(set(quads), key=quad_sort_key)


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The plain view: every triple of every graph, once, sorted."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(triples, key=lambda t: (term_value(t.subject), t.predicate.value, str(t.object)))


def _serialize(
    terms: list[ox.Quad] | list[ox.Triple], format: ox.RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    # Written into a buffer, not returned: ox.serialize types its return as bytes | None (None when
    # it writes to an output), which a caller would have to check on every call.
    out = io.BytesIO()
    ox.serialize(terms, out, format=format, prefixes=prefixes)
    return out.getvalue()


def to_trig(quads: list[ox.Quad]) -> bytes:
    return _serialize(quads, ox.RdfFormat.TRIG, PREFIXES)


def to_nquads(quads: list[ox.Quad]) -> bytes:
    return _serialize(quads, ox.RdfFormat.N_QUADS)


def to_turtle(triples: list[ox.Triple]) -> bytes:
    return _serialize(triples, ox.RdfFormat.TURTLE, PREFIXES)


#: PREFIXES longest namespace first, so that the most specific prefix compacts an IRI.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


@functools.lru_cache(maxsize=65536)
def _compact(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace whose local part is a plain name, else the IRI.

    Cached: a dataset names the same few thousand predicates, types and subjects over and over.
    """
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and iri != ns:
            local = iri[len(ns) :]
            if local and all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return iri


def _jsonld_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"@id": _compact(term.value)}
    if not isinstance(term, ox.Literal):
        raise TypeError(f"no JSON-LD value for {term!r}: the dataset holds no blank nodes or quoted triples")
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD + "string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": _compact(term.datatype.value)}


def to_jsonld(quads: list[ox.Quad]) -> bytes:
    """JSON-LD 1.1 with one entry per named graph; keys and values in sorted order.

    One node object per line (written by the json module's C encoder, which an ``indent`` would
    switch off for the slow pure-Python one), so the file diffs line by line and a build writes
    it in a fraction of a second.
    """
    graphs: dict[str, dict[str, dict[str, list]]] = {}
    for q in quads:
        nodes = graphs.setdefault(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "@default", {})
        node = nodes.setdefault(term_value(q.subject), {})
        if q.predicate.value == RDF + "type" and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(_compact(q.object.value))
        else:
            node.setdefault(_compact(q.predicate.value), []).append(_jsonld_value(q.object))

    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    out = ['{\n "@context": ' + dumps(dict(sorted(PREFIXES.items()))) + ',\n "@graph": [\n']
    for i, gname in enumerate(sorted(graphs)):
        head = "{" if gname == "@default" else "{" + dumps("@id") + ": " + dumps(_compact(gname)) + ", "
        out.append(("" if i == 0 else ",\n") + "  " + head + '"@graph": [\n')
        entries = sorted(graphs[gname].items())
        out.append(
            ",\n".join(
                "   " + dumps({"@id": _compact(s), **{k: v for k, v in sorted(props.items())}}) for s, props in entries
            )
        )
        out.append("\n  ]}")
    out.append("\n ]\n}\n")
    return "".join(out).encode("utf-8")
