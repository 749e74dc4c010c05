"""Which release of the ETO dataset gives the market shares on a date, and each share then and now.

The graph holds the current ETO release's provisions (``cg:Provision``, stated in
``eto-chip-explorer``) and those of earlier releases (``cg:PriorProvision``, each ``cg:inRelease``
its own ``cg:Dataset``, dated by its commit). This module defines, once, for the chokepoint
projection and the reports:

- **the release of a date** (:func:`release_on`): the newest release published on or before the
  date; before the oldest release, the oldest one, marked ``fallback`` (no earlier figures exist,
  and callers say so);
- **a share then and now** (:func:`share_trends`): per (input, country), the country's share in
  the oldest release and in the current one, with the years of the figures, where both give one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from graph.read.model import Model, entity_id
from graph.store.local import GraphStore

__all__ = [
    "CURRENT_RELEASE",
    "PriorRow",
    "Release",
    "ShareTrend",
    "eto_releases",
    "prior_rows",
    "release_on",
    "share_trends",
]

#: The source id of the current ETO release (``graph.rdf.eto_rdf.ETO_SOURCE_ID``).
CURRENT_RELEASE = "eto-chip-explorer"


@dataclass(frozen=True)
class Release:
    """One ETO release in the graph: its source id, publication date and whether it is the current one."""

    id: str
    date: dt.date
    current: bool

    def as_dict(self, fallback: bool = False) -> dict[str, object]:
        return {"release": self.id, "date": self.date.isoformat(), "current": self.current, "fallback": fallback}


@dataclass(frozen=True)
class ShareTrend:
    """A country's share of an input in the oldest and in the current release (percent, figure year)."""

    item: str
    country: str
    then: float
    then_year: str
    now: float
    now_year: str

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "country": self.country,
            "then": self.then,
            "then_year": self.then_year,
            "now": self.now,
            "now_year": self.now_year,
        }


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text and len(text) >= 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class PriorRow:
    """One ``cg:PriorProvision``: provider, input, share (None if not given), year, release, source, confidence."""

    id: str
    provider: str
    item: str
    share: float | None
    year: str
    release: str
    sources: tuple[str, ...]
    confidence: str


#: The earlier releases' provisions are read with this one query rather than through the read
#: model's facts (which leave their graphs out): most analyses need only the current release.
PRIOR_QUERY = """
SELECT ?p ?provider ?input ?share ?year ?release ?src ?conf WHERE {
  GRAPH ?g { ?p a cg:PriorProvision ; cg:provider ?provider ; cg:priorInput ?input ; cg:inRelease ?release .
             OPTIONAL { ?p cg:sharePercent ?share } OPTIONAL { ?p cg:year ?year } }
  OPTIONAL { ?g cg:statedIn ?src } OPTIONAL { ?g cg:confidence ?conf }
}
"""


def prior_rows(store: GraphStore) -> list[PriorRow]:
    """Every prior provision of the graph, sorted by id."""
    fields: dict[str, tuple[str, str, str, float | None, str]] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    confidence: dict[str, str] = {}
    for row in store.select(PRIOR_QUERY):
        pid = entity_id(row["p"]) or ""
        share, year = row.get("share"), row.get("year")
        fields[pid] = (
            entity_id(row["provider"]) or "",
            entity_id(row["input"]) or "",
            entity_id(row["release"]) or "",
            float(share.value) if isinstance(share, ox.Literal) else None,
            year.value if isinstance(year, ox.Literal) else "",
        )
        if row.get("src") is not None:
            sources[pid].add(entity_id(row["src"]) or "")
        conf = entity_id(row.get("conf"))
        if conf:
            confidence[pid] = conf.removesuffix("Confidence").lower()
    return [
        PriorRow(pid, provider, item, share, year, release, tuple(sorted(sources[pid])), confidence.get(pid, "low"))
        for pid, (provider, item, release, share, year) in sorted(fields.items())
    ]


def eto_releases(model: Model, prior: list[PriorRow]) -> list[Release]:
    """The current release and every release a prior provision is in, oldest first (empty without ETO)."""
    out: dict[str, Release] = {}
    current = _date(model.sources.get(CURRENT_RELEASE, {}).get("date"))
    if current is not None:
        out[CURRENT_RELEASE] = Release(CURRENT_RELEASE, current, True)
    for rid in sorted({r.release for r in prior}):
        when = _date(model.sources.get(rid, {}).get("date"))
        if when is not None:
            out[rid] = Release(rid, when, False)
    return sorted(out.values(), key=lambda r: (r.date, r.id))


def release_on(releases: list[Release], date: dt.date | None) -> tuple[Release | None, bool]:
    """(release, fallback): the newest release published on or before ``date`` (``None``: the current one).

    Before the oldest release, the oldest one with ``fallback`` True.

    >>> old, new = Release("old", dt.date(2025, 7, 11), False), Release("new", dt.date(2026, 8, 14), True)
    >>> [(r.id, f) for r, f in (release_on([old, new], dt.date(d, 1, 1)) for d in (2025, 2026, 2027))]
    [('old', True), ('old', False), ('new', False)]
    """
    if not releases:
        return None, False
    if date is None:
        return next((r for r in releases if r.current), releases[-1]), False
    published = [r for r in releases if r.date <= date]
    if published:
        return published[-1], False
    return releases[0], True


def is_current_eto(model: Model, provision: str) -> bool:
    """Is this cg:Provision stated by the current ETO release (rather than, say, a curated source)?"""
    return any(CURRENT_RELEASE in c.sources for c in model.facts.get(provision, {}).get("provider", {}).values())


def share_trends(model: Model, prior: list[PriorRow]) -> dict[tuple[str, str], ShareTrend]:
    """(input, country) -> the country's share in the oldest release and in the current one, where both give one."""
    releases = eto_releases(model, prior)
    oldest = next((r for r in releases if not r.current), None)
    if oldest is None:
        return {}
    then: dict[tuple[str, str], tuple[float, str]] = {}
    for row in prior:
        if row.release == oldest.id and row.share is not None and model.has_type(row.provider, {"Country"}):
            then[row.item, row.provider] = (row.share, row.year)
    now: dict[tuple[str, str], tuple[float, str]] = {}
    for prov, types in sorted(model.types.items()):
        if "Provision" not in types or not is_current_eto(model, prov):
            continue
        shares = model.values(prov, "sharePercent")
        if not shares:
            continue
        year = (model.values(prov, "year") or [""])[0]
        for provider in model.values(prov, "provider"):
            if model.has_type(provider, {"Country"}):
                for item in model.values(prov, "providedInput"):
                    now[item, provider] = (float(shares[0]), year)
    return {
        key: ShareTrend(key[0], key[1], then[key][0], then[key][1], now[key][0], now[key][1])
        for key in sorted(then.keys() & now.keys())
    }
