"""The reviewed crosswalk between restricted-party list entries and curated chipgraph entities.

Like the ETO crosswalk (:mod:`graph.sources.crosswalk`), entity resolution is data:
``graph/data/lists_crosswalk.csv`` says which entry of which list is which curated firm. A row
names an entry by list id, name and country exactly as the list spells them, and either

- maps it to a curated entity (``chipgraph_id``): the entry then lists that entity's node, so one
  firm is one node across the curated data and every list; or
- keeps it apart and links it to a parent (``parent_id``) that a source (``parent_source``, a list
  id) says it belongs to, for example SMIC's subsidiaries named by the Section 1260H notice; or
- with an empty ``entry_name``, records that a curated entity was reviewed and is *not* on the list
  (the ``note`` says what the list names instead).

Nothing is ever merged on a similarity score: ``chipgraph crosswalk --lists --unmatched --near``
only suggests candidates for review.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError, Problem
from graph.vocab.namespaces import SLUG_RE

__all__ = ["COLUMNS", "ListCrosswalkEntry", "read_lists_crosswalk"]

COLUMNS = ("list_id", "entry_name", "country", "chipgraph_id", "parent_id", "parent_source", "note")


@dataclass(frozen=True)
class ListCrosswalkEntry:
    list_id: str
    entry_name: str  # empty: the curated entity is reviewed as absent from the list
    country: str
    chipgraph_id: str
    parent_id: str
    parent_source: str
    note: str
    line: int

    @property
    def key(self) -> tuple[str, str, str]:
        """What a row is about: its list entry, or, for a row reviewing a curated firm as absent
        (no entry_name), that firm."""
        if not self.entry_name:
            return (self.list_id, "", "absent:" + self.chipgraph_id)
        return (self.list_id, self.entry_name, self.country)


def read_lists_crosswalk(path: Path, list_ids: set[str]) -> list[ListCrosswalkEntry]:
    """Read and check the crosswalk; raise :class:`InputError` with file, line and column."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(Problem("missing crosswalk file", path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(Problem(f"not valid UTF-8: {exc.reason}", path, hint="save the file as UTF-8")) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        records = [(reader.line_num, r) for r in reader]
    except csv.Error as exc:
        raise InputError(Problem(f"cannot parse the row: {exc}", path, reader.line_num)) from exc
    if not records or records[0][1] != list(COLUMNS):
        raise InputError(Problem(f"the header must be {','.join(COLUMNS)}", path, 1))
    col = {name: i + 1 for i, name in enumerate(COLUMNS)}
    out: list[ListCrosswalkEntry] = []
    seen: dict[tuple[str, str, str], int] = {}
    targets: dict[tuple[str, str], int] = {}
    for line, record in records[1:]:
        if not record:
            continue
        if len(record) != len(COLUMNS):
            problems.append(Problem(f"row has {len(record)} fields, the header has {len(COLUMNS)}", path, line))
            continue
        row = dict(zip(COLUMNS, (v.strip() for v in record)))
        e = ListCrosswalkEntry(line=line, **row)

        def bad(column: str, message: str, hint: str | None = None) -> None:
            problems.append(Problem(message, path, line, column=col[column], hint=hint))  # noqa: B023

        if e.list_id not in list_ids:
            bad("list_id", f"unknown list {e.list_id!r}", "one of " + ", ".join(sorted(list_ids)))
            continue
        if e.key in seen:
            bad("entry_name", f"entry {e.entry_name!r} is mapped twice (first at line {seen[e.key]})")
            continue
        for column in ("chipgraph_id", "parent_id"):
            value = getattr(e, column)
            if value and not SLUG_RE.match(value):
                bad(column, f"{column} {value!r} is not a lowercase slug")
        if e.chipgraph_id and e.parent_id:
            bad("parent_id", "a mapped entry is the curated entity itself; give either chipgraph_id or parent_id")
        if not e.chipgraph_id and not e.parent_id:
            bad("chipgraph_id", "a row needs a chipgraph_id or a parent_id")
        if e.parent_id and e.parent_source not in list_ids:
            bad("parent_source", f"parent_source {e.parent_source!r} is not a list id", "the list whose text says so")
        if not e.entry_name and (e.parent_id or not e.note):
            bad("note", "a curated entity reviewed as absent from a list needs a note saying what the list names")
        if e.chipgraph_id and e.entry_name:
            target = (e.list_id, e.chipgraph_id)
            if target in targets:
                bad(
                    "chipgraph_id",
                    f"{e.chipgraph_id} is already the target of line {targets[target]} for {e.list_id}",
                    "one entry per list and curated entity; keep the others apart with a note",
                )
            targets[target] = line
        seen[e.key] = line
        out.append(e)
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}", problems)
    return out
