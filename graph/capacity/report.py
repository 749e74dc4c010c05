"""Results for several accelerators and years, the summary rows, and the files ``chipgraph build`` writes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from graph.capacity.assumptions import DEFAULT_ASSUMPTIONS, Assumption, check_assumptions, load_assumptions
from graph.capacity.claims import ClaimSet, read_claims
from graph.capacity.model import CONTEXT_METRICS, OUTPUT_METRIC, PARAMETERS, capacity
from graph.read.model import MIN_CONFIDENCE

__all__ = [
    "default_accelerators",
    "capacity_results",
    "summary_rows",
    "SUMMARY_COLUMNS",
    "write_capacity_outputs",
    "DEFAULT_YEARS",
]

#: Years ``chipgraph build`` models.
DEFAULT_YEARS = (2024, 2025, 2026, 2027)

SUMMARY_COLUMNS = [
    "accelerator",
    "year",
    "status",
    "p10",
    "p50",
    "p90",
    "min",
    "max",
    "binding",
    "top_sensitivity",
    "published",
    "missing",
]

_METRICS = {p.metric for p in PARAMETERS.values() if p.metric} | {OUTPUT_METRIC, *CONTEXT_METRICS}


def default_accelerators(data: ClaimSet, assumptions: Sequence[Assumption]) -> list[str]:
    """Accelerators that a capacity claim (input, context or published estimate) or an assumption names."""
    named = {a for c in data.claims if c.metric in _METRICS for a in c.about}
    named |= {acc for a in assumptions for acc in a.accelerators if acc != "*"}
    return sorted(a for a in named if a in data.accelerators)


def capacity_results(
    data: ClaimSet,
    accelerators: Iterable[str] | None = None,
    years: Iterable[int] = (2025,),
    *,
    assumptions: list[Assumption] | None = None,
    as_of: dt.date | None = None,
    scenario: Any = None,
    min_confidence: str = MIN_CONFIDENCE,
    draws: int = 100_000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """:func:`graph.capacity.model.capacity` for every accelerator and year (ids checked first)."""
    if assumptions is None:
        assumptions = load_assumptions(DEFAULT_ASSUMPTIONS)
    check_assumptions(assumptions, set(data.by_id()), set(data.accelerators))
    if scenario is not None:
        from graph.capacity.scenarios import check_scenario

        check_scenario(scenario, set(data.by_id()), set(data.accelerators))
        if as_of is None:
            as_of = scenario.as_of
    ids = list(accelerators) if accelerators is not None else default_accelerators(data, assumptions)
    return [
        capacity(
            data,
            acc,
            year,
            assumptions=assumptions,
            as_of=as_of,
            scenario=scenario,
            min_confidence=min_confidence,
            draws=draws,
            seed=seed,
        )
        for acc in ids
        for year in years
    ]


def _published_cell(r: dict[str, Any]) -> str:
    parts = []
    for p in r.get("published", []):
        if p["scope"] == "dies":
            continue
        who = p["claimed_by_label"] or p["id"]
        verdict = {"inside model range": "in", "below model range": "below", "above model range": "above"}.get(
            p["verdict"] or "", "not compared"
        )
        scope = "" if p["scope"] == "accelerator" else " (whole line)"
        parts.append(f"{who} {p['value']:,.0f}{scope}: {verdict}")
    return "; ".join(parts)


def summary_rows(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per result (for tables, CSV and the site's index)."""
    rows = []
    for r in results:
        o = r.get("output") or {}
        top = r["sensitivity"][0] if r.get("sensitivity") else None
        binding = ", ".join(f"{b['constraint']} {b['share']:.0%}" for b in r.get("binding", []) if b["share"] > 0)
        rows.append(
            {
                "accelerator": r["label"],
                "year": r["year"],
                "status": r["status"],
                "p10": o.get("p10"),
                "p50": o.get("p50"),
                "p90": o.get("p90"),
                "min": o.get("bound_low"),
                "max": o.get("bound_high"),
                "binding": binding,
                "top_sensitivity": top["parameter"] if top else None,
                "published": _published_cell(r),
                "missing": ", ".join(m["parameter"] for m in r.get("missing", [])),
            }
        )
    return rows


def build_results(
    store: Any, *, years: Iterable[int] = DEFAULT_YEARS, draws: int = 100_000, seed: int = 0
) -> list[dict[str, Any]]:
    """The capacity results ``chipgraph build`` writes and draws: every accelerator with claims, each year."""
    return capacity_results(read_claims(store), years=tuple(years), draws=draws, seed=seed)


def write_capacity_outputs(
    store: Any,
    out_dir: str | Path,
    *,
    years: Iterable[int] = DEFAULT_YEARS,
    draws: int = 100_000,
    seed: int = 0,
    results: list[dict[str, Any]] | None = None,
) -> list[Path]:
    """Write ``capacity.json`` (every result) and ``capacity.csv`` (summary rows) into ``out_dir``.

    For ``chipgraph build``: deterministic (fixed seed, sorted keys), written atomically.
    ``results`` are those of :func:`build_results` when the caller computed them already.
    """
    import csv
    import io

    from graph.atomic import write_text_atomic

    if results is None:
        results = build_results(store, years=years, draws=draws, seed=seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "capacity.json", out / "capacity.csv"]
    write_text_atomic(paths[0], json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(summary_rows(results))
    write_text_atomic(paths[1], buf.getvalue())
    return paths
