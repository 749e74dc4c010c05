"""Domain errors. The library raises them; the CLI prints them as ``Error: ...`` with exit 1."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Problem:
    """One problem in an input: where it is, what is wrong, and what to do."""

    message: str
    file: str | Path | None = None
    line: int | None = None
    # Keyword-only: a hint passed where a column belongs once printed as "file:line:hint:".
    column: int | None = field(default=None, kw_only=True)
    hint: str | None = field(default=None, kw_only=True)
    focus: str | None = field(default=None, kw_only=True)  # SHACL focus node (an IRI), to map back to YAML
    path: str | None = field(default=None, kw_only=True)  # SHACL result path, compacted (e.g. "cg:effectiveDate")

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        text = where + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ChipgraphError(Exception):
    """An error a user can act on. Holds one or more :class:`Problem` records."""

    def __init__(self, message: str | Problem, problems: list[Problem] | None = None):
        first = message if isinstance(message, Problem) else Problem(str(message))
        self.problems: list[Problem] = [first] if problems is None else problems
        self.headline = str(first) if problems is None else str(message)
        super().__init__(self.headline)

    def __str__(self) -> str:
        if len(self.problems) <= 1 and self.headline == str(self.problems[0]):
            return self.headline
        lines = [self.headline] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class InputError(ChipgraphError):
    """Bad input data: malformed file, unknown reference, bad value."""


class NotFoundError(ChipgraphError):
    """A name, query or file that does not exist."""


@dataclass
class ValidationReport:
    """The outcome of SHACL validation: conforms, and the violations if not."""

    conforms: bool
    violations: list[Problem] = field(default_factory=list)


def suggest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """A "did you mean ...?" hint naming up to three choices close to ``word``, or None.

    The one place every loader, query parameter and lookup asks for a near miss, so that hints
    read the same everywhere.
    """
    close = list(dict.fromkeys(difflib.get_close_matches(word, list(dict.fromkeys(choices)), n=3, cutoff=cutoff)))
    return "did you mean " + ", ".join(close) + "?" if close else None


def engine_error(exc: BaseException, location: str = "") -> ChipgraphError:
    """The error to show for an exception Oxigraph raised while running or reading out a query.

    A damaged store (RocksDB's "Corruption: ..." on a checksum or size mismatch) says so and how
    to mend it; anything else is the query's own failure (an unsupported function, a bad cast).
    """
    text = str(exc)
    if "Corruption" in text or "No such file or directory" in text:
        where = f" at {location}" if location and location != "memory" else ""
        return ChipgraphError(
            f"the store{where} cannot be read ({text.strip()}): it is damaged or was replaced while "
            "being read; rebuild it with `chipgraph build --force`"
        )
    return ChipgraphError(f"the query failed: {text}")
