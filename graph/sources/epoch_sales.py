"""Read Epoch AI's quarterly chip-sales estimates (``graph/data/epoch/sales_quarterly_by_chip.csv``).

A strict reader, like the other Epoch readers (:mod:`graph.sources.epoch_models`): a header that is
not exactly :data:`SALES_COLUMNS` (Epoch's 20 columns, in upstream order), a record with the wrong
number of fields, a name that is empty or repeated, dates that are not one calendar quarter, a
quarter in the name that is not the dates' quarter, a unit count that is not a whole number, or
percentiles out of order (5th > median > 95th) -> :class:`InputError` naming the file, the line of
the record, the record and the field. Nothing is returned, so nothing is written.

chipgraph reads the name, designer, chip type, the quarter's dates and the three unit counts; the
H100-equivalent, power and cost columns are Epoch's derived quantities and are not read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from graph.sources.epoch_models import EpochProblems, epoch_rows

__all__ = ["SALES_COLUMNS", "EpochQuarterSales", "read_sales_quarterly"]

#: Epoch's quarterly sales table, all 20 columns in upstream order.
SALES_COLUMNS = (
    "Name",
    "Designer",
    "Chip type",
    "Start date",
    "End date",
    "Number of units (5th percentile)",
    "Number of units (median)",
    "Number of units (95th percentile)",
    "H100e (5th percentile)",
    "H100e (median)",
    "H100e (95th percentile)",
    "Power (MW) (5th percentile)",
    "Power (MW) (median)",
    "Power (MW) (95th percentile)",
    "Cost (USD) (5th percentile)",
    "Cost (USD) (median)",
    "Cost (USD) (95th percentile)",
    "Incomplete",
    "Source",
    "Notes",
)
_UNITS = ("Number of units (5th percentile)", "Number of units (median)", "Number of units (95th percentile)")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNT_RE = re.compile(r"^(0|[1-9][0-9]*)$")
_QUARTER_RE = re.compile(r" Q([1-4]) (\d{4})$")


@dataclass(frozen=True)
class EpochQuarterSales:
    """One row: a chip's estimated units sold in one calendar quarter (5th percentile, median, 95th)."""

    name: str
    designer: str
    chip_type: str
    start: dt.date
    end: dt.date
    p5: int
    median: int
    p95: int
    line: int

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1


def _quarter_end(start: dt.date) -> dt.date:
    """The last day of the calendar quarter that ``start`` opens."""
    nxt = dt.date(start.year + 1, 1, 1) if start.month == 10 else dt.date(start.year, start.month + 3, 1)
    return nxt - dt.timedelta(days=1)


def read_sales_quarterly(path: Path) -> list[EpochQuarterSales]:
    """Read the quarterly sales table; raise :class:`InputError` (file, line, row, field) on any problem."""
    problems = EpochProblems(path)
    col = {c: i + 1 for i, c in enumerate(SALES_COLUMNS)}
    out: list[EpochQuarterSales] = []
    seen: dict[str, int] = {}
    for line, r in epoch_rows(path, SALES_COLUMNS, problems):
        name = r["Name"].strip()

        def bad(field: str, message: str) -> None:
            problems.add(line, f"row {name!r}, {field}: {message}", column=col[field])  # noqa: B023

        if not name:
            problems.add(line, "empty name", column=col["Name"])
            continue
        if name in seen:
            bad("Name", f"duplicate name (first at line {seen[name]})")
            continue
        seen[name] = line
        if not r["Chip type"].strip():
            bad("Chip type", "empty chip type")
        dates: list[dt.date] = []
        for field in ("Start date", "End date"):
            text = r[field].strip()
            try:
                if not _DATE_RE.match(text):
                    raise ValueError
                dates.append(dt.date.fromisoformat(text))
            except ValueError:
                bad(field, f"{text!r} is not a date (YYYY-MM-DD)")
        if len(dates) == 2:
            start, end = dates
            if start.day != 1 or start.month not in (1, 4, 7, 10) or end != _quarter_end(start):
                bad("End date", f"{start} to {end} is not one calendar quarter")
                dates = []
            else:
                m = _QUARTER_RE.search(name)
                quarter = f"Q{(start.month - 1) // 3 + 1} {start.year}"
                if m is None or f"Q{m[1]} {m[2]}" != quarter:
                    bad("Name", f"the name does not end in the dates' quarter ({quarter})")
        units: list[int] = []
        for field in _UNITS:
            text = r[field].strip()
            if not _COUNT_RE.match(text):
                bad(field, f"{text!r} is not a whole number of units")
            else:
                units.append(int(text))
        if len(units) == 3 and not units[0] <= units[1] <= units[2]:
            bad(_UNITS[1], f"the percentiles are out of order ({units[0]} / {units[1]} / {units[2]})")
            units = []
        if len(dates) == 2 and len(units) == 3 and r["Chip type"].strip():
            p5, median, p95 = units
            chip = r["Chip type"].strip()
            out.append(EpochQuarterSales(name, r["Designer"].strip(), chip, dates[0], dates[1], p5, median, p95, line))
    problems.raise_if_any()
    return out
