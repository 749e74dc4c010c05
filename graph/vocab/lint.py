"""Check the ontology file for documentation and hygiene: every term labelled, defined, sorted.

:func:`lint_ontology` returns plain :class:`graph.errors.Problem` records (file, line, message,
hint) instead of raising, so a test can assert that the shipped ontology has none and that a
deliberately broken copy has some. Rules, after W3C DCAT 3 and OGC GeoSPARQL:

- the file is UTF-8 and parses as Turtle;
- no blank nodes (every term has an IRI);
- the header (the one ``owl:Ontology``) has ``owl:versionIRI``, ``owl:versionInfo``,
  ``dcterms:modified`` (an ``xsd:date``) and ``dcterms:license``;
- every class, property and individual in the ``cg:`` namespace has exactly one ``rdfs:label``
  in English, one ``skos:definition`` in English and ``rdfs:isDefinedBy`` the ontology;
- every object or datatype property has an ``rdfs:domain`` or an ``rdfs:range`` (annotation
  properties are exempt);
- every ``cg:`` term the file mentions is defined in it;
- within each ``#`` section the terms are in alphabetical (code point) order, so diffs stay small.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from graph.errors import InputError, Problem
from graph.lexical import read_text
from graph.vocab.namespaces import BASE, CG, DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from graph.vocab.ontology import blank_node_line
from graph.vocab.terms import term_value

__all__ = ["lint_ontology"]

_TYPE = ox.NamedNode(RDF + "type")
_LABEL = ox.NamedNode(RDFS + "label")
_DEFINED_BY = ox.NamedNode(RDFS + "isDefinedBy")
_DEFINITION = ox.NamedNode(SKOS + "definition")
_DOMAIN = ox.NamedNode(RDFS + "domain")
_RANGE = ox.NamedNode(RDFS + "range")
_ONTOLOGY = ox.NamedNode(OWL + "Ontology")
_PROPERTY_KINDS = {ox.NamedNode(OWL + "ObjectProperty"), ox.NamedNode(OWL + "DatatypeProperty")}
_HEADER = {
    "owl:versionIRI": ox.NamedNode(OWL + "versionIRI"),
    "owl:versionInfo": ox.NamedNode(OWL + "versionInfo"),
    "dcterms:modified": ox.NamedNode(DCTERMS + "modified"),
    "dcterms:license": ox.NamedNode(DCTERMS + "license"),
}
_TERM_LINE = re.compile(r"^cg:([A-Za-z0-9_]+)\s")
_SECTION = re.compile(r"^#\s+([A-Z][A-Za-z ]+?)\s*$")


def lint_ontology(path: Path | str | None = None) -> list[Problem]:
    """All documentation and hygiene problems of an ontology file, sorted by line.

    Parameters
    ----------
    path:
        A Turtle file; ``ontology/chipgraph.ttl`` when None.

    Returns
    -------
    list[Problem]
        Empty when the file is clean. A file that does not parse gives one problem with the line
        and column of the syntax error.
    """
    if path is None:
        from graph.paths import ontology_file

        path = ontology_file()
    path = Path(path)
    try:
        text = read_text(path)  # UTF-8 only, no raw control characters, a regular file
        triples = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except InputError as exc:
        return list(exc.problems)
    except SyntaxError as exc:
        where = re.search(r"line (\d+) column (\d+)", str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
        return [Problem(f"the ontology does not parse: {exc}", path, line, column=column, hint="fix the Turtle syntax")]
    except ValueError as exc:
        return [Problem(f"cannot read the ontology: {exc}", path)]

    lines = _term_lines(text)
    problems = _header_problems(triples, path)
    bnode = blank_node_line(text)
    if bnode is not None or any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        line, column = bnode if bnode else (None, None)
        problems.append(
            Problem("a blank node ([ ... ] or _:name)", path, line, column=column, hint="give the node an IRI (cg:...)")
        )
    problems += _term_problems(triples, path, lines)
    problems += _order_problems(text, path)
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def _term_lines(text: str) -> dict[str, int]:
    """Local name -> line where its description starts (``cg:Name a ...`` at column 0)."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TERM_LINE.match(line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _values(triples: list[ox.Triple], subject: ox.NamedNode, predicate: ox.NamedNode) -> list:
    return [t.object for t in triples if t.subject == subject and t.predicate == predicate]


def _header_problems(triples: list[ox.Triple], path: Path) -> list[Problem]:
    headers = sorted({term_value(t.subject) for t in triples if t.predicate == _TYPE and t.object == _ONTOLOGY})
    if len(headers) != 1:
        return [
            Problem(
                f"expected exactly one owl:Ontology header, found {len(headers)}",
                path,
                1,
                hint=f"describe <{BASE}> a owl:Ontology with version, date and licence",
            )
        ]
    header = ox.NamedNode(headers[0])
    problems = []
    for name, predicate in _HEADER.items():
        values = _values(triples, header, predicate)
        if not values:
            problems.append(
                Problem(f"the ontology header lacks {name}", path, 1, hint=f"add {name} to <{header.value}>")
            )
        elif name == "dcterms:modified" and not (
            isinstance(values[0], ox.Literal) and values[0].datatype == ox.NamedNode(XSD + "date")
        ):
            problems.append(
                Problem(
                    "dcterms:modified of the ontology header must be an xsd:date",
                    path,
                    1,
                    hint='write "YYYY-MM-DD"^^xsd:date',
                )
            )
    return problems


def _english(values: list) -> list[ox.Literal]:
    return [v for v in values if isinstance(v, ox.Literal) and v.language == "en"]


def _term_problems(triples: list[ox.Triple], path: Path, lines: dict[str, int]) -> list[Problem]:
    terms = sorted(
        {
            t.subject.value
            for t in triples
            if t.predicate == _TYPE and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(CG)
        }
    )
    defined = set(terms)
    problems = []
    for iri in terms:
        term = ox.NamedNode(iri)
        local = iri[len(CG) :]
        line = lines.get(local)

        def problem(message: str, hint: str, _local: str = local, _line: int | None = line) -> None:
            problems.append(Problem(f"cg:{_local} {message}", path, _line, hint=hint))

        labels = _english(_values(triples, term, _LABEL))
        if len(labels) != 1:
            problem(f"has {len(labels)} English rdfs:label values, expected 1", 'add rdfs:label "..."@en')
        definitions = _english(_values(triples, term, _DEFINITION))
        if len(definitions) != 1:
            problem(
                f"has {len(definitions)} English skos:definition values, expected 1",
                'add skos:definition "..."@en saying what the term means',
            )
        if ox.NamedNode(BASE) not in _values(triples, term, _DEFINED_BY):
            problem("lacks rdfs:isDefinedBy", f"add rdfs:isDefinedBy <{BASE}>")
        kinds = set(_values(triples, term, _TYPE))
        has_domain_or_range = _values(triples, term, _DOMAIN) or _values(triples, term, _RANGE)
        if kinds & _PROPERTY_KINDS and not has_domain_or_range:
            problem(
                "is a property without rdfs:domain or rdfs:range",
                "state what it links (rdfs:domain) or to what (rdfs:range)",
            )
    undefined: dict[str, int | None] = {}
    for t in triples:
        for node in (t.predicate, t.object):
            if isinstance(node, ox.NamedNode) and node.value.startswith(CG) and node.value not in defined:
                subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
                line = lines.get(subject[len(CG) :]) if subject.startswith(CG) else None
                undefined.setdefault(node.value, line)
    for iri, line in sorted(undefined.items()):
        problems.append(
            Problem(
                f"cg:{iri[len(CG) :]} is used but not defined",
                path,
                line,
                hint="define the term (label, definition, isDefinedBy) or fix the name",
            )
        )
    return problems


def _order_problems(text: str, path: Path) -> list[Problem]:
    """Terms out of alphabetical order within a section (a ``# Title`` comment line)."""
    problems = []
    section, previous = "", None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _SECTION.match(line)
        if heading:
            section, previous = heading.group(1), None
            continue
        match = _TERM_LINE.match(line)
        if not match:
            continue
        name = match.group(1)
        if previous is not None and name < previous:
            problems.append(
                Problem(
                    f"cg:{name} is out of alphabetical order in section {section!r}",
                    path,
                    number,
                    hint=f"move it before cg:{previous}",
                )
            )
        previous = name if previous is None or name > previous else previous
    return problems
