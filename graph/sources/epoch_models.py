"""Read Epoch AI's notable-models extract, its ML hardware table and the reviewed Epoch crosswalk.

Three strict readers, like the ETO and list importers: a header that is not exactly the expected
one (an unknown, missing or repeated column), a row with the wrong number of fields, a bad date
or chip count, a duplicate name, bad UTF-8 -> :class:`InputError` naming the file, the line of the
record, the record and the field. Nothing is returned, so nothing is written.

- ``notable_models_china.csv``: the rows of Epoch's model database whose organisations include a
  Chinese one (extract written by ``scripts/extract_epoch_models.py``), columns
  :data:`MODEL_COLUMNS`;
- ``ml_hardware.csv``: Epoch's machine-learning hardware table, byte for byte (31 columns,
  :data:`HARDWARE_COLUMNS`), of which chipgraph reads the name, foundry and process size;
- ``graph/data/epoch_crosswalk.csv``: which Epoch hardware, model, organisation and foundry names
  are which curated entities, reviewed by hand; a row with no ``chipgraph_id`` records a name
  reviewed and found to have no curated counterpart (its ``note`` says why). Nothing is merged on
  a similarity score. Its ``sales`` rows map the chip types of Epoch's quarterly sales table
  (read by :mod:`graph.sources.epoch_sales`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError, Problem
from graph.vocab.namespaces import SLUG_RE

__all__ = [
    "CROSSWALK_COLUMNS",
    "EpochProblems",
    "epoch_rows",
    "CROSSWALK_KINDS",
    "EpochChip",
    "EpochCrosswalkEntry",
    "EpochModel",
    "HARDWARE_COLUMNS",
    "MODEL_COLUMNS",
    "read_epoch_crosswalk",
    "read_ml_hardware",
    "read_notable_models",
]

#: The columns of the shipped model extract, in order (a subset of Epoch's 89, values unchanged).
MODEL_COLUMNS = (
    "System",
    "Domain",
    "Organization",
    "Country (from Organization)",
    "Publication date",
    "Training hardware",
    "Hardware quantity",
    "Training time (hours)",
    "Training cloud compute vendor",
    "Training data center",
    "Exclude",
)

#: Epoch's ML hardware table, all 31 columns in upstream order.
HARDWARE_COLUMNS = (
    "Name of the hardware",
    "Manufacturer",
    "Type",
    "Release date",
    "Release price (USD)",
    "FP64 (double precision) performance (FLOP/s)",
    "FP32 (single precision) performance (FLOP/s)",
    "FP16 (half precision) performance (FLOP/s)",
    "TF32 (TensorFloat-32) performance (FLOP/s)",
    "Tensor-FP16 performance (FLOP/s)",
    "INT16 performance (OP/s)",
    "INT8 performance (OP/s)",
    "INT4 performance (OP/s)",
    "Memory size per board (Byte)",
    "Memory bandwidth (byte/s)",
    "Intranode bandwidth (byte/s)",
    "Internode bandwidth (bit/s)",
    "Die Size (mm^2)",
    "TDP (W)",
    "Base clock (MHz)",
    "Boost clock (MHz)",
    "Memory clock (MHz)",
    "Memory bus (bit)",
    "Tensor cores",
    "Process size (nm)",
    "Foundry",
    "Number of transistors (millions)",
    "Link to datasheet",
    "Source for the price",
    "ML models",
    "Last modified",
)

CROSSWALK_COLUMNS = ("kind", "epoch_name", "chipgraph_id", "note")
CROSSWALK_KINDS = ("hardware", "model", "organisation", "foundry", "sales")

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNT_RE = re.compile(r"^[1-9][0-9]*$")
_NUMBER_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")


@dataclass(frozen=True)
class EpochModel:
    """One model row of the extract, its list fields split, its numbers parsed."""

    name: str
    domains: tuple[str, ...]
    organisations: tuple[str, ...]
    countries: tuple[str, ...]  # Epoch's per-organisation country list, "Hong Kong,China" as one
    publication_date: str | None
    hardware: tuple[str, ...]
    hardware_quantity: int | None
    training_hours: str | None
    operator: str  # Epoch's training cloud compute vendor and data centre, joined; "" when both are empty
    excluded: bool
    line: int


@dataclass(frozen=True)
class EpochChip:
    """One row of Epoch's hardware table: the fields chipgraph uses."""

    name: str
    manufacturer: str
    foundry: str
    process_nm: str
    line: int


@dataclass(frozen=True)
class EpochCrosswalkEntry:
    kind: str
    epoch_name: str
    chipgraph_id: str  # empty: reviewed, no curated counterpart
    note: str
    line: int


class EpochProblems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[Problem] = []

    def add(self, line: int | None, message: str, hint: str | None = None, column: int | None = None) -> None:
        self.items.append(Problem(message, self.path, line, column=column, hint=hint))

    def raise_if_any(self) -> None:
        if len(self.items) == 1:
            raise InputError(self.items[0])
        if self.items:
            raise InputError(f"{self.path.name} has {len(self.items)} problems", self.items)


def epoch_rows(path: Path, columns: tuple[str, ...], problems: EpochProblems) -> list[tuple[int, dict[str, str]]]:
    """The records of a CSV whose header must be exactly ``columns``, each with its first line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.add(None, "missing file")
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(data.count(b"\n", 0, exc.start) + 1, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})")
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[tuple[int, dict[str, str]]] = []
    try:
        header = next(reader, None)
        if header != list(columns):
            found = ",".join(header or [])
            unknown = [h for h in header or [] if h not in columns]
            missing = [c for c in columns if c not in (header or [])]
            detail = (f"; unknown: {', '.join(unknown)}" if unknown else "") + (
                f"; missing: {', '.join(missing)}" if missing else ""
            )
            problems.add(1, f"the header must be exactly {','.join(columns)} (found {found}){detail}")
            return []
        start = reader.line_num + 1
        for record in reader:
            if record:
                if len(record) != len(columns):
                    problems.add(start, f"record has {len(record)} fields, the header has {len(columns)}")
                else:
                    out.append((start, dict(zip(columns, record))))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.add(reader.line_num, f"cannot parse the record: {exc}")
        return []
    return out


def _split(text: str) -> tuple[str, ...]:
    """A comma-separated list field; a name holding a comma is double-quoted ('"SambaNova Systems, Inc"')."""
    if not text.strip():
        return ()
    return tuple(part.strip() for part in next(csv.reader([text], skipinitialspace=True)) if part.strip())


def _countries(text: str) -> tuple[str, ...]:
    """Epoch's country list with "Hong Kong,China" (its spelling of Hong Kong) kept as one entry."""
    parts = _split(text)
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i] == "Hong Kong" and i + 1 < len(parts) and parts[i + 1] == "China":
            out.append("Hong Kong,China")
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return tuple(out)


def read_notable_models(path: Path) -> list[EpochModel]:
    """Read the model extract; raise :class:`InputError` (file, line, model, field) on any problem."""
    problems = EpochProblems(path)
    col = {c: i + 1 for i, c in enumerate(MODEL_COLUMNS)}
    out: list[EpochModel] = []
    seen: dict[str, int] = {}
    for line, r in epoch_rows(path, MODEL_COLUMNS, problems):
        name = r["System"].strip()

        def bad(field: str, message: str, hint: str | None = None) -> None:
            problems.add(line, f"model {name!r}, {field}: {message}", hint, col[field])  # noqa: B023

        if not name:
            bad("System", "empty model name")
            continue
        if name in seen:
            bad("System", f"duplicate model name (first at line {seen[name]})")
            continue
        seen[name] = line
        date = r["Publication date"].strip() or None
        if date is not None:
            try:
                if not _DATE_RE.match(date):
                    raise ValueError
                dt.date.fromisoformat(date)
            except ValueError:
                bad("Publication date", f"{date!r} is not a date (YYYY-MM-DD)")
        quantity = r["Hardware quantity"].strip()
        if quantity and not _COUNT_RE.match(quantity):
            bad("Hardware quantity", f"{quantity!r} is not a whole number of chips")
        hours = r["Training time (hours)"].strip()
        if hours and not _NUMBER_RE.match(hours):
            bad("Training time (hours)", f"{hours!r} is not a number of hours")
        exclude = r["Exclude"].strip()
        if exclude not in ("", "0", "1"):
            bad("Exclude", f"{exclude!r} is not 0, 1 or empty")
        if not r["Organization"].strip():
            bad("Organization", "no organisation")
        out.append(
            EpochModel(
                name=name,
                domains=_split(r["Domain"]),
                organisations=_split(r["Organization"]),
                countries=_countries(r["Country (from Organization)"]),
                publication_date=date,
                hardware=_split(r["Training hardware"]),
                hardware_quantity=int(quantity) if quantity and _COUNT_RE.match(quantity) else None,
                training_hours=hours or None,
                operator="; ".join(
                    v for v in (r["Training cloud compute vendor"].strip(), r["Training data center"].strip()) if v
                ),
                excluded=exclude == "1",
                line=line,
            )
        )
    problems.raise_if_any()
    return out


def read_ml_hardware(path: Path) -> list[EpochChip]:
    """Read Epoch's hardware table; raise :class:`InputError` (file, line, chip, field) on any problem."""
    problems = EpochProblems(path)
    col = {c: i + 1 for i, c in enumerate(HARDWARE_COLUMNS)}
    out: list[EpochChip] = []
    seen: dict[str, int] = {}
    for line, r in epoch_rows(path, HARDWARE_COLUMNS, problems):
        name = r["Name of the hardware"].strip()
        if not name:
            problems.add(line, "empty hardware name", column=col["Name of the hardware"])
            continue
        if name in seen:
            problems.add(line, f"hardware {name!r}: duplicate name (first at line {seen[name]})", column=1)
            continue
        seen[name] = line
        nm = r["Process size (nm)"].strip()
        if nm and not _COUNT_RE.match(nm):
            problems.add(
                line,
                f"hardware {name!r}, Process size (nm): {nm!r} is not a whole number",
                column=col["Process size (nm)"],
            )
        out.append(EpochChip(name, r["Manufacturer"].strip(), r["Foundry"].strip(), nm, line))
    problems.raise_if_any()
    return out


def read_epoch_crosswalk(path: Path) -> list[EpochCrosswalkEntry]:
    """Read the reviewed crosswalk; raise :class:`InputError` with file, line and column."""
    problems = EpochProblems(path)
    col = {c: i + 1 for i, c in enumerate(CROSSWALK_COLUMNS)}
    out: list[EpochCrosswalkEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for line, r in epoch_rows(path, CROSSWALK_COLUMNS, problems):
        e = EpochCrosswalkEntry(line=line, **{k: v.strip() for k, v in r.items()})
        if e.kind not in CROSSWALK_KINDS:
            problems.add(line, f"unknown kind {e.kind!r}", "one of " + ", ".join(CROSSWALK_KINDS), col["kind"])
            continue
        if not e.epoch_name:
            problems.add(line, "empty epoch_name", column=col["epoch_name"])
            continue
        if (e.kind, e.epoch_name) in seen:
            problems.add(
                line,
                f"{e.kind} {e.epoch_name!r} is mapped twice (first at line {seen[e.kind, e.epoch_name]})",
                column=col["epoch_name"],
            )
            continue
        seen[e.kind, e.epoch_name] = line
        if e.chipgraph_id and not SLUG_RE.match(e.chipgraph_id):
            problems.add(line, f"chipgraph_id {e.chipgraph_id!r} is not a lowercase slug", column=col["chipgraph_id"])
        if not e.chipgraph_id and not e.note:
            problems.add(
                line,
                f"{e.kind} {e.epoch_name!r} has no chipgraph_id and no note",
                "a name reviewed as having no curated counterpart needs a note saying why",
                col["note"],
            )
        out.append(e)
    problems.raise_if_any()
    return out
