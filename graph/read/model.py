"""The read model: the built graph read into plain Python objects, and the domain's definitions.

This module is the one place that says what these words mean; the chokepoint projection, the
site and the reports read through it:

- **domestic** (:data:`DOMESTIC`, :meth:`Model.is_domestic`): an accelerator whose first designer
  with a country (else the first organisation above its designers) is in China;
- **the confidence floor** (:data:`CONFIDENCE_RANK`, :data:`MIN_CONFIDENCE`): claims below it are
  left out of what :meth:`Model.values` returns, and measures whose effective date is less certain
  do not cut;
- **in force on a date** (:func:`in_force`, :func:`holds_on`): a measure is in force on ``d`` when
  ``effective <= d < end`` and no suspension of the whole measure holds on ``d``
  (:func:`whole_suspensions`; one that suspends only a part is shown, not applied); a claim holds
  when ``validFrom <= d < validUntil`` (either bound may be missing). A measure's interval runs
  from its earliest stated effective date to its earliest stated end date (:func:`measure_interval`);
- **the label language order** (:data:`LABEL_LANGUAGES`, :func:`preferred_label`): English, then a
  label without a language tag, then the other languages in tag order;
- **IRI prefixing** (:func:`compact`, :func:`entity_id`): ``cg:country``, an entity's id;
- **the data date** (:func:`data_date`): the newest full date among the sources' dates and the
  dated facts, what every command takes when ``--as-of`` is not given (never the clock).

Dates of mixed precision (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) are compared as ISO text cut to
the date's length, so a bound given only as a year counts from (or ends at) the start of the year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.store.local import GraphStore
from graph.vocab.namespaces import CG, DCTERMS, ID, PREFIXES, entity_id_of
from graph.vocab.terms import CONFIDENCE_RANK

__all__ = [
    "ACCELERATOR_CLASSES",
    "CONFIDENCE_RANK",
    "DATA_DATE_PROPERTIES",
    "DOMESTIC",
    "LABEL_LANGUAGES",
    "MEASURE_KINDS",
    "MIN_CONFIDENCE",
    "Claim",
    "MeasureFacts",
    "Model",
    "at_least",
    "compact",
    "data_date",
    "date_or_data_date",
    "entity_id",
    "holds_on",
    "in_force",
    "whole_suspensions",
    "load_model",
    "measure_facts",
    "measure_interval",
    "preferred_label",
]

#: The country whose accelerators and providers are "domestic".
DOMESTIC = "CHN"
#: The default confidence floor of the analyses and the site.
MIN_CONFIDENCE = "medium"
#: Label languages in order of preference ("" is a label without a language tag); any other
#: language comes after these, in tag order.
LABEL_LANGUAGES = ("en", "")
#: Ontology classes (local names) of accelerators.
ACCELERATOR_CLASSES = frozenset({"AIAccelerator", "GPU", "NPU", "ASIC"})
#: Direct classes that make an entity a measure of the chokepoint analysis.
MEASURE_KINDS = frozenset({"EntityListing", "ItemControl", "ExportControlMeasure"})
#: Properties whose full dates (YYYY-MM-DD) make up the data date.
DATA_DATE_PROPERTIES = (
    DCTERMS + "date",
    CG + "effectiveDate",
    CG + "endDate",
    CG + "claimDate",
    CG + "deploymentDate",
)


# -- definitions ---------------------------------------------------------------------------------


def at_least(confidence: str | None, floor: str) -> bool:
    """Is ``confidence`` (``low``, ``medium``, ``high``; None counts as low) at or above ``floor``?

    >>> at_least("medium", "medium"), at_least("low", "medium"), at_least(None, "low")
    (True, False, True)
    """
    return CONFIDENCE_RANK.get(confidence or "low", 0) >= CONFIDENCE_RANK[floor]


def _iso(value: str | dt.date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def holds_on(start: str | dt.date | None, end: str | dt.date | None, date: str | dt.date) -> bool:
    """True when ``[start, end)`` contains ``date``; a missing bound is open.

    >>> holds_on("2023", None, "2023-01-01"), holds_on(None, "2024-06", "2024-06-01")
    (True, False)
    """
    day = _iso(date)
    first, last = _iso(start), _iso(end)
    if first and first[: len(day)] > day:
        return False
    return not (last and last[: len(day)] <= day)


def in_force(
    effective: str | dt.date | None,
    end: str | dt.date | None,
    date: str | dt.date,
    suspended: Iterable[tuple[str | dt.date, str | dt.date | None]] = (),
) -> bool:
    """Is a measure with this interval in force on ``date`` (``effective <= date < end``), outside
    every ``[from, until)`` interval of ``suspended`` (its whole suspensions)?

    A measure with no effective date is never in force; one with no end date has not ended.

    >>> in_force("2024-12-02", None, "2024-12-02"), in_force(None, None, "2024-12-02")
    (True, False)
    >>> in_force("2023-10-23", "2023-11-17", dt.date(2023, 11, 17))
    False
    >>> in_force("2025-09-29", None, "2026-01-01", [("2025-11-10", "2026-11-10")])
    False
    """
    if not (_iso(effective) and holds_on(effective, end, date)):
        return False
    return not any(holds_on(start, until, date) for start, until in suspended)


def compact(iri: str) -> str:
    """An IRI written with the longest matching prefix: ``https://w3id.org/chipgraph#country`` -> ``cg:country``.

    >>> compact("https://w3id.org/chipgraph#country"), compact("urn:x")
    ('cg:country', 'urn:x')
    """
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def entity_id(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple | None) -> str | None:
    """An IRI as an entity id, a ``cg:`` local name or a source id; a literal as its text."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        value = term.value
        if value.startswith(ID):
            return entity_id_of(value)
        if value.startswith(CG):
            return value[len(CG) :]
        if "/source/" in value:
            return value.rsplit("/", 1)[1]
        return value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def preferred_label(labels: Mapping[str, str], default: str) -> str:
    """The label to show from ``labels`` (language tag -> text), in :data:`LABEL_LANGUAGES` order.

    >>> preferred_label({"zh": "华为", "en": "Huawei"}, "huawei"), preferred_label({}, "huawei")
    ('Huawei', 'huawei')
    """
    for lang in LABEL_LANGUAGES:
        if lang in labels:
            return labels[lang]
    return labels[sorted(labels)[0]] if labels else default


_DATA_DATE_QUERY = """
SELECT (MAX(STR(?d)) AS ?newest) WHERE { VALUES ?p { %s } ?x ?p ?d FILTER(STRLEN(STR(?d)) = 10) }
"""


def data_date(store: GraphStore) -> dt.date | None:
    """The date of the data: the newest full date of :data:`DATA_DATE_PROPERTIES` (None if none).

    ``chipgraph build`` evaluates its outputs as of this date, and every command takes it when
    ``--as-of`` is not given, so the same graph gives the same answers on any day.
    """
    rows = store.select(_DATA_DATE_QUERY % " ".join(f"<{p}>" for p in DATA_DATE_PROPERTIES))
    newest = rows[0].get("newest") if rows else None
    if not isinstance(newest, ox.Literal):
        return None
    try:
        return dt.date.fromisoformat(newest.value)
    except ValueError:
        return None


#: The data date of a graph that holds no full date (what ``chipgraph build`` records then).
NO_DATA_DATE = dt.date(1970, 1, 1)


def date_or_data_date(store: GraphStore, as_of: dt.date | None, *fallbacks: dt.date | None) -> dt.date:
    """``as_of``, else the first of ``fallbacks`` given (a scenario's date), else :func:`data_date`.

    This is what ``--as-of`` means when it is not given, for every command.
    """
    for date in (as_of, *fallbacks):
        if date is not None:
            return date
    return data_date(store) or NO_DATA_DATE


# -- the model -----------------------------------------------------------------------------------

FACT_PROPS = (
    "designedBy",
    "fabricatedBy",
    "processNode",
    "nodeOperatedBy",
    "nodeSizeNm",
    "memoryTechnology",
    "memorySupplier",
    "requiresInput",
    "requiresAnyOf",
    "ruleAppliesTo",
    "maxNodeSizeNm",
    "parentOrganisation",
    "country",
    "goesInto",
    "isTypeOf",
    "inStage",
    "provider",
    "providedInput",
    "sharePercent",
    "year",
    "effectiveDate",
    "endDate",
    "publicationDate",
    "legalCitation",
    "listsParty",
    "coversInput",
    "coversProduct",
    "appliesToDestination",
    "jurisdiction",
    "reachesForeignProducts",
    "bindsProvider",
    "exemptsProviderCountry",
    "imposedBy",
    "scopeNote",
    "coversInputInPart",
    "coversServicingOf",
    "onList",
    "footnote",
    "capabilityInput",
    "capabilityProvider",
    "servesNodeNm",
    "purchasedInput",
    "purchaserRole",
    "variantsAllNeeded",
    "inHouseSourceOf",
    "supplier",
    "suppliedProduct",
    "relationshipKind",
    "suspendsMeasure",
    "suspendedFrom",
    "suspendedUntil",
    "suspendsWholly",
)

FACTS_QUERY = (
    """
SELECT ?s ?p ?o ?src ?conf ?from ?until WHERE {
  VALUES ?p { PREDICATES }
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g != cggraph:inferred)  # entailed statements are no claims
  # earlier ETO releases (graph/eto-<commit>) are read apart, when needed (graph.read.releases)
  FILTER(!STRSTARTS(STR(?g), "https://w3id.org/chipgraph/graph/eto-"))
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?g cg:confidence ?conf }
  OPTIONAL { ?g cg:validFrom ?from }
  OPTIONAL { ?g cg:validUntil ?until }
}
"""
).replace("PREDICATES", " ".join(f"cg:{p}" for p in FACT_PROPS))

#: Asserted types only: :meth:`Model.has_type` closes over the superclasses itself, and a measure's
#: kind is its most specific class (the inferred graph would make every cg:ListEntry a measure).
TYPES_QUERY = """
SELECT DISTINCT ?e ?t WHERE {
  ?e a ?t . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?e a ?t } }
  FILTER(STRSTARTS(STR(?t), STR(cg:))) FILTER(STRSTARTS(STR(?e), STR(cgid:)))
}
"""

LABELS_QUERY = """
SELECT ?e ?label WHERE {
  ?e rdfs:label ?label .
  FILTER(STRSTARTS(STR(?e), STR(cgid:)))
  FILTER(LANG(?label) = "en" || LANG(?label) = "")
}
"""

SUBCLASS_QUERY = """
SELECT DISTINCT ?c ?sup WHERE { ?c rdfs:subClassOf+ ?sup . FILTER(STRSTARTS(STR(?c), STR(cg:))) }
"""

SOURCES_QUERY = """
SELECT ?src ?title ?publisher ?date ?url WHERE {
  ?src a cg:Source .
  OPTIONAL { ?src dcterms:title ?title }
  OPTIONAL { ?src cg:publisher ?publisher }
  OPTIONAL { ?src dcterms:date ?date }
  OPTIONAL { ?src cg:url ?url }
}
"""


@dataclass
class Claim:
    """What the graph says about one (subject, property, value): its sources, best confidence, validity."""

    sources: set[str] = field(default_factory=set)
    confidence: str = "low"
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass
class Model:
    """The sourced facts of the graph as plain Python data, seen through a confidence floor."""

    facts: dict[str, dict[str, dict[str, Claim]]]  # subject id -> property -> value -> claim
    types: dict[str, set[str]]
    labels: dict[str, str]
    superclasses: dict[str, set[str]]
    sources: dict[str, dict[str, Any]]

    min_confidence: str = "low"

    def values(self, subject: str, prop: str) -> list[str]:
        """Values of a property whose best claim is at least ``min_confidence``."""
        claims = self.facts.get(subject, {}).get(prop, {})
        return sorted(v for v, c in claims.items() if at_least(c.confidence, self.min_confidence))

    def claim(self, subject: str, prop: str, value: str) -> Claim | None:
        return self.facts.get(subject, {}).get(prop, {}).get(value)

    def label(self, entity: str) -> str:
        return self.labels.get(entity, entity)

    def has_type(self, entity: str, classes: Iterable[str]) -> bool:
        wanted = set(classes)
        for t in self.types.get(entity, ()):
            if t in wanted or self.superclasses.get(t, set()) & wanted:
                return True
        return False

    def at_floor(self, min_confidence: str) -> Model:
        """The same facts seen through another confidence floor (shares the data)."""
        return Model(self.facts, self.types, self.labels, self.superclasses, self.sources, min_confidence)

    # -- domain definitions on the model ----------------------------------------------------------
    def country_of(self, entity: str | None) -> str | None:
        """The entity itself if it is a country, else its first ``cg:country``."""
        if entity is None:
            return None
        if self.has_type(entity, {"Country"}):
            return entity
        countries = self.values(entity, "country")
        return countries[0] if countries else None

    def parties_of(self, orgs: Iterable[str]) -> tuple[str, ...]:
        """The organisations and everything above them (``cg:parentOrganisation``)."""
        seen: set[str] = set()
        todo = list(orgs)
        while todo:
            org = todo.pop()
            if org in seen:
                continue
            seen.add(org)
            todo += self.values(org, "parentOrganisation")
        return tuple(sorted(seen))

    def designer_country(self, accelerator: str) -> str | None:
        """The country of the accelerator's first designer that has one, else of an organisation above them."""
        designers = self.values(accelerator, "designedBy")
        country = next((self.country_of(d) for d in designers if self.country_of(d)), None)
        if country is None:
            parties = self.parties_of(designers)
            country = next((self.country_of(p) for p in parties if self.country_of(p)), None)
        return country

    def is_domestic(self, accelerator: str) -> bool:
        """Is the accelerator designed in :data:`DOMESTIC` (see :meth:`designer_country`)?"""
        return self.designer_country(accelerator) == DOMESTIC

    def accelerators(self) -> list[str]:
        """Ids of every accelerator (any of :data:`ACCELERATOR_CLASSES`), sorted."""
        return sorted(e for e in self.types if self.has_type(e, ACCELERATOR_CLASSES))

    def domestic_accelerators(self) -> list[str]:
        """Ids of the domestic accelerators at this model's confidence floor, sorted."""
        return [a for a in self.accelerators() if self.is_domestic(a)]


def _text(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple | None) -> str | None:
    return None if term is None else str(term) if isinstance(term, ox.Triple) else term.value


def load_model(store: GraphStore, min_confidence: str = "low") -> Model:
    """Read the sourced facts, types, labels, class hierarchy and sources with five SPARQL queries."""
    facts: dict[str, dict[str, dict[str, Claim]]] = defaultdict(lambda: defaultdict(dict))
    for row in store.select(FACTS_QUERY):
        s, p, o = entity_id(row["s"]), entity_id(row["p"]), entity_id(row["o"])
        if s is None or p is None or o is None:
            continue
        claim = facts[s][p].setdefault(o, Claim())
        if row.get("src") is not None:
            claim.sources.add(entity_id(row["src"]) or "")
        conf = entity_id(row.get("conf"))
        if conf:
            level = conf.removesuffix("Confidence").lower()
            if CONFIDENCE_RANK.get(level, 0) >= CONFIDENCE_RANK.get(claim.confidence, 0):
                claim.confidence = level
        if row.get("from") is not None:
            claim.valid_from = _text(row["from"])
        if row.get("until") is not None:
            claim.valid_until = _text(row["until"])
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select(TYPES_QUERY):
        types[entity_id(row["e"]) or ""].add(entity_id(row["t"]) or "")
    by_lang: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.select(LABELS_QUERY):
        label = row["label"]
        if isinstance(label, ox.Literal):
            by_lang[entity_id(row["e"]) or ""][label.language or ""] = label.value
    labels = {e: preferred_label(texts, e) for e, texts in by_lang.items()}
    superclasses: dict[str, set[str]] = defaultdict(set)
    for row in store.select(SUBCLASS_QUERY):
        superclasses[entity_id(row["c"]) or ""].add(entity_id(row["sup"]) or "")
    sources: dict[str, dict[str, Any]] = {}
    for row in store.select(SOURCES_QUERY):
        sid = entity_id(row["src"]) or ""
        sources[sid] = {"id": sid, **{k: _text(row.get(k)) for k in ("title", "publisher", "date", "url")}}
    return Model(
        facts={k: dict(v) for k, v in facts.items()},
        types=dict(types),
        labels=labels,
        superclasses=dict(superclasses),
        sources=sources,
        min_confidence=min_confidence,
    )


# -- measures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureFacts:
    """One export-control measure as the graph states it (see :func:`measure_facts`)."""

    id: str
    label: str
    kind: str
    jurisdiction: frozenset[str]
    effective: dt.date | None
    end: dt.date | None
    parties: frozenset[str]
    destinations: frozenset[str]
    items: frozenset[str]
    reaches_foreign: bool
    legal_citation: str
    scope_note: str
    confidence: str  # of the effective date
    sources: tuple[str, ...]
    partial_items: frozenset[str] = frozenset()  # cg:coversInputInPart: covered only in part
    servicing_items: frozenset[str] = frozenset()  # cg:coversServicingOf: installed tools no longer serviced
    providers: frozenset[str] = frozenset()  # cg:bindsProvider: only these providers (none: all in reach)
    exempt_countries: frozenset[str] = frozenset()  # cg:exemptsProviderCountry: outside its foreign reach
    covers_nothing: bool = False  # coverage stated only below the confidence floor, or servicing only
    suspended: tuple[tuple[dt.date, dt.date | None], ...] = ()  # [from, until) of whole suspensions

    def in_force(self, date: str | dt.date) -> bool:
        return in_force(self.effective, self.end, date, self.suspended)


def _full_dates(values: Iterable[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(v[:10]) for v in values if len(v) >= 10]


def measure_interval(model: Model, measure: str) -> tuple[dt.date | None, dt.date | None]:
    """(effective, end) of a measure: its earliest stated effective date and its earliest end date.

    The effective date is read at any confidence (its confidence is the measure's, judged where a
    cut is decided: a low-confidence date keeps a measure out of force at the default floor).
    """
    effective = min(_full_dates(model.facts.get(measure, {}).get("effectiveDate", {})), default=None)
    end = min(_full_dates(model.values(measure, "endDate")), default=None)
    return effective, end


def whole_suspensions(model: Model) -> dict[str, tuple[tuple[dt.date, dt.date | None], ...]]:
    """The ``[suspendedFrom, suspendedUntil)`` intervals of each measure's whole suspensions, by measure id.

    Only a suspension stated as whole (``cg:suspendsWholly true``) takes a measure out of force:
    one that suspends a part (licences for named buyers, a case-by-case review of some chips) is
    said in its scope note, and the measure keeps cutting what it covers. Each fact counts only at
    or above the model's confidence floor, like every other fact.
    """
    out: dict[str, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for sid in sorted(model.types):
        if "MeasureSuspension" not in model.types[sid]:
            continue
        if [v.lower() for v in model.values(sid, "suspendsWholly")] != ["true"]:
            continue
        starts = _full_dates(model.values(sid, "suspendedFrom"))
        ends = _full_dates(model.values(sid, "suspendedUntil"))
        if not starts:
            continue
        for measure in model.values(sid, "suspendsMeasure"):
            out[measure].append((min(starts), min(ends, default=None)))
    return {m: tuple(sorted(v, key=lambda i: (i[0], i[1] or dt.date.max))) for m, v in out.items()}


def measure_facts(model: Model) -> dict[str, MeasureFacts]:
    """Every entity whose direct class is one of :data:`MEASURE_KINDS`, by id."""
    out: dict[str, MeasureFacts] = {}
    suspensions = whole_suspensions(model)
    for mid in sorted(model.types):
        kinds = model.types[mid] & MEASURE_KINDS
        if not kinds:
            continue
        conf = "low"
        for v in model.facts.get(mid, {}).get("effectiveDate", {}):
            c = model.claim(mid, "effectiveDate", v)
            if c and CONFIDENCE_RANK[c.confidence] > CONFIDENCE_RANK[conf]:
                conf = c.confidence
        srcs: set[str] = set()
        for prop_claims in model.facts.get(mid, {}).values():
            for claim in prop_claims.values():
                srcs |= claim.sources
        effective, end = measure_interval(model, mid)
        full, in_part = model.values(mid, "coversInput"), model.values(mid, "coversInputInPart")
        products = model.values(mid, "coversProduct")
        coverage_props = ("coversInput", "coversInputInPart", "coversProduct", "coversServicingOf")
        stated = [v for prop in coverage_props for v in model.facts.get(mid, {}).get(prop, {})]
        out[mid] = MeasureFacts(
            id=mid,
            label=model.label(mid),
            kind=sorted(kinds)[0],
            jurisdiction=frozenset(model.values(mid, "jurisdiction")),
            effective=effective,
            end=end,
            parties=frozenset(model.values(mid, "listsParty")),
            destinations=frozenset(model.values(mid, "appliesToDestination")),
            items=frozenset(full + in_part + products),
            partial_items=frozenset(in_part) - frozenset(full),
            servicing_items=frozenset(model.values(mid, "coversServicingOf")),
            providers=frozenset(model.values(mid, "bindsProvider")),
            exempt_countries=frozenset(model.values(mid, "exemptsProviderCountry")),
            # a coverage stated only below the floor covers nothing (not, as no coverage does, everything)
            covers_nothing=bool(stated) and not (full or in_part or products),
            reaches_foreign=any(v.lower() in ("true", "1") for v in model.values(mid, "reachesForeignProducts")),
            legal_citation="; ".join(model.values(mid, "legalCitation")),
            scope_note=" ".join(model.values(mid, "scopeNote")),
            confidence=conf,
            sources=tuple(sorted(srcs)),
            suspended=suspensions.get(mid, ()),
        )
    return out
