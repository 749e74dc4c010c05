"""The one seam between the capacity model and the graph: figure claims and accelerators as plain data.

Everything :mod:`graph.capacity` knows about the graph comes through :func:`read_claims`, which runs
three SPARQL ``SELECT`` queries through the store's :meth:`~graph.store.local.GraphStore.select`
(so the embedded store, an in-memory store and a remote endpoint all work). When the shared read
model (:mod:`graph.read.model`) gets figure claims, this module is the only one to change:
:func:`read_claims` keeps its signature and returns the same :class:`ClaimSet`. What the read model
already defines comes from it: the confidence grades and their order (:data:`CONFIDENCE_RANK`), the
accelerator classes, the label language order (:func:`~graph.read.model.preferred_label`) and how an
IRI becomes a property name, a confidence level or a source id (:func:`~graph.read.model.compact`,
:func:`~graph.read.model.entity_id`).

A claim's confidence and sources are those of the assertion that states its ``cg:figureValue``;
the other facts of a claim record share them in the curated data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.read.model import ACCELERATOR_CLASSES, CONFIDENCE_RANK, compact, entity_id, preferred_label
from graph.read.model import LABELS_QUERY as _LABELS_QUERY
from graph.vocab.namespaces import entity_id_of

__all__ = ["FigureClaim", "Accelerator", "ClaimSet", "read_claims", "CONFIDENCE_RANK", "ACCELERATOR_CLASSES"]

CLAIMS_QUERY = """
SELECT ?f ?p ?o ?conf ?src WHERE {
  VALUES ?cls { cg:FigureClaim cg:MarketClaim cg:BenchmarkClaim }
  ?f a ?cls . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?f a ?cls } }
  VALUES ?p { cg:aboutEntity cg:metric cg:figureValue cg:figureLow cg:figureHigh cg:unit cg:claimDate
              cg:figureYear cg:claimedBy rdfs:label }
  GRAPH ?g { ?f ?p ?o }
  OPTIONAL { ?g cg:confidence ?conf }
  OPTIONAL { ?g cg:statedIn ?src }
}
"""

ACCELERATORS_QUERY = (
    """
SELECT ?a ?designer ?node ?country WHERE {
  VALUES ?cls { """
    + " ".join(f"cg:{c}" for c in sorted(ACCELERATOR_CLASSES))
    + """ }
  ?a a ?cls . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?a a ?cls } }
  OPTIONAL { ?a cg:designedBy ?designer OPTIONAL { ?designer cg:country ?country } }
  OPTIONAL { ?a cg:processNode ?node }
}
"""
)

#: The entities' labels: the read model's query (English and untagged labels of ``cgid:`` entities).
LABELS_QUERY = _LABELS_QUERY


@dataclass(frozen=True)
class FigureClaim:
    """One sourced, dated figure: what it measures, about what, for which year, how sure."""

    id: str
    metric: str
    value: float
    unit: str
    about: tuple[str, ...]
    claim_date: dt.date | None
    year: int | None
    confidence: str
    sources: tuple[str, ...]
    claimed_by: str | None = None
    label: str = ""
    low: float | None = None
    high: float | None = None

    @property
    def interval(self) -> tuple[float, float]:
        """The span this claim stands for: ``[figureLow or value, figureHigh or value]``."""
        return (self.low if self.low is not None else self.value, self.high if self.high is not None else self.value)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "id": self.id,
            "label": self.label,
            "metric": self.metric,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "year": self.year,
            "claim_date": self.claim_date.isoformat() if self.claim_date else None,
            "claimed_by": self.claimed_by,
            "confidence": self.confidence,
            "sources": list(self.sources),
            "about": list(self.about),
        }


@dataclass(frozen=True)
class Accelerator:
    """What the model needs to know about an accelerator besides its claims."""

    id: str
    label: str
    designers: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


@dataclass
class ClaimSet:
    """The figure claims, the accelerators and the labels of every entity (the read model's choice)."""

    claims: list[FigureClaim]
    accelerators: dict[str, Accelerator]
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, entity: str | None) -> str:
        """Label of an entity id (the id itself when it has none)."""
        if entity is None:
            return ""
        return self.labels.get(entity, entity)

    def by_id(self) -> dict[str, FigureClaim]:
        """Claims keyed by id."""
        return {c.id: c for c in self.claims}


def _id(term: Any) -> str | None:
    if term is None:
        return None
    return entity_id_of(term.value) if hasattr(term, "value") else None


def _property(term: Any) -> str:
    """A property IRI's local name, after the read model's prefixing: ``cg:figureValue`` -> ``figureValue``."""
    return compact(term.value).partition(":")[2]


def read_claims(store: Any) -> ClaimSet:
    """Read every figure claim and accelerator of the graph (three SPARQL queries).

    Parameters
    ----------
    store : GraphStore
        Anything with ``select(query) -> list[dict]`` (see :mod:`graph.store.local`).

    Returns
    -------
    ClaimSet
        Claims sorted by id, accelerators keyed by id, labels.
    """
    raw: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(set))
    conf: dict[str, str] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    for row in store.select(CLAIMS_QUERY):
        fid = _id(row["f"])
        if fid is None:
            continue
        prop = _property(row["p"])
        obj = row["o"]
        raw[fid][prop].add(_id(obj) if prop in ("aboutEntity", "claimedBy") else obj.value)
        if prop == "figureValue":
            if row.get("src") is not None:
                sources[fid].add(entity_id(row["src"]) or "")
            if row.get("conf") is not None:
                level = (entity_id(row["conf"]) or "").removesuffix("Confidence").lower()
                if CONFIDENCE_RANK.get(level, 0) > CONFIDENCE_RANK.get(conf.get(fid, ""), 0):
                    conf[fid] = level

    def one(values: set[Any]) -> Any:
        return sorted(values)[0] if values else None

    def num(values: set[Any]) -> float | None:
        v = one(values)
        return float(v) if v is not None else None

    claims: list[FigureClaim] = []
    for fid in sorted(raw):
        props = raw[fid]
        if not props.get("figureValue") or not props.get("metric"):
            continue
        date = one(props.get("claimDate", set()))
        year = one(props.get("figureYear", set()))
        claims.append(
            FigureClaim(
                id=fid,
                metric=one(props["metric"]),
                value=float(one(props["figureValue"])),
                unit=one(props.get("unit", set())) or "",
                about=tuple(sorted(a for a in props.get("aboutEntity", set()) if a)),
                claim_date=dt.date.fromisoformat(date[:10]) if date else None,
                year=int(str(year)[:4]) if year else None,
                confidence=conf.get(fid, "low"),
                sources=tuple(sorted(sources.get(fid, ()))),
                claimed_by=one({c for c in props.get("claimedBy", set()) if c}),
                label=one(props.get("label", set())) or fid,
                low=num(props.get("figureLow", set())),
                high=num(props.get("figureHigh", set())),
            )
        )

    acc: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.select(ACCELERATORS_QUERY):
        aid = _id(row["a"])
        if aid is None:
            continue
        entry = acc[aid]
        for key, col in (("designers", "designer"), ("nodes", "node"), ("countries", "country")):
            value = _id(row.get(col))
            if value:
                entry[key].add(value)
    by_lang: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.select(LABELS_QUERY):
        e, label = _id(row["e"]), row["label"]
        if e and isinstance(label, ox.Literal):
            by_lang[e][label.language or ""] = label.value
    labels = {e: preferred_label(texts, e) for e, texts in by_lang.items()}
    accelerators = {
        aid: Accelerator(
            id=aid,
            label=labels.get(aid) or aid,
            designers=tuple(sorted(d["designers"])),
            nodes=tuple(sorted(d["nodes"])),
            countries=tuple(sorted(d["countries"])),
        )
        for aid, d in sorted(acc.items())
    }
    return ClaimSet(claims=claims, accelerators=accelerators, labels=labels)
