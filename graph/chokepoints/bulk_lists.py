"""Entries of the bulk US Entity List (graph/data/lists) as measures the chokepoint rule can apply.

The restricted-party lists are imported as ``cg:ListEntry`` records joined to curated entities by
the reviewed crosswalk (``cg:listsParty``). An Entity List entry requires a licence for every item
subject to the EAR for the party, from the entry's effective date (the Federal Register
publication its citation gives), so it becomes an entity-listing :class:`Measure` with no item list.
It reaches foreign-made products only where its footnote says a foreign-direct-product rule
applies to the party: footnote 1 (the Huawei rule) and footnote 4 (the entity-list rule for
advanced computing and supercomputers). Footnote 5 (2024-12, for specific equipment items, with
Japan and the Netherlands exempt) is not read as a blanket reach.

The curated listings keep precedence: a party that a curated ``cg:EntityListing`` names is left
to it (its effective date and scope are checked by hand), so only parties the curators did not
list get a measure from the bulk data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.chokepoints.measures import Measure

__all__ = ["ENTITY_LIST", "FDP_FOOTNOTES", "bulk_listing_measures"]

#: The list id of the BIS Entity List in the lists import.
ENTITY_LIST = "list-bis-entity-list"
#: Entity List footnotes under which a foreign-direct-product rule reaches foreign-made items.
FDP_FOOTNOTES = {"1", "4"}


def bulk_listing_measures(model: Any, measures: dict[str, Measure]) -> dict[str, Measure]:
    """Measures for the Entity List entries of parties no curated listing names (see module docstring)."""
    listed = {p for m in measures.values() if m.kind == "EntityListing" for p in m.parties}
    out: dict[str, Measure] = {}
    for entry in sorted(e for e, t in model.types.items() if "ListEntry" in t):
        if ENTITY_LIST not in model.values(entry, "onList"):
            continue
        # only parties the crosswalk joined to a curated organisation can be a buyer in the graph;
        # the list's own party records (typed cg:Party only) buy nothing chipgraph models
        parties = [
            p for p in model.values(entry, "listsParty") if p not in listed and "Organisation" in model.types.get(p, ())
        ]
        dates = [v for v in model.values(entry, "effectiveDate") if len(v) >= 10]
        if not parties or not dates:
            continue
        footnotes = set(model.values(entry, "footnote"))
        claim = model.claim(entry, "effectiveDate", dates[0])
        out[entry] = Measure(
            id=entry,
            label=model.label(entry),
            kind="EntityListing",
            jurisdiction=frozenset({"USA"}),
            effective=min(dt.date.fromisoformat(d[:10]) for d in dates),
            parties=frozenset(parties),
            reaches_foreign=bool(footnotes & FDP_FOOTNOTES),
            legal_citation="; ".join(model.values(entry, "legalCitation")),
            scope_note="Entity List entry from the bulk list snapshot (every item subject to the EAR)"
            + (f"; footnote {', '.join(sorted(footnotes))}" if footnotes else ""),
            confidence=claim.confidence if claim else "medium",
            sources=tuple(sorted(claim.sources)) if claim else (),
        )
    return out
