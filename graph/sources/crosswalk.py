"""The reviewed crosswalk between ETO providers and chipgraph entities, and its review aids.

Entity resolution is data, not code: ``graph/data/eto_crosswalk.csv`` says which ETO provider id is
which curated firm (plus its Wikidata item where one can be cited). A row with an empty
``chipgraph_id`` records a provider that was reviewed and deliberately left separate (for example
"Hysol Huawei", which is not Huawei). :func:`near_matches` lists unmatched providers whose names
resemble a curated label or alias, for a reviewer to confirm or reject.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import InputError, Problem
from graph.lexical import read_text
from graph.vocab.namespaces import COUNTRY_RE, SLUG_RE

if TYPE_CHECKING:
    from graph.sources.eto_release import EtoRelease

__all__ = ["COLUMNS", "CrosswalkEntry", "check_crosswalk", "curated_names", "near_matches", "read_crosswalk"]

COLUMNS = ("eto_provider_id", "eto_name", "chipgraph_id", "wikidata_qid", "note")
_QID_RE = re.compile(r"Q[1-9][0-9]*\Z")  # ASCII digits and \Z: no other script's digits, no trailing newline
_PID_RE = re.compile(r"P[0-9]+\Z")
#: Words that say nothing about which firm a name is.
_STOP = {
    "co",
    "corp",
    "corporation",
    "inc",
    "ltd",
    "limited",
    "group",
    "holdings",
    "technology",
    "technologies",
    "tech",
    "the",
    "company",
    "electronics",
    "semiconductor",
    "international",
    "ag",
    "gmbh",
    "plc",
    "sa",
    "manufacturing",
    "materials",
    "equipment",
    "engineering",
    "systems",
    "industries",
    "industrial",
    "precision",
    "instruments",
    "machinery",
    "scientific",
    "micro",
    "microelectronics",
    "of",
    "china",
    "chinese",
    "japan",
    "korea",
    "taiwan",
    "shanghai",
    "beijing",
    "shenzhen",
    "wuxi",
    "suzhou",
}


@dataclass(frozen=True)
class CrosswalkEntry:
    eto_provider_id: str
    eto_name: str
    chipgraph_id: str  # empty: reviewed, deliberately not matched
    wikidata_qid: str
    note: str
    line: int


def _records(reader: Any, path: Path) -> list[tuple[int, list[str]]]:
    """Every CSV record with the line it starts on; a malformed one (e.g. a stray quote) is an
    :class:`InputError` naming its line, not a csv.Error."""
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            out.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            Problem(
                f"cannot parse the row: {exc}",
                path,
                start,
                hint="quote fields that contain commas or quotes, and double inner quotes",
            )
        ) from exc
    return out


def read_crosswalk(path: Path) -> dict[str, CrosswalkEntry]:
    """Read and check the crosswalk file; raise :class:`InputError` with file, line and column."""
    problems: list[Problem] = []
    if not path.exists() and not path.is_symlink():
        raise InputError(Problem("missing crosswalk file", path))
    text = read_text(path)  # UTF-8 only (line and column of a bad byte), no control characters
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = _records(reader, path)
    header = records.pop(0)[1] if records else None
    if header is None:
        raise InputError(Problem("empty file", path, 1, hint=f"expected a header: {','.join(COLUMNS)}"))
    for i, name in enumerate(header, start=1):
        if name not in COLUMNS:
            problems.append(
                Problem(f"unexpected column {name!r}", path, 1, column=i, hint=f"expected {', '.join(COLUMNS)}")
            )
    for name in COLUMNS:
        if name not in header:
            problems.append(
                Problem(f"missing column {name!r}", path, 1, column=None, hint=f"expected {', '.join(COLUMNS)}")
            )
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}", problems)
    col = {name: header.index(name) + 1 for name in COLUMNS}
    entries: dict[str, CrosswalkEntry] = {}
    by_target: dict[str, int] = {}
    for line, record in records:
        if not record:
            continue
        if len(record) != len(header):
            problems.append(Problem(f"row has {len(record)} fields, the header has {len(header)}", path, line))
            continue
        row = {k: v.strip() for k, v in zip(header, record)}
        pid, target, qid = row["eto_provider_id"], row["chipgraph_id"], row["wikidata_qid"]
        if not _PID_RE.match(pid):
            problems.append(Problem(f"{pid!r} is not an ETO provider id", path, line, column=col["eto_provider_id"]))
            continue
        if pid in entries:
            problems.append(
                Problem(
                    f"provider {pid} is mapped twice (first at line {entries[pid].line})",
                    path,
                    line,
                    column=col["eto_provider_id"],
                )
            )
            continue
        if target and not SLUG_RE.match(target):
            problems.append(
                Problem(f"chipgraph_id {target!r} is not a lowercase slug", path, line, column=col["chipgraph_id"])
            )
        if target and target in by_target:
            problems.append(
                Problem(
                    f"chipgraph_id {target!r} is already the target of line {by_target[target]}",
                    path,
                    line,
                    column=col["chipgraph_id"],
                    hint="one ETO provider per chipgraph entity",
                )
            )
        if qid and not _QID_RE.match(qid):
            problems.append(
                Problem(
                    f"wikidata_qid {qid!r} is not a Wikidata item id",
                    path,
                    line,
                    column=col["wikidata_qid"],
                    hint="Q followed by digits, or empty",
                )
            )
        if qid and not target:
            problems.append(Problem("a Wikidata id needs a chipgraph_id", path, line, column=col["wikidata_qid"]))
        if not target and not row["note"]:
            problems.append(
                Problem("a deliberately unmatched provider needs a note saying why", path, line, column=col["note"])
            )
        if target:
            by_target[target] = line
        entries[pid] = CrosswalkEntry(pid, row["eto_name"], target, qid, row["note"], line)
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}", problems)
    return entries


def check_crosswalk(entries: dict[str, CrosswalkEntry], release: EtoRelease, path: Path) -> None:
    """Refuse crosswalk rows whose provider the release does not define, or defines under another name."""
    problems: list[Problem] = []
    for pid, entry in entries.items():
        provider = release.providers.get(pid)
        if provider is None:
            problems.append(
                Problem(
                    f"provider {pid} is not defined in providers.csv",
                    path,
                    entry.line,
                    column=1,
                    hint="remove the row or fix the id",
                )
            )
        elif entry.eto_name != provider.name:
            problems.append(
                Problem(
                    f"{pid} is {provider.name!r} in providers.csv, not {entry.eto_name!r}",
                    path,
                    entry.line,
                    column=2,
                    hint="the release renamed it: review the mapping",
                )
            )
        elif provider.type != "organization":
            problems.append(
                Problem(f"{pid} is a country provider; countries map by ISO code", path, entry.line, column=1)
            )
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}", problems)


def curated_names(directory: Path) -> dict[str, list[str]]:
    """Organisation and country id -> labels and aliases, from the curated YAML records."""
    import yaml

    names: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in ("sources.yaml", "rules.yaml"):
            continue
        try:
            records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # `chipgraph validate` reports broken curated files; the review aid skips them
        for rec in records if isinstance(records, list) else []:
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
                continue
            kind = rec.get("type")
            types = kind if isinstance(kind, list) else [kind]
            if "Organisation" not in types and "Country" not in types:
                continue
            label = rec.get("label")
            found = [str(v) for v in label.values()] if isinstance(label, dict) else ([str(label)] if label else [])
            found += [str(a) for a in rec.get("aliases") or []]
            names[rec["id"]] = found
    return names


def _words(name: str) -> str:
    return " ".join(w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _STOP)


def near_matches(
    unmatched: list[dict[str, str]], names: dict[str, list[str]], cutoff: float = 0.8
) -> list[dict[str, object]]:
    """For each unmatched provider, the most similar curated label or alias at or above ``cutoff``.

    Similarity is difflib's ratio on lowercased names without legal-form words ("Co", "Ltd",
    "Technology", "Equipment"...); a name of four letters or more contained whole in the other
    scores 0.9 at least. Countries are not candidates. Rows without a candidate get empty match
    columns.
    """
    candidates = [
        (eid, n, _words(n)) for eid, ns in sorted(names.items()) if not COUNTRY_RE.match(eid) for n in ns if _words(n)
    ]
    out: list[dict[str, object]] = []
    for row in unmatched:
        mine = _words(row["eto_name"])
        best: tuple[float, str, str] = (0.0, "", "")
        for eid, name, words in candidates:
            score = difflib.SequenceMatcher(None, mine, words).ratio() if mine else 0.0
            shorter = min(mine, words, key=len)
            if len(shorter) >= 4 and (f" {mine} " in f" {words} " or f" {words} " in f" {mine} "):
                score = max(score, 0.9)
            if score > best[0]:
                best = (score, eid, name)
        hit = best[0] >= cutoff
        out.append(
            {
                **row,
                "near_match_id": best[1] if hit else "",
                "near_match_name": best[2] if hit else "",
                "similarity": round(best[0], 2) if hit else None,
            }
        )
    return out
