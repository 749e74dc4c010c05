"""The timeline of measures: an inline SVG drawn in Python, and the same rows as data for the page script.

The SVG (template ``templates/timeline.svg``) is the page without script: an x axis in years, a
dot at the effective date, a bar until the end date (or the end of the axis while in force),
pale stretches where a suspension (``cg:MeasureSuspension``) holds, a bar end marked with a
cross where the measure was rescinded, revoked, superseded or expired, the measure's name at the
left (a link to its row in the index's measures table) and the accelerators it reaches at the
right. All text is escaped by the template.

:func:`timeline_data` gives the same rows as plain data, which the index embeds with
:func:`graph.render.escape.script_json`; ``assets/chipgraph.js`` redraws the chart from it with
zoom (a range of years, by buttons or by dragging across the axis) and filters (jurisdiction,
kind, status), putting every text in with ``textContent``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from graph.render.templating import render

__all__ = ["TimelineRow", "Suspension", "timeline_svg", "timeline_data", "status_of"]

ROW = 24
LEFT = 330
RIGHT_TEXT = 440
PLOT = 520
TOP = 34


@dataclass(frozen=True)
class Suspension:
    """A stretch during which a measure is suspended (``until`` empty: open-ended)."""

    label: str
    start: str
    until: str = ""


@dataclass
class TimelineRow:
    """A measure on the timeline."""

    label: str
    start: str
    end: str = ""
    reaches: tuple[str, ...] = ()
    href: str = ""
    id: str = ""
    kind: str = ""  # its class's label ("entity listing", "item control")
    jurisdiction: tuple[str, ...] = ()
    end_reason: str = ""
    suspensions: tuple[Suspension, ...] = ()
    citation: str = ""


def status_of(row: TimelineRow, until: str) -> str:
    """``ended`` (an end date by ``until``), ``suspended`` (a suspension holds on ``until``) or ``in force``.

    >>> paused = TimelineRow("m", "2023-01-01", suspensions=(Suspension("s", "2025-11-10", "2026-11-10"),))
    >>> status_of(paused, "2026-01-01"), status_of(paused, "2026-11-10")
    ('suspended', 'in force')
    """
    if row.end and row.end <= until:
        return "ended"
    if any(s.start <= until and (not s.until or until < s.until) for s in row.suspensions):
        return "suspended"
    return "in force"


def _year_fraction(date: str) -> float | None:
    """``YYYY[-MM[-DD]]`` as a fractional year."""
    try:
        parts = [int(p) for p in date[:10].split("-")]
    except ValueError:
        return None
    year, month, day = (parts + [1, 1])[:3]
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    return year + (d.timetuple().tm_yday - 1) / 366


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _title(row: TimelineRow) -> str:
    text = f"{row.label}: in force from {row.start}"
    if row.end:
        text += f" until {row.end}" + (f" ({row.end_reason})" if row.end_reason else "")
    for s in row.suspensions:
        text += f"; suspended from {s.start}" + (f" until {s.until}" if s.until else "") + f" ({s.label})"
    if row.reaches:
        text += f"; reaches {', '.join(row.reaches)}"
    return text


def _dated(rows: list[TimelineRow]) -> list[tuple[TimelineRow, float]]:
    dated = [(r, x) for r in rows if (x := _year_fraction(r.start)) is not None]
    dated.sort(key=lambda t: (t[1], t[0].label))
    return dated


def _span(dated: list[tuple[TimelineRow, float]], until: str) -> tuple[int, int]:
    first = int(min(x for _, x in dated))
    last_date = _year_fraction(until) or max(x for _, x in dated)
    return first, max(int(last_date) + 1, int(max(x for _, x in dated)) + 1)


def timeline_svg(rows: list[TimelineRow], until: str) -> Markup:
    """An SVG timeline of ``rows`` from the first start year to the year of ``until`` (safe HTML).

    The geometry is computed here; the markup is the template ``timeline.svg``, which escapes
    every label and title.
    """
    dated = _dated(rows)
    if not dated:
        return render("timeline.svg", t={"rows": []})
    first, last = _span(dated, until)

    def px(year: float) -> float:
        return round(LEFT + (year - first) / (last - first) * PLOT, 1)

    height = TOP + ROW * len(dated) + 10
    drawn = []
    for i, (row, start) in enumerate(dated):
        end = _year_fraction(row.end) if row.end else None
        reach = ", ".join(row.reaches) if row.reaches else "(reaches no domestic accelerator in this view)"
        pauses = []
        for s in row.suspensions:
            s0, s1 = _year_fraction(s.start), _year_fraction(s.until) if s.until else None
            if s0 is not None:
                stop = min(s1 if s1 is not None else last, end if end is not None else last, last)
                pauses.append({"x0": px(s0), "x1": px(stop)})
        drawn.append(
            {
                "y": TOP + i * ROW + ROW / 2,
                "x0": px(start),
                "x1": px(min(end, last) if end is not None else last),
                "ended": end is not None,
                "label": _clip(row.label, 44),
                "title": _title(row),
                "href": row.href,
                "colour": "#c00000" if row.reaches else "#555555",
                "reach": _clip(reach, 64),
                "pauses": pauses,
            }
        )
    geometry = {
        "width": LEFT + PLOT + RIGHT_TEXT,
        "height": height,
        "top": TOP,
        "left": LEFT,
        "reach_x": LEFT + PLOT + 8,
        "years": [{"year": year, "x": px(year)} for year in range(first, last + 1)],
        "rows": drawn,
    }
    return render("timeline.svg", t=geometry)


def timeline_data(rows: list[TimelineRow], until: str) -> dict[str, Any]:
    """The rows as plain data for the page script (embed with ``script_json``), in the SVG's order."""
    dated = _dated(rows)
    first, last = _span(dated, until) if dated else (0, 0)
    return {
        "first": first,
        "last": last,
        "until": until,
        "rows": [
            {
                "id": r.id,
                "label": r.label,
                "title": _title(r),
                "start": r.start,
                "end": r.end,
                "endReason": r.end_reason,
                "kind": r.kind,
                "jurisdiction": list(r.jurisdiction),
                "status": status_of(r, until),
                "suspensions": [{"label": s.label, "start": s.start, "until": s.until} for s in r.suspensions],
                "reaches": list(r.reaches),
                "href": r.href,
            }
            for r, _ in dated
        ],
    }
