"""Read and check the curated facts (graph/data/curated/*.yaml) into plain records.

:func:`load_curated` checks structure, ids, sources, dates and references, and reports every
problem with its file and line, all at once, so a curator can fix a file in one pass. Turning
the records into RDF is :mod:`graph.rdf.curated_rdf`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from graph.errors import InputError, Problem, suggest
from graph.lexical import LANG_RE, parse_decimal
from graph.paths import CURATED_DIR
from graph.sources.cycles import find_cycles
from graph.sources.records import SourceRecord
from graph.sources.yamlload import LineDict, LineList, load_yaml
from graph.vocab.namespaces import (
    COUNTRY_RE,
    MAX_ID_LENGTH,
    SLUG_RE,
)
from graph.vocab.ontology import OntologyInfo
from graph.vocab.terms import CONFIDENCE_RANK as CONFIDENCE
from graph.vocab.terms import SOURCE_KINDS

RECORD_KEYS = {"id", "type", "label", "aliases", "sources", "confidence", "facts", "note"}
FACT_KEYS = {"property", "value", "sources", "confidence", "valid_from", "valid_until", "note", "key", "contradicts"}
SOURCE_KEYS = {"id", "title", "publisher", "date", "url", "language", "kind", "note", "license"}
DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\Z")
_URL_RE = re.compile(r"(https?|file):\S+")
#: Bounds of literal values, by property (inclusive lower, inclusive upper; None = open).
VALUE_BOUNDS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    "sharePercent": (Decimal(0), Decimal(100)),
    "nodeSizeNm": (Decimal("0.1"), Decimal(1000)),
    "maxNodeSizeNm": (Decimal("0.1"), Decimal(1000)),
}
#: Files of the curated folder that are not lists of records (the build's count assertions).
NOT_RECORDS = {"assertions.yaml"}
#: Sources defined outside the curated registry (by importers), which facts may cite.
EXTERNAL_SOURCES: set[str] = {"eto-chip-explorer"}


@dataclass
class Fact:
    """One sourced statement about a record's entity."""

    prop: str
    values: list[Any]
    sources: list[str]
    confidence: str
    valid_from: str | None
    valid_until: str | None
    note: str | None
    key: str
    contradicts: list[str]
    file: Path
    line: int
    value_line: int = 0


@dataclass
class Record:
    """One entity with its labels and facts, as written in a curated file."""

    id: str
    types: list[str]
    labels: dict[str, str]
    aliases: list[str]
    sources: list[str]
    confidence: str
    note: str | None
    facts: list[Fact]
    file: Path
    line: int


@dataclass
class CuratedData:
    """Everything read from the curated folder, before it becomes RDF."""

    sources: dict[str, SourceRecord] = field(default_factory=dict)
    source_lines: dict[str, tuple[Path, int]] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)


def normalise_date(value: Any) -> str | None:
    """Return an ISO date string (YYYY, YYYY-MM or YYYY-MM-DD) or None if the value is not one."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and 1000 <= value <= 9999:
        return str(value)
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        text = value.strip()
        try:
            if len(text) == 10:
                dt.date.fromisoformat(text)
            elif len(text) == 7:
                dt.date.fromisoformat(text + "-01")
        except ValueError:
            return None
        return text
    return None


def _not_scalar(value: Any) -> bool:
    """True for a list, mapping or boolean where a text is expected (None means absent: fine)."""
    return isinstance(value, (list, dict, bool))


class _Reader:
    """Collects problems while reading the curated files."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, message: str, file: Path, line: int | None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, file, line, hint=hint))

    def str_list(self, value: Any, what: str, file: Path, line: int) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self.problem(f"{what} must be a word or a list of words", file, line)
        return []

    # -- sources -------------------------------------------------------------------------------
    def read_sources(self, path: Path, data: CuratedData) -> None:
        doc = load_yaml(path)
        if doc is None:
            return
        if not isinstance(doc, LineList):
            self.problem("a source registry must be a list of sources", path, 1)
            return
        for item, line in zip(doc, doc.item_lines):
            if not isinstance(item, LineDict):
                self.problem("each source must be a mapping with id, title, publisher, date, url", path, line)
                continue
            unknown = set(item) - SOURCE_KEYS
            for key in sorted(unknown):
                self.problem(f"unknown source field {key!r}", path, item.key_lines[key], suggest(key, SOURCE_KEYS))
            sid = item.get("id")
            if not isinstance(sid, str) or not SLUG_RE.match(sid):
                self.problem(
                    f"source id {shown_id(sid)} must be a lowercase slug like 'fr-2023-23048', "
                    f"of at most {MAX_ID_LENGTH} characters",
                    path,
                    line,
                )
                continue
            if sid in data.sources:
                first = data.source_lines[sid]
                self.problem(f"duplicate source id {sid!r}", path, line, f"first defined at {first[0]}:{first[1]}")
                continue
            text_keys = ("title", "publisher", "url", "language", "kind", "note", "license")
            not_text = [k for k in text_keys if _not_scalar(item.get(k))]
            if not_text:
                for k in not_text:
                    self.problem(f"source {sid!r}: {k} must be a single text, not {item[k]!r}", path, item.key_lines[k])
                continue
            missing = [k for k in ("title", "publisher", "date", "url", "language") if not item.get(k)]
            if missing:
                self.problem(
                    f"source {sid!r} lacks {', '.join(missing)}",
                    path,
                    line,
                    "every source needs title, publisher, date, url and language",
                )
                continue
            date = normalise_date(item["date"])
            if date is None:
                self.problem(
                    f"source {sid!r} has a bad date {item['date']!r}",
                    path,
                    item.key_lines["date"],
                    "write YYYY-MM-DD, YYYY-MM or YYYY",
                )
                continue
            url = str(item["url"])
            if not _URL_RE.fullmatch(url):
                self.problem(
                    f"source {sid!r} has a bad url {url!r}",
                    path,
                    item.key_lines["url"],
                    "use an http(s) URL, or file:<path> for a stored copy",
                )
                continue
            license_url = str(item["license"]) if item.get("license") else None
            if license_url is not None and not re.fullmatch(r"https?://\S+", license_url):
                self.problem(
                    f"source {sid!r} has a bad license {license_url!r}",
                    path,
                    item.key_lines["license"],
                    "give the licence's URL, e.g. https://creativecommons.org/licenses/by/4.0/",
                )
                continue
            kind = item.get("kind", "news")
            if kind not in SOURCE_KINDS:
                self.problem(
                    f"source {sid!r} has unknown kind {kind!r}",
                    path,
                    item.key_lines.get("kind", line),
                    "use one of " + ", ".join(SOURCE_KINDS),
                )
                continue
            lang = str(item["language"])
            if not LANG_RE.match(lang):
                self.problem(
                    f"source {sid!r} has a bad language tag {lang!r}",
                    path,
                    item.key_lines["language"],
                    "use a BCP 47 tag such as en, zh, ko",
                )
                continue
            data.sources[sid] = SourceRecord(
                id=sid,
                title=str(item["title"]),
                publisher=str(item["publisher"]),
                date=date,
                url=url,
                language=lang,
                kind=kind,
                note=str(item["note"]) if item.get("note") else None,
                license=license_url,
            )
            data.source_lines[sid] = (path, line)

    # -- records -------------------------------------------------------------------------------
    def read_records(self, path: Path, data: CuratedData, onto: OntologyInfo) -> None:
        doc = load_yaml(path)
        if doc is None:
            return
        if not isinstance(doc, LineList):
            self.problem("a curated file must be a list of records (each starting with '- id:')", path, 1)
            return
        for item, line in zip(doc, doc.item_lines):
            record = self.read_record(item, path, line, onto)
            if record is None:
                continue
            if record.id in data.records:
                first = data.records[record.id]
                self.problem(f"duplicate id {record.id!r}", path, line, f"first defined at {first.file}:{first.line}")
                continue
            data.records[record.id] = record

    def read_record(self, item: Any, path: Path, line: int, onto: OntologyInfo) -> Record | None:
        if not isinstance(item, LineDict):
            self.problem("each record must be a mapping with id, type, label, sources", path, line)
            return None
        for key in sorted(set(item) - RECORD_KEYS):
            self.problem(f"unknown record field {key!r}", path, item.key_lines[key], suggest(key, RECORD_KEYS))
        rid = item.get("id")
        if not isinstance(rid, str) or not (SLUG_RE.match(rid) or COUNTRY_RE.match(rid)):
            self.problem(
                f"id {shown_id(rid)} must be a lowercase slug (a-z, 0-9, '-') of at most {MAX_ID_LENGTH} characters "
                "or an ISO 3166 alpha-3 code",
                path,
                line,
            )
            return None
        types = self.str_list(item.get("type"), "type", path, item.key_lines.get("type", line))
        if not types:
            self.problem(f"{rid}: a record needs a type", path, line, "for example type: [Organisation, Foundry]")
        for t in types:
            if t not in onto.classes:
                self.problem(
                    f"{rid}: unknown type {t!r}",
                    path,
                    item.key_lines.get("type", line),
                    suggest(t, onto.classes) or "see ontology/chipgraph.ttl for the classes",
                )
        labels = item.get("label")
        if isinstance(labels, str):
            labels = {"en": labels}
        if not isinstance(labels, dict) or not isinstance(labels.get("en"), str) or not labels["en"].strip():
            self.problem(
                f"{rid}: a record needs an English label",
                path,
                item.key_lines.get("label", line),
                "write label: {en: Name, zh: 名称, ko: 이름}",
            )
            labels = {"en": rid}
        for lang, text in labels.items():
            if not LANG_RE.match(str(lang)) or not isinstance(text, str):
                self.problem(
                    f"{rid}: bad label {lang!r}: {text!r}",
                    path,
                    item.key_lines.get("label", line),
                    "labels map a language tag to a text",
                )
        aliases = self.str_list(item.get("aliases"), "aliases", path, item.key_lines.get("aliases", line))
        sources = self.str_list(item.get("sources"), "sources", path, item.key_lines.get("sources", line))
        if not sources:
            self.problem(
                f"{rid}: a record needs at least one source", path, line, "add sources: [<id from sources.yaml>]"
            )
        confidence = item.get("confidence", "")
        if not isinstance(confidence, str) or confidence not in CONFIDENCE:
            self.problem(
                f"{rid}: confidence must be high, medium or low, not {confidence!r}",
                path,
                item.key_lines.get("confidence", line),
            )
            confidence = "low"
        facts_raw = item.get("facts")
        facts: list[Fact] = []
        if facts_raw is None:
            pass
        elif not isinstance(facts_raw, LineList):
            self.problem(f"{rid}: facts must be a list", path, item.key_lines.get("facts", line))
        else:
            for fact_item, fact_line in zip(facts_raw, facts_raw.item_lines):
                fact = self.read_fact(rid, fact_item, path, fact_line, onto)
                if fact is not None:
                    facts.append(fact)
        note = self.text_field(item, "note", rid, path, line)
        return Record(
            id=rid,
            types=types,
            labels={str(k): str(v) for k, v in labels.items()},
            aliases=aliases,
            sources=sources,
            confidence=confidence,
            note=note,
            facts=facts,
            file=path,
            line=line,
        )

    def text_field(self, item: LineDict, name: str, where: str, path: Path, line: int) -> str | None:
        """A field that holds one text (a note, a fact key): None when absent or empty; a problem,
        at the field's line, when it is a list, a mapping or a yes/no."""
        value = item.get(name)
        if value is None or value == "":
            return None
        if _not_scalar(value):  # the check the source registry's text fields use
            self.problem(
                f"{where}: {name} must be a single text, not {type(value).__name__.removeprefix('Line').lower()}",
                path,
                item.key_lines.get(name, line),
                "quote it, or join the items into one sentence",
            )
            return None
        return str(value)

    def read_fact(self, rid: str, item: Any, path: Path, line: int, onto: OntologyInfo) -> Fact | None:
        if not isinstance(item, LineDict):
            self.problem(f"{rid}: each fact must be a mapping with property, value, sources, confidence", path, line)
            return None
        for key in sorted(set(item) - FACT_KEYS):
            self.problem(f"{rid}: unknown fact field {key!r}", path, item.key_lines[key], suggest(key, FACT_KEYS))
        prop = item.get("property")
        if not isinstance(prop, str) or prop not in onto.properties:
            self.problem(
                f"{rid}: unknown property {prop!r}",
                path,
                line,
                suggest(str(prop), onto.properties) or "see ontology/chipgraph.ttl for the properties",
            )
            return None
        if "value" not in item or item["value"] is None or item["value"] == []:
            self.problem(f"{rid}: fact {prop!r} has no value", path, line)
            return None
        values = list(item["value"]) if isinstance(item["value"], list) else [item["value"]]
        sources = self.str_list(item.get("sources"), "sources", path, item.key_lines.get("sources", line))
        if not sources:
            self.problem(
                f"{rid}: fact {prop!r} has no source", path, line, "every fact needs sources: [<id from sources.yaml>]"
            )
            return None
        confidence = item.get("confidence", "")
        if not isinstance(confidence, str) or confidence not in CONFIDENCE:
            self.problem(
                f"{rid}: fact {prop!r}: confidence must be high, medium or low, not {confidence!r}",
                path,
                item.key_lines.get("confidence", line),
            )
            return None
        dates: dict[str, str] = {}
        for key in ("valid_from", "valid_until"):
            if item.get(key) is not None:
                date = normalise_date(item[key])
                if date is None or len(date) != 10:
                    self.problem(
                        f"{rid}: fact {prop!r}: bad {key} {item[key]!r}",
                        path,
                        item.key_lines[key],
                        "write a date as YYYY-MM-DD",
                    )
                    return None
                dates[key] = date
        contradicts = self.str_list(
            item.get("contradicts"), "contradicts", path, item.key_lines.get("contradicts", line)
        )
        note = self.text_field(item, "note", f"{rid}: fact {prop!r}", path, line)
        key = self.text_field(item, "key", f"{rid}: fact {prop!r}", path, line) or sources[0]
        return Fact(
            prop=prop,
            values=values,
            sources=sources,
            confidence=confidence,
            valid_from=dates.get("valid_from"),
            valid_until=dates.get("valid_until"),
            note=note,
            key=key,
            contradicts=contradicts,
            file=path,
            line=line,
            value_line=item.key_lines.get("value", line),
        )


def load_curated(directory: Path | None = None, onto: OntologyInfo | None = None) -> CuratedData:
    """Read every YAML file of the curated folder; raise :class:`InputError` listing all problems."""
    from graph.vocab.ontology import load_ontology

    directory = Path(directory or CURATED_DIR)
    onto = onto or load_ontology()
    if not directory.is_dir():
        raise InputError(Problem(f"no curated-data folder at {directory}", directory))
    reader = _Reader()
    data = CuratedData()
    files = sorted(directory.glob("*.yaml"))
    for path in files:
        if path.name.startswith("sources"):
            try:
                reader.read_sources(path, data)
            except InputError as exc:
                reader.problems.extend(exc.problems)
    for path in files:
        if not path.name.startswith("sources") and path.name not in NOT_RECORDS:
            try:
                reader.read_records(path, data, onto)
            except InputError as exc:
                reader.problems.extend(exc.problems)
    for record in data.records.values():
        for sid in record.sources:
            if sid not in data.sources and sid not in EXTERNAL_SOURCES:
                reader.problem(
                    f"{record.id}: unknown source {sid!r}",
                    record.file,
                    record.line,
                    suggest(sid, data.sources) or "add it to sources.yaml",
                )
        for fact in record.facts:
            for sid in fact.sources:
                if sid not in data.sources and sid not in EXTERNAL_SOURCES:
                    reader.problem(
                        f"{record.id}: fact {fact.prop!r}: unknown source {sid!r}",
                        fact.file,
                        fact.line,
                        suggest(sid, data.sources) or "add it to sources.yaml",
                    )
    if not reader.problems:
        reader.problems += share_sum_problems(data) + type_cycle_problems(data)
    if reader.problems:
        raise InputError(f"{len(reader.problems)} problem(s) in the curated data", reader.problems)
    return data


def _fact_values(record: Record, prop: str) -> list[tuple[Any, Fact]]:
    return [(value, fact) for fact in record.facts if fact.prop == prop for value in fact.values]


def share_sum_problems(data: CuratedData) -> list[Problem]:
    """Curated Provision shares of one input in one year may add up to at most 100 (plus rounding).

    The same rule the ETO reader applies (:func:`graph.sources.eto_release.share_tolerance`):
    shares are grouped by input, year and kind of provider (firms apart from countries), since a
    country's share and its firms' shares overlap. Without it, a 95 % share added on top of
    50 + 40 + 10 makes the published concentration impossible (an HHI above 10,000).
    """
    from graph.sources.eto_release import share_tolerance

    groups: dict[tuple[str, str, bool], list[tuple[Decimal, Fact, str]]] = {}
    for record in data.records.values():
        if "Provision" not in record.types:
            continue
        shares = _fact_values(record, "sharePercent")
        inputs = [v for v, _ in _fact_values(record, "providedInput") if isinstance(v, str)]
        providers = [v for v, _ in _fact_values(record, "provider") if isinstance(v, str)]
        years = [str(v) for v, _ in _fact_values(record, "year")] or [""]
        for value, fact in shares:
            number = Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else None
            if isinstance(value, float):
                number = Decimal(repr(value))
            elif isinstance(value, str):
                number = parse_decimal(value.strip())
            if number is None or not number.is_finite():
                continue  # not a number: the literal check names it
            for provider in providers:
                rec = data.records.get(provider)
                is_country = bool(COUNTRY_RE.match(provider)) or (rec is not None and "Country" in rec.types)
                for input_id in inputs:
                    for year in years:
                        groups.setdefault((input_id, year, is_country), []).append((Decimal(number), fact, record.id))
    problems = []
    for (input_id, year, is_country), rows in sorted(groups.items()):
        numbers = [share for share, _, _ in rows]
        total = sum(numbers, Decimal(0))
        allowed = 100 + share_tolerance(numbers)
        if total > allowed:
            last = max((fact for _, fact, _ in rows), key=lambda f: (str(f.file), f.value_line))
            who = "countries" if is_country else "organisations"
            problems.append(
                Problem(
                    f"shares of {who} for {input_id}{' in ' + year if year else ''} add up to {total}, "
                    f"more than 100 (at most {allowed} with rounding; records "
                    f"{', '.join(sorted({rid for _, _, rid in rows}))})",
                    last.file,
                    last.value_line,
                    hint="check the shares of this input",
                )
            )
    return problems


def type_cycle_problems(data: CuratedData) -> list[Problem]:
    """Refuse an ``isTypeOf`` cycle among curated records (the ETO reader refuses one in its sequence)."""
    parents: dict[str, list[tuple[str, Fact]]] = {}
    for record in data.records.values():
        for value, fact in _fact_values(record, "isTypeOf"):
            if isinstance(value, str) and value in data.records:
                parents.setdefault(record.id, []).append((value, fact))
    problems: list[Problem] = []
    for cycle, facts in find_cycles(parents, sorted(parents)):
        last = max(facts, key=lambda f: (str(f.file), f.value_line))
        problems.append(
            Problem(
                "isTypeOf cycle: " + " -> ".join(cycle),
                last.file,
                last.value_line,
                hint="an input cannot be a type of itself, directly or through other inputs",
            )
        )
    return problems


def shown_id(value: object) -> str:
    """An id as a message shows it: repr, shortened in the middle beyond 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...{text[-15:]} ({len(str(value))} characters)"
