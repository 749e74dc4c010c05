"""Read and validate one release of the ETO Advanced Semiconductor Supply Chain dataset.

The release is a folder of five CSV files (stages, inputs, sequence, providers, provision) in the
layout of ``georgetown-cset/eto-chip-explorer/data``. :func:`read_release` parses them into plain
records and refuses the whole release, with file, line, column and a remedy for every problem, when
a column is missing or unexpected, a reference is dangling, a share is not a percentage, the shares
of one input add up to more than 100 by more than ETO's rounding, or ``is_type_of`` has a cycle.
Nothing is written anywhere, so a bad release never touches a previous build.

:func:`data_assertions` holds the checks that catch a broken import of a *complete* release
(minimum counts, every input reachable from a stage); tiny test fixtures skip them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from graph.errors import InputError, Problem
from graph.lexical import COUNTRY_RE, is_year, parse_decimal, text_problem
from graph.lexical import read_text as read_input_text
from graph.sources.cycles import find_cycles

__all__ = [
    "COLUMNS",
    "EtoRelease",
    "Input",
    "Provider",
    "Provision",
    "SequenceLink",
    "Stage",
    "data_assertions",
    "read_release",
    "share_tolerance",
]

#: The columns of each file, in upstream order. Order does not matter; names must match exactly.
COLUMNS: dict[str, tuple[str, ...]] = {
    "stages.csv": (
        "stage_id",
        "stage_name",
        "description",
        "market_share_chart_global_market_size_info",
        "market_share_chart_caption",
        "market_share_chart_source",
    ),
    "inputs.csv": (
        "input_id",
        "input_name",
        "type",
        "stage_name",
        "stage_id",
        "description",
        "year",
        "market_share_chart_global_market_size_info",
        "market_share_chart_caption",
        "market_share_chart_source",
    ),
    "sequence.csv": ("input_name", "input_id", "goes_into_name", "goes_into_id", "is_type_of_name", "is_type_of_id"),
    "providers.csv": ("provider_name", "alias", "provider_id", "provider_type", "country"),
    "provision.csv": (
        "provider_name",
        "provider_id",
        "provided_name",
        "provided_id",
        "share_provided",
        "year",
        "source",
    ),
}

INPUT_TYPES = ("process", "tool_resource", "material_resource", "design_resource", "ultimate_output")
PROVIDER_TYPES = ("country", "organization")

#: Minimum sizes of a complete release (the 2026-08 release has 126 inputs, 396 providers, 1,300 rows).
MIN_STAGES = 3
MIN_INPUTS = 100
MIN_PROVIDERS = 300
MIN_PROVISION = 1000

# ASCII digits and \Z: ``\d`` matches any script's digits and ``$`` matches before a newline.
#: At most 9 digits: ETO's ids have 1 to 4, and a longer one is no id (and beyond 4,300 digits
#: Python could not even sort it as a number).
_ID_RE = {
    "stage": re.compile(r"S[0-9]{1,9}\Z"),
    "input": re.compile(r"N[0-9]{1,9}\Z"),
    "provider": re.compile(r"P[0-9]{1,9}\Z"),
}
_FIX_ID = "define it there or correct the id"


@dataclass(frozen=True)
class Stage:
    eto_id: str
    name: str
    description: str
    market_size: str
    caption: str
    market_source: str
    line: int


@dataclass(frozen=True)
class Input:
    eto_id: str
    name: str
    type: str
    stage_id: str
    description: str
    year: str
    market_size: str
    caption: str
    market_source: str
    line: int


@dataclass(frozen=True)
class SequenceLink:
    """One edge of the sequence: ``source`` goes into, or is a type of, ``target``."""

    source: str
    target: str
    relation: str  # "goes_into" | "is_type_of"
    line: int


@dataclass
class Provider:
    """A provider; rows repeating its id add aliases (ETO lists Canon P159 three times)."""

    eto_id: str
    name: str
    type: str  # "country" | "organization"
    country: str
    aliases: list[str]
    line: int


@dataclass(frozen=True)
class Provision:
    provider_id: str
    provided_id: str  # an input (N...) or, for stage-wide shares, a stage (S...)
    share: Decimal | None
    share_text: str
    year: str
    source: str
    line: int


@dataclass
class EtoRelease:
    """The parsed release: records in file order, keyed by ETO id."""

    directory: Path
    stages: dict[str, Stage] = field(default_factory=dict)
    inputs: dict[str, Input] = field(default_factory=dict)
    sequence: list[SequenceLink] = field(default_factory=list)
    providers: dict[str, Provider] = field(default_factory=dict)
    provision: list[Provision] = field(default_factory=list)
    #: file name -> column name -> 1-based column number, for messages of later checks
    columns: dict[str, dict[str, int]] = field(default_factory=dict)
    #: provision rows left out under ``skip_empty_dangling``: (line, provided_id)
    skipped: list[tuple[int, str]] = field(default_factory=list)


class _Problems:
    """Collects problems in reading order; raises them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: Path, line: int | None, column: int | None, message: str, hint: str | None = None) -> None:
        self.items.append(Problem(message=message, file=file, line=line, column=column, hint=hint))

    def raise_if_any(self, directory: Path) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            raise InputError(self.items[0])
        raise InputError(f"the ETO release in {directory} has {len(self.items)} problems", self.items)


@dataclass
class _Table:
    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line of the record's first line, values)

    def column(self, name: str) -> int:
        """1-based column number of a named column (for Problem.column)."""
        return self.header.index(name) + 1


def _read_table(path: Path, problems: _Problems) -> _Table | None:
    """Read one CSV file strictly: UTF-8, a header with exactly the expected columns, full rows."""
    expected = COLUMNS[path.name]
    if not path.exists() and not path.is_symlink():
        problems.add(path, None, None, "missing file", f"an ETO release folder holds {', '.join(COLUMNS)}")
        return None
    try:
        text = read_input_text(path)  # UTF-8 only, no control characters, a regular file
    except InputError as exc:
        problems.items.extend(exc.problems)
        return None
    if not text.strip():
        problems.add(path, 1, None, "empty file", f"expected a header row: {','.join(expected)}")
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.add(path, 1, None, f"cannot parse the header: {exc}")
        return None
    before = len(problems.items)
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if name in seen:
            problems.add(path, 1, i, f"duplicate column {name!r}")
        elif name not in expected:
            problems.add(path, 1, i, f"unexpected column {name!r}", f"expected columns: {', '.join(expected)}")
        seen.add(name)
    for name in expected:
        if name not in seen:
            problems.add(path, 1, None, f"missing column {name!r}", f"expected columns: {', '.join(expected)}")
    if len(problems.items) > before:
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            if not record:
                start = reader.line_num + 1
                continue
            if len(record) != len(header):
                problems.add(
                    path,
                    start,
                    None,
                    f"row has {len(record)} fields, the header has {len(header)}",
                    "quote fields that contain commas",
                )
            else:
                for i, cell in enumerate(record, start=1):
                    bad = text_problem(cell)  # bidi controls too, as in curated YAML and list JSON
                    if bad is not None:
                        problems.add(path, start, i, f"column {header[i - 1]}: {bad}", "remove it")
                rows.append((start, {k: v.strip() for k, v in zip(header, record)}))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.add(path, start, None, f"cannot parse the row: {exc}")
        return None
    if not rows and len(problems.items) == before:
        problems.add(path, 2, None, "the file has a header but no rows")
    return _Table(path, header, rows)


def _check_id(table: _Table, line: int, column: str, value: str, kind: str, problems: _Problems) -> bool:
    if not _ID_RE[kind].match(value):
        prefix = {"stage": "S", "input": "N", "provider": "P"}[kind]
        problems.add(
            table.path,
            line,
            table.column(column),
            f"{column} {value!r} is not a {kind} id",
            f"ETO {kind} ids look like {prefix}12",
        )
        return False
    return True


def _new_id(
    table: _Table, line: int, row: dict[str, str], kind: str, defined: Mapping[str, Any], problems: _Problems
) -> str | None:
    """The row's ``<kind>_id`` if well-formed and not in ``defined`` yet; else None, with the problem added."""
    column = f"{kind}_id"
    value = row[column]
    if not _check_id(table, line, column, value, kind, problems):
        return None
    if value in defined:
        problems.add(
            table.path,
            line,
            table.column(column),
            f"{kind} {value} is defined twice (first at line {defined[value].line})",
        )
        return None
    return value


def _read_stages(table: _Table, release: EtoRelease, problems: _Problems) -> None:
    for line, row in table.rows:
        sid = _new_id(table, line, row, "stage", release.stages, problems)
        if sid is None:
            continue
        if not row["stage_name"]:
            problems.add(table.path, line, table.column("stage_name"), f"stage {sid} has no name")
        release.stages[sid] = Stage(
            sid,
            row["stage_name"],
            row["description"],
            row["market_share_chart_global_market_size_info"],
            row["market_share_chart_caption"],
            row["market_share_chart_source"],
            line,
        )


def _read_inputs(table: _Table, release: EtoRelease, problems: _Problems) -> None:
    for line, row in table.rows:
        nid = _new_id(table, line, row, "input", release.inputs, problems)
        if nid is None:
            continue
        if not row["input_name"]:
            problems.add(table.path, line, table.column("input_name"), f"input {nid} has no name")
        if row["type"] not in INPUT_TYPES:
            problems.add(
                table.path,
                line,
                table.column("type"),
                f"unknown input type {row['type']!r}",
                "one of " + ", ".join(INPUT_TYPES),
            )
        if row["stage_id"] and row["stage_id"] not in release.stages:
            problems.add(
                table.path,
                line,
                table.column("stage_id"),
                f"stage {row['stage_id']!r} is not defined in stages.csv",
                _FIX_ID,
            )
        if row["year"] and not is_year(row["year"]):
            problems.add(
                table.path,
                line,
                table.column("year"),
                f"year {row['year']!r} is not a year",
                "four digits, such as 2025",
            )
        release.inputs[nid] = Input(
            nid,
            row["input_name"],
            row["type"],
            row["stage_id"],
            row["description"],
            row["year"],
            row["market_share_chart_global_market_size_info"],
            row["market_share_chart_caption"],
            row["market_share_chart_source"],
            line,
        )


def _check_name(
    table: _Table, line: int, column: str, given: str, eto_id: str, defined: Input | Stage, problems: _Problems
) -> bool:
    """A row's name column, where filled, must be the name its id has where it is defined: a row
    whose id was mistyped into another input's is caught by its name (both releases agree in
    full, so no variant list is needed, unlike providers' names). True when it agrees."""
    if not given or given == defined.name:
        return True
    where = "stages.csv" if isinstance(defined, Stage) else "inputs.csv"
    problems.add(
        table.path,
        line,
        table.column(column),
        f"{eto_id} is named {given!r} here, but {where} line {defined.line} names it {defined.name!r}",
        "fix the name or the id",
    )
    return False


def _read_sequence(table: _Table, release: EtoRelease, problems: _Problems) -> None:
    for line, row in table.rows:
        src = row["input_id"]
        if src not in release.inputs:
            problems.add(
                table.path, line, table.column("input_id"), f"input {src!r} is not defined in inputs.csv", _FIX_ID
            )
            continue
        _check_name(table, line, "input_name", row["input_name"], src, release.inputs[src], problems)
        targets = [(rel, row[rel + "_id"]) for rel in ("goes_into", "is_type_of") if row[rel + "_id"]]
        if not targets:
            problems.add(
                table.path,
                line,
                table.column("goes_into_id"),
                f"row for {src} has neither goes_into_id nor is_type_of_id",
                "give the input it goes into or the input it is a type of",
            )
        for rel, target in targets:
            if target not in release.inputs:
                problems.add(
                    table.path,
                    line,
                    table.column(rel + "_id"),
                    f"{rel}_id {target!r} is not defined in inputs.csv",
                    _FIX_ID,
                )
                continue
            _check_name(table, line, rel + "_name", row[rel + "_name"], target, release.inputs[target], problems)
            release.sequence.append(SequenceLink(src, target, rel, line))


def _check_type_cycles(table: _Table, release: EtoRelease, problems: _Problems) -> None:
    """Refuse a cycle in is_type_of (a variant of a variant of itself); report each cycle once."""
    parents: dict[str, list[tuple[str, SequenceLink]]] = defaultdict(list)
    for link in release.sequence:
        if link.relation == "is_type_of":
            parents[link.source].append((link.target, link))
    for cycle, links in find_cycles(parents, sorted(parents, key=lambda n: (len(n), n))):
        last = max(links, key=lambda lk: lk.line)  # blame the latest row
        problems.add(
            table.path,
            last.line,
            table.column("is_type_of_id"),
            "is_type_of cycle: " + " -> ".join(cycle),
            "an input cannot be a type of itself, directly or through other inputs",
        )


def _read_providers(table: _Table, release: EtoRelease, problems: _Problems) -> None:
    for line, row in table.rows:
        pid = row["provider_id"]
        if not _check_id(table, line, "provider_id", pid, "provider", problems):
            continue
        if row["provider_type"] not in PROVIDER_TYPES:
            problems.add(
                table.path,
                line,
                table.column("provider_type"),
                f"unknown provider type {row['provider_type']!r}",
                "country or organization",
            )
            continue
        if not row["provider_name"]:
            problems.add(table.path, line, table.column("provider_name"), f"provider {pid} has no name")
            continue
        known = release.providers.get(pid)
        if known is None:
            release.providers[pid] = Provider(
                pid,
                row["provider_name"],
                row["provider_type"],
                row["country"],
                [row["alias"]] if row["alias"] else [],
                line,
            )
            continue
        # A repeated id is the same provider under another alias; anything else is a conflict.
        for col, mine in (("provider_name", known.name), ("provider_type", known.type), ("country", known.country)):
            if row[col] != mine:
                problems.add(
                    table.path,
                    line,
                    table.column(col),
                    f"provider {pid} is repeated with {col} {row[col]!r}, but line {known.line} gives {mine!r}",
                    "a repeated provider id may only add an alias",
                )
                break
        else:
            if row["alias"] and row["alias"] not in known.aliases:
                known.aliases.append(row["alias"])
    country_names = {p.name for p in release.providers.values() if p.type == "country"}
    for p in release.providers.values():
        if p.type == "organization" and p.country and not (COUNTRY_RE.match(p.country) or p.country in country_names):
            problems.add(
                table.path,
                p.line,
                table.column("country"),
                f"country {p.country!r} of provider {p.eto_id} is neither an ISO 3166-1 alpha-3 code "
                "nor a country provider",
            )


def share_tolerance(shares: list[Decimal]) -> Decimal:
    """How far above 100 the shares of one input may add up through ETO's rounding alone.

    ETO rounds every share in (0, 1] up to 1 % (technical_notes.md), older figures to whole
    percents, newer ones to 0.1. So each row may be too high by up to 1 point if it is at most 1,
    by 0.5 if it is a whole number, and by 0.05 otherwise; the tolerance is the sum of these bounds.
    """
    total = Decimal(0)
    for s in shares:
        if 0 < s <= 1:
            total += Decimal(1)
        elif s == s.to_integral_value():
            total += Decimal("0.5")
        else:
            total += Decimal("0.05")
    return total


#: Names provision.csv gives a provider that differ from its name in providers.csv, reviewed in the
#: pinned release (commit 46e0106): short names, a former name and ETO's own typos of the same
#: provider id. Any other difference is refused, so a row pointing at the wrong id is caught.
PROVIDER_NAME_VARIANTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("P5", "Various"),
        ("P209", "Fujifilm"),
        ("P213", "EMD Performance Materials"),
        ("P231", "Zhonghuan"),
        ("P262", "Showa Denka"),
        ("P265", "Haute Gas"),
        ("P266", "Jinhong"),
        ("P284", "Quik-Pak"),
    }
)


def _names_provider(provider: Provider, name: str) -> bool:
    """Whether a provision row's ``provider_name`` is a name of ``provider`` (its name, an alias or
    a reviewed variant): providers.csv refuses one id with two names, and so does provision.csv."""
    return name == provider.name or name in provider.aliases or (provider.eto_id, name) in PROVIDER_NAME_VARIANTS


def _read_provision(table: _Table, release: EtoRelease, problems: _Problems, skip_empty_dangling: bool) -> None:
    seen: dict[tuple[str, str], int] = {}
    for line, row in table.rows:
        pid, nid = row["provider_id"], row["provided_id"]
        ok = True
        dangling = nid not in release.inputs and nid not in release.stages
        if skip_empty_dangling and dangling and not row["share_provided"] and not row["provided_name"]:
            release.skipped.append((line, nid))  # a row that names no defined input and states no share
            continue
        if pid not in release.providers:
            problems.add(
                table.path,
                line,
                table.column("provider_id"),
                f"provider {pid!r} is not defined in providers.csv",
                _FIX_ID,
            )
            ok = False
        elif not _names_provider(release.providers[pid], row["provider_name"]):
            known = release.providers[pid]
            problems.add(
                table.path,
                line,
                table.column("provider_name"),
                f"provider {pid} is named {row['provider_name']!r} here, but providers.csv line {known.line} "
                f"names it {known.name!r}",
                "fix the name or the id; a reviewed spelling of ETO's goes in PROVIDER_NAME_VARIANTS",
            )
            ok = False
        if nid not in release.inputs and nid not in release.stages:
            problems.add(
                table.path,
                line,
                table.column("provided_id"),
                f"provided_id {nid!r} is not defined in inputs.csv or stages.csv",
                _FIX_ID,
            )
            ok = False
        elif not _check_name(
            table,
            line,
            "provided_name",
            row["provided_name"],
            nid,
            release.inputs.get(nid) or release.stages[nid],
            problems,
        ):
            ok = False
        share: Decimal | None = None
        text = row["share_provided"]
        if text:
            share = parse_decimal(text)  # the xsd:decimal lexical form: no 1e0, 0_1 or non-ASCII digits
            if share is None:
                problems.add(
                    table.path,
                    line,
                    table.column("share_provided"),
                    f"share {text!r} is not a number",
                    "a percentage from 0 to 100 in digits with an optional point, no exponent, or empty",
                )
                ok = False
            else:
                if not 0 <= share <= 100:
                    problems.add(
                        table.path,
                        line,
                        table.column("share_provided"),
                        f"share {text} is outside 0-100",
                        "shares are percentages",
                    )
                    ok = False
        if row["year"] and not is_year(row["year"]):
            problems.add(
                table.path,
                line,
                table.column("year"),
                f"year {row['year']!r} is not a year",
                "four digits, such as 2025",
            )
            ok = False
        if ok and (pid, nid) in seen:
            problems.add(
                table.path,
                line,
                table.column("provided_id"),
                f"provider {pid} is listed twice for {nid} (first at line {seen[pid, nid]})",
            )
            ok = False
        if ok:
            seen[pid, nid] = line
            release.provision.append(Provision(pid, nid, share, text, row["year"], row["source"], line))


def _check_share_sums(table: _Table, release: EtoRelease, problems: _Problems) -> None:
    """Shares of one input, separately for firms and for countries, may exceed 100 only by rounding."""
    groups: dict[tuple[str, str], list[Provision]] = defaultdict(list)
    for row in release.provision:
        if row.share is not None:
            groups[row.provided_id, release.providers[row.provider_id].type].append(row)
    for (nid, kind), rows in groups.items():
        shares = [r.share for r in rows if r.share is not None]
        total = sum(shares, Decimal(0))
        allowed = 100 + share_tolerance(shares)
        if total > allowed:
            last = max(rows, key=lambda r: r.line)
            who = "organisations" if kind == "organization" else "countries"
            problems.add(
                table.path,
                last.line,
                table.column("share_provided"),
                f"shares of {who} for {nid} add up to {total}, more than 100 by more than rounding "
                f"(at most {allowed} allowed; rows at lines {', '.join(str(r.line) for r in rows)})",
                "check the shares of this input",
            )


def read_release(directory: Path, *, skip_empty_dangling: bool = False) -> EtoRelease:
    """Parse and validate the release in ``directory``; raise :class:`InputError` listing every problem.

    ``skip_empty_dangling`` leaves out, into ``EtoRelease.skipped``, the provision rows that give
    neither a share nor an input name for an id inputs.csv does not define (the July 2025 release
    has eight such rows for "N68", a 2019 placeholder); every other dangling row is still refused.
    """
    directory = Path(directory)
    problems = _Problems()
    if not directory.is_dir():
        raise InputError(Problem(f"no such folder: {directory}", hint="give a folder holding the ETO CSV files"))
    release = EtoRelease(directory=directory)
    for path in sorted(directory.iterdir()):
        if path.suffix in (".csv", ".yaml") and path.name not in COLUMNS and not path.is_file():
            problems.add(path, None, None, "is not a regular file", "an ETO release folder holds only files")
    read = {name: _read_table(directory / name, problems) for name in COLUMNS}
    problems.raise_if_any(directory)  # structure first: later checks need every column
    # every table that could not be read added a problem, so past this point all of them were
    tables = {name: t for name, t in read.items() if t is not None}
    release.columns = {name: {c: i for i, c in enumerate(t.header, start=1)} for name, t in tables.items()}
    _read_stages(tables["stages.csv"], release, problems)
    _read_inputs(tables["inputs.csv"], release, problems)
    _read_sequence(tables["sequence.csv"], release, problems)
    _check_type_cycles(tables["sequence.csv"], release, problems)
    _read_providers(tables["providers.csv"], release, problems)
    _read_provision(tables["provision.csv"], release, problems, skip_empty_dangling)
    if not problems.items:
        _check_share_sums(tables["provision.csv"], release, problems)
    problems.raise_if_any(directory)
    return release


def data_assertions(
    release: EtoRelease,
    *,
    min_stages: int = MIN_STAGES,
    min_inputs: int = MIN_INPUTS,
    min_providers: int = MIN_PROVIDERS,
    min_provision: int = MIN_PROVISION,
) -> list[Problem]:
    """Checks that catch a broken import of a complete release; returns the failures (empty if none).

    - at least ``min_*`` stages, inputs, providers and provision rows;
    - every input belongs to a stage or leads, through ``goes_into`` / ``is_type_of``, to one
      that does; an ``ultimate_output`` must instead be the target of a ``goes_into`` link.
    """
    out: list[Problem] = []
    d = release.directory
    for name, have, need in (
        ("stages.csv", len(release.stages), min_stages),
        ("inputs.csv", len(release.inputs), min_inputs),
        ("providers.csv", len(release.providers), min_providers),
        ("provision.csv", len(release.provision), min_provision),
    ):
        if have < need:
            out.append(
                Problem(
                    f"only {have} records, a complete release has at least {need}",
                    file=d / name,
                    hint="is the file truncated?",
                )
            )
    nexts: dict[str, set[str]] = defaultdict(set)
    fed: set[str] = set()
    for link in release.sequence:
        nexts[link.source].add(link.target)
        if link.relation == "goes_into":
            fed.add(link.target)
    reaches: dict[str, bool] = {}

    def reaches_stage(nid: str, seen: frozenset[str]) -> bool:
        if nid in reaches:
            return reaches[nid]
        result = bool(release.inputs[nid].stage_id) or any(
            reaches_stage(t, seen | {nid}) for t in sorted(nexts[nid]) if t not in seen
        )
        if not seen:
            reaches[nid] = result
        return result

    for nid, item in release.inputs.items():
        if item.type == "ultimate_output":
            ok = nid in fed
        else:
            ok = reaches_stage(nid, frozenset())
        if not ok:
            out.append(
                Problem(
                    f"input {nid} ({item.name}) is not reachable from any stage in the sequence",
                    file=d / "inputs.csv",
                    line=item.line,
                    hint="add a goes_into or is_type_of row for it in sequence.csv",
                )
            )
    return out
