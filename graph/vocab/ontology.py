"""Read the ontology: which classes, properties and individuals exist, and how values are typed.

The curated-data loader uses this to check property names, to decide whether a value is an
entity reference or a literal, and to type literals by the property's ``rdfs:range``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from graph.errors import InputError, Problem
from graph.lexical import read_text, text_problem
from graph.paths import ontology_file
from graph.vocab.namespaces import CG, ONTOLOGY_GRAPH, OWL, RDF, RDFS
from graph.vocab.terms import term_value


@dataclass(frozen=True)
class PropertyInfo:
    """What the loader needs to know about one ontology property."""

    name: str
    is_object: bool
    range: str | None
    single_valued: bool


@dataclass
class OntologyInfo:
    """Classes, properties and individuals of the cg: namespace, by local name."""

    path: Path
    quads: list[ox.Quad]
    classes: set[str] = field(default_factory=set)
    properties: dict[str, PropertyInfo] = field(default_factory=dict)
    individuals: dict[str, str] = field(default_factory=dict)  # local name -> class local name
    superclasses: dict[str, set[str]] = field(default_factory=dict)  # transitive, local names

    def is_a(self, cls: str, ancestor: str) -> bool:
        """True when class ``cls`` is ``ancestor`` or one of its subclasses."""
        return cls == ancestor or ancestor in self.superclasses.get(cls, set())


def parse_turtle(path: Path, what: str = "ontology") -> list[ox.Triple]:
    """Parse one Turtle file of the ontology folder strictly; raise :class:`InputError` with its line.

    The file is decoded by :func:`graph.lexical.read_text` (UTF-8 only: Turtle is UTF-8, and
    pyoxigraph reading the path itself would let a Latin-1 byte in a comment pass), and a syntax
    error names the line and column pyoxigraph reports.
    """
    text = read_text(path)
    try:
        return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        where = re.search(r"line (\d+) column (\d+)", str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
        raise InputError(
            Problem(
                f"malformed {what}: {exc}",
                path,
                line,
                column=column,
                hint="fix the Turtle syntax; `chipgraph validate` re-checks it",
            )
        ) from exc
    except ValueError as exc:
        raise InputError(Problem(f"cannot read the {what}: {exc}", path)) from exc


#: Where a Turtle file can hold a blank node: ``[``, ``(`` or ``_:`` outside comments, strings and IRIs.
_TURTLE_OPAQUE = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>|(?P<bnode>\[|\(|\b_:)'
)


def blank_node_line(text: str) -> tuple[int, int] | None:
    """(line, column) of the first blank node (``[``, a ``(`` list or ``_:``) in Turtle ``text``, or None."""
    for match in _TURTLE_OPAQUE.finditer(text):
        if match.group("bnode"):
            start = match.start()
            return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    return None


def parse_ontology(path: Path | None = None) -> OntologyInfo:
    """Parse the ontology Turtle file; every problem names the file, line and column.

    Refused besides syntax errors: bytes that are not UTF-8, blank nodes (chipgraph's data has
    none: every node is a deterministic IRI, and the JSON-LD and site writers expect IRIs) and
    control characters in literals (``\\u001b`` escapes), which would reach terminals.
    """
    path = path or ontology_file()
    triples = parse_turtle(path)
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        where = blank_node_line(read_text(path))
        line, column = where if where else (None, None)
        raise InputError(
            Problem(
                "blank nodes ([ ... ], ( ... ) lists or _:name) are not allowed in the ontology",
                path,
                line,
                column=column,
                hint="give the node an IRI of its own, such as cg:name",
            )
        )
    for t in triples:
        if isinstance(t.object, ox.Literal):
            bad = text_problem(t.object.value)
            if bad is not None:
                subject = term_value(t.subject)
                local = subject[len(CG) :] if subject.startswith(CG) else ""
                raise InputError(Problem(f"{bad} (in a literal of {subject})", path, _term_line(path, local)))
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    info = OntologyInfo(path=path, quads=[ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])

    types: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    single: set[str] = set()
    parents: dict[str, set[str]] = {}
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(CG):
            continue
        local = s.value[len(CG) :]
        if p == RDF + "type" and isinstance(o, ox.NamedNode):
            types.setdefault(local, set()).add(o.value)
        elif p == RDFS + "range" and isinstance(o, ox.NamedNode):
            ranges[local] = o.value
        elif p == CG + "expectsSingleValue" and isinstance(o, ox.Literal) and o.value == "true":
            single.add(local)
        elif p == RDFS + "subClassOf" and isinstance(o, ox.NamedNode) and o.value.startswith(CG):
            parents.setdefault(local, set()).add(o.value[len(CG) :])
    for local, kinds in types.items():
        if OWL + "Class" in kinds:
            info.classes.add(local)
        elif OWL + "ObjectProperty" in kinds or OWL + "DatatypeProperty" in kinds:
            info.properties[local] = PropertyInfo(
                local, OWL + "ObjectProperty" in kinds, ranges.get(local), local in single
            )
        else:
            cls = next((k[len(CG) :] for k in sorted(kinds) if k.startswith(CG)), None)
            if cls:
                info.individuals[local] = cls
    for cls in info.classes:
        seen: set[str] = set()
        stack = list(parents.get(cls, ()))
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                stack.extend(parents.get(parent, ()))
        info.superclasses[cls] = seen
    return info


def _term_line(path: Path, local: str) -> int | None:
    """The line where ``cg:local`` is described (``cg:local`` at the start of a line), or None."""
    if not local:
        return None
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if line.startswith(f"cg:{local} ") or line == f"cg:{local}":
            return number
    return None


@lru_cache(maxsize=4)
def load_ontology(path: Path | None = None) -> OntologyInfo:
    """Cached :func:`parse_ontology`."""
    return parse_ontology(path)
