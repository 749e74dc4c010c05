"""Which measures cut which supply edges of a dependency graph: candidates and cuts on a date.

These two steps depend only on :mod:`graph.chokepoints.measures`, so that the scenarios
(:mod:`graph.chokepoints.scenarios`) and the analysis can re-run them on a changed graph without
importing the projection that builds it: the chain is measures <- cuts <- scenarios <- projection.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from graph.chokepoints.measures import READINGS, candidate_measures, cutting_measures, in_part_candidates, parse_date

__all__ = ["annotate_cuts", "recompute_candidates"]


def annotate_cuts(
    G: nx.DiGraph, as_of: dt.date | str | None = None, *, min_confidence: str = "medium", reading: str = "broad"
) -> nx.DiGraph:
    """Set ``cut_by`` on every supply edge for the date (in place) and record it in ``G.graph``.

    ``reading="narrow"`` leaves out the measures that cover an edge's item only in part.
    """
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, not {reading!r}")
    date = parse_date(as_of, "--as-of date") or dt.date.today()
    measures = G.graph.get("measures", {})
    for _, _, data in G.edges(data=True):
        if "candidates" in data:
            skip = data.get("in_part", ()) if reading == "narrow" else ()
            data["cut_by"] = cutting_measures(measures, data["candidates"], date, min_confidence, exclude=skip)
    G.graph["as_of"] = date.isoformat()
    G.graph["min_confidence"] = min_confidence
    G.graph["reading"] = reading
    return G


def recompute_candidates(G: nx.DiGraph) -> None:
    """Re-derive every supply edge's candidate measures (after a scenario changed the measures)."""
    measures = G.graph.get("measures", {})
    for _, _, data in G.edges(data=True):
        if "candidates" in data:
            supply = dict(
                item=data["item"],
                item_ancestors=data["item_ancestors"],
                buyer_parties=data["buyer_parties"],
                buyer_country=data["buyer_country"] or None,
                provider_country=data["provider_country"] or None,
                provider=data.get("provider") or None,
                foreign_reach_in_part=bool(data.get("foreign_reach_in_part")),
            )
            data["candidates"] = candidate_measures(measures, **supply)
            data["in_part"] = in_part_candidates(measures, data["candidates"], **supply)
