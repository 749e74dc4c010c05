"""The timeline of measures as an inline SVG: one row per measure, its span, and the accelerators it reaches.

Drawn in Python (no JS library): an x axis in years, a dot at the effective date, a bar until the
end date (or the end of the axis while in force), the measure's name at the left and the
accelerators it reaches at the right of the dot. All text is escaped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from graph.render.escape import h

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


def timeline_svg(rows: list[TimelineRow], until: str) -> str:
    """An SVG timeline of ``rows`` from the first start year to the year of ``until``."""
    dated = [(r, _year_fraction(r.start)) for r in rows]
    dated = [(r, x) for r, x in dated if x is not None]
    if not dated:
        return '<p class="note">No measure with an effective date is in force in this view.</p>'
    dated.sort(key=lambda t: (t[1], t[0].label))
    first = int(min(x for _, x in dated))
    last_date = _year_fraction(until) or max(x for _, x in dated)
    last = max(int(last_date) + 1, int(max(x for _, x in dated)) + 1)

    def px(year: float) -> float:
        return round(LEFT + (year - first) / (last - first) * PLOT, 1)

    height = TOP + ROW * len(dated) + 10
    width = LEFT + PLOT + RIGHT_TEXT
    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Timeline of export-control measures">',
        "<style>text{font:12px sans-serif;fill:#222}.yr{fill:#666}.reach{fill:#a00000}</style>",
    ]
    for year in range(first, last + 1):
        x = px(year)
        out.append(f'<line x1="{x}" y1="{TOP - 14}" x2="{x}" y2="{height - 6}" stroke="#e4e4e4"/>')
        out.append(f'<text class="yr" x="{x}" y="{TOP - 18}" text-anchor="middle">{year}</text>')
    for i, (row, start) in enumerate(dated):
        y = TOP + i * ROW + ROW / 2
        end = _year_fraction(row.end) if row.end else None
        x0, x1 = px(start), px(min(end, last) if end is not None else last)
        label = h(_clip(row.label, 44))
        title = h(
            f"{row.label}: in force from {row.start}"
            + (f" until {row.end}" if row.end else "")
            + (f"; reaches {', '.join(row.reaches)}" if row.reaches else "")
        )
        out.append(f"<g><title>{title}</title>")
        name = f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end">{label}</text>'
        if row.href:
            name = f'<a href="{h(row.href)}">{name}</a>'
        out.append(name)
        colour = "#c00000" if row.reaches else "#555555"
        out.append(
            f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="{colour}" stroke-width="4" stroke-opacity="0.35"/>'
        )
        out.append(f'<circle cx="{x0}" cy="{y}" r="5" fill="{colour}"/>')
        reach = ", ".join(row.reaches) if row.reaches else "(reaches no domestic accelerator in this view)"
        out.append(f'<text class="reach" x="{LEFT + PLOT + 8}" y="{y + 4}">{h(_clip(reach, 64))}</text></g>')
    out.append("</svg>")
    return "\n".join(out)
