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

from graph.read.model import Model

__all__ = ["CURRENT_RELEASE", "Release", "ShareTrend", "eto_releases", "prior_provisions", "release_on", "share_trends"]

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


def prior_provisions(model: Model) -> list[str]:
    """Ids of the ``cg:PriorProvision`` nodes, sorted."""
    return sorted(e for e, t in model.types.items() if "PriorProvision" in t)


def eto_releases(model: Model) -> list[Release]:
    """The current release and every release a prior provision is in, oldest first (empty without ETO)."""
    out: dict[str, Release] = {}
    current = _date(model.sources.get(CURRENT_RELEASE, {}).get("date"))
    if current is not None:
        out[CURRENT_RELEASE] = Release(CURRENT_RELEASE, current, True)
    for prov in prior_provisions(model):
        for rid in model.values(prov, "inRelease"):
            when = _date(model.sources.get(rid, {}).get("date"))
            if rid not in out and when is not None:
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


def _country_shares(model: Model, nodes: list[str], input_prop: str) -> dict[tuple[str, str], tuple[float, str]]:
    """(input, country provider) -> (share, year) of the given provision nodes, countries only."""
    out: dict[tuple[str, str], tuple[float, str]] = {}
    for prov in nodes:
        shares = model.values(prov, "sharePercent")
        if not shares:
            continue
        year = (model.values(prov, "year") or [""])[0]
        for provider in model.values(prov, "provider"):
            if not model.has_type(provider, {"Country"}):
                continue
            for item in model.values(prov, input_prop):
                out[item, provider] = (float(shares[0]), year)
    return out


def share_trends(model: Model) -> dict[tuple[str, str], ShareTrend]:
    """(input, country) -> the country's share in the oldest release and in the current one, where both give one."""
    releases = eto_releases(model)
    oldest = next((r for r in releases if not r.current), None)
    if oldest is None:
        return {}
    by_release: dict[str, list[str]] = defaultdict(list)
    for prov in prior_provisions(model):
        for rid in model.values(prov, "inRelease"):
            by_release[rid].append(prov)
    current_nodes = [
        e
        for e, t in sorted(model.types.items())
        if "Provision" in t
        and any(CURRENT_RELEASE in (c.sources) for c in model.facts.get(e, {}).get("provider", {}).values())
    ]
    then = _country_shares(model, by_release[oldest.id], "priorInput")
    now = _country_shares(model, current_nodes, "providedInput")
    return {
        key: ShareTrend(key[0], key[1], then[key][0], then[key][1], now[key][0], now[key][1])
        for key in sorted(then.keys() & now.keys())
    }
