"""The production model: inputs from claims (one range rule), constraints, seeded Monte Carlo.

Model
-----
For an accelerator and a year, three constraints bound how many packages can be made:

- **logic** = (W x 12 x s x DPW(A) x Y + B x d) / k: new good dies from wafer starts W per month
  (s of them for this accelerator), gross dies per wafer DPW from the die area A
  (:func:`graph.capacity.dies.gross_dies_per_wafer`), yield Y, plus the share d of the die bank B
  drawn in the year, over k compute dies per package;
- **memory** = (H x h + N) / m: the share h of the HBM stock H used in the year plus new (domestic)
  supply N, over m stacks per package;
- **packaging** = P packages a year, where a source gives the packaging capacity the accelerator
  uses (otherwise not applied, and the result says so).

Output = min(logic, memory, packaging). Every input is a range [low, high]; the model is monotone in
each (more wafers, yield, dies or HBM never lower it; more die area, dies or stacks per package
never raise it), so the exact bounds of the output are the model at the two corners of the box
(interval arithmetic). Inside the bounds, a seeded Monte Carlo (independent uniform draws over each
range) gives p10/p50/p90, the share of draws in which each constraint binds, and a sensitivity
ranking: how far the median output moves when one input is pinned at its low and then its high end
with the others drawn as before. Uniform draws are the least-informed choice for "somewhere in the
published span"; independence is an assumption (the sources do not give correlations).

The range rule (:data:`RANGE_RULE`) turns the claims about an input into its range. Assumptions
(:mod:`graph.capacity.assumptions`) fill what no source gives and are listed in every result.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.capacity.assumptions import Assumption
from graph.capacity.claims import Accelerator, ClaimSet, FigureClaim
from graph.capacity.dies import gross_dies_per_wafer
from graph.errors import InputError, NotFoundError
from graph.read.model import CONFIDENCE_RANK, MIN_CONFIDENCE, at_least

__all__ = [
    "PARAMETERS",
    "CONSTRAINTS",
    "RANGE_RULE",
    "Parameter",
    "InputRange",
    "select_inputs",
    "evaluate",
    "capacity",
    "OUTPUT_METRIC",
    "CONTEXT_METRICS",
]

#: The metric of published output estimates (compared with, never used as inputs).
OUTPUT_METRIC = "output-units-per-year"
#: Metrics shown beside a result as context, never used as inputs.
CONTEXT_METRICS = (
    "wafer-capacity-wpm",
    "wafer-capacity-target-wpm",
    "wafer-capacity-added-wpm",
    "wafer-capacity-growth-ratio",
    "yield-target-fraction",
    "hbm-shipments-stacks",
    "packaging-capacity-per-year",
)

RANGE_RULE = (
    "For each input, take the claims with the input's metric about the entities its rule allows "
    "(the accelerator, its logic die, process node, designer or the designer's country), made on or "
    "before the as-of date, for the model year, or if there are none for the latest earlier year "
    "(carried forward). Keep those at or above the confidence floor (default medium); if none is, keep "
    "them all and flag the input. The range runs from the smallest figureLow (else figureValue) to the "
    "largest figureHigh (else figureValue) of the kept claims. With no claim, a named assumption gives "
    "the range; with neither, the input is missing."
)

#: The constraints, in the order ties are broken.
CONSTRAINTS = ("logic", "memory", "packaging")


@dataclass(frozen=True)
class Parameter:
    """A model input: where its claims come from and how it moves the output."""

    name: str
    label: str
    unit: str
    constraint: str
    metric: str | None  # None: only assumptions give it
    rule: str = "self"  # self | die | designer | national
    direction: int = 1  # +1: more raises the output; -1: more lowers it
    optional: bool = False  # absent: the constraint is not applied (packaging only)
    cap: float | None = None  # largest meaningful value (fractions: 1)


PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter(
            "wafer_starts_wpm",
            "wafer starts for the designer's AI chips",
            "wafers/month",
            "logic",
            "wafer-allocation-wpm",
            "designer",
        ),
        Parameter("wafer_share", "share of those wafers for this accelerator", "fraction", "logic", None, cap=1.0),
        Parameter("die_area_mm2", "compute die area", "mm²", "logic", "die-area-mm2", "die", -1),
        Parameter("wafer_diameter_mm", "wafer diameter", "mm", "logic", None),
        Parameter("yield_fraction", "die yield", "fraction", "logic", "yield-fraction", "die", cap=1.0),
        Parameter("die_bank_dies", "die bank (stockpiled dies)", "dies", "logic", "die-bank-dies", "die"),
        Parameter("die_bank_draw", "share of the die bank used in the year", "fraction", "logic", None, cap=1.0),
        Parameter("dies_per_package", "compute dies per package", "dies", "logic", "dies-per-package", "self", -1),
        Parameter("hbm_stock_stacks", "HBM stock", "stacks", "memory", "hbm-stock-stacks", "national"),
        Parameter("hbm_share", "share of the HBM stock used in the year", "fraction", "memory", None, cap=1.0),
        Parameter(
            "domestic_hbm_stacks",
            "new domestic HBM",
            "stacks/year",
            "memory",
            "domestic-hbm-stacks-per-year",
            "national",
        ),
        Parameter(
            "stacks_per_package", "HBM stacks per package", "stacks", "memory", "hbm-stacks-per-package", "self", -1
        ),
        Parameter(
            "packaging_per_year",
            "packaging capacity",
            "packages/year",
            "packaging",
            "packaging-capacity-per-year",
            "designer",
            optional=True,
        ),
    )
}

RULE_TEXT = {
    "self": "about the accelerator",
    "die": "about the accelerator, its logic die (same_as) or its process node",
    "designer": "about the accelerator or its designer",
    "national": "about the accelerator, its designer or the designer's country",
}


@dataclass
class InputRange:
    """One input's range and where it came from."""

    parameter: str
    low: float
    high: float
    basis: str  # claims | assumption | scenario
    claims: list[FigureClaim] = field(default_factory=list)
    assumption: Assumption | None = None
    carried_from: int | None = None
    low_confidence_only: bool = False
    scenario_note: str = ""

    def as_dict(self, labels: Callable[[str | None], str] | None = None) -> dict[str, Any]:
        p = PARAMETERS[self.parameter]
        return {
            "parameter": self.parameter,
            "label": p.label,
            "unit": p.unit,
            "constraint": p.constraint,
            "low": _num(self.low),
            "high": _num(self.high),
            "basis": self.basis,
            "claims": [c.id for c in self.claims],
            "assumption": self.assumption.id if self.assumption else None,
            "carried_from_year": self.carried_from,
            "low_confidence_only": self.low_confidence_only,
            "scenario": self.scenario_note or None,
        }


def _num(x: float) -> float | int:
    """Round for output: whole or large numbers become integers, others keep 6 significant digits."""
    if x is None or not math.isfinite(x):
        return x
    if abs(x) >= 10_000 or float(x).is_integer():
        return int(round(x))
    return float(f"{x:.6g}")


def _entities(acc: Accelerator, rule: str, proxies: tuple[str, ...]) -> set[str]:
    ents = {acc.id}
    if rule == "die":
        ents |= set(proxies) | set(acc.nodes)
    if rule in ("designer", "national"):
        ents |= set(acc.designers)
    if rule == "national":
        ents |= set(acc.countries)
    return ents


def _pick(claims: Iterable[FigureClaim], year: int, min_confidence: str) -> tuple[list[FigureClaim], int | None, bool]:
    """The year and confidence steps of the range rule: (kept claims, carried-from year, low-only flag)."""
    pool = [c for c in claims if c.year is not None and c.year <= year]
    if not pool:
        return [], None, False
    best = max(c.year for c in pool)  # type: ignore[type-var]
    pool = [c for c in pool if c.year == best]
    kept = [c for c in pool if at_least(c.confidence, min_confidence)]
    low_only = not kept
    return sorted(kept or pool, key=lambda c: c.id), (best if best != year else None), low_only


def select_inputs(
    data: ClaimSet,
    accelerator: str,
    year: int,
    assumptions: list[Assumption],
    *,
    as_of: dt.date | None = None,
    min_confidence: str = MIN_CONFIDENCE,
) -> tuple[dict[str, InputRange], list[dict[str, Any]], list[Assumption]]:
    """Apply the range rule to every parameter: (inputs, missing, assumptions used).

    Examples
    --------
    See :func:`capacity`; the tests build small claim sets by hand.
    """
    acc = data.accelerators[accelerator]
    applicable = [a for a in assumptions if a.applies(accelerator, year)]
    proxies = tuple(sorted({a.same_as for a in applicable if a.parameter == "logic_die" and a.same_as}))
    used: list[Assumption] = [a for a in applicable if a.parameter == "logic_die"]
    dated = [c for c in data.claims if as_of is None or (c.claim_date is not None and c.claim_date <= as_of)]
    inputs: dict[str, InputRange] = {}
    missing: list[dict[str, Any]] = []
    for name, p in PARAMETERS.items():
        rng: InputRange | None = None
        if p.metric:
            ents = _entities(acc, p.rule, proxies)
            cands = [c for c in dated if c.metric == p.metric and ents & set(c.about)]
            kept, carried, low_only = _pick(cands, year, min_confidence)
            if kept:
                lo = min(c.interval[0] for c in kept)
                hi = max(c.interval[1] for c in kept)
                rng = InputRange(name, lo, hi, "claims", kept, None, carried, low_only)
        if rng is None:
            # most specific assumption first: one naming the accelerator beats '*'
            own = sorted(
                (a for a in applicable if a.parameter == name and a.low is not None),
                key=lambda a: ("*" in a.accelerators, a.id),
            )
            if own:
                a = own[0]
                rng = InputRange(name, float(a.low), float(a.high), "assumption", assumption=a)  # type: ignore[arg-type]
                used.append(a)
        if rng is None:
            if not p.optional:
                missing.append(
                    {
                        "parameter": name,
                        "label": p.label,
                        "needs": (
                            f"a claim with metric {p.metric!r} {RULE_TEXT[p.rule]}, or an assumption"
                            if p.metric
                            else "an assumption (no source gives it)"
                        ),
                    }
                )
            continue
        inputs[name] = rng
    # the die-bank draw is needed only when there is a die bank
    if "die_bank_draw" not in inputs and inputs.get("die_bank_dies") and inputs["die_bank_dies"].high == 0:
        missing = [m for m in missing if m["parameter"] != "die_bank_draw"]
        inputs["die_bank_draw"] = InputRange("die_bank_draw", 0.0, 0.0, "assumption")
    return inputs, missing, used


def evaluate(values: dict[str, Any]) -> dict[str, Any]:
    """The constraints and the output for arrays (or scalars) of input values.

    Examples
    --------
    >>> v = dict(wafer_starts_wpm=1000, wafer_share=1.0, die_area_mm2=100.0, wafer_diameter_mm=300,
    ...          yield_fraction=0.5, die_bank_dies=0, die_bank_draw=0, dies_per_package=1,
    ...          hbm_stock_stacks=8e6, hbm_share=1.0, domestic_hbm_stacks=0, stacks_per_package=8)
    >>> r = evaluate(v)
    >>> round(float(r["logic"]))   # 1000 x 12 x 640.2 x 0.5
    3841291
    >>> float(r["memory"]), float(r["output"])
    (1000000.0, 1000000.0)
    """
    dpw = gross_dies_per_wafer(values["die_area_mm2"], values["wafer_diameter_mm"])
    dies = (
        np.asarray(values["wafer_starts_wpm"], dtype=float)
        * 12.0
        * values["wafer_share"]
        * dpw
        * values["yield_fraction"]
        + np.asarray(values["die_bank_dies"], dtype=float) * values["die_bank_draw"]
    )
    logic = dies / values["dies_per_package"]
    memory = (
        np.asarray(values["hbm_stock_stacks"], dtype=float) * values["hbm_share"] + values["domestic_hbm_stacks"]
    ) / values["stacks_per_package"]
    packaging = values.get("packaging_per_year")
    pack = np.full(np.shape(logic), np.inf) if packaging is None else np.asarray(packaging, dtype=float)
    pack = np.broadcast_to(pack, np.broadcast_shapes(np.shape(logic), np.shape(memory), np.shape(pack)))
    stacked = np.stack(np.broadcast_arrays(logic, memory, pack))
    return {
        "logic": logic,
        "memory": memory,
        "packaging": None if packaging is None else pack,
        "output": stacked.min(axis=0),
        "binding": stacked.argmin(axis=0),
        "dies_per_wafer": dpw,
    }


def _corner(inputs: dict[str, InputRange], high: bool) -> dict[str, float]:
    out = {}
    for name, r in inputs.items():
        up = high if PARAMETERS[name].direction > 0 else not high
        out[name] = r.high if up else r.low
    return out


def _scalar(values: dict[str, float]) -> float:
    """:func:`evaluate` for one point, in plain Python (the bisections call it many times)."""
    d = values["wafer_diameter_mm"]
    a = values["die_area_mm2"]
    dpw = max(math.pi * (d / 2.0) ** 2 / a - math.pi * d / math.sqrt(2.0 * a), 0.0)
    dies = (
        values["wafer_starts_wpm"] * 12.0 * values["wafer_share"] * dpw * values["yield_fraction"]
        + values["die_bank_dies"] * values["die_bank_draw"]
    )
    logic = dies / values["dies_per_package"]
    memory = (values["hbm_stock_stacks"] * values["hbm_share"] + values["domestic_hbm_stacks"]) / values[
        "stacks_per_package"
    ]
    return min(logic, memory, values.get("packaging_per_year", math.inf))


def _required(inputs: dict[str, InputRange], target: float) -> list[dict[str, Any]]:
    """For an estimate outside the bounds: the value each input alone would need to reach it.

    The other inputs stay at the corner of their ranges nearest the target; the input is moved
    (within what is meaningful: fractions up to 1) until the model reaches the target, by bisection.
    Inputs that cannot reach it alone (another constraint binds) are left out. Sorted by how far the
    needed value is from the input's range.
    """
    above = target > _scalar(_corner(inputs, True))
    base = _corner(inputs, above)
    out: list[dict[str, Any]] = []
    for name, r in inputs.items():
        p = PARAMETERS[name]
        if name == "wafer_diameter_mm":
            continue
        start = base[name]
        increase = (p.direction > 0) == above
        if increase:
            far = p.cap if p.cap is not None else max(start, 1.0) * 1e4
            if far <= start:
                continue
        else:
            far = 0.0 if p.direction > 0 else 1e-9
            if start <= far:
                continue

        def ok(x: float, name: str = name) -> bool:
            v = dict(base)
            v[name] = x
            y = _scalar(v)
            return y >= target if above else y <= target

        if not ok(far):
            continue
        a, b = (start, far) if increase else (far, start)  # ok(b) when increasing, ok(a) when decreasing
        for _ in range(80):
            mid = (a + b) / 2
            if ok(mid) == increase:
                b = mid
            else:
                a = mid
        need = b if increase else a
        out.append(
            {
                "parameter": name,
                "label": p.label,
                "range": [_num(r.low), _num(r.high)],
                "would_need": _num(need),
                "times_range_end": _num(need / start) if start else None,
            }
        )
    out.sort(key=lambda d: abs(math.log(d["times_range_end"])) if d["times_range_end"] else math.inf)
    return out


def _stats(x: np.ndarray) -> dict[str, Any]:
    q = np.percentile(x, [10, 50, 90])
    return {"p10": _num(float(q[0])), "p50": _num(float(q[1])), "p90": _num(float(q[2]))}


def _published(
    data: ClaimSet,
    acc: Accelerator,
    year: int,
    as_of: dt.date | None,
    bounds: tuple[float, float] | None,
    inputs: dict[str, InputRange] | None,
    p10p90: tuple[float, float] | None,
) -> list[dict[str, Any]]:
    rows = []
    for c in data.claims:
        if c.metric != OUTPUT_METRIC or c.year != year:
            continue
        if as_of is not None and (c.claim_date is None or c.claim_date > as_of):
            continue
        if acc.id in c.about:
            scope = "accelerator"
        elif set(acc.designers) & set(c.about):
            scope = "designer"
        else:
            continue
        if "die" in c.unit.lower():
            scope = "dies"
        lo_e = c.low if c.low is not None else (0.0 if c.high is not None else c.value)
        hi_e = c.high if c.high is not None else (math.inf if c.low is not None else c.value)
        row: dict[str, Any] = {
            **c.as_dict(),
            "claimed_by_label": data.label(c.claimed_by),
            "scope": scope,
            "verdict": None,
            "inside_p10_p90": None,
            "would_need": [],
        }
        if bounds is not None and scope != "dies":
            b_lo, b_hi = bounds
            if hi_e < b_lo:
                row["verdict"] = "below model range"
            elif lo_e > b_hi:
                row["verdict"] = "above model range"
            else:
                row["verdict"] = "inside model range"
            if p10p90:
                row["inside_p10_p90"] = bool(p10p90[0] <= c.value <= p10p90[1])
            if row["verdict"] != "inside model range" and inputs is not None:
                target = hi_e if row["verdict"] == "below model range" else lo_e
                if scope == "accelerator" or row["verdict"] == "below model range":
                    row["would_need"] = _required(inputs, target)[:5]
        elif scope == "dies":
            row["verdict"] = "not comparable (counts dies, not packages)"
        rows.append(row)
    rows.sort(key=lambda r: (r["scope"] != "accelerator", r["claim_date"] or "", r["id"]))
    return rows


def _context(data: ClaimSet, acc: Accelerator, year: int, as_of: dt.date | None, proxies: tuple[str, ...]) -> list:
    ents = {acc.id, *acc.designers, *acc.nodes, *proxies}
    out = []
    for c in data.claims:
        if c.metric in CONTEXT_METRICS and ents & set(c.about) and c.year is not None and c.year <= year:
            if as_of is None or (c.claim_date is not None and c.claim_date <= as_of):
                if c.year >= year - 1:
                    out.append(c.as_dict())
    return sorted(out, key=lambda d: (d["metric"], d["id"]))


def draw_uniforms(n: int, seed: int) -> np.ndarray:
    """The uniform draws, one column per parameter in :data:`PARAMETERS` order (same seed, same draws)."""
    rng = np.random.default_rng(seed)
    return rng.random((len(PARAMETERS), n))


def capacity(
    data: ClaimSet,
    accelerator: str,
    year: int,
    *,
    assumptions: list[Assumption],
    as_of: dt.date | None = None,
    min_confidence: str = MIN_CONFIDENCE,
    draws: int = 100_000,
    seed: int = 0,
    scenario: Any = None,
) -> dict[str, Any]:
    """Production capacity of one accelerator in one year, as plain data.

    Parameters
    ----------
    data : ClaimSet
        From :func:`graph.capacity.claims.read_claims`.
    accelerator : str
        Accelerator id.
    year : int
        Production year.
    assumptions : list of Assumption
        From :func:`graph.capacity.assumptions.load_assumptions`.
    as_of : datetime.date, optional
        Use only claims made on or before this date (inputs and published estimates alike).
    min_confidence : {"low", "medium", "high"}
        The range rule's confidence floor.
    draws, seed : int
        Monte Carlo draws and seed (same seed, same result, byte for byte).
    scenario : CapacityScenario, optional
        Changes applied to the inputs after the range rule (:mod:`graph.capacity.scenarios`).

    Returns
    -------
    dict
        ``status`` ("modelled" or "missing inputs"), ``output`` (p10/p50/p90, min/max of the draws,
        exact bounds), ``binding`` (share of draws per constraint), ``sensitivity``, ``inputs``,
        ``claims_used``, ``assumptions``, ``published`` (estimates with a verdict), ``missing``.
    """
    if accelerator not in data.accelerators:
        raise NotFoundError(f"{accelerator!r} is not an accelerator of the graph")
    if min_confidence not in CONFIDENCE_RANK:
        raise InputError(f"confidence floor must be one of {', '.join(CONFIDENCE_RANK)}, not {min_confidence!r}")
    if draws < 1:
        raise InputError(f"draws must be at least 1, not {draws}")
    acc = data.accelerators[accelerator]
    inputs, missing, used = select_inputs(
        data, accelerator, year, assumptions, as_of=as_of, min_confidence=min_confidence
    )
    if scenario is not None:
        from graph.capacity.scenarios import apply_to_inputs

        inputs, missing = apply_to_inputs(scenario, accelerator, year, inputs, missing)
    proxies = tuple(a.same_as for a in used if a.same_as)
    result: dict[str, Any] = {
        "accelerator": accelerator,
        "label": acc.label,
        "year": year,
        "as_of": as_of.isoformat() if as_of else None,
        "min_confidence": min_confidence,
        "scenario": getattr(scenario, "name", None),
        "status": "missing inputs" if missing else "modelled",
        "missing": missing,
        "range_rule": RANGE_RULE,
        "inputs": [r.as_dict() for r in inputs.values()],
        "assumptions": [a.as_dict() for a in used]
        + [r.assumption.as_dict() for r in inputs.values() if r.assumption and r.assumption not in used],
        "claims_used": sorted(
            {c.id: c.as_dict() for r in inputs.values() for c in r.claims}.values(), key=lambda d: d["id"]
        ),
        "output": None,
        "binding": [],
        "binding_constraint": None,
        "constraints": {},
        "sensitivity": [],
        "draws": draws,
        "seed": seed,
    }
    if missing:
        result["published"] = _published(data, acc, year, as_of, None, None, None)
        result["context"] = _context(data, acc, year, as_of, proxies)
        return result
    names = list(PARAMETERS)
    u = draw_uniforms(draws, seed)
    samples = {}
    for i, name in enumerate(names):
        if name in inputs:
            r = inputs[name]
            samples[name] = r.low + (r.high - r.low) * u[i]
    ev = evaluate(samples)
    out = ev["output"]
    b_lo = _scalar(_corner(inputs, False))
    b_hi = _scalar(_corner(inputs, True))
    stats = _stats(out)
    result["output"] = {
        **stats,
        "min": _num(float(out.min())),
        "max": _num(float(out.max())),
        "bound_low": _num(b_lo),
        "bound_high": _num(b_hi),
        "unit": "packages",
    }
    counts = np.bincount(ev["binding"], minlength=len(CONSTRAINTS))
    shares: list[dict[str, Any]] = [
        {"constraint": c, "share": round(float(counts[i]) / draws, 4)}
        for i, c in enumerate(CONSTRAINTS)
        if c != "packaging" or ev["packaging"] is not None
    ]
    result["binding"] = shares
    result["binding_constraint"] = max(shares, key=lambda s: s["share"])["constraint"]
    result["constraints"] = {
        "logic": _stats(ev["logic"]),
        "memory": _stats(ev["memory"]),
        "packaging": _stats(ev["packaging"]) if ev["packaging"] is not None else None,
        "dies_per_wafer": _stats(np.asarray(ev["dies_per_wafer"]) * np.ones(draws)),
    }
    if ev["packaging"] is None:
        result["constraints"]["packaging_note"] = (
            "not applied: no source gives the packaging capacity this accelerator uses"
        )
    sens: list[dict[str, Any]] = []
    for name, r in inputs.items():
        if r.high <= r.low:
            continue
        ends = []
        for v in (r.low, r.high):
            s2 = dict(samples)
            s2[name] = np.full(draws, v)
            ends.append(float(np.percentile(evaluate(s2)["output"], 50)))
        sens.append(
            {
                "parameter": name,
                "label": PARAMETERS[name].label,
                "low": _num(r.low),
                "high": _num(r.high),
                "p50_at_low": _num(ends[0]),
                "p50_at_high": _num(ends[1]),
                "swing": _num(abs(ends[1] - ends[0])),
            }
        )
    sens.sort(key=lambda s: (-s["swing"], s["parameter"]))
    result["sensitivity"] = sens
    result["published"] = _published(
        data, acc, year, as_of, (b_lo, b_hi), inputs, (float(np.percentile(out, 10)), float(np.percentile(out, 90)))
    )
    result["context"] = _context(data, acc, year, as_of, proxies)
    return result
