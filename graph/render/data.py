"""Read what the site shows from a :class:`~graph.store.local.GraphStore`, through SPARQL only.

One :func:`load_snapshot` call runs a handful of queries and returns plain data (entities with
their labels, classes and countries; sourced edges; measures; sources; counts), filtered to what
held on ``as_of``. Every page is rendered from that snapshot, so the store is read once and the
pages agree with each other.

Dates are compared as ISO strings (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), which order
correctly for the granularity the sources give.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.vocab.namespaces import CG, ID, SOURCE, entity_id_of

__all__ = ["Entity", "Edge", "Measure", "Snapshot", "SourceRef", "load_snapshot", "GROUPS", "group_of"]

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
_CLASS_GROUP = {}
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
        """The English label, else any label, else the id."""
        if "en" in self.labels:
            return self.labels["en"]
        return self.labels[sorted(self.labels)[0]] if self.labels else self.id

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

    def label(self, iri: str) -> str:
        ent = self.entities.get(iri)
        return ent.label if ent else iri.rsplit("/", 1)[-1]

    def domestic_accelerators(self) -> list[str]:
        """Accelerators whose designer (or its parent) is a Chinese organisation, sorted by label."""
        by_s: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for e in self.edges:
            by_s[e.s][e.p].append(e.o)
        china = ID + "CHN"
        out = []
        for iri, ent in self.entities.items():
            if ent.group != "Accelerator":
                continue
            designers = by_s[iri]["designedBy"]
            orgs = designers + [p for d in designers for p in by_s[d]["parentOrganisation"]]
            if any(china in by_s[o]["country"] for o in orgs):
                out.append(iri)
        return sorted(out, key=lambda i: (self.label(i).lower(), i))


def _local(term: Any) -> str:
    value = term.value
    return value[len(CG) :] if value.startswith(CG) else value


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def _in_force(start: str, end: str, as_of: str | None) -> bool:
    """True when [start, end) contains ``as_of`` (no date means always)."""
    if as_of is None:
        return True
    if start and start[: len(as_of)] > as_of:
        return False
    return not (end and end[: len(as_of)] <= as_of)


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
_Q_MEASURES = """SELECT ?m ?eff ?end ?cite WHERE { ?m a ?mc . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?m a ?mc } }
  ?mc rdfs:subClassOf* cg:ExportControlMeasure .
  OPTIONAL { ?m cg:effectiveDate ?eff } OPTIONAL { ?m cg:endDate ?end }
  OPTIONAL { ?m cg:legalCitation ?cite } }"""
_Q_COUNTS = """SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a ?t . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?e a ?t } }
  FILTER(STRSTARTS(STR(?t), STR(cg:)) && (STRSTARTS(STR(?e), STR(cgid:)) || STRSTARTS(STR(?e), STR(cgsrc:))))
} GROUP BY ?t"""
_Q_DEPLOYMENT_KINDS = "SELECT ?d ?k WHERE { ?d cg:deploymentKind ?k }"
_Q_SHARES = "SELECT ?p ?s WHERE { ?p cg:sharePercent ?s }"
_Q_CLAIM_COUNT = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a cg:Assertion }"
_Q_DATA_DATES = """SELECT DISTINCT ?d WHERE {
  VALUES ?p { dcterms:date cg:effectiveDate cg:endDate cg:claimDate cg:deploymentDate } ?x ?p ?d }"""


def load_snapshot(store: Any, as_of: str | None = None) -> Snapshot:
    """Read entities, sourced edges, measures and counts from ``store`` as of ``as_of``.

    Statements whose claim is not valid on ``as_of`` (``cg:validFrom``/``cg:validUntil``) and
    measures not in force then (``cg:effectiveDate``/``cg:endDate``) are left out, together
    with the edges that name a left-out measure.
    """
    entities: dict[str, Entity] = {}

    def ent(iri: str) -> Entity:
        if iri not in entities:
            entities[iri] = Entity(iri=iri, id=entity_id_of(iri) or iri)
        return entities[iri]

    for row in store.select(_Q_TYPES):
        ent(row["e"].value).types.append(_local(row["t"]))
    for row in store.select(_Q_LABELS):
        e = ent(row["e"].value)
        lit = row["l"]
        if row["p"].value.endswith("altLabel"):
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
        iri = row["src"].value
        ref = SourceRef(
            iri, _text(row["title"]) or iri[len(SOURCE) :], _text(row["pub"]), _text(row["date"]), _text(row["url"])
        )
        if iri not in sources or (ref.title, ref.url) < (sources[iri].title, sources[iri].url):
            sources[iri] = ref

    claim_sources: dict[str, set[str]] = defaultdict(set)
    claim_conf: dict[str, str] = {}
    claim_valid: dict[str, tuple[str, str]] = {}
    for row in store.select(_Q_CLAIMS):
        g = row["g"].value
        claim_sources[g].add(row["src"].value)
        if row["conf"] is not None:
            claim_conf[g] = _local(row["conf"]).removesuffix("Confidence").lower()
        claim_valid[g] = (_text(row["from"]), _text(row["until"]))

    measures: dict[str, Measure] = {}
    for row in store.select(_Q_MEASURES):
        iri = row["m"].value
        m = measures.setdefault(iri, Measure(iri=iri, effective=""))
        m.effective = min(filter(None, [m.effective, _text(row["eff"])]), default="")
        m.end = max(filter(None, [m.end, _text(row["end"])]), default="")
        m.citation = m.citation or _text(row["cite"])
    out_of_force = {iri for iri, m in measures.items() if not _in_force(m.effective, m.end, as_of)}
    for iri in out_of_force:
        del measures[iri]

    merged: dict[tuple[str, str, str], Edge] = {}
    for row in store.select(_Q_EDGES):
        g = row["g"].value
        start, end = claim_valid.get(g, ("", ""))
        if not _in_force(start, end, as_of):
            continue
        s, p, o = row["s"].value, _local(row["p"]), row["o"].value
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
    for e in edges:
        e.sources.sort(key=lambda r: (r.date, r.title, r.iri))
        if e.p == "country":
            entities[e.s].countries.append(entity_id_of(e.o) or e.o)
        if e.p == "listsParty" and e.s in measures:
            measures[e.s].listed.append(e.o)
    for iri in out_of_force:
        entities.pop(iri, None)
    for e in entities.values():
        e.countries = sorted(set(e.countries))
    refs_of: dict[str, set[SourceRef]] = defaultdict(set)  # subject -> sources of its edges, read once
    for e in edges:
        if e.s in measures:
            refs_of[e.s].update(e.sources)
    for iri, m in measures.items():
        m.listed.sort()
        m.sources = sorted(refs_of[iri], key=lambda r: (r.date, r.title, r.iri))
    listed: dict[str, list[str]] = defaultdict(list)
    for iri, m in sorted(measures.items()):
        for party in m.listed:
            listed[party].append(iri)

    class_counts = {_local(r["t"]): int(r["n"].value) for r in store.select(_Q_COUNTS)}
    class_labels: dict[str, str] = {}
    for term, text in sorted((_local(r["c"]), r["l"].value) for r in store.select(_Q_TERM_LABELS)):
        class_labels.setdefault(term, text)
    claim_rows = store.select(_Q_CLAIM_COUNT)
    claim_count = int(claim_rows[0]["n"].value) if claim_rows else 0
    # the latest full date a source or a dated fact gives, as chipgraph build computes it (never the clock)
    dates = sorted(r["d"].value for r in store.select(_Q_DATA_DATES) if r["d"] is not None and len(r["d"].value) == 10)
    kinds = {r["d"].value: _local(r["k"]).lower() for r in store.select(_Q_DEPLOYMENT_KINDS)}
    shares = {r["p"].value: r["s"].value for r in sorted(store.select(_Q_SHARES), key=lambda r: r["s"].value)}
    return Snapshot(
        as_of=as_of,
        entities=dict(sorted(entities.items())),
        edges=edges,
        measures=dict(sorted(measures.items())),
        sources=dict(sorted(sources.items())),
        class_counts=dict(sorted(class_counts.items())),
        class_labels=class_labels,
        claim_count=claim_count,
        data_date=dates[-1] if dates else "unknown",
        listed=dict(sorted(listed.items())),
        deployment_kinds=dict(sorted(kinds.items())),
        shares=dict(sorted(shares.items())),
    )
