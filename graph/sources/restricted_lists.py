"""Read and validate the US restricted-party lists and China's counter-measures (OpenSanctions).

Two inputs, each read strictly, with every problem collected and raised at once (file, line,
record and field in each message) and nothing written:

- :func:`read_us_lists` reads a folder of per-list JSON extracts in the layout of
  ``phagehunter/nsfreg/data`` (``lists.json`` plus one file per list, see
  ``graph/data/lists/PROVENANCE.md``). Each entry keeps its names, aliases, country and address;
  its Federal Register citations (``"88 FR 71992, 10/19/23"``) are parsed into dated
  :class:`FrCitation` records, and its licence requirement into footnote numbers. Unknown keys,
  wrong types, an unreadable citation, a citation whose date is not in its volume's year, a country
  that ``countries.csv`` does not know, two identical records, or bytes that are not UTF-8 are
  refused.
- :func:`read_cn_sanctions` reads OpenSanctions' ``sanctions.csv`` (China's counter-sanctions,
  Unreliable Entity List and export-control lists): one :class:`CnDesignation` per row, rows of the
  same designation (same target, list, body and date; OpenSanctions keeps one per notice URL)
  merged, identical rows refused.

Reviewed corrections (``corrections.csv`` beside the lists) replace the exact text of a field of one
record, or skip a record, each with a note; a correction whose text is not found is itself an
error, so a new snapshot gets reviewed again. :func:`data_assertions` holds the minimum counts of a
complete snapshot.
"""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import io
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError, Problem
from graph.lexical import text_problem

__all__ = [
    "CN_COLUMNS",
    "CnDesignation",
    "CnSanctions",
    "Correction",
    "FrCitation",
    "ListEntry",
    "ListMeta",
    "US_LIST_FILES",
    "UsLists",
    "data_assertions",
    "parse_citations",
    "parse_footnotes",
    "read_cn_sanctions",
    "read_corrections",
    "read_countries",
    "read_us_lists",
]

#: The lists chipgraph imports: list id (as in lists.json) -> file.
US_LIST_FILES: dict[str, str] = {
    "bis-entity-list": "bis_entity_list.json",
    "bis-meu": "bis_meu.json",
    "bis-dpl": "bis_dpl.json",
    "dow-1260h": "dow_1260h.json",
    "ofac-nscmic": "ofac_nscmic.json",
    "dhs-uflpa": "dhs_uflpa.json",
    "fcc-covered": "fcc_covered.json",
}
LIST_KEYS = ("list_id", "source_file", "extracted", "count", "entities")
ENTRY_KEYS = ("name", "aliases", "country", "address", "status", "effective_date", "federal_register", "notes")
META_KEYS = (
    "id",
    "short_name",
    "official_name",
    "agency",
    "agency_short",
    "authority",
    "official_url",
    "official_url_label",
    "snapshot",
    "update_cadence",
    "description",
    "researcher_note",
)
CN_COLUMNS = (
    "Type",
    "QID",
    "Name",
    "Alias",
    "Chinese name",
    "Country",
    "Topics",
    "Summary",
    "Chinese summary",
    "Body",
    "List",
    "Date",
    "End date",
    "Source URL",
    "Address",
)
CN_TYPES = ("Person", "Company", "Organization")
CN_TOPICS = ("sanction.counter", "export.control", "sanction")
#: The files a corrections.csv row may name: the US extracts and OpenSanctions' sanctions.csv.
CORRECTABLE_FILES = frozenset(US_LIST_FILES.values()) | {"sanctions.csv"}
CORRECTION_COLUMNS = ("file", "record", "name", "field", "action", "found", "replacement", "note")
COUNTRY_COLUMNS = ("name", "iso3", "label", "note")

#: Minimum sizes of a complete snapshot (July 2026: 1,106 Chinese Entity List parties, 68 NS-CMIC,
#: 80 Section 1260H; OpenSanctions 610 rows). Tiny test fixtures skip these.
MIN_CHINESE_ENTITY_LIST = 1000
MIN_NSCMIC = 60
MIN_1260H = 70
MIN_CN_DESIGNATIONS = 500

_SEP_RE = re.compile(r"(?:[\s.,;]|and\b)*")
_CITATION_RE = re.compile(
    r"(?P<vol>[0-9]{1,3})\s*F\.?\s?R\.?\s*(?P<page>[0-9]{1,6})(?:,\s*[0-9]{1,6}(?=\s+[0-9]{1,2}/))?"
    r"(?:,?\s*(?:(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})/(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])"
    r"|\((?P<month>[A-Z][a-z]+)\s+(?P<day>[0-9]{1,2}),\s+(?P<year>[0-9]{4})\)))?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("January February March April May June July August September October November December").split(), start=1
    )
}
_LONG_DATE_RE = re.compile(r"^(?P<month>[A-Z][a-z]+)\s+(?P<day>[0-9]{1,2}),\s+(?P<year>[0-9]{4})$")
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
#: Footnote markers of the Entity List's licence-requirement column: after a § 734.9 paragraph
#: ("734.9(e) 1", "734.9(g),3") or at the very end ("... of the EAR) 4").
_FOOTNOTE_INLINE_RE = re.compile(r"734\.9\([a-z]\)(?:\(\d\))?(?:,\s?|\s)(\d)\b(?![.(])")
_FOOTNOTE_END_RE = re.compile(r"EAR\.?\)?\.?\s*(\d)\s*$")
_QID_RE = re.compile(r"^Q[1-9]\d*$")
_CN_DATE_RE = re.compile(r"^([0-9]{2})\.([0-9]{1,2})\.([0-9]{2}|[0-9]{4})$")


@dataclass(frozen=True)
class FrCitation:
    """One Federal Register document cited by an entry: volume, first page, publication date."""

    volume: int
    page: int
    date: str | None  # ISO date; None where the list gives none (the volume still gives the year)
    text: str

    @property
    def key(self) -> str:
        return f"{self.volume}-fr-{self.page}"


@dataclass(frozen=True)
class ListMeta:
    """A list's description from lists.json."""

    id: str
    short_name: str
    official_name: str
    agency: str
    agency_short: str
    authority: str
    official_url: str
    snapshot: str
    description: str


@dataclass(frozen=True)
class ListEntry:
    """One entry of one US list, as the extract gives it, with citations and footnotes parsed."""

    list_id: str
    record: int  # 1-based position in the file's "entities"
    line: int | None
    name: str
    aliases: tuple[str, ...]
    country: str | None  # as the list spells it
    iso3: str | None
    address: str | None
    effective_date: str | None  # ISO, normalised from the file's effective_date
    effective_date_text: str | None
    citations: tuple[FrCitation, ...]
    citation_text: str | None
    notes: str | None
    footnotes: tuple[int, ...]


@dataclass
class UsLists:
    """The parsed lists: metadata by list id, entries by list id (file order)."""

    directory: Path
    generated: str
    extracted: dict[str, str]
    meta: dict[str, ListMeta]
    entries: dict[str, list[ListEntry]] = field(default_factory=dict)
    countries: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (iso3, label)


@dataclass
class CnDesignation:
    """One designation by a Chinese authority (one or more rows of sanctions.csv)."""

    line: int
    type: str
    qid: str
    name: str
    aliases: tuple[str, ...]
    chinese_name: str
    country: str
    iso3: str | None
    topic: str
    summary: str
    body: str
    list: str
    program: str | None
    date: str
    end_date: str | None
    source_urls: builtins.list[str]  # builtins: the field `list` above shadows the type in this class
    address: str


@dataclass
class CnSanctions:
    path: Path
    designations: list[CnDesignation]
    programs: dict[str, str]  # List value -> programme code (cn_sanctions.yml lookups)


@dataclass(frozen=True)
class Correction:
    file: str
    record: int
    name: str
    field: str
    action: str  # "replace" | "skip" | "text-only" (keep the citation as text, parse no events)
    found: str
    replacement: str
    note: str
    line: int


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: Path, line: int | None, message: str, hint: str | None = None) -> None:
        self.items.append(Problem(message=message, file=file, line=line, hint=hint))

    def raise_if_any(self, what: str) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            raise InputError(self.items[0])
        raise InputError(f"{what} has {len(self.items)} problems", self.items)


def _decode(path: Path, problems: _Problems) -> str | None:
    if not path.is_file():
        problems.add(path, None, "missing file")
        return None
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.add(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", "save the file as UTF-8")
        return None


class _JsonValueError(ValueError):
    """A value json.loads accepts but JSON does not (a repeated key, NaN, a number beyond float),
    with the text to find its line by (json's hooks are not told where they are)."""

    def __init__(self, message: str, needle: str) -> None:
        super().__init__(message)
        self.needle = needle


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for k, v in pairs:
        if k in seen:
            key = re.escape(json.dumps(k, ensure_ascii=False))
            value = json.dumps(v, ensure_ascii=False) if isinstance(v, str | int | float | bool) or v is None else ""
            # the second occurrence: the repeated key with the value it was repeated with
            raise _JsonValueError(f"duplicate key {k!r}", rf"{key}\s*:\s*{re.escape(value)}" if value else key)
        seen[k] = v
    return seen


def _not_a_json_constant(name: str) -> Any:
    raise _JsonValueError(f"{name} is not a JSON value", rf"(?<![\w\"]){re.escape(name)}(?![\w\"])")


def _finite_number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _JsonValueError(f"the number {text} is beyond the range of a number", rf"(?<![\w.]){re.escape(text)}")
    return number


def _whole_number(text: str) -> int:
    """An integer as json.loads reads it, except one too long for Python to convert (over 4,300
    digits, CVE-2020-10735), which is refused with its line instead of a bare ValueError."""
    try:
        return int(text)
    except ValueError:
        digits = len(text.lstrip("-"))
        raise _JsonValueError(
            f"a whole number of {digits:,} digits is beyond the range of a number", rf"(?<![\w.]){re.escape(text)}"
        ) from None


def _line_of(text: str, pattern: str) -> tuple[int | None, int | None]:
    """(line, column) of the first match of ``pattern`` in ``text`` (the repeated key with its
    second value, the NaN, the huge number that json.loads refused through a hook: parsing
    stops at the first), or (None, None)."""
    m = re.search(pattern, text)
    if m is None:
        return None, None
    at = m.start()
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _load_json(path: Path, problems: _Problems) -> tuple[Any, str] | None:
    """Parse strict JSON: no repeated keys, no NaN or Infinity, no number beyond float (which
    Python's json module accepts by default) or beyond Python's integer conversion limit, each
    refusal with its line and column."""
    text = _decode(path, problems)
    if text is None:
        return None
    try:
        loaded = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_not_a_json_constant,
            parse_float=_finite_number,
            parse_int=_whole_number,
        )
        return loaded, text
    except json.JSONDecodeError as exc:
        problems.add(path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        problems.add(path, None, "not valid JSON here: nested too deeply", "a list extract is a few levels deep")
    except _JsonValueError as exc:
        line, column = _line_of(text, exc.needle)
        where = f" (column {column})" if column else ""
        problems.add(path, line, f"not valid JSON: {exc}{where}", "write plain JSON (RFC 8259)")
    except ValueError as exc:
        problems.add(path, None, f"not valid JSON: {exc}")
    return None


def _text_problems(value: Any) -> list[str]:
    """Why the strings in ``value`` (a str or a list of them) may not enter the graph.

    The same check as the curated reader's (:func:`graph.lexical.text_problem`): no control
    character but tab and newline, no lone surrogate, no bidi override; these would reach
    terminals and the site, or fail later as a bare UnicodeEncodeError.
    """
    texts = (
        [value]
        if isinstance(value, str)
        else [v for v in value if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )
    return [p for t in texts if (p := text_problem(t)) is not None]


_HTTP_URL_RE = re.compile(r"https?://[^\s/?#]+\S*")


def _record_lines(text: str, count: int) -> list[int | None]:
    """The line of each entity's "name" key in a pretty-printed file (None where it cannot tell)."""
    lines: list[int | None] = []
    pos, line = 0, 1
    for m in re.finditer(r'^[ \t]*\{[ \t]*\n[ \t]*"name"[ \t]*:', text, re.M):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        lines.append(line + 1)
    return lines if len(lines) == count else [None] * count


# -- small parsers --------------------------------------------------------------------------------


def _year(two_or_four: str) -> int:
    y = int(two_or_four)
    if len(two_or_four) == 2:
        y += 1900 if y >= 36 else 2000  # the Federal Register began in 1936
    return y


def parse_citations(text: str) -> tuple[list[FrCitation], str | None]:
    """Parse a Federal Register citation field; return the citations and an error (or None).

    Accepted: ``VOL FR PAGE`` (or ``F.R.``), optionally a repeated page (``16788, 16788``), then a
    date ``M/D/YY``, ``M/D/YYYY`` or ``(Month D, YYYY)``; citations separated by newlines, full
    stops, commas, semicolons or "and". The date must be a real day in the volume's year (volume
    1 is 1936). A citation without a date is returned with ``date=None`` for the caller to refuse.
    """
    out: list[FrCitation] = []
    pos = 0
    text = text or ""
    while True:
        pos = _SEP_RE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            break
        m = _CITATION_RE.match(text, pos)
        if m is None:
            return out, f"cannot read a citation at {text[pos : pos + 40]!r}"
        vol, page = int(m["vol"]), int(m["page"])
        if vol < 1 or page < 1:
            what = f"volume {vol}" if vol < 1 else f"page {page}"
            return out, f"{m.group(0).strip()!r}: there is no {what} of the Federal Register (volume 1 is 1936)"
        date: str | None = None
        try:
            if m["y"]:
                day = dt.date(_year(m["y"]), int(m["m"]), int(m["d"]))
            elif m["year"]:
                if m["month"] not in _MONTHS:
                    return out, f"unknown month {m['month']!r} in {m.group(0)!r}"
                day = dt.date(int(m["year"]), _MONTHS[m["month"]], int(m["day"]))
            else:
                day = None
        except ValueError:
            return out, f"{m.group(0).strip()!r} has no such date"
        if day is not None:
            if day.year != 1935 + vol:
                return out, f"{m.group(0).strip()!r}: volume {vol} is the year {1935 + vol}, not {day.year}"
            date = day.isoformat()
        out.append(FrCitation(vol, page, date, m.group(0).strip()))
        pos = m.end()
    return out, None


def parse_footnotes(notes: str | None) -> tuple[int, ...]:
    """Footnote numbers of an Entity List licence requirement, e.g. (1, 2) or (4,)."""
    if not notes:
        return ()
    found = [int(n) for n in _FOOTNOTE_INLINE_RE.findall(notes)]
    end = _FOOTNOTE_END_RE.search(notes)
    if end:
        found.append(int(end.group(1)))
    return tuple(sorted(set(found)))


def _normalise_date(value: str) -> str | None:
    """An ISO date or "June 21, 2022" as ISO; None if neither."""
    value = value.strip()
    try:
        if _ISO_DATE_RE.match(value):
            return dt.date.fromisoformat(value).isoformat()
        m = _LONG_DATE_RE.match(value)
        if m and m["month"] in _MONTHS:
            return dt.date(int(m["year"]), _MONTHS[m["month"]], int(m["day"])).isoformat()
    except ValueError:
        return None
    return None


# -- side files -----------------------------------------------------------------------------------


def _read_csv(path: Path, columns: tuple[str, ...], problems: _Problems) -> list[tuple[int, dict[str, str]]]:
    text = _decode(path, problems)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.add(path, 1, "empty file", f"expected a header: {','.join(columns)}")
            return []
        bad = [h for h in header if h not in columns] + [c for c in columns if c not in header]
        if bad or len(set(header)) != len(header):
            problems.add(path, 1, f"the header must be exactly {','.join(columns)} (found {','.join(header)})")
            return []
        rows = []
        start = reader.line_num + 1
        for record in reader:
            if record:
                if len(record) != len(header):
                    problems.add(path, start, f"row has {len(record)} fields, the header has {len(header)}")
                else:
                    row = dict(zip(header, record))
                    unsafe = [(col, why) for col, value in row.items() for why in _text_problems(value)]
                    for col, why in unsafe:
                        problems.add(path, start, f"field {col}: {why}", "remove the character")
                    if not unsafe:
                        rows.append((start, row))
            start = reader.line_num + 1
        return rows
    except csv.Error as exc:
        problems.add(path, reader.line_num, f"cannot parse the row: {exc}")
        return []


def read_countries(path: Path) -> dict[str, tuple[str, str]]:
    """countries.csv: a country name or ISO alpha-2 code as the lists spell it -> (ISO alpha-3, label)."""
    problems = _Problems()
    out: dict[str, tuple[str, str]] = {}
    for line, row in _read_csv(path, COUNTRY_COLUMNS, problems):
        if row["name"] in out:
            problems.add(path, line, f"country {row['name']!r} is given twice")
        elif row["iso3"] and not re.match(r"^[A-Z]{3}$", row["iso3"]):
            problems.add(path, line, f"iso3 {row['iso3']!r} is not an ISO 3166-1 alpha-3 code")
        else:
            out[row["name"]] = (row["iso3"], row["label"])
    problems.raise_if_any(str(path))
    return out


def read_corrections(path: Path) -> list[Correction]:
    """corrections.csv: reviewed replacements of one field's exact text, or skipped records."""
    problems = _Problems()
    out: list[Correction] = []
    if not path.exists():
        return out
    for line, row in _read_csv(path, CORRECTION_COLUMNS, problems):
        if not row["record"].isdigit():
            problems.add(path, line, f"record {row['record']!r} is not a record number")
            continue
        if row["file"] not in CORRECTABLE_FILES:
            problems.add(
                path,
                line,
                f"file {row['file']!r} is not one of the list files",
                f"expected one of {', '.join(sorted(CORRECTABLE_FILES))}",
            )
            continue
        if row["action"] not in ("replace", "skip", "text-only"):
            problems.add(path, line, f"action {row['action']!r} is not replace, skip or text-only")
            continue
        if not row["note"]:
            problems.add(path, line, "a correction needs a note saying why")
            continue
        out.append(
            Correction(
                file=row["file"],
                record=int(row["record"]),
                name=row["name"],
                field=row["field"],
                action=row["action"],
                found=row["found"],
                replacement=row["replacement"],
                note=row["note"],
                line=line,
            )
        )
    problems.raise_if_any(str(path))
    return out


class _Corrector:
    """Applies corrections to (file, record) and reports those that never applied."""

    def __init__(self, corrections: list[Correction], path: Path):
        self.path = path
        self.by_key: dict[tuple[str, int], list[Correction]] = defaultdict(list)
        for c in corrections:
            self.by_key[c.file, c.record].append(c)
        self.used: set[int] = set()

    def skip(self, file: str, record: int, name: str) -> bool:
        for c in self.by_key.get((file, record), []):
            if c.action == "skip" and c.name == name:
                self.used.add(c.line)
                return True
        return False

    def text_only(self, file: str, record: int, name: str, value: Any) -> bool:
        for c in self.by_key.get((file, record), []):
            if c.action == "text-only" and c.name == name and value == c.found:
                self.used.add(c.line)
                return True
        return False

    def value(self, file: str, record: int, name: str, fld: str, value: Any) -> Any:
        for c in self.by_key.get((file, record), []):
            if c.action == "replace" and c.field == fld and c.name == name and value == c.found:
                self.used.add(c.line)
                return c.replacement
        return value

    def check(self, files: set[str], problems: _Problems) -> None:
        for (file, _), cs in sorted(self.by_key.items()):
            if file not in files:
                continue
            for c in cs:
                if c.line not in self.used:
                    problems.add(
                        self.path,
                        c.line,
                        f"correction of {file} record {c.record} ({c.name}) field {c.field or '-'} no longer "
                        f"applies: the text {c.found!r} is not there",
                        "review the new snapshot and update or remove the row",
                    )


# -- US lists -------------------------------------------------------------------------------------


def _read_meta(directory: Path, problems: _Problems) -> tuple[str, dict[str, ListMeta]]:
    path = directory / "lists.json"
    loaded = _load_json(path, problems)
    if loaded is None:
        return "", {}
    data, _ = loaded
    if not isinstance(data, dict) or set(data) != {"generated", "dcl_url", "lists"}:
        problems.add(path, None, "lists.json must be an object with generated, dcl_url and lists")
        return "", {}
    meta: dict[str, ListMeta] = {}
    for i, item in enumerate(data["lists"], start=1):
        unknown = sorted(set(item) - set(META_KEYS)) if isinstance(item, dict) else []
        if not isinstance(item, dict) or unknown:
            problems.add(path, None, f"record {i}: unexpected field(s) {', '.join(unknown) or '(not an object)'}")
            continue
        missing = [k for k in META_KEYS if not isinstance(item.get(k), str)]
        if missing:
            problems.add(
                path, None, f"record {i} ({item.get('id')}): field(s) {', '.join(missing)} missing or not text"
            )
            continue
        bad = [(k, p) for k in META_KEYS for p in _text_problems(item[k])]
        for k, p in bad:
            problems.add(path, None, f"record {i} ({item['id']}), field {k}: {p}")
        if not _HTTP_URL_RE.fullmatch(item["official_url"]):
            problems.add(
                path,
                None,
                f"record {i} ({item['id']}), field official_url: {item['official_url']!r} is not an http(s) URL",
            )
            bad.append(("official_url", "not http(s)"))
        if item["id"] in meta:
            problems.add(path, None, f"record {i}: a second list with id {item['id']!r}", "each list is described once")
            continue
        meta[item["id"]] = ListMeta(
            item["id"],
            item["short_name"],
            item["official_name"],
            item["agency"],
            item["agency_short"],
            item["authority"],
            item["official_url"],
            item["snapshot"],
            item["description"],
        )
    return str(data["generated"]), meta


def _read_list_file(
    directory: Path,
    list_id: str,
    countries: dict[str, tuple[str, str]],
    corrector: _Corrector,
    problems: _Problems,
) -> tuple[str, list[ListEntry]]:
    name = US_LIST_FILES[list_id]
    path = directory / name
    loaded = _load_json(path, problems)
    if loaded is None:
        return "", []
    data, text = loaded
    if not isinstance(data, dict):
        problems.add(path, 1, "the file must hold a JSON object")
        return "", []
    for key in data:
        if key not in LIST_KEYS:
            problems.add(path, None, f"unexpected field {key!r}", f"expected {', '.join(LIST_KEYS)}")
    for key in LIST_KEYS:
        if key not in data:
            problems.add(path, None, f"missing field {key!r}")
    if any(k not in data for k in LIST_KEYS) or any(k not in LIST_KEYS for k in data):
        return "", []
    if data["list_id"] != list_id:
        problems.add(path, None, f"field list_id is {data['list_id']!r}, expected {list_id!r}")
    raw = data["entities"]
    if not isinstance(raw, list):
        problems.add(path, None, "field entities must be a list")
        return "", []
    extracted = data["extracted"]
    if not isinstance(extracted, str) or _normalise_date(extracted) != extracted:
        problems.add(path, None, f"field extracted must be the snapshot's date as YYYY-MM-DD, not {extracted!r}")
    if isinstance(data["count"], bool) or not isinstance(data["count"], int):
        problems.add(path, None, f"field count must be a whole number, not {data['count']!r}")
    elif data["count"] != len(raw):
        problems.add(path, None, f"field count says {data['count']}, but entities holds {len(raw)} records")
    lines = _record_lines(text, len(raw))
    entries: list[ListEntry] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(raw, start=1):
        line = lines[i - 1]
        where = f"record {i}"
        if not isinstance(rec, dict):
            problems.add(path, line, f"{where}: not an object")
            continue
        rec_name = rec.get("name")
        label = rec_name if isinstance(rec_name, str) else "?"
        where = f"record {i} ({label})"
        bad_keys = [k for k in rec if k not in ENTRY_KEYS]
        for k in bad_keys:
            problems.add(path, line, f"{where}: unexpected field {k!r}", f"expected {', '.join(ENTRY_KEYS)}")
        for k in ENTRY_KEYS:
            if k not in rec:
                problems.add(path, line, f"{where}: missing field {k!r}")
        if bad_keys or any(k not in rec for k in ENTRY_KEYS):
            continue
        if corrector.skip(name, i, label):
            continue
        ok = True
        for k in ENTRY_KEYS:
            v = rec[k]
            if k == "aliases":
                if not isinstance(v, list) or not all(isinstance(a, str) and a.strip() for a in v):
                    problems.add(path, line, f"{where}, field aliases: must be a list of names")
                    ok = False
            elif k == "name":
                if not isinstance(v, str) or not v.strip():
                    problems.add(path, line, f"{where}, field name: must be a non-empty name")
                    ok = False
            elif v is not None and not isinstance(v, str):
                problems.add(path, line, f"{where}, field {k}: must be text or null, not {type(v).__name__}")
                ok = False
            for problem in _text_problems(v):
                problems.add(path, line, f"{where}, field {k}: {problem}")
                ok = False
        if not ok:
            continue
        key = json.dumps(rec, sort_keys=True, ensure_ascii=False)
        if key in seen:
            problems.add(path, line, f"{where}: duplicate entry (identical to record {seen[key]})")
            continue
        seen[key] = i
        country = rec["country"].strip() if rec["country"] else None
        iso3 = None
        if country is not None:
            if country not in countries:
                problems.add(
                    path,
                    line,
                    f"{where}, field country: unknown country {country!r}",
                    "add it to graph/data/lists/countries.csv",
                )
                continue
            iso3 = countries[country][0] or None
        fr_text = corrector.value(name, i, label, "federal_register", rec["federal_register"])
        citations: list[FrCitation] = []
        if corrector.text_only(name, i, label, fr_text):
            if not rec["effective_date"]:
                problems.add(path, line, f"{where}: a text-only citation needs the entry's effective_date")
                continue
        elif not fr_text and not rec["effective_date"]:
            problems.add(
                path,
                line,
                f"{where}: no federal_register citation and no effective_date, so the listing has no date",
                "give the citation ('VOL FR PAGE, M/D/YY') or the effective_date; "
                "a reviewed fix goes in corrections.csv",
            )
            continue
        elif fr_text:
            citations, error = parse_citations(fr_text)
            if error is None and not rec["effective_date"] and not any(c.date for c in citations):
                error = f"no citation has a date, and the entry has no effective_date ({fr_text!r})"
            if error is not None:
                problems.add(
                    path,
                    line,
                    f"{where}, field federal_register: {error}",
                    "cite as 'VOL FR PAGE, M/D/YY'; a reviewed fix goes in corrections.csv",
                )
                continue
        eff_text = corrector.value(name, i, label, "effective_date", rec["effective_date"])
        effective = None
        if eff_text:
            effective = _normalise_date(eff_text)
            if effective is None:
                problems.add(path, line, f"{where}, field effective_date: {eff_text!r} is not a date", "YYYY-MM-DD")
                continue
        entries.append(
            ListEntry(
                list_id=list_id,
                record=i,
                line=line,
                name=rec["name"].strip(),
                aliases=tuple(dict.fromkeys(a.strip() for a in rec["aliases"] if a.strip() != rec["name"].strip())),
                country=country,
                iso3=iso3,
                address=(rec["address"] or "").strip() or None,
                effective_date=effective,
                effective_date_text=eff_text,
                citations=tuple(citations),
                citation_text=fr_text or None,
                notes=(rec["notes"] or "").strip() or None,
                footnotes=parse_footnotes(rec["notes"]),
            )
        )
    return str(data["extracted"]), entries


def _check_fr_dates(lists: UsLists, problems: _Problems) -> None:
    """The same Federal Register page must carry the same date wherever it is cited."""
    first: dict[str, tuple[str, ListEntry]] = {}
    for entries in lists.entries.values():
        for e in entries:
            for c in e.citations:
                known = first.get(c.key)
                if known is None:
                    first[c.key] = (c.date or "", e)
                elif c.date != known[0]:
                    other = known[1]
                    problems.add(
                        lists.directory / US_LIST_FILES[e.list_id],
                        e.line,
                        f"record {e.record} ({e.name}), field federal_register: {c.volume} FR {c.page} is dated "
                        f"{c.date}, but {US_LIST_FILES[other.list_id]} record {other.record} dates it {known[0]}",
                        "one Federal Register page has one publication date",
                    )


def read_us_lists(directory: Path, corrections: Path | None = None) -> UsLists:
    """Parse and validate the list extracts in ``directory``; raise :class:`InputError` listing every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(Problem(f"no such folder: {directory}", hint="give a folder holding lists.json"))
    problems = _Problems()
    countries = read_countries(directory / "countries.csv")
    corrections = corrections if corrections is not None else directory / "corrections.csv"
    corrector = _Corrector(read_corrections(corrections), corrections)
    generated, meta = _read_meta(directory, problems)
    lists = UsLists(directory=directory, generated=generated, extracted={}, meta=meta, countries=countries)
    for list_id in US_LIST_FILES:
        if meta and list_id not in meta:
            problems.add(directory / "lists.json", None, f"list {list_id!r} is not described")
        extracted, entries = _read_list_file(directory, list_id, countries, corrector, problems)
        lists.entries[list_id] = entries
        lists.extracted[list_id] = extracted
    if not problems.items:  # a file that could not be read leaves its corrections unused: no second problem
        corrector.check(set(US_LIST_FILES.values()), problems)
    if not problems.items:
        _check_fr_dates(lists, problems)
    problems.raise_if_any(f"the lists in {directory}")
    return lists


# -- OpenSanctions cn_sanctions --------------------------------------------------------------------


def _cn_date(text: str) -> str | None:
    m = _CN_DATE_RE.match(text)
    if not m:
        return None
    year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
    try:
        return dt.date(year, int(m.group(2)), int(m.group(1))).isoformat()
    except ValueError:
        return None


def _programs(path: Path, problems: _Problems) -> dict[str, str]:
    """List value -> programme code, from the ``sanction.program`` lookup of cn_sanctions.yml."""
    from graph.sources.yamlload import load_yaml

    if not path.is_file():
        problems.add(path, None, "missing file")
        return {}
    data = load_yaml(path)
    out: dict[str, str] = {}
    try:
        options = data["lookups"]["sanction.program"]["options"]
    except (KeyError, TypeError):
        problems.add(path, None, "no lookups: sanction.program: options")
        return {}
    for option in options:
        matches = option["match"] if isinstance(option["match"], list) else [option["match"]]
        for m in matches:
            out[str(m)] = option["value"] or ""
    return out


def read_cn_sanctions(
    directory: Path, countries: dict[str, tuple[str, str]], corrections: Path | None = None
) -> CnSanctions:
    """Parse OpenSanctions' sanctions.csv in ``directory``; raise :class:`InputError` listing every problem."""
    directory = Path(directory)
    path = directory / "sanctions.csv"
    problems = _Problems()
    programs = _programs(directory / "cn_sanctions.yml", problems)
    rows = _read_csv(path, CN_COLUMNS, problems)
    corrector = _Corrector(read_corrections(corrections) if corrections else [], corrections or path)
    by_key: dict[tuple[str, str, str, str], CnDesignation] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    for n, (line, row) in enumerate(rows, start=1):
        row = {k: v.strip() for k, v in row.items()}
        where = f"record {n} ({row['Name'] or '?'})"
        if corrector.skip("sanctions.csv", n, row["Name"]):
            continue
        exact = tuple(row[c] for c in CN_COLUMNS)
        if exact in seen_rows:
            problems.add(path, line, f"{where}: duplicate row (identical to line {seen_rows[exact]})")
            continue
        seen_rows[exact] = line

        def bad(fld: str, message: str, hint: str | None = None) -> None:
            problems.add(path, line, f"{where}, field {fld}: {message}", hint)  # noqa: B023

        ok = True
        if row["Type"] not in CN_TYPES:
            bad("Type", f"unknown type {row['Type']!r}", "one of " + ", ".join(CN_TYPES))
            ok = False
        if not row["Name"]:
            bad("Name", "empty")
            ok = False
        if row["QID"] and not _QID_RE.match(row["QID"]):
            bad("QID", f"{row['QID']!r} is not a Wikidata item id", "Q followed by digits")
            ok = False
        if row["Topics"] not in CN_TOPICS:
            bad("Topics", f"unknown topic {row['Topics']!r}", "one of " + ", ".join(CN_TOPICS))
            ok = False
        if row["List"] not in programs:
            bad("List", f"list {row['List']!r} is not in cn_sanctions.yml's sanction.program lookup")
            ok = False
        if not row["Body"]:
            bad("Body", "no issuing authority", "a reviewed skip goes in corrections.csv")
            ok = False
        date = _cn_date(row["Date"])
        if date is None:
            bad("Date", f"{row['Date']!r} is not a date", "DD.MM.YYYY or DD.MM.YY")
            ok = False
        end = None
        if row["End date"]:
            end = _cn_date(row["End date"])
            if end is None:
                bad("End date", f"{row['End date']!r} is not a date", "DD.MM.YYYY or DD.MM.YY")
                ok = False
            elif date is not None and end <= date:
                bad("End date", f"{end} is not after the designation date {date}")
                ok = False
        iso3 = None
        if row["Country"]:
            if row["Country"] not in countries:
                bad("Country", f"unknown country {row['Country']!r}", "add it to graph/data/lists/countries.csv")
                ok = False
            else:
                iso3 = countries[row["Country"]][0] or None
        if not row["Source URL"].startswith(("http://", "https://")):
            bad("Source URL", f"{row['Source URL']!r} is not a web address")
            ok = False
        if not ok or date is None:
            continue
        key = (row["Name"], row["List"], row["Body"], date)
        known = by_key.get(key)
        if known is not None:
            # The same designation cited from another notice URL: one designation, both URLs.
            if row["Type"] != known.type:
                bad("Type", f"{row['Type']!r} differs from line {known.line} ({known.type!r})")
                continue
            if row["Source URL"] not in known.source_urls:
                known.source_urls.append(row["Source URL"])
            if iso3 and not known.iso3:
                known.iso3, known.country = iso3, row["Country"]
            continue
        by_key[key] = CnDesignation(
            line=line,
            type=row["Type"],
            qid=row["QID"],
            name=row["Name"],
            aliases=tuple(a.strip() for a in row["Alias"].split(";") if a.strip()),
            chinese_name=row["Chinese name"],
            country=row["Country"],
            iso3=iso3,
            topic=row["Topics"],
            summary=row["Summary"],
            body=row["Body"],
            list=row["List"],
            program=programs[row["List"]] or None,
            date=date,
            end_date=end,
            source_urls=[row["Source URL"]],
            address=row["Address"],
        )
    corrector.check({"sanctions.csv"}, problems)
    problems.raise_if_any(str(path))
    return CnSanctions(path=path, designations=list(by_key.values()), programs=programs)


def data_assertions(lists: UsLists, cn: CnSanctions | None = None) -> list[Problem]:
    """Minimum counts of a complete snapshot; returns the failures (empty if none)."""
    out: list[Problem] = []
    d = lists.directory
    chinese = sum(1 for e in lists.entries.get("bis-entity-list", []) if e.iso3 == "CHN")
    for file, what, have, need in (
        ("bis_entity_list.json", "Chinese Entity List parties", chinese, MIN_CHINESE_ENTITY_LIST),
        ("ofac_nscmic.json", "NS-CMIC entries", len(lists.entries.get("ofac-nscmic", [])), MIN_NSCMIC),
        ("dow_1260h.json", "Section 1260H entries", len(lists.entries.get("dow-1260h", [])), MIN_1260H),
    ):
        if have < need:
            out.append(Problem(f"only {have} {what}, a complete snapshot has at least {need}", d / file))
    if cn is not None and len(cn.designations) < MIN_CN_DESIGNATIONS:
        out.append(
            Problem(
                f"only {len(cn.designations)} Chinese designations, at least {MIN_CN_DESIGNATIONS} expected", cn.path
            )
        )
    return out


def entry_counts(lists: UsLists) -> Counter[str]:
    """Entries per list id."""
    return Counter({k: len(v) for k, v in lists.entries.items()})
