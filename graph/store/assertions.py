"""Minimum-count assertions over the built graph, kept beside the data they guard.

``graph/data/curated/assertions.yaml`` lists SPARQL counts with a lower or upper bound (as zavod
does for its datasets: a broken import shows up as a count below its floor). :func:`check_assertions`
runs each count over a built store and raises one :class:`InputError` naming, for every
assertion that fails, the file and line where it is written, the bound and the count found.

Each assertion is a mapping::

    - id: measures                     # a slug, unique in the file
      description: Export-control measures of any jurisdiction
      min: 45                          # and/or max: 0
      query: |                         # a SELECT whose first row binds ?count (an integer);
        SELECT (COUNT(DISTINCT ?m) AS ?count) WHERE { ... }   # ?examples (optional) names offenders
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.errors import ChipgraphError, InputError, Problem
from graph.paths import CURATED_DIR
from graph.sources.yamlload import LineDict, LineList, load_yaml
from graph.store.local import GraphStore, memory_store

__all__ = ["ASSERTIONS_FILE", "Assertion", "AssertionResult", "check_assertions", "load_assertions", "run_assertions"]

ASSERTIONS_FILE = "assertions.yaml"
_KEYS = {"id", "description", "query", "min", "max"}


@dataclass(frozen=True)
class Assertion:
    """One bounded count, with where it is written."""

    id: str
    description: str
    query: str
    min: int | None
    max: int | None
    file: Path
    line: int


@dataclass(frozen=True)
class AssertionResult:
    """The count an assertion found and whether it is within its bounds."""

    assertion: Assertion
    count: int
    examples: str | None

    @property
    def passed(self) -> bool:
        a = self.assertion
        return (a.min is None or self.count >= a.min) and (a.max is None or self.count <= a.max)


def _bound(item: LineDict, key: str, path: Path, problems: list[Problem]) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(Problem(f"{key} must be a whole number >= 0, not {value!r}", path, item.key_lines[key]))
        return None
    return value


def load_assertions(path: Path | None = None) -> list[Assertion]:
    """Read the assertions file; raise :class:`InputError` listing every malformed entry."""
    path = Path(path or CURATED_DIR / ASSERTIONS_FILE)
    doc = load_yaml(path)
    if not isinstance(doc, LineList):
        raise InputError(Problem("the assertions file must be a list of assertions ('- id: ...')", path, 1))
    problems: list[Problem] = []
    out: list[Assertion] = []
    seen: set[str] = set()
    for item, line in zip(doc, doc.item_lines):
        if not isinstance(item, LineDict):
            problems.append(
                Problem("each assertion must be a mapping with id, description, query, min/max", path, line)
            )
            continue
        for key in sorted(set(item) - _KEYS):
            problems.append(Problem(f"unknown assertion field {key!r}", path, item.key_lines[key]))
        aid, query = item.get("id"), item.get("query")
        if not isinstance(aid, str) or not aid or aid in seen:
            problems.append(Problem(f"assertion id {aid!r} must be a unique, non-empty word", path, line))
            continue
        seen.add(aid)
        if not isinstance(query, str) or "?count" not in query:
            problems.append(Problem(f"assertion {aid!r} needs a SELECT query binding ?count", path, line))
            continue
        low, high = _bound(item, "min", path, problems), _bound(item, "max", path, problems)
        if low is None and high is None:
            problems.append(Problem(f"assertion {aid!r} needs min or max", path, line))
            continue
        out.append(Assertion(aid, str(item.get("description") or aid), query, low, high, path, line))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in {path.name}", problems)
    return out


def run_assertions(store: GraphStore, assertions: list[Assertion]) -> list[AssertionResult]:
    """Run every assertion's count over ``store``, in file order."""
    results = []
    for a in assertions:
        try:
            rows = store.select(a.query)
        except ChipgraphError as exc:
            raise InputError(Problem(f"assertion {a.id!r}: {exc}", a.file, a.line)) from exc
        first = rows[0] if rows else {}
        term, examples = first.get("count"), first.get("examples")
        try:
            count = int(term.value) if isinstance(term, ox.Literal) else 0
        except ValueError as exc:
            raise InputError(Problem(f"assertion {a.id!r}: ?count is not a number", a.file, a.line)) from exc
        text = examples.value if isinstance(examples, ox.Literal) and examples.value else None
        results.append(AssertionResult(a, count, text))
    return results


def check_assertions(data: GraphStore | list[ox.Quad], path: Path | None = None) -> list[AssertionResult]:
    """Check the assertions of ``path`` on a store (or on quads, loaded into memory).

    A missing file means no assertions. Returns the results when all pass; raises
    :class:`InputError` with one problem per failed assertion (its file and line, its bounds and
    the count found) otherwise.
    """
    path = Path(path or CURATED_DIR / ASSERTIONS_FILE)
    if not path.exists():  # a curated folder without assertions (a test's minimal copy) has nothing to check
        return []
    store = memory_store(data) if isinstance(data, list) else data
    results = run_assertions(store, load_assertions(path))
    problems = []
    for r in results:
        if r.passed:
            continue
        a = r.assertion
        bounds = " and ".join(
            text
            for text in (
                f"at least {a.min}" if a.min is not None else "",
                f"at most {a.max}" if a.max is not None else "",
            )
            if text
        )
        hint = f"e.g. {r.examples}" if r.examples else None
        problems.append(
            Problem(
                f"assertion {a.id!r} ({a.description}) expects {bounds}, found {r.count}", a.file, a.line, hint=hint
            )
        )
    if problems:
        raise InputError(f"the built graph fails {len(problems)} minimum-count assertion(s)", problems)
    return results
