"""When each chokepoint of an accelerator appeared or vanished, as the measures came and went.

The analysis (:func:`graph.chokepoints.analysis.all_chokepoints`, both readings) is run on every
date on which a measure of the graph takes effect, ends, or is wholly suspended or resumes, up to
the graph's date; between two such dates nothing a measure does can change. Each event says on
which date a finding (a row key) appeared or vanished for an accelerator, with its order, reading
and the measures behind it; ``changes`` says that a finding that holds on both sides of a date
holds there in another reading (robust before, fragile after: a control that covers its input in
part, such as the Dutch 2025 metrology rule, cuts a pair in the broad reading only).
The first date evaluated is the baseline: its findings are listed as ``present``.

Only what can change is recomputed, so that the history of every accelerator costs about as
much as two or three single-date analyses (the site draws it on every accelerator's page):

- dates on which only measures that touch no supply edge of the graph change (controls on US
  chips, say) are skipped: the analysis there equals the one before;
- one working copy of the graph per reading is re-cut in place from date to date, and only on
  the edges that have a measure among their candidates whose being in force changed
  (:class:`_Recut`); the partial-substitute copy follows those edges;
- an accelerator's result depends only on the cuts of the edges under it and the servicing
  measures in force for them, so it is recomputed only when one of those changed, and a state
  seen before (a measure suspended and resumed) reuses the result found then.

The events are byte for byte those of running :func:`~graph.chokepoints.analysis.all_chokepoints`
on every date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

import networkx as nx

from graph.chokepoints import nodeids
from graph.chokepoints.analysis import (
    NO_CAPABILITY,
    analyse,
    domestic_accelerators,
    merge_readings,
    without_partial_substitutes,
)
from graph.chokepoints.cuts import annotate_cuts
from graph.chokepoints.measures import READINGS, Measure, cutting_measures, in_force, parse_date

__all__ = ["change_dates", "history"]


def change_dates(G: nx.DiGraph, until: dt.date) -> list[dt.date]:
    """Every date up to ``until`` on which a measure of the graph takes effect, ends, or is suspended
    or resumes, sorted."""
    dates: set[dt.date] = set()
    for m in G.graph.get("measures", {}).values():
        dates.update(d for d in m.change_dates() if d <= until)
    return sorted(dates)


def _relevant_in_force(G: nx.DiGraph, date: dt.date, relevant: set[str]) -> frozenset[str]:
    """The measures in force on ``date`` that could cut some supply edge or servicing of the graph."""
    measures = G.graph.get("measures", {})
    return frozenset(m for m in relevant if in_force(measures[m], date))


def _measures_on(G: nx.DiGraph, date: dt.date) -> list[str]:
    """Ids of the measures that take effect, end, are suspended or resume on ``date``."""
    return sorted(m.id for m in G.graph.get("measures", {}).values() if date in m.change_dates())


class _Recut:
    """A copy of ``G`` cut as of a date in one reading, moved from date to date in place.

    :func:`~graph.chokepoints.cuts.annotate_cuts` sets the cuts of the first date; after that only
    the supply edges with a candidate whose being in force changed get their ``cut_by`` again
    (the same :func:`~graph.chokepoints.measures.cutting_measures` call), so the graph equals the
    one ``annotate_cuts`` would give on that date. ``substitutes`` follows it edge by edge as
    :func:`~graph.chokepoints.analysis.without_partial_substitutes` would build it.
    """

    def __init__(self, G: nx.DiGraph, date: dt.date, reading: str, min_confidence: str, partial: bool) -> None:
        self.reading, self.conf = reading, min_confidence
        self.measures: Mapping[str, Measure] = G.graph.get("measures", {})
        self.graph = annotate_cuts(G.copy(), date, min_confidence=min_confidence, reading=reading)
        self.substitutes = without_partial_substitutes(self.graph) if partial else None
        self.date = date
        self.by_measure: dict[str, list[tuple[dict[str, Any], dict[str, Any] | None]]] = defaultdict(list)
        for u, v, data in self.graph.edges(data=True):
            if "candidates" in data:
                twin = self.substitutes.edges[u, v] if self.substitutes is not None else None
                for m in data["candidates"]:
                    self.by_measure[m].append((data, twin))

    def move_to(self, date: dt.date) -> None:
        """Re-cut the edges whose candidates' state changed between the current date and ``date``."""
        changed = [
            m
            for m in self.by_measure
            if m in self.measures and in_force(self.measures[m], self.date) != in_force(self.measures[m], date)
        ]
        seen: set[int] = set()
        for m in changed:
            for data, twin in self.by_measure[m]:
                if id(data) in seen:
                    continue
                seen.add(id(data))
                skip = data.get("in_part", ()) if self.reading == "narrow" else ()
                data["cut_by"] = cutting_measures(self.measures, data["candidates"], date, self.conf, exclude=skip)
                if twin is not None:
                    partial = twin.get("partial_substitute") and not data["cut_by"]
                    twin["cut_by"] = (NO_CAPABILITY,) if partial else data["cut_by"]
        self.date = date
        for g in (self.graph, self.substitutes):
            if g is not None:
                g.graph["as_of"] = date.isoformat()


class _Under:
    """What an accelerator's result depends on: the supply edges under it and their measures."""

    def __init__(self, G: nx.DiGraph, accelerator: str, servicing: Iterable[Measure]) -> None:
        root = nodeids.accelerator(accelerator)
        nodes = nx.descendants(G, root) | {root}
        self.edges: list[tuple[Hashable, Hashable]] = sorted(
            ((u, v) for u in nodes for v, d in G.adj[u].items() if "candidates" in d), key=str
        )
        self.measures: set[str] = {m for u, v in self.edges for m in G.edges[u, v]["candidates"]}
        items = {
            i for u, v in self.edges for i in (G.edges[u, v].get("item"), *G.edges[u, v].get("item_ancestors", ()))
        }
        self.servicing = sorted(m.id for m in servicing if m.servicing_items & items)
        self.data: dict[str, list[dict[str, Any]]] = {}

    def state(self, recut: _Recut, servicing_in_force: frozenset[str]) -> tuple:
        """The cuts under the accelerator in ``recut`` and its servicing measures in force: a memo key."""
        data = self.data.get(recut.reading)
        if data is None:  # the edge attributes of this reading's copy, looked up once
            adj = recut.graph.adj
            data = self.data[recut.reading] = [adj[u][v] for u, v in self.edges]
        return tuple(d["cut_by"] for d in data), tuple(m for m in self.servicing if m in servicing_in_force)


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
    servicing = [m for m in measures.values() if m.servicing_items]
    conf = G.graph.get("min_confidence", "medium")
    edges = [d for _, _, d in G.edges(data=True)]
    has_in_part = any(d.get("in_part") for d in edges)
    has_partial = any(d.get("partial_substitute") for d in edges)
    readings = READINGS if has_in_part else READINGS[:1]  # without coverage in part, narrow is broad
    under = {a: _Under(G, a, servicing) for a in accs}
    recuts: dict[str, _Recut] = {}
    memo: dict[tuple[str, tuple], dict[str, Any]] = {}
    last_active: dict[str, frozenset[str]] = {}
    previous: frozenset[str] | None = None
    for i, date in enumerate(dates):
        if progress is not None:
            progress(i + 1, len(dates))
        active = _relevant_in_force(G, date, relevant)
        if active == previous:
            continue  # no measure that touches these accelerators started or ended: nothing changes
        previous = active
        for r in readings:
            if r in recuts:
                recuts[r].move_to(date)
            else:
                recuts[r] = _Recut(G, date, r, conf, has_partial)
        servicing_now = frozenset(m.id for m in servicing if in_force(m, date))
        changed_by = _measures_on(G, date)
        for a in accs:
            mine = active & under[a].measures | {m for m in under[a].servicing if m in servicing_now}
            if last_active.get(a) == mine:
                continue  # nothing under this accelerator changed: its findings are the ones before
            last_active[a] = frozenset(mine)
            per = {}
            for r in readings:
                state = (a, under[a].state(recuts[r], servicing_now))
                if state not in memo:
                    rc = recuts[r]
                    memo[state] = analyse(rc.graph, a, max_order=max_order, substitutes=rc.substitutes)
                per[r] = memo[state]
            if len(readings) < len(READINGS):
                per = {r: per[readings[0]] for r in READINGS}
            res = merge_readings(per)
            now = {row["key"]: row for row in res["chokepoints"]}
            was = before.get(a)
            for key in sorted(set(now) | set(was or {})):
                if was is not None and key in now and key in was:
                    if now[key].get("reading", "both") == was[key].get("reading", "both"):
                        continue
                    event = "changes"  # holds before and after, in another reading
                elif was is not None and (key in now) == (key in was):
                    continue
                else:
                    event = "present" if was is None else "appears" if key in now else "vanishes"
                row = now.get(key) or (was or {})[key]
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
            before[a] = now
    return events
