"""The model's named assumptions: what no source gives, as ranges with their reasoning.

They live in ``graph/data/capacity/assumptions.yaml`` (format in that file's header). The loader
is strict: an unknown key, a missing reason, a bad number or a range with ``low > high`` is an
:class:`~graph.errors.InputError` naming the file and line. Claim and accelerator ids are checked
against the graph by :func:`check_assumptions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InputError, Problem, suggest

__all__ = ["Assumption", "load_assumptions", "check_assumptions", "DEFAULT_ASSUMPTIONS"]

#: The shipped assumptions file.
DEFAULT_ASSUMPTIONS = Path(__file__).resolve().parent.parent / "data" / "capacity" / "assumptions.yaml"

KEYS = {"id", "parameter", "accelerator", "years", "low", "high", "value", "unit", "reasoning", "based_on", "same_as"}


@dataclass(frozen=True)
class Assumption:
    """One assumed range (or, with ``same_as``, a stand-in accelerator for the logic die)."""

    id: str
    parameter: str
    accelerators: tuple[str, ...]  # ("*",) for every accelerator
    years: tuple[int, ...] = ()  # empty: every year
    low: float | None = None
    high: float | None = None
    unit: str = ""
    reasoning: str = ""
    based_on: tuple[str, ...] = ()
    same_as: str | None = None
    path: str = ""
    line: int = 0

    def applies(self, accelerator: str, year: int) -> bool:
        """Whether this assumption is about ``accelerator`` in ``year``."""
        return ("*" in self.accelerators or accelerator in self.accelerators) and (not self.years or year in self.years)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "id": self.id,
            "parameter": self.parameter,
            "low": self.low,
            "high": self.high,
            "same_as": self.same_as,
            "unit": self.unit,
            "reasoning": self.reasoning,
            "based_on": list(self.based_on),
        }


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def load_assumptions(path: str | Path = DEFAULT_ASSUMPTIONS, parameters: set[str] | None = None) -> list[Assumption]:
    """Read and check an assumptions file; every problem is reported with its file and line.

    Parameters
    ----------
    path : path
        The YAML file (default: the shipped ``assumptions.yaml``).
    parameters : set of str, optional
        Known parameter names (default: those of :data:`graph.capacity.model.PARAMETERS` plus
        ``logic_die``).
    """
    from graph.sources.yamlload import LineDict, LineList, load_yaml

    if parameters is None:
        from graph.capacity.model import PARAMETERS

        parameters = set(PARAMETERS) | {"logic_die"}
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(f"no assumptions file at {path}", path))
    doc = load_yaml(path)
    if not isinstance(doc, LineList):
        raise InputError(Problem("an assumptions file is a list of assumptions", path, 1))
    problems: list[Problem] = []
    out: list[Assumption] = []
    seen: dict[str, int] = {}
    for item, line in zip(doc, doc.item_lines):
        if not isinstance(item, LineDict):
            problems.append(Problem("each assumption is a mapping", path, line))
            continue
        kl = item.key_lines
        for key in sorted(set(item) - KEYS):
            problems.append(Problem(f"unknown key {key!r}", path, kl[key], hint="allowed: " + ", ".join(sorted(KEYS))))
        aid = item.get("id")
        if not isinstance(aid, str) or not aid:
            problems.append(Problem("an assumption needs an id", path, line))
            continue
        if aid in seen:
            problems.append(Problem(f"{aid}: duplicate id", path, line, hint=f"first on line {seen[aid]}"))
        seen[aid] = line
        param = item.get("parameter")
        if param not in parameters:
            problems.append(
                Problem(
                    f"{aid}: unknown parameter {param!r}",
                    path,
                    kl.get("parameter", line),
                    hint=suggest(str(param), sorted(parameters)) or "allowed: " + ", ".join(sorted(parameters)),
                )
            )
        accs = item.get("accelerator")
        if isinstance(accs, str):
            accs = [accs]
        if not isinstance(accs, list) or not accs or not all(isinstance(a, str) for a in accs):
            problems.append(Problem(f"{aid}: accelerator must be an id, a list of ids or '*'", path, line))
            accs = []
        years = item.get("years") or []
        if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
            problems.append(Problem(f"{aid}: years must be a list of years", path, kl.get("years", line)))
            years = []
        reasoning = item.get("reasoning")
        if not isinstance(reasoning, str) or not reasoning.strip():
            problems.append(Problem(f"{aid}: an assumption needs its reasoning", path, line))
        same_as = item.get("same_as")
        low = high = None
        if same_as is not None:
            if param != "logic_die" or not isinstance(same_as, str):
                problems.append(
                    Problem(f"{aid}: same_as (an accelerator id) goes with parameter logic_die", path, line)
                )
            if any(k in item for k in ("low", "high", "value")):
                problems.append(Problem(f"{aid}: same_as takes no low/high/value", path, line))
        else:
            if "value" in item:
                if "low" in item or "high" in item:
                    problems.append(Problem(f"{aid}: give value or low and high, not both", path, line))
                low = high = item["value"]
            else:
                low, high = item.get("low"), item.get("high")
            if not (_number(low) and _number(high)):
                problems.append(Problem(f"{aid}: low and high (or value) must be numbers", path, line))
                low = high = None
            elif low < 0 or low > high:  # type: ignore[operator]
                problems.append(Problem(f"{aid}: need 0 <= low <= high, got {low}..{high}", path, line))
        based_on = item.get("based_on") or []
        if not isinstance(based_on, list) or not all(isinstance(b, str) for b in based_on):
            problems.append(Problem(f"{aid}: based_on must be a list of claim ids", path, kl.get("based_on", line)))
            based_on = []
        out.append(
            Assumption(
                id=aid,
                parameter=str(param),
                accelerators=tuple(accs),
                years=tuple(years),
                low=float(low) if low is not None else None,
                high=float(high) if high is not None else None,
                unit=str(item.get("unit") or ""),
                reasoning=" ".join(str(reasoning or "").split()),
                based_on=tuple(based_on),
                same_as=same_as if isinstance(same_as, str) else None,
                path=str(path),
                line=line,
            )
        )
    if problems:
        raise InputError(f"{len(problems)} problem(s) in assumptions file {path}", problems)
    return out


def check_assumptions(assumptions: list[Assumption], claim_ids: set[str], accelerator_ids: set[str]) -> None:
    """Raise :class:`InputError` (file:line) for claim or accelerator ids the graph does not have."""
    problems: list[Problem] = []
    for a in assumptions:
        for c in a.based_on:
            if c not in claim_ids:
                problems.append(
                    Problem(f"{a.id}: unknown claim {c!r} in based_on", a.path, a.line, hint=suggest(c, claim_ids))
                )
        for acc in [*a.accelerators, *([a.same_as] if a.same_as else [])]:
            if acc != "*" and acc not in accelerator_ids:
                problems.append(
                    Problem(f"{a.id}: unknown accelerator {acc!r}", a.path, a.line, hint=suggest(acc, accelerator_ids))
                )
    if problems:
        raise InputError(f"{len(problems)} problem(s) in the capacity assumptions", problems)
