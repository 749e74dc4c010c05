"""Turn the curated records (:mod:`graph.sources.curated`) into sourced named graphs.

:func:`curated_quads` gives each record's identity and each of its facts its own named graph,
stamped by :mod:`graph.rdf.provenance`, and types each literal by its property's range in the
ontology, reporting every value that does not fit with the file and line it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from graph.errors import InputError, Problem, suggest
from graph.lexical import canonical_decimal, parse_decimal
from graph.rdf.provenance import assertion_quads, date_literal, source_quads
from graph.sources.curated import LANG_RE, VALUE_BOUNDS, CuratedData, Fact, normalise_date
from graph.vocab.namespaces import CG, PROVENANCE_GRAPH, RDF, RDFS, SKOS, XSD, claim_iri, entity_iri, source_iri
from graph.vocab.ontology import OntologyInfo

__all__ = ["CuratedGraph", "curated_quads"]


@dataclass
class CuratedGraph:
    """The quads of the curated data, and where each entity and claim came from."""

    quads: list[Quad]
    locations: dict[str, tuple[Path, int]]  # IRI (entity, claim graph or source) -> file, line


def _decimal(value: Any) -> Decimal | str:
    """A YAML number, or a text in the xsd:decimal lexical form, as a finite Decimal; else why not.

    Texts go through :func:`graph.lexical.parse_decimal`, so ``1e999999999``, ``0_1`` or
    full-width digits are refused here with their line instead of overflowing later.
    """
    if isinstance(value, bool):
        return f"{value!r} is not a number"
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
        return number if number is not None else f"{value!r} is not a finite number"
    if isinstance(value, str):
        if value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity", "snan"):
            return f"{value!r} is not a finite number"
        number = parse_decimal(value.strip())
        if number is not None:
            return number
        return f"{value!r} is not a number (write digits with an optional point, no exponent, e.g. 12.5)"
    return f"{value!r} is not a number"


def _literal(prop: str, value: Any, onto: OntologyInfo) -> Literal | str:
    """Type a literal by the property's range; return an error message instead when it does not fit."""
    rng = onto.properties[prop].range
    if rng == XSD + "date":
        text = normalise_date(value)
        if text is None or len(text) != 10:
            return f"{value!r} is not a date (write YYYY-MM-DD)"
        return Literal(text, datatype=NamedNode(XSD + "date"))
    if rng is None and prop.endswith("Date"):
        text = normalise_date(value)
        if text is None:
            return f"{value!r} is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)"
        return date_literal(text)
    if rng == XSD + "decimal":
        number = _decimal(value)
        if isinstance(number, str):
            return number
        low, high = VALUE_BOUNDS.get(prop, (None, None))
        if (low is not None and number < low) or (high is not None and number > high):
            return f"{value} is outside {low}..{high}"
        return Literal(canonical_decimal(number), datatype=NamedNode(XSD + "decimal"))
    if rng == XSD + "gYear":
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            return f"{value!r} is not a year (write e.g. 2022)"
        return Literal(str(value), datatype=NamedNode(XSD + "gYear"))
    if rng == XSD + "boolean":
        if not isinstance(value, bool):
            return f"{value!r} is not true or false"
        return Literal("true" if value else "false", datatype=NamedNode(XSD + "boolean"))
    if rng == XSD + "anyURI":
        return Literal(str(value), datatype=NamedNode(XSD + "anyURI"))
    if isinstance(value, (dict, list)):
        return f"{value!r} is not a single text value"
    if isinstance(value, bool):
        # YAML reads yes/no/on/off/true/false as booleans: "False" would enter the graph as text
        return f'{value!r} is not a text value (YAML read it as a boolean; quote it, e.g. "no")'
    if isinstance(value, (bytes, bytearray)):
        return "a !!binary value is not a text value (write the text itself)"
    return Literal(str(value))


def _value_key(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def curated_quads(
    data: CuratedData, onto: OntologyInfo, external_ids: Mapping[str, NamedNode] | None = None
) -> CuratedGraph:
    """Turn curated records into named-graph quads with provenance.

    ``external_ids`` are entity ids defined by importers (ETO inputs, stages, providers), which
    facts may refer to. Raises :class:`InputError` listing unknown references and bad values.
    """
    external_ids = external_ids or {}
    problems: list[Problem] = []
    quads: list[Quad] = []
    locations: dict[str, tuple[Path, int]] = {}
    claim_by_key: dict[str, NamedNode] = {}
    pending_contradictions: list[tuple[NamedNode, str, Fact]] = []
    rdf_type = NamedNode(RDF + "type")

    for sid, src in sorted(data.sources.items()):
        quads.extend(source_quads(src))
        locations[source_iri(sid).value] = data.source_lines[sid]

    for rid in sorted(data.records):
        if rid in external_ids and external_ids[rid] != entity_iri(rid):
            rec = data.records[rid]
            problems.append(
                Problem(f"id {rid!r} is also defined by an importer", rec.file, rec.line, hint="choose another id")
            )

    def resolve(ref: Any, fact: Fact, rid: str) -> NamedNode | None:
        if not isinstance(ref, str):
            problems.append(
                Problem(f"{rid}: {fact.prop} expects an entity id, not {ref!r}", fact.file, fact.value_line)
            )
            return None
        if ref in data.records:
            return entity_iri(ref)
        if ref in external_ids:
            return external_ids[ref]
        if ref in onto.individuals:
            return NamedNode(CG + ref)
        if fact.prop == "ruleAppliesTo" and ref in onto.classes:  # a rule may cover a whole class
            return NamedNode(CG + ref)
        known = list(data.records) + list(external_ids) + list(onto.individuals)
        problems.append(
            Problem(
                f"{rid}: {fact.prop} refers to unknown id {ref!r}",
                fact.file,
                fact.value_line,
                hint=suggest(ref, known) or "define the entity first",
            )
        )
        return None

    for rid in sorted(data.records):
        rec = data.records[rid]
        subject = entity_iri(rid)
        locations[subject.value] = (rec.file, rec.line)
        identity = claim_iri(rid, "identity", "", rec.sources)
        locations[identity.value] = (rec.file, rec.line)
        quads += [Quad(subject, rdf_type, NamedNode(CG + t), identity) for t in rec.types]
        quads += [
            Quad(subject, NamedNode(RDFS + "label"), Literal(text, language=lang), identity)
            for lang, text in sorted(rec.labels.items())
        ]
        quads += [Quad(subject, NamedNode(SKOS + "altLabel"), Literal(alias), identity) for alias in rec.aliases]
        quads += assertion_quads(
            identity, sources=rec.sources, confidence=rec.confidence, subject=subject, note=rec.note
        )
        for fact in rec.facts:
            info = onto.properties[fact.prop]
            for value in fact.values:
                objects: list[NamedNode | Literal]
                if info.is_object:
                    node = resolve(value, fact, rid)
                    objects = [node] if node is not None else []
                elif isinstance(value, dict) and all(LANG_RE.match(str(k)) for k in value):
                    objects = [Literal(str(v), language=str(k)) for k, v in sorted(value.items())]
                else:
                    typed = _literal(fact.prop, value, onto)
                    if isinstance(typed, str):
                        problems.append(Problem(f"{rid}: {fact.prop}: {typed}", fact.file, fact.value_line))
                        continue
                    objects = [typed]
                if not objects:
                    continue
                graph = claim_iri(rid, fact.prop, _value_key(value), fact.sources)
                if graph.value in locations:
                    problems.append(
                        Problem(
                            f"{rid}: the same {fact.prop} fact is stated twice",
                            fact.file,
                            fact.line,
                            hint="merge the two facts' sources",
                        )
                    )
                    continue
                locations[graph.value] = (fact.file, fact.line)
                quads += [Quad(subject, NamedNode(CG + fact.prop), o, graph) for o in objects]
                quads += assertion_quads(
                    graph,
                    sources=fact.sources,
                    confidence=fact.confidence,
                    subject=subject,
                    valid_from=fact.valid_from,
                    valid_until=fact.valid_until,
                    note=fact.note,
                )
                claim_by_key.setdefault(f"{rid}/{fact.prop}/{fact.key}", graph)
                pending_contradictions += [(graph, ref, fact) for ref in fact.contradicts]

    for graph, ref, fact in pending_contradictions:
        target = claim_by_key.get(ref)
        if target == graph:
            problems.append(
                Problem(
                    f"contradicts {ref!r}: a fact cannot contradict itself",
                    fact.file,
                    fact.line,
                    hint="name the other fact's <entity id>/<property>/<key>",
                )
            )
            continue
        if target is None:
            problems.append(
                Problem(
                    f"contradicts {ref!r}: no such fact",
                    fact.file,
                    fact.line,
                    hint=suggest(ref, claim_by_key) or "write <entity id>/<property>/<key>",
                )
            )
            continue
        quads.append(Quad(graph, NamedNode(CG + "contradicts"), target, NamedNode(PROVENANCE_GRAPH)))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the curated data", problems)
    return CuratedGraph(quads=quads, locations=locations)
