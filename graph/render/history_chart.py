"""An accelerator's chokepoint history as an inline SVG: one row per finding, a bar where it holds.

The events come from :func:`graph.chokepoints.history.history` (``present`` on the first date
analysed, then ``appears``, ``vanishes`` and ``changes`` (another reading), each on the date a
measure took effect or ended).
Each finding key gets a row, ordered by the date it first held, then order and key; its bars run
from each appearance to the next vanishing (or to the page's date), coloured by order (0: cut
off, 1: single point, 2: pair) and drawn pale and dashed where the finding is fragile (it holds
in one reading of the measures' scope only). A thin mark on the axis stands at every date on
which something changed, its tooltip naming the measures that changed then. Drawn in Python
like :mod:`graph.render.timeline`; the template ``history.svg`` escapes every text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from graph.render.templating import render

__all__ = ["history_rows", "history_svg", "key_label"]

ROW = 20
LEFT = 400
PLOT = 560
TOP = 36
COLOURS = {0: "#b30000", 1: "#e6550d", 2: "#fdae6b"}
ORDER_TEXT = {0: "cut off", 1: "single point", 2: "pair", 3: "triple"}


def key_label(key: str, labels: Mapping[str, str]) -> str:
    """A finding key in words: ``cut:euv-lithography-tools`` -> ``cut off: EUV lithography tools``.

    >>> key_label("providers:asml+tel", {"asml": "ASML", "tel": "Tokyo Electron"})
    'ASML + Tokyo Electron'
    >>> key_label("government:JPN+TWN:ion-implanters", {"ion-implanters": "Ion implanters"})
    'if JPN + TWN controlled Ion implanters'
    """
    kind, _, rest = key.partition(":")
    if kind == "government":
        countries, _, item = rest.partition(":")
        return f"if {' + '.join(countries.split('+'))} controlled {labels.get(item, item)}"
    names = " + ".join(labels.get(p, p) for p in rest.split("+"))
    if kind == "cut":
        return f"cut off: {names}"
    if kind == "domestic-only":
        return f"domestic only: {names}"
    return names


def history_rows(events: list[dict[str, Any]], until: str) -> list[dict[str, Any]]:
    """One row per finding key: its order, spans ``[(start, end or "", reading, measures), ...]``.

    >>> rows = history_rows([
    ...     {"date": "2020-01-01", "event": "present", "key": "k", "order": 1, "reading": "both", "measures": []},
    ...     {"date": "2022-01-01", "event": "vanishes", "key": "k", "order": 1, "reading": "both", "measures": []}],
    ...     "2026-01-01")
    >>> rows[0]["spans"]
    [{'start': '2020-01-01', 'end': '2022-01-01', 'reading': 'both', 'measures': []}]

    A finding that holds on in another reading (``changes``) gets a new span from that date:

    >>> rows = history_rows([
    ...     {"date": "2020-01-01", "event": "present", "key": "k", "order": 2, "reading": "both", "measures": []},
    ...     {"date": "2025-04-01", "event": "changes", "key": "k", "order": 2, "reading": "narrow", "measures": []}],
    ...     "2026-01-01")
    >>> [(s["start"], s["end"], s["reading"]) for s in rows[0]["spans"]]
    [('2020-01-01', '2025-04-01', 'both'), ('2025-04-01', '', 'narrow')]
    """
    rows: dict[str, dict[str, Any]] = {}
    for e in events:
        row = rows.setdefault(e["key"], {"key": e["key"], "order": e["order"], "spans": []})
        if e["event"] in ("vanishes", "changes") and row["spans"] and not row["spans"][-1]["end"]:
            row["spans"][-1]["end"] = e["date"]
        if e["event"] in ("present", "appears", "changes"):
            row["spans"].append({"start": e["date"], "end": "", "reading": e["reading"], "measures": e["measures"]})
    return sorted(rows.values(), key=lambda r: (r["spans"][0]["start"] if r["spans"] else until, r["order"], r["key"]))


def _year(date: str) -> float:
    d = dt.date.fromisoformat(date[:10])
    return d.year + (d.timetuple().tm_yday - 1) / 366


def history_svg(
    events: list[dict[str, Any]],
    until: str,
    *,
    labels: Mapping[str, str],
    measure_label: Callable[[str], str],
    anchors: Mapping[str, str] | None = None,
) -> Markup:
    """The chart of one accelerator's ``events`` up to ``until`` (safe HTML).

    ``labels`` names the entities in the keys, ``measure_label`` the measures, ``anchors`` maps
    the keys of findings that hold on ``until`` to their rows' ids on the page.
    """
    rows = history_rows(events, until)
    if not rows:
        return render("history.svg", h={"rows": []})
    starts = [_year(s["start"]) for r in rows for s in r["spans"]]
    first, last = int(min(starts)), int(_year(until)) + 1

    def px(year: float) -> float:
        return round(LEFT + (year - first) / (last - first) * PLOT, 1)

    changes: dict[str, set[str]] = {}
    for e in events:
        if e["event"] != "present":
            changes.setdefault(e["date"], set()).update(e.get("measures_changing", ()))
    drawn = []
    for i, row in enumerate(rows):
        y = TOP + i * ROW + ROW / 2
        label = key_label(row["key"], labels)
        bars = []
        for s in row["spans"]:
            end = s["end"] or until
            fragile = s["reading"] != "both"
            holds = f"from {s['start']}" + (f" until {s['end']}" if s["end"] else f" (still on {until})")
            why = "; ".join(measure_label(m) for m in s["measures"])
            bars.append(
                {
                    "x0": px(_year(s["start"])),
                    "x1": max(px(_year(end)), px(_year(s["start"])) + 2),
                    "fragile": fragile,
                    "title": f"{label} ({ORDER_TEXT.get(row['order'], row['order'])}"
                    + (f", fragile: {s['reading']} reading only" if fragile else ", robust")
                    + f") {holds}"
                    + (f"; cut by {why}" if why else ""),
                }
            )
        href = "#" + anchors[row["key"]] if anchors and row["key"] in anchors else ""
        drawn.append(
            {
                "key": row["key"],
                "y": y,
                "label": label if len(label) <= 52 else label[:51] + "…",
                "order": row["order"],
                "colour": COLOURS.get(row["order"], "#fdd0a2"),
                "bars": bars,
                "href": href,
            }
        )
    height = TOP + ROW * len(rows) + 10
    marks = [
        {
            "x": px(_year(date)),
            "title": f"{date}: " + ("; ".join(measure_label(m) for m in sorted(ms)) or "change"),
        }
        for date, ms in sorted(changes.items())
    ]
    return render(
        "history.svg",
        h={
            "width": LEFT + PLOT + 20,
            "height": height,
            "top": TOP,
            "left": LEFT,
            "years": [{"year": y, "x": px(y)} for y in range(first, last + 1)],
            "marks": marks,
            "rows": drawn,
        },
    )
