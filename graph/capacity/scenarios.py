"""Capacity what-ifs: YAML files that change the model's inputs, compared with the baseline.

They follow the chokepoint scenarios' conventions (:mod:`graph.chokepoints.scenarios`: a ``name``,
a ``description``, an optional ``as_of``, ids checked against the graph, every problem reported with
its file and line) but live in their own files, ``graph/data/scenarios/capacity-*.yaml``, and have
their own strict loader. Format::

    name: SMIC doubles its 7 nm capacity
    description: why this is plausible, with sources
    as_of: 2026-12-31            # optional: use only claims made by this date
    changes:
      - parameter: wafer_starts_wpm          # a name of graph.capacity.model.PARAMETERS
        accelerators: [ascend-910c]          # optional: default every accelerator
        years: [2026, 2027]                  # optional: default every year
        scale: 2                             # or [low, high]; or set: / add: a number or [low, high]
        reason: FT says SMIC plans to double 7 nm capacity in 2026
        cites: [cap-ft-smic-7nm-double-2026] # optional claim ids

``set`` replaces the input's range (and supplies an input that was missing), ``scale`` multiplies
its low and high ends by the low and high factors, ``add`` adds to them (never below zero).
:func:`compare` reports each result's change against the baseline.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError, Problem, suggest

__all__ = ["CapacityScenario", "Change", "load_capacity_scenario", "apply_to_inputs", "check_scenario", "compare"]

KEYS = {"name", "description", "as_of", "changes"}
CHANGE_KEYS = {"parameter", "accelerators", "years", "set", "scale", "add", "reason", "cites"}
OPS = ("set", "scale", "add")


@dataclass(frozen=True)
class Change:
    """One change to one parameter."""

    parameter: str
    op: str
    low: float
    high: float
    reason: str
    accelerators: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    cites: tuple[str, ...] = ()
    line: int = 0

    def applies(self, accelerator: str, year: int) -> bool:
        return (not self.accelerators or accelerator in self.accelerators) and (not self.years or year in self.years)


@dataclass
class CapacityScenario:
    """A parsed capacity scenario."""

    name: str
    path: str = ""
    description: str = ""
    as_of: dt.date | None = None
    changes: list[Change] = field(default_factory=list)


def _pair(value: Any) -> tuple[float, float] | None:
    """A finite number or [low, high] of them as floats; None for anything else (NaN, .inf, a
    whole number too large for a float, a text)."""

    def num(x: Any) -> bool:
        if not isinstance(x, (int, float)) or isinstance(x, bool):
            return False
        try:
            return math.isfinite(float(x))
        except OverflowError:
            return False

    if num(value):
        return float(value), float(value)
    if isinstance(value, list) and len(value) == 2 and all(num(v) for v in value) and value[0] <= value[1]:
        return float(value[0]), float(value[1])
    return None


def load_capacity_scenario(path: str | Path) -> CapacityScenario:
    """Read and check a capacity scenario; raise :class:`InputError` listing every problem (file:line)."""
    from graph.capacity.model import PARAMETERS
    from graph.sources.yamlload import LineDict, LineList, load_yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(f"no scenario file at {path}", path, hint="give the path of a .yaml file"))
    doc = load_yaml(path)
    if not isinstance(doc, LineDict):
        raise InputError(Problem("a capacity scenario is a mapping with 'name' and 'changes'", path, 1))
    problems: list[Problem] = []
    kl = doc.key_lines
    for key in sorted(set(doc) - KEYS):
        problems.append(
            Problem(f"unknown scenario key {key!r}", path, kl[key], hint="allowed: " + ", ".join(sorted(KEYS)))
        )
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("a scenario needs a name", path, 1))
        name = path.stem
    s = CapacityScenario(name=name, path=str(path), description=" ".join(str(doc.get("description") or "").split()))
    as_of = doc.get("as_of")
    if as_of is not None:
        if isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime):
            s.as_of = as_of
        else:
            try:
                s.as_of = dt.date.fromisoformat(str(as_of))
            except ValueError:
                problems.append(Problem(f"as_of: bad date {as_of!r}", path, kl.get("as_of"), hint="write YYYY-MM-DD"))
    changes = doc.get("changes")
    if not isinstance(changes, LineList) or not changes:
        problems.append(Problem("changes must be a non-empty list", path, kl.get("changes", 1)))
        changes = LineList()
        changes.item_lines = []
    for item, line in zip(changes, changes.item_lines):
        if not isinstance(item, dict):
            problems.append(Problem("each change is a mapping", path, line))
            continue
        for key in sorted(set(item) - CHANGE_KEYS):
            problems.append(
                Problem(f"unknown change key {key!r}", path, line, hint="allowed: " + ", ".join(sorted(CHANGE_KEYS)))
            )
        param = item.get("parameter")
        if not isinstance(param, str) or param not in PARAMETERS:
            problems.append(
                Problem(
                    f"unknown parameter {param!r}",
                    path,
                    line,
                    hint=suggest(str(param), PARAMETERS) or "allowed: " + ", ".join(PARAMETERS),
                )
            )
        ops = [op for op in OPS if op in item]
        if len(ops) != 1:
            problems.append(Problem("a change needs exactly one of set, scale or add", path, line))
            continue
        op = ops[0]
        pair = _pair(item[op])
        if pair is None or (op != "add" and pair[0] < 0):
            problems.append(
                Problem(
                    f"{op}: {item[op]!r} must be a finite number or [low, high] with low <= high"
                    + ("" if op == "add" else " and not negative"),
                    path,
                    line,
                )
            )
            continue
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append(Problem("a change needs a reason", path, line))
        accs = item.get("accelerators") or []
        if isinstance(accs, str):
            accs = [accs]
        years = item.get("years") or []
        cites = item.get("cites") or []
        if not isinstance(accs, list) or not all(isinstance(a, str) for a in accs):
            problems.append(Problem("accelerators must be a list of ids", path, line))
            accs = []
        if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
            problems.append(Problem("years must be a list of years", path, line))
            years = []
        if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
            problems.append(Problem("cites must be a list of claim ids", path, line))
            cites = []
        s.changes.append(
            Change(
                parameter=str(param),
                op=op,
                low=pair[0],
                high=pair[1],
                reason=" ".join(str(reason or "").split()),
                accelerators=tuple(accs),
                years=tuple(years),
                cites=tuple(cites),
                line=line,
            )
        )
    if problems:
        raise InputError(f"{len(problems)} problem(s) in capacity scenario {path}", problems)
    return s


def check_scenario(scenario: CapacityScenario, claim_ids: set[str], accelerator_ids: set[str]) -> None:
    """Raise :class:`InputError` (file:line) for accelerator or claim ids the graph does not have."""
    problems = []
    for ch in scenario.changes:
        for a in ch.accelerators:
            if a not in accelerator_ids:
                problems.append(
                    Problem(f"unknown accelerator {a!r}", scenario.path, ch.line, hint=suggest(a, accelerator_ids))
                )
        for c in ch.cites:
            if c not in claim_ids:
                problems.append(Problem(f"unknown claim {c!r}", scenario.path, ch.line, hint=suggest(c, claim_ids)))
    if problems:
        raise InputError(f"capacity scenario {scenario.name!r} names unknown ids", problems)


def apply_to_inputs(
    scenario: CapacityScenario, accelerator: str, year: int, inputs: dict[str, Any], missing: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The inputs after the scenario's changes (a new dict; the baseline's ranges are not touched)."""
    from graph.capacity.model import PARAMETERS, InputRange

    out = dict(inputs)
    still_missing = list(missing)
    for ch in scenario.changes:
        if not ch.applies(accelerator, year):
            continue
        note = f"{ch.op} {ch.low:g}" + (f"..{ch.high:g}" if ch.high != ch.low else "") + f": {ch.reason}"
        old = out.get(ch.parameter)
        if old is None:
            if ch.op != "set":
                continue  # nothing to scale or add to
            still_missing = [m for m in still_missing if m["parameter"] != ch.parameter]
            out[ch.parameter] = InputRange(ch.parameter, ch.low, ch.high, "scenario", scenario_note=note)
            continue
        if ch.op == "set":
            lo, hi = ch.low, ch.high
        elif ch.op == "scale":
            lo, hi = old.low * ch.low, old.high * ch.high
        else:
            lo, hi = max(old.low + ch.low, 0.0), max(old.high + ch.high, 0.0)
        cap = PARAMETERS[ch.parameter].cap
        if cap is not None:
            lo, hi = min(lo, cap), min(hi, cap)
        out[ch.parameter] = InputRange(
            ch.parameter,
            lo,
            hi,
            old.basis if ch.op != "set" else "scenario",
            claims=old.claims,
            assumption=old.assumption,
            carried_from=old.carried_from,
            low_confidence_only=old.low_confidence_only,
            scenario_note=note,
        )
    return out, still_missing


def compare(baseline: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per accelerator and year: the output and binding constraint before and after."""
    rows = []
    before = {(r["accelerator"], r["year"]): r for r in baseline}
    for r in after:
        b = before.get((r["accelerator"], r["year"]))
        if b is None:
            continue
        bo, ao = b.get("output") or {}, r.get("output") or {}
        row = {
            "accelerator": r["accelerator"],
            "label": r["label"],
            "year": r["year"],
            "scenario": r["scenario"],
            "status_before": b["status"],
            "status_after": r["status"],
            "binding_before": b["binding_constraint"],
            "binding_after": r["binding_constraint"],
        }
        for q in ("p10", "p50", "p90", "bound_low", "bound_high"):
            row[f"{q}_before"] = bo.get(q)
            row[f"{q}_after"] = ao.get(q)
        for con in ("logic", "memory", "packaging"):
            cb = (b.get("constraints") or {}).get(con) or {}
            ca = (r.get("constraints") or {}).get(con) or {}
            row[f"{con}_p50_before"] = cb.get("p50")
            row[f"{con}_p50_after"] = ca.get("p50")
        if bo.get("p50") is not None and ao.get("p50") is not None:
            row["p50_change"] = ao["p50"] - bo["p50"]
            row["p50_change_percent"] = round(100.0 * (ao["p50"] - bo["p50"]) / bo["p50"], 1) if bo["p50"] else None
        else:
            row["p50_change"] = row["p50_change_percent"] = None
        rows.append(row)
    return rows
