"""When each chokepoint of an accelerator appeared or vanished, as the measures came and went.

The analysis (:func:`graph.chokepoints.analysis.all_chokepoints`, both readings) is run on every
date on which a measure of the graph takes effect or ends, up to the graph's date; between two
such dates nothing a measure does can change. Each event says on which date a finding (a row
key) appeared or vanished for an accelerator, with its order, reading and the measures behind it.
The first date evaluated is the baseline: its findings are listed as ``present``. Dates on which
only measures that touch no supply edge of the graph change (controls on US chips, say) are
skipped: the analysis there equals the one before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from graph.chokepoints.analysis import all_chokepoints, domestic_accelerators
from graph.chokepoints.measures import in_force, parse_date

__all__ = ["change_dates", "history"]


def change_dates(G: nx.DiGraph, until: dt.date) -> list[dt.date]:
    """Every date up to ``until`` on which a measure of the graph takes effect or ends, sorted."""
    dates = set()
    for m in G.graph.get("measures", {}).values():
        for d in (m.effective, m.end):
            if d is not None and d <= until:
                dates.add(d)
    return sorted(dates)


def _relevant_in_force(G: nx.DiGraph, date: dt.date, relevant: set[str]) -> frozenset[str]:
    """The measures in force on ``date`` that could cut some supply edge or servicing of the graph."""
    measures = G.graph.get("measures", {})
    return frozenset(m for m in relevant if in_force(measures[m], date))


def _measures_on(G: nx.DiGraph, date: dt.date) -> list[str]:
    """Ids of the measures that take effect or end on ``date``."""
    return sorted(m.id for m in G.graph.get("measures", {}).values() if date in (m.effective, m.end))


def history(
    G: nx.DiGraph,
    accelerators: Iterable[str] | None = None,
    *,
    until: Any = None,
    max_order: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Events (accelerator, date, event, key, ...) in date order; see the module docstring.

    ``until`` defaults to the graph's date; ``progress(done, total)`` is called after each date.
    """
    last = parse_date(until, "--as-of date") or parse_date(G.graph.get("as_of"))
    assert last is not None
    accs = sorted(accelerators) if accelerators is not None else domestic_accelerators(G)
    dates = change_dates(G, last) or [last]
    before: dict[str, dict[str, dict[str, Any]]] = {}
    events: list[dict[str, Any]] = []
    measures = G.graph.get("measures", {})
    relevant = {m for _, _, d in G.edges(data=True) for m in d.get("candidates", ())}
    relevant |= {m.id for m in measures.values() if m.servicing_items}
    previous: frozenset[str] | None = None
    for i, date in enumerate(dates):
        if progress is not None:
            progress(i + 1, len(dates))
        active = _relevant_in_force(G, date, relevant)
        if active == previous:
            continue  # no measure that touches these accelerators started or ended: nothing changes
        previous = active
        changed_by = _measures_on(G, date)
        for res in all_chokepoints(G, accs, as_of=date, max_order=max_order):
            now = {row["key"]: row for row in res["chokepoints"]}
            was = before.get(res["accelerator"])
            for key in sorted(set(now) | set(was or {})):
                if was is not None and (key in now) == (key in was):
                    continue
                row = now.get(key) or (was or {})[key]
                event = "present" if was is None else "appears" if key in now else "vanishes"
                events.append(
                    {
                        "accelerator": res["accelerator"],
                        "date": date.isoformat(),
                        "event": event,
                        "key": key,
                        "order": row["order"],
                        "reading": row.get("reading", "both"),
                        "robust": row.get("robust", True),
                        "measures": row["measures"] if key in now else [],
                        "measures_changing": changed_by if event != "present" else [],
                    }
                )
            before[res["accelerator"]] = now
    return events
