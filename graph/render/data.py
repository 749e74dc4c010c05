"""Read what the site shows from a :class:`~graph.store.local.GraphStore`, through SPARQL only.

One :func:`load_snapshot` call runs a handful of queries and returns plain data (entities with
their labels, classes and countries; sourced edges; measures; sources; counts), filtered to what
held on ``as_of``. Every page is rendered from that snapshot, so the store is read once and the
pages agree with each other.

What "domestic", "in force on a date", the confidence floor, the label language order and a
measure's interval mean is defined by the read model (:mod:`graph.read.model`), which the chokepoint
analysis reads through too, so the site and the analysis name the same accelerators and measures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.read.model import (
    MIN_CONFIDENCE,
    Model,
    data_date,
    holds_on,
    in_force,
    load_model,
    measure_interval,
    preferred_label,
    whole_suspensions,
)
from graph.store.local import GraphStore, Term
from graph.vocab.namespaces import CG, SOURCE, entity_id_of

__all__ = [
    "Entity",
    "Edge",
    "Measure",
    "Snapshot",
    "SourceRef",
    "TimelineMeasure",
    "load_snapshot",
    "GROUPS",
    "group_of",
]

#: Display groups in priority order: (group name, colour, ontology classes). An entity with
#: several classes is shown in the first group that matches.
GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Accelerator", "#d62728", ("AIAccelerator", "GPU", "NPU", "ASIC")),
    ("Accelerator system", "#ff9896", ("AcceleratorSystem",)),
    ("Memory maker", "#9467bd", ("MemoryMaker",)),
    ("Foundry", "#1f77b4", ("Foundry",)),
    ("Equipment maker", "#17becf", ("EquipmentMaker",)),
    ("EDA / IP vendor", "#bcbd22", ("EDAVendor",)),
    ("Chip designer", "#ff7f0e", ("ChipDesigner",)),
    ("Model developer", "#2ca02c", ("ModelDeveloper",)),
    ("Authority", "#7f7f7f", ("Authority",)),
    ("Research institute", "#8c564b", ("ResearchInstitute",)),
    ("Analyst firm", "#c49c94", ("SecuritiesFirm",)),
    ("Organisation", "#aec7e8", ("Organisation",)),
    ("Language model", "#98df8a", ("LanguageModel",)),
    ("Software", "#dbdb8d", ("Software",)),
    ("Measure", "#000000", ("EntityListing", "ItemControl", "ExportControlMeasure")),
    ("Process node", "#6baed6", ("ProcessNode",)),
    ("Memory product", "#c5b0d5", ("MemoryProduct",)),
    ("Memory technology", "#e7cbf5", ("MemoryTechnology", "HBMGeneration")),
    ("Input", "#9edae5", ("Tool", "Material", "DesignResource", "Process", "SupplyChainInput")),
    ("Stage", "#d9d9d9", ("SupplyChainStage",)),
    ("Country", "#f7b6d2", ("Country", "Jurisdiction")),
    ("Deployment", "#e0e0e0", ("Deployment",)),
    ("Provision", "#e0e0e0", ("Provision",)),
    ("Claim", "#e0e0e0", ("FigureClaim", "BenchmarkClaim", "MarketClaim")),
    ("Rule", "#e0e0e0", ("RequirementRule",)),
]
GROUP_COLOURS: dict[str, str] = {name: colour for name, colour, _ in GROUPS}
GROUP_ORDER: dict[str, int] = {name: i for i, (name, _, _) in enumerate(GROUPS)}
_CLASS_GROUP: dict[str, str] = {}
for _name, _colour, _classes in GROUPS:
    for _cls in _classes:
        _CLASS_GROUP.setdefault(_cls, _name)


def group_of(types: list[str]) -> str:
    """The display group of an entity with ontology classes ``types`` (local names)."""
    best = min((GROUP_ORDER[_CLASS_GROUP[t]] for t in types if t in _CLASS_GROUP), default=None)
    return GROUPS[best][0] if best is not None else "Other"


@dataclass(frozen=True)
class SourceRef:
    """A source as shown in tooltips and tables."""

    iri: str
    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "publisher": self.publisher, "date": self.date, "url": self.url}


@dataclass
class Entity:
    """An entity of the data namespace with what the pages show about it."""

    iri: str
    id: str
    labels: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The label in the read model's language order (:func:`graph.read.model.preferred_label`), else the id."""
        return preferred_label({("" if k == "und" else k): v for k, v in self.labels.items()}, self.id)

    @property
    def group(self) -> str:
        return group_of(self.types)


@dataclass
class Edge:
    """One object-property statement between two entities, with the sources of every claim for it."""

    s: str
    p: str
    o: str
    sources: list[SourceRef] = field(default_factory=list)
    confidence: str = ""


@dataclass
class Measure:
    """An export-control measure with its dates and what it names."""

    iri: str
    effective: str
    end: str = ""
    citation: str = ""
    listed: list[str] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)


@dataclass
class TimelineMeasure:
    """A measure as the timeline draws it: in force, ended or suspended by the view's date."""

    iri: str
    effective: str
    label: str = ""
    end: str = ""
    end_reason: str = ""
    kind: str = ""
    jurisdiction: list[str] = field(default_factory=list)
    citation: str = ""
    #: (suspension's label, suspended from, suspended until or "") for the suspensions begun by the date
    suspensions: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Snapshot:
    """Everything the pages need, as of one date."""

    as_of: str | None
    entities: dict[str, Entity]
    edges: list[Edge]
    measures: dict[str, Measure]
    sources: dict[str, SourceRef]
    class_counts: dict[str, int]
    class_labels: dict[str, str]  # ontology term (class or property) local name -> English label
    claim_count: int
    data_date: str
    listed: dict[str, list[str]]
    deployment_kinds: dict[str, str] = field(default_factory=dict)
    shares: dict[str, str] = field(default_factory=dict)  # provision IRI -> share in percent (as written)
    domestic: list[str] = field(default_factory=list)  # IRIs of the domestic accelerators (read model)
    #: every measure in force by the date, ended ones included (the timeline), by effective date and IRI
    timeline: list[TimelineMeasure] = field(default_factory=list)
    #: (title, publisher, licence URL) of each imported dataset, for the attribution every page carries
    licensed: list[tuple[str, str, str]] = field(default_factory=list)

    def label(self, iri: str) -> str:
        ent = self.entities.get(iri)
        return ent.label if ent else iri.rsplit("/", 1)[-1]

    def domestic_accelerators(self) -> list[str]:
        """The domestic accelerators (:meth:`graph.read.model.Model.is_domestic` at the default
        confidence floor, as the chokepoint analysis counts them), sorted by label."""
        return sorted(self.domestic, key=lambda i: (self.label(i).lower(), i))


def _value(term: Term | None) -> str:
    if term is None:
        return ""
    return str(term) if isinstance(term, ox.Triple) else term.value


def _local(term: Term | None) -> str:
    value = _value(term)
    return value[len(CG) :] if value.startswith(CG) else value


def _text(term: Term | None) -> str:
    return _value(term)


def _holds(start: str, end: str, as_of: str | None) -> bool:
    """Does a claim valid over [start, end) hold on ``as_of`` (None: every date counts)?"""
    return as_of is None or holds_on(start, end, as_of)


# Types as asserted (the most specific ones); the closure that cggraph:inferred holds is left out.
_Q_TYPES = """SELECT ?e ?t WHERE { ?e a ?t . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?e a ?t } }
  FILTER(STRSTARTS(STR(?e), STR(cgid:)) && STRSTARTS(STR(?t), STR(cg:))) }"""
_Q_LABELS = """SELECT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l .
  FILTER(STRSTARTS(STR(?e), STR(cgid:))) }"""
_Q_TERM_LABELS = """SELECT ?c ?l WHERE { ?c rdfs:label ?l .
  FILTER(STRSTARTS(STR(?c), STR(cg:)) && LANGMATCHES(LANG(?l), "en")) }"""
_Q_EDGES = """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(isIRI(?o) && STRSTARTS(STR(?p), STR(cg:))
         && STRSTARTS(STR(?s), STR(cgid:)) && STRSTARTS(STR(?o), STR(cgid:))) }"""
_Q_CLAIMS = """SELECT ?g ?src ?conf ?from ?until WHERE { ?g cg:statedIn ?src .
  OPTIONAL { ?g cg:confidence ?conf } OPTIONAL { ?g cg:validFrom ?from }
  OPTIONAL { ?g cg:validUntil ?until } }"""
_Q_SOURCES = """SELECT ?src ?title ?pub ?date ?url WHERE { ?src a ?k . VALUES ?k { cg:Source cg:Dataset }
  OPTIONAL { ?src dcterms:title ?title } OPTIONAL { ?src cg:publisher ?pub }
  OPTIONAL { ?src dcterms:date ?date } OPTIONAL { ?src cg:url ?url } }"""
#: The datasets the graph imports under a licence that asks for attribution (ETO, Epoch, OpenSanctions...).
_Q_LICENSED = """SELECT ?src ?title ?pub ?lic WHERE { ?src dcterms:license ?lic .
  FILTER(STRSTARTS(STR(?src), STR(cgsrc:)))
  OPTIONAL { ?src dcterms:title ?title } OPTIONAL { ?src cg:publisher ?pub } }"""
_Q_MEASURES = """SELECT ?m ?eff ?end ?cite WHERE { ?m a ?mc . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?m a ?mc } }
  ?mc rdfs:subClassOf* cg:ExportControlMeasure .
  OPTIONAL { ?m cg:effectiveDate ?eff } OPTIONAL { ?m cg:endDate ?end }
  OPTIONAL { ?m cg:legalCitation ?cite } }"""
_Q_MEASURE_KINDS = """SELECT ?m ?kind ?jur ?why WHERE {
  ?m a ?kind . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?m a ?kind } }
  ?kind rdfs:subClassOf* cg:ExportControlMeasure .
  OPTIONAL { ?m cg:jurisdiction ?jur } OPTIONAL { ?m cg:endReason ?why } }"""
_Q_SUSPENSIONS = """SELECT ?s ?m ?from ?until WHERE { ?s a cg:MeasureSuspension ; cg:suspendsMeasure ?m .
  OPTIONAL { ?s cg:suspendedFrom ?from } OPTIONAL { ?s cg:suspendedUntil ?until } }"""
_Q_COUNTS = """SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a ?t . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?e a ?t } }
  FILTER(STRSTARTS(STR(?t), STR(cg:)) && (STRSTARTS(STR(?e), STR(cgid:)) || STRSTARTS(STR(?e), STR(cgsrc:))))
} GROUP BY ?t"""
_Q_DEPLOYMENT_KINDS = "SELECT ?d ?k WHERE { ?d cg:deploymentKind ?k }"
_Q_SHARES = "SELECT ?p ?s WHERE { ?p cg:sharePercent ?s }"
_Q_CLAIM_COUNT = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a cg:Assertion }"


def _timeline(
    store: GraphStore, measures: dict[str, Measure], entities: dict[str, Entity], as_of: str | None
) -> list[TimelineMeasure]:
    """The measures that took effect by ``as_of`` (ended ones too), with kind, jurisdiction and suspensions.

    Labels are taken here, before the measures out of force leave ``entities``.
    """

    def label(iri: str) -> str:
        return entities[iri].label if iri in entities else entity_id_of(iri) or iri

    out = {
        iri: TimelineMeasure(iri=iri, effective=m.effective, label=label(iri), end=m.end, citation=m.citation)
        for iri, m in measures.items()
        if m.effective and (as_of is None or m.effective <= as_of)
    }
    for row in store.select(_Q_MEASURE_KINDS):
        t = out.get(_value(row["m"]))
        if t is None:
            continue
        kind, jur = _local(row["kind"]), entity_id_of(_value(row["jur"])) if row["jur"] is not None else None
        if kind != "ExportControlMeasure" and (not t.kind or kind < t.kind):
            t.kind = kind
        if jur and jur not in t.jurisdiction:
            t.jurisdiction.append(jur)
        t.end_reason = t.end_reason or _text(row["why"])
    for row in store.select(_Q_SUSPENSIONS):
        t, start = out.get(_value(row["m"])), _text(row["from"])
        if t is not None and start and (as_of is None or start <= as_of):
            t.suspensions.append((label(_value(row["s"])), start, _text(row["until"])))
    for t in out.values():
        t.jurisdiction.sort()
        t.suspensions.sort(key=lambda s: (s[1], s[0]))
        t.kind = t.kind or "ExportControlMeasure"
    return sorted(out.values(), key=lambda t: (t.effective, t.iri))


def load_snapshot(store: GraphStore, as_of: str | None = None, model: Model | None = None) -> Snapshot:
    """Read entities, sourced edges, measures and counts from ``store`` as of ``as_of``.

    Statements whose claim does not hold on ``as_of`` (``cg:validFrom``/``cg:validUntil``) and
    measures not in force then (:func:`graph.read.model.in_force` over the interval of
    :func:`graph.read.model.measure_interval`) are left out, together with the edges that name a
    left-out measure. ``as_of=None`` keeps every dated fact. ``model``: the store's facts as
    :func:`load_model` reads them, when the caller has them already (read once per build).
    """
    model = model if model is not None else load_model(store)
    entities: dict[str, Entity] = {}

    def ent(iri: str) -> Entity:
        if iri not in entities:
            entities[iri] = Entity(iri=iri, id=entity_id_of(iri) or iri)
        return entities[iri]

    for row in store.select(_Q_TYPES):
        ent(_value(row["e"])).types.append(_local(row["t"]))
    for row in store.select(_Q_LABELS):
        e = ent(_value(row["e"]))
        lit = row["l"]
        if not isinstance(lit, ox.Literal):
            continue
        if _value(row["p"]).endswith("altLabel"):
            e.aliases.append(lit.value)
        else:
            lang = (lit.language or "und").lower()
            if lang not in e.labels or lit.value < e.labels[lang]:
                e.labels[lang] = lit.value
    for e in entities.values():
        e.types = sorted(set(e.types))
        e.aliases = sorted(set(e.aliases))

    sources: dict[str, SourceRef] = {}
    for row in store.select(_Q_SOURCES):
        iri = _value(row["src"])
        ref = SourceRef(
            iri, _text(row["title"]) or iri[len(SOURCE) :], _text(row["pub"]), _text(row["date"]), _text(row["url"])
        )
        if iri not in sources or (ref.title, ref.url) < (sources[iri].title, sources[iri].url):
            sources[iri] = ref

    claim_sources: dict[str, set[str]] = defaultdict(set)
    claim_conf: dict[str, str] = {}
    claim_valid: dict[str, tuple[str, str]] = {}
    for row in store.select(_Q_CLAIMS):
        g = _value(row["g"])
        claim_sources[g].add(_value(row["src"]))
        if row["conf"] is not None:
            claim_conf[g] = _local(row["conf"]).removesuffix("Confidence").lower()
        claim_valid[g] = (_text(row["from"]), _text(row["until"]))

    measures: dict[str, Measure] = {}
    for row in store.select(_Q_MEASURES):
        iri = _value(row["m"])
        m = measures.setdefault(iri, Measure(iri=iri, effective=""))
        m.citation = m.citation or _text(row["cite"])
    for iri, m in measures.items():
        first, last = measure_interval(model, entity_id_of(iri) or iri)
        m.effective = first.isoformat() if first else ""
        m.end = last.isoformat() if last else ""
    timeline = _timeline(store, measures, entities, as_of)
    suspended = whole_suspensions(model)
    out_of_force = {
        iri
        for iri, m in measures.items()
        if as_of is not None and not in_force(m.effective, m.end, as_of, suspended.get(entity_id_of(iri) or iri, ()))
    }
    for iri in out_of_force:
        del measures[iri]

    merged: dict[tuple[str, str, str], Edge] = {}
    for row in store.select(_Q_EDGES):
        g = _value(row["g"])
        start, end = claim_valid.get(g, ("", ""))
        if not _holds(start, end, as_of):
            continue
        s, p, o = _value(row["s"]), _local(row["p"]), _value(row["o"])
        if s in out_of_force or o in out_of_force:
            continue
        edge = merged.setdefault((s, p, o), Edge(s, p, o))
        for src in sorted(claim_sources.get(g, ())):
            ref = sources.get(src, SourceRef(src, src.rsplit("/", 1)[-1]))
            if ref not in edge.sources:
                edge.sources.append(ref)
        conf = claim_conf.get(g, "")
        if conf and (not edge.confidence or conf < edge.confidence):
            edge.confidence = conf
        ent(s)
        ent(o)
    edges = sorted(merged.values(), key=lambda e: (e.s, e.p, e.o))
    for ed in edges:
        ed.sources.sort(key=lambda r: (r.date, r.title, r.iri))
        if ed.p == "country":
            entities[ed.s].countries.append(entity_id_of(ed.o) or ed.o)
        if ed.p == "listsParty" and ed.s in measures:
            measures[ed.s].listed.append(ed.o)
    for iri in out_of_force:
        entities.pop(iri, None)
    for e in entities.values():
        e.countries = sorted(set(e.countries))
    refs_of: dict[str, set[SourceRef]] = defaultdict(set)  # subject -> sources of its edges, read once
    for ed in edges:
        if ed.s in measures:
            refs_of[ed.s].update(ed.sources)
    for iri, m in measures.items():
        m.listed.sort()
        m.sources = sorted(refs_of[iri], key=lambda r: (r.date, r.title, r.iri))
    listed: dict[str, list[str]] = defaultdict(list)
    for iri, m in sorted(measures.items()):
        for party in m.listed:
            listed[party].append(iri)

    class_counts = {_local(r["t"]): int(_value(r["n"])) for r in store.select(_Q_COUNTS)}
    class_labels: dict[str, str] = {}
    for term, text in sorted((_local(r["c"]), _value(r["l"])) for r in store.select(_Q_TERM_LABELS)):
        class_labels.setdefault(term, text)
    claim_rows = store.select(_Q_CLAIM_COUNT)
    claim_count = int(_value(claim_rows[0]["n"])) if claim_rows else 0
    newest = data_date(store)  # as chipgraph build computes it (never the clock)
    kinds = {_value(r["d"]): _local(r["k"]).lower() for r in store.select(_Q_DEPLOYMENT_KINDS)}
    shares = {_value(r["p"]): _value(r["s"]) for r in sorted(store.select(_Q_SHARES), key=lambda r: _value(r["s"]))}
    domestic_ids = set(model.at_floor(MIN_CONFIDENCE).domestic_accelerators())
    domestic = [iri for iri in entities if (entity_id_of(iri) or iri) in domestic_ids]
    return Snapshot(
        as_of=as_of,
        entities=dict(sorted(entities.items())),
        edges=edges,
        measures=dict(sorted(measures.items())),
        sources=dict(sorted(sources.items())),
        class_counts=dict(sorted(class_counts.items())),
        class_labels=class_labels,
        claim_count=claim_count,
        data_date=newest.isoformat() if newest else "unknown",
        listed=dict(sorted(listed.items())),
        deployment_kinds=dict(sorted(kinds.items())),
        shares=dict(sorted(shares.items())),
        domestic=sorted(domestic),
        timeline=timeline,
        licensed=sorted({(_text(r["title"]), _text(r["pub"]), _value(r["lic"])) for r in store.select(_Q_LICENSED)}),
    )
