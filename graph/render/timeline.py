"""The timeline of measures as an inline SVG: one row per measure, its span, and the accelerators it reaches.

Drawn in Python (no JS library): an x axis in years, a dot at the effective date, a bar until the
end date (or the end of the axis while in force), the measure's name at the left and the
accelerators it reaches at the right of the dot. All text is escaped (the markup is the template
``templates/timeline.svg``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from graph.render.templating import render

__all__ = ["TimelineRow", "timeline_svg"]

ROW = 24
LEFT = 330
RIGHT_TEXT = 440
PLOT = 520
TOP = 34


@dataclass
class TimelineRow:
    """A measure on the timeline."""

    label: str
    start: str
    end: str = ""
    reaches: tuple[str, ...] = ()
    href: str = ""


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


def timeline_svg(rows: list[TimelineRow], until: str) -> Markup:
    """An SVG timeline of ``rows`` from the first start year to the year of ``until`` (safe HTML).

    The geometry is computed here; the markup is the template ``timeline.svg``, which escapes
    every label and title.
    """
    dated = [(r, x) for r in rows if (x := _year_fraction(r.start)) is not None]
    if not dated:
        return render("timeline.svg", t={"rows": []})
    dated.sort(key=lambda t: (t[1], t[0].label))
    first = int(min(x for _, x in dated))
    last_date = _year_fraction(until) or max(x for _, x in dated)
    last = max(int(last_date) + 1, int(max(x for _, x in dated)) + 1)

    def px(year: float) -> float:
        return round(LEFT + (year - first) / (last - first) * PLOT, 1)

    height = TOP + ROW * len(dated) + 10
    drawn = []
    for i, (row, start) in enumerate(dated):
        end = _year_fraction(row.end) if row.end else None
        reach = ", ".join(row.reaches) if row.reaches else "(reaches no domestic accelerator in this view)"
        drawn.append(
            {
                "y": TOP + i * ROW + ROW / 2,
                "x0": px(start),
                "x1": px(min(end, last) if end is not None else last),
                "label": _clip(row.label, 44),
                "title": f"{row.label}: in force from {row.start}"
                + (f" until {row.end}" if row.end else "")
                + (f"; reaches {', '.join(row.reaches)}" if row.reaches else ""),
                "href": row.href,
                "colour": "#c00000" if row.reaches else "#555555",
                "reach": _clip(reach, 64),
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
