"""Export-control measures as plain data, and the rule that says which measure cuts which supply.

A measure cuts a provider off from a buyer, for one item, on a date, when all of these hold:

1. **in force**: ``effective <= date < end`` (no end date: still in force);
2. **covers the item**: it names no item at all (an entity listing: every item subject to the
   imposing jurisdiction's law), or it names the item, or an item of which the item is a variant
   (``cg:isTypeOf``: a control on deposition tools covers ALD tools; not the other way round). HBM
   generations (``cg:HBMGeneration``) count as variants of ``hbm``. A measure that covers an item
   only **in part** (``cg:coversInputInPart``: the tools above a threshold, the types on a list)
   covers it in the *broad* reading and not in the *narrow* one; the analysis runs both and calls
   a finding robust when it holds in both;
3. **applies to the buyer**: its destination list contains the buyer's country, or its party list
   names the buyer or an organisation above the buyer (``cg:parentOrganisation``); a measure with
   neither list applies to every buyer;
4. **applies to the provider**: the provider is in the measure's jurisdiction, or the measure
   reaches foreign products (a foreign-direct-product rule) and the provider is elsewhere; and,
   for a measure addressed to named providers (``cg:bindsProvider``: the 2024 US letter to
   TSMC), the provider is one of them. A provider in the buyer's own country is never cut:
   another state's export law does not stop domestic supply.

Measures whose effective date is stated only with low confidence (such as the founding article's
"2023 equipment ban") are ignored unless ``min_confidence="low"`` is asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graph.vocab.terms import CONFIDENCE_RANK

__all__ = [
    "Measure",
    "CONFIDENCE_RANK",
    "READINGS",
    "cutting_measures",
    "in_force",
    "in_part_candidates",
    "listing_reaches_only_in_part",
    "parse_date",
    "servicing_cut",
]

# the one confidence order of the project (graph.vocab.terms, as the read model uses it)


def parse_date(value: str | dt.date | None, what: str = "date") -> dt.date | None:
    """An ISO date (YYYY-MM-DD) as a ``datetime.date``; raise InputError with a hint otherwise."""
    if value is None or isinstance(value, dt.date):
        return value
    from graph.errors import InputError, Problem

    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(Problem(f"bad {what} {value!r}", hint="write it as YYYY-MM-DD, e.g. 2024-12-02")) from None


@dataclass(frozen=True)
class Measure:
    """One export-control measure, as the analysis needs it."""

    id: str
    label: str
    kind: str  # "EntityListing" or "ItemControl"
    jurisdiction: frozenset[str]
    effective: dt.date | None
    end: dt.date | None = None
    parties: frozenset[str] = frozenset()
    destinations: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()  # coversInput, coversInputInPart and coversProduct ids
    partial_items: frozenset[str] = frozenset()  # the coversInputInPart ids among ``items``
    reaches_foreign: bool = False
    legal_citation: str = ""
    scope_note: str = ""
    confidence: str = "high"  # confidence of the effective date
    sources: tuple[str, ...] = ()
    hypothetical: bool = False  # added by a scenario
    covers_nothing: bool = False  # its coverage is stated only below the confidence floor, or is servicing only
    servicing_items: frozenset[str] = frozenset()  # cg:coversServicingOf: installed tools it stops servicing
    providers: frozenset[str] = frozenset()  # cg:bindsProvider: it binds only these providers (none: all in reach)
    exempt_countries: frozenset[str] = frozenset()  # cg:exemptsProviderCountry: makers its foreign reach spares
    suspended: tuple[tuple[dt.date, dt.date | None], ...] = ()  # [from, until) of whole suspensions
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_(self, **changes: Any) -> Measure:
        return replace(self, **changes)

    def change_dates(self) -> tuple[dt.date, ...]:
        """The dates on which the measure comes into or goes out of force: effective, end, and the
        start and end of each whole suspension (sorted, without repeats)."""
        dates = {self.effective, self.end, *(d for interval in self.suspended for d in interval)}
        return tuple(sorted(d for d in dates if d is not None))

    def as_dict(self) -> dict[str, Any]:
        """Plain data (sorted lists, ISO dates) for JSON output."""
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "jurisdiction": sorted(self.jurisdiction),
            "effective": self.effective.isoformat() if self.effective else None,
            "end": self.end.isoformat() if self.end else None,
            "parties": sorted(self.parties),
            "destinations": sorted(self.destinations),
            "items": sorted(self.items),
            "items_in_part": sorted(self.partial_items),
            "servicing_items": sorted(self.servicing_items),
            "binds_providers": sorted(self.providers),
            "exempt_provider_countries": sorted(self.exempt_countries),
            "reaches_foreign_products": self.reaches_foreign,
            "legal_citation": self.legal_citation,
            "scope_note": self.scope_note,
            "confidence": self.confidence,
            "sources": list(self.sources),
            "hypothetical": self.hypothetical,
            "suspended": [[a.isoformat(), b.isoformat() if b else None] for a, b in self.suspended],
        }


def in_force(measure: Measure, date: dt.date) -> bool:
    """True when ``effective <= date < end`` and no whole suspension holds on ``date``.

    :meth:`graph.read.model.MeasureFacts.in_force` on parsed dates, kept here on
    ``datetime.date`` values because annotate_cuts calls it for every candidate of every supply
    edge at every date it evaluates; the read model's takes ISO text.
    """
    if measure.effective is None or measure.effective > date:
        return False
    if measure.end is not None and date >= measure.end:
        return False
    return not any(start <= date and (until is None or date < until) for start, until in measure.suspended)


#: The two readings of a measure's scope: "broad" counts coverage in part as coverage, "narrow" does not.
READINGS = ("broad", "narrow")


def covers(measure: Measure, item: str, item_ancestors: Iterable[str] = (), reading: str = "broad") -> bool:
    """Does the measure cover ``item`` (directly, through a broader item, or as an all-items listing)?

    >>> m = Measure("jp", "Japan 23 items", "ItemControl", frozenset({"JPN"}), None,
    ...             items=frozenset({"euv", "deposition"}), partial_items=frozenset({"deposition"}))
    >>> covers(m, "ald", ["deposition"]), covers(m, "ald", ["deposition"], reading="narrow")
    (True, False)
    """
    if measure.covers_nothing:
        return False
    if not measure.items:
        return True
    items = measure.items if reading == "broad" else measure.items - measure.partial_items
    return item in items or any(a in items for a in item_ancestors)


def applies_to_buyer(measure: Measure, buyer_parties: Iterable[str], buyer_country: str | None) -> bool:
    """Does the measure restrict exports to this buyer (by destination or by listing)?"""
    if not measure.destinations and not measure.parties:
        # A listing restricts exports to the parties it names. One whose parties are not in the
        # graph (the 2025 affiliates rule, listings whose parties are named only in notes) restricts
        # no buyer chipgraph knows; read as "every buyer" it would cut every supplier of every chip.
        return measure.kind != "EntityListing"
    if buyer_country is not None and buyer_country in measure.destinations:
        return True
    return bool(measure.parties.intersection(buyer_parties))


def applies_to_provider(
    measure: Measure, provider_country: str | None, buyer_country: str | None, provider: str | None = None
) -> bool:
    """Does the measure bind this provider (its jurisdiction, or a foreign-direct-product reach
    that does not exempt the provider's country; and, for a measure addressed to named
    providers, one of them)?

    >>> letter = Measure(id="m", label="", kind="ItemControl", jurisdiction=frozenset({"USA"}),
    ...                  effective=None, reaches_foreign=True, providers=frozenset({"tsmc"}))
    >>> applies_to_provider(letter, "TWN", "CHN", "tsmc"), applies_to_provider(letter, "KOR", "CHN", "samsung")
    (True, False)
    >>> sme = Measure(id="s", label="", kind="ItemControl", jurisdiction=frozenset({"USA"}), effective=None,
    ...               reaches_foreign=True, exempt_countries=frozenset({"JPN", "NLD"}))
    >>> [applies_to_provider(sme, c, "CHN") for c in ("USA", "KOR", "JPN")]
    [True, True, False]
    """
    if provider_country is None:
        return False
    if measure.providers and provider not in measure.providers:
        return False
    if buyer_country is not None and provider_country == buyer_country:
        return False
    if provider_country in measure.jurisdiction:
        return True
    return measure.reaches_foreign and provider_country not in measure.exempt_countries


def candidate_measures(
    measures: Mapping[str, Measure],
    *,
    item: str,
    item_ancestors: Iterable[str],
    buyer_parties: Iterable[str],
    buyer_country: str | None,
    provider_country: str | None,
    provider: str | None = None,
    reading: str = "broad",
    foreign_reach_in_part: bool = False,
) -> tuple[str, ...]:
    """Ids of the measures that would cut this supply whenever they are in force (dates ignored).

    ``reading="broad"`` (default) counts coverage in part; ``"narrow"`` does not. With
    ``foreign_reach_in_part`` (the item is a tool or material made abroad, see
    :func:`listing_reaches_only_in_part`), a listing's foreign-direct-product reach to a foreign
    provider counts as coverage in part.
    """
    ancestors = tuple(item_ancestors)
    parties = tuple(buyer_parties)
    return tuple(
        sorted(
            m.id
            for m in measures.values()
            if covers(m, item, ancestors, reading)
            and applies_to_buyer(m, parties, buyer_country)
            and applies_to_provider(m, provider_country, buyer_country, provider)
            and not (
                reading == "narrow" and foreign_reach_in_part and listing_reaches_only_in_part(m, provider_country)
            )
        )
    )


def listing_reaches_only_in_part(measure: Measure, provider_country: str | None) -> bool:
    """Does ``measure`` bind this provider only through the foreign-direct-product reach of a listing?

    An entity listing with a foreign-direct-product rule (Huawei's footnote 1, footnote 4)
    reaches a foreign-made item only if the item is a direct product of specified US technology
    or software, or is made by a plant that is. Foreign chips qualify (their fabs run on US
    tools: the reach these rules were written for), but whether a foreign toolmaker's bonder or
    a foreign material does depends on its US content, which no source gives per item; so for
    tools and materials the reach is coverage *in part*: the broad reading counts it, the narrow
    one does not, and a finding resting on it is fragile. Item controls with their own
    foreign-direct-product scope (the 2024-12 SME rule) name their items and are not affected.

    >>> fdp = Measure(id="m", label="", kind="EntityListing", jurisdiction=frozenset({"USA"}),
    ...               effective=None, reaches_foreign=True, parties=frozenset({"huawei"}))
    >>> listing_reaches_only_in_part(fdp, "KOR"), listing_reaches_only_in_part(fdp, "USA")
    (True, False)
    """
    return (
        measure.reaches_foreign
        and not measure.items
        and provider_country is not None
        and provider_country not in measure.jurisdiction
    )


def in_part_candidates(measures: Mapping[str, Measure], candidates: Iterable[str], **supply: Any) -> tuple[str, ...]:
    """The candidates (broad reading) that cover this supply only in part: dropped in the narrow reading."""
    narrow = set(candidate_measures(measures, reading="narrow", **supply))
    return tuple(c for c in candidates if c not in narrow)


def cutting_measures(
    measures: Mapping[str, Measure],
    candidates: Iterable[str],
    date: dt.date,
    min_confidence: str = "medium",
    exclude: Iterable[str] = (),
) -> tuple[str, ...]:
    """The candidate measures that are in force on ``date`` and trusted enough (minus ``exclude``)."""
    floor = CONFIDENCE_RANK[min_confidence]
    skip = set(exclude)
    out = []
    for mid in candidates:
        if mid in skip:
            continue
        m = measures.get(mid)
        if m is not None and CONFIDENCE_RANK.get(m.confidence, 0) >= floor and in_force(m, date):
            out.append(mid)
    return tuple(sorted(out))


def servicing_cut(
    measures: Mapping[str, Measure], supply: Mapping[str, Any], date: dt.date, min_confidence: str = "medium"
) -> tuple[str, ...]:
    """Measures in force on ``date`` that stop this supply edge's provider servicing installed tools.

    ``supply`` is a supply edge's data (item, item_ancestors, buyer_parties, buyer_country,
    provider_country). A cut-off input is bridged by the tools already installed; such a measure
    says that bridge decays (no service, spare parts or software updates).
    """
    floor = CONFIDENCE_RANK[min_confidence]
    items = {supply["item"], *supply.get("item_ancestors", ())}
    return tuple(
        sorted(
            m.id
            for m in measures.values()
            if m.servicing_items & items
            and CONFIDENCE_RANK.get(m.confidence, 0) >= floor
            and in_force(m, date)
            and applies_to_buyer(m, supply.get("buyer_parties", ()), supply.get("buyer_country") or None)
            and applies_to_provider(
                m,
                supply.get("provider_country") or None,
                supply.get("buyer_country") or None,
                supply.get("provider") or None,
            )
        )
    )
