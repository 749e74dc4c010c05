"""``chipgraph capacity``: production-capacity ranges of accelerators, from the sourced claims."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from graph.cli.common import handle_errors, open_from_options, parse_as_of, store_options
from graph.cli.output import emit, format_rows, output_options
from graph.cli.pathtype import PathArg
from graph.read.model import MIN_CONFIDENCE
from graph.vocab.terms import CONFIDENCE_LEVELS

INPUT_COLUMNS = ["parameter", "low", "high", "unit", "basis", "from"]
PUBLISHED_COLUMNS = ["estimate", "claimed_by", "value", "range", "scope", "confidence", "verdict", "would_need"]
SENS_COLUMNS = ["rank", "parameter", "low", "high", "p50_at_low", "p50_at_high", "swing"]
DIFF_COLUMNS = [
    "accelerator",
    "year",
    "p10_before",
    "p50_before",
    "p90_before",
    "p10_after",
    "p50_after",
    "p90_after",
    "p50_change_percent",
    "logic_p50_before",
    "logic_p50_after",
    "memory_p50_before",
    "memory_p50_after",
    "binding_before",
    "binding_after",
]


def _n(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.4g}"
    return f"{x:,.0f}" if isinstance(x, (int, float)) else str(x)


def _range(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{_n(low)}-{_n(high)}"
    if high is not None:
        return f"at most {_n(high)}"
    if low is not None:
        return f"at least {_n(low)}"
    return ""


def _detail(r: dict[str, Any], fmt: str) -> str:
    """The sections of one result as text tables (table and md formats)."""
    head = "### " if fmt == "md" else ""
    title = f"{r['label']} ({r['accelerator']}), {r['year']}"
    if r["scenario"]:
        title += f", scenario: {r['scenario']}"
    if r["as_of"]:
        title += f", claims made by {r['as_of']}"
    lines = [f"{head}{title}", ""]
    if r["status"] != "modelled":
        lines.append("Not modelled: these inputs are missing:")
        lines += [f"  - {m['parameter']} ({m['label']}): needs {m['needs']}" for m in r["missing"]]
        lines.append("")
    else:
        o = r["output"]
        binding = ", ".join(f"{b['constraint']} in {b['share']:.0%} of draws" for b in r["binding"])
        lines.append(
            f"Output: p10 {_n(o['p10'])}, p50 {_n(o['p50'])}, p90 {_n(o['p90'])} packages "
            f"(bounds {_n(o['bound_low'])} to {_n(o['bound_high'])}; {r['draws']:,} draws, seed {r['seed']})"
        )
        lines.append(f"Binding constraint: {r['binding_constraint']} ({binding})")
        c = r["constraints"]
        lines.append(
            f"Constraints (p50): logic {_n(c['logic']['p50'])}, memory {_n(c['memory']['p50'])}, packaging "
            + (_n(c["packaging"]["p50"]) if c.get("packaging") else "not applied (no source)")
            + f"; gross dies per wafer {_n(c['dies_per_wafer']['p50'])}"
        )
        lines.append("")
    rows = [
        {
            "parameter": i["parameter"],
            "low": _n(i["low"]),
            "high": _n(i["high"]),
            "unit": i["unit"],
            "basis": i["basis"]
            + (f", carried from {i['carried_from_year']}" if i["carried_from_year"] else "")
            + (", low confidence only" if i["low_confidence_only"] else ""),
            "from": " ".join(i["claims"]) or (i["assumption"] or "") or (i["scenario"] or ""),
        }
        for i in r["inputs"]
    ]
    lines += ["Inputs:", format_rows(rows, "md" if fmt == "md" else "table", INPUT_COLUMNS)]
    if r["sensitivity"]:
        sens = [
            {
                "rank": k,
                **{key: (_n(s[key]) if key != "parameter" else s[key]) for key in SENS_COLUMNS[1:]},
            }
            for k, s in enumerate(r["sensitivity"], 1)
        ]
        lines += ["Sensitivity (median output with the input at its low and high end):"]
        lines += [format_rows(sens, "md" if fmt == "md" else "table", SENS_COLUMNS)]
    pub = [
        {
            "estimate": p["id"],
            "claimed_by": p["claimed_by_label"],
            "value": _n(p["value"]),
            "range": _range(p["low"], p["high"]),
            "scope": p["scope"],
            "confidence": p["confidence"],
            "verdict": p["verdict"] or "no model range",
            "would_need": "; ".join(f"{w['parameter']} {_n(w['would_need'])}" for w in p["would_need"][:2]),
        }
        for p in r["published"]
    ]
    lines += ["Published output estimates (compared, never inputs):"]
    lines += [format_rows(pub, "md" if fmt == "md" else "table", PUBLISHED_COLUMNS)]
    if r["assumptions"]:
        lines.append("Assumptions (no source gives these):")
        for a in r["assumptions"]:
            rng = f"same die as {a['same_as']}" if a["same_as"] else f"{_n(a['low'])}..{_n(a['high'])} {a['unit']}"
            lines.append(f"  - {a['id']} ({a['parameter']}: {rng}): {a['reasoning']}")
        lines.append("")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("accelerators", nargs=-1)
@click.option(
    "--year",
    "years",
    type=click.IntRange(2000, 2100),
    multiple=True,
    help="Production year (repeatable; default: the year of --as-of, else of the latest claim).",
)
@click.option(
    "--as-of",
    callback=parse_as_of,
    default=None,
    metavar="YYYY-MM-DD",
    help="Use only the claims made on or before this date (default: every claim, undated ones included, "
    "which is the same as the data date, since no claim is newer than the data date).",
)
@click.option(
    "--scenario",
    type=PathArg(dir_okay=False, path_type=Path),
    default=None,
    help="A capacity what-if (graph/data/scenarios/capacity-*.yaml); report the change against the baseline.",
)
@click.option(
    "--min-confidence",
    type=click.Choice(list(CONFIDENCE_LEVELS)),
    default=MIN_CONFIDENCE,
    show_default=True,
    help="Confidence floor of the range rule.",
)
@click.option("--draws", type=click.IntRange(1, 10_000_000), default=100_000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Monte Carlo seed (same seed, same output).")
@click.option(
    "--assumptions",
    "assumptions_path",
    type=PathArg(dir_okay=False, path_type=Path),
    default=None,
    help="Another assumptions file (default: graph/data/capacity/assumptions.yaml).",
)
@store_options
@output_options
@handle_errors
def capacity(
    accelerators: tuple[str, ...],
    years: tuple[int, ...],
    as_of: dt.date | None,
    scenario: Path | None,
    min_confidence: str,
    draws: int,
    seed: int,
    assumptions_path: Path | None,
    output_dir: Path | None,
    endpoint: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Production capacity of AI accelerators per year, from the sourced claims.

    Logic dies (wafer starts x dies per wafer x yield, plus die-bank drawdown), memory (HBM stock
    and new supply over stacks per package) and packaging where known; the output is the minimum.
    Prints the p10/p50/p90 and bounds, the binding constraint with the share of draws in which it
    binds, the inputs with the claims or assumptions behind them, a sensitivity ranking, and the
    published output estimates beside the range. Accelerators without enough inputs say which are
    missing. Without ACCELERATORS: every accelerator a capacity claim names. --json gives every
    result in full; --csv/--tsv/--nl one summary row per accelerator and year.

    Example:

        chipgraph capacity "Ascend 910C" --year 2025
    """
    from graph.capacity.assumptions import DEFAULT_ASSUMPTIONS, load_assumptions
    from graph.capacity.claims import read_claims
    from graph.capacity.report import SUMMARY_COLUMNS, capacity_results, summary_rows
    from graph.capacity.scenarios import compare, load_capacity_scenario
    from graph.errors import NotFoundError
    from graph.read.lookup import name_index, resolve_entity

    assumptions = load_assumptions(assumptions_path or DEFAULT_ASSUMPTIONS)
    scen = load_capacity_scenario(scenario) if scenario is not None else None
    store = open_from_options(output_dir, endpoint)
    data = read_claims(store)
    ids = None
    if accelerators:
        index = name_index(store)
        ids = []
        for name in accelerators:
            match = resolve_entity(store, name, index=index)
            if match.id not in data.accelerators:
                raise NotFoundError(f"{name!r} ({match.id}) is not an AI accelerator of the graph")
            ids.append(match.id)
    if not years:  # the data's year (latest claim date), never the clock, so runs are reproducible
        latest = max((c.claim_date for c in data.claims if c.claim_date), default=dt.date(2025, 1, 1))
        years = ((as_of or (scen.as_of if scen else None) or latest).year,)
    opts: dict[str, Any] = dict(
        assumptions=assumptions, as_of=as_of, min_confidence=min_confidence, draws=draws, seed=seed
    )
    base = capacity_results(data, ids, years, **opts)
    if scen is not None:
        after = capacity_results(data, ids, years, scenario=scen, **opts)
        if fmt == "json":
            emit(
                json.dumps({"compare": compare(base, after), "scenario": after}, ensure_ascii=False, indent=2) + "\n",
                output,
            )
        else:
            text = format_rows(compare(base, after), fmt, DIFF_COLUMNS)
            if fmt in ("table", "md"):
                text = f"Scenario: {scen.name}. {scen.description}\n\n" + text
            emit(text, output)
        return
    if fmt == "json":
        emit(json.dumps(base, ensure_ascii=False, indent=2) + "\n", output)
    elif fmt in ("table", "md"):
        text = format_rows(summary_rows(base), fmt, SUMMARY_COLUMNS) if len(base) > 1 else ""
        text += "\n".join(_detail(r, fmt) for r in base if r["status"] == "modelled" or len(base) == 1)
        if len(base) > 1:
            gaps = [r for r in base if r["status"] != "modelled"]
            if gaps:
                text += "\nNot modelled (missing inputs):\n" + "".join(
                    f"  - {r['label']} {r['year']}: {', '.join(m['parameter'] for m in r['missing'])}\n" for r in gaps
                )
        emit(text, output)
    else:
        emit(format_rows(summary_rows(base), fmt, SUMMARY_COLUMNS), output)
