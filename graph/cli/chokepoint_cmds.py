"""``chipgraph chokepoints``, ``explain`` and ``export-network``: the export-control analysis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from graph.chokepoints.measures import READINGS
from graph.cli.common import (
    StepProgress,
    as_of_option,
    as_of_or_data_date,
    handle_errors,
    open_from_options,
    store_options,
)
from graph.cli.output import emit_rows, output_options
from graph.cli.pathtype import PathArg
from graph.lexical import terminal_safe

DIFF_COLUMNS = ["accelerator", "change", "key", "order", "before", "after", "measures_before", "measures_after"]
HISTORY_COLUMNS = ["accelerator", "date", "event", "key", "order", "robust", "measures", "measures_changing"]
RANK_COLUMNS = [
    "rank",
    "status",
    "key",
    "label",
    "order",
    "n_accelerators",
    "robust",
    "countries",
    "measures",
    "accelerators",
]


def _resolve(store: Any, G: Any, names: tuple[str, ...], index: Any = None) -> list[str]:
    """Accelerator ids for names given in any language (labels, aliases, ids)."""
    from graph.errors import NotFoundError
    from graph.read.lookup import name_index, resolve_entity

    index = index if index is not None else name_index(store)
    ids = []
    known = set(G.graph.get("accelerators", []))
    for name in names:
        match = resolve_entity(store, name, index=index)
        if match.id not in known:
            raise NotFoundError(f"{name!r} ({match.id}) is not an AI accelerator of the graph")
        ids.append(match.id)
    return ids


def _scenario_option(func: Any) -> Any:
    return click.option(
        "--scenario",
        type=PathArg(dir_okay=False, path_type=Path),
        default=None,
        help="A what-if scenario (YAML); report what it changes against the baseline.",
    )(func)


@click.command()
@click.argument("accelerators", nargs=-1)
@as_of_option
@_scenario_option
@click.option(
    "--max-order",
    type=click.IntRange(1, 3),
    default=2,
    show_default=True,
    help="Largest cut set: 1 = single points of failure, 2 = also pairs, 3 = also triples.",
)
@click.option("--ranking", "show_ranking", is_flag=True, help="Print only the cross-accelerator ranking.")
@click.option(
    "--history",
    "show_history",
    is_flag=True,
    help="When each chokepoint appeared or vanished: the analysis at every date a measure takes "
    "effect or ends, up to the date (progress on stderr).",
)
@click.option(
    "--fragile",
    "include_fragile",
    is_flag=True,
    help="Rank fragile findings too (those that hold in only one reading of a measure's scope); "
    "the default ranks robust findings only.",
)
@store_options
@output_options
@handle_errors
def chokepoints(
    accelerators: tuple[str, ...],
    as_of: dt.date | None,
    scenario: Path | None,
    max_order: int,
    show_ranking: bool,
    show_history: bool,
    include_fragile: bool,
    output_dir: Path | None,
    endpoint: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Export-control chokepoints of AI accelerators.

    For each accelerator: what measures in force on the date already cut off (order 0), and which
    single providers (order 1) or pairs (order 2) could still cut off the rest of its supply chain.
    Without ACCELERATORS: every domestic (Chinese-designed) accelerator, followed by the ranking
    of chokepoints by how many accelerators they hold. Names may be labels or aliases in any
    language. With --scenario: the new, removed and changed chokepoints against the baseline.

    Measures that cover an input only in part are read both ways (broad: they cut; narrow: they
    do not); a row's `reading` says where it holds, and `robust` rows hold in both.

    Example:

        chipgraph chokepoints "Ascend 910C" --as-of 2024-12-02 --md
    """
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.metrics import ranking
    from graph.chokepoints.outputs import ROW_COLUMNS
    from graph.chokepoints.projection import dependency_graph
    from graph.chokepoints.scenarios import compare, load_scenario

    store = open_from_options(output_dir, endpoint)
    scen = load_scenario(scenario) if scenario is not None else None
    G = dependency_graph(store, as_of=as_of_or_data_date(store, as_of))
    ids = _resolve(store, G, accelerators) if accelerators else None
    if show_history:
        from graph.chokepoints.history import history

        with StepProgress() as progress:
            events = history(
                G, ids, max_order=max_order, progress=lambda done, total: progress(f"dates analysed: {done}/{total}")
            )
        emit_rows(events, fmt, output, HISTORY_COLUMNS)
        return
    base = all_chokepoints(G, ids, max_order=max_order)
    shares = G.graph.get("shares_release")
    if shares and not shares["current"]:
        earliest = " (the earliest in the graph: no release before this date)" if shares["fallback"] else ""
        click.echo(
            f"note: market shares and providers from ETO release {shares['release']} of {shares['date']}{earliest}",
            err=True,
        )
    unknown = sorted(res["accelerator"] for res in base if res.get("foundry_unknown"))
    if unknown:
        click.echo(
            f"note: no source names the foundry of {len(unknown)} accelerator(s) ({', '.join(unknown)}): "
            "their fabrication inputs (fab tools, materials) are not analysed, so no finding comes from them",
            err=True,
        )
    unsourced: dict[str, list[str]] = {}
    for res in base:
        for item in res.get("unsourced_inputs", ()):
            unsourced.setdefault(item, []).append(res["accelerator"])
    for item, accs in sorted(unsourced.items()):
        click.echo(
            f"note: other designers make their own {item}, and no source says whether the designers of "
            f"{len(accs)} accelerator(s) ({', '.join(sorted(accs))}) make or license it: "
            "no government-alignment finding is drawn from it",
            err=True,
        )
    abroad = sorted(
        (res["accelerator"], s["key"], b) for res in base for s in res.get("abroad_sets", ()) for b in s["buyers"]
    )
    if abroad:
        click.echo(
            f"note: {len(abroad)} provider set(s) left out because they would only stop a fab abroad from "
            f"getting its own tools ({'; '.join(f'{a}: {k}, supplying {b}' for a, k, b in abroad)}); "
            "a control aimed at China does not reach that fab, so the foundry itself is the finding",
            err=True,
        )
    if scen is not None:
        after = all_chokepoints(G, ids, scenario=scen, max_order=max_order)
        emit_rows(compare(base, after), fmt, output, DIFF_COLUMNS)
        return
    if show_ranking:
        emit_rows(ranking(base, robust_only=not include_fragile), fmt, output, RANK_COLUMNS)
        return
    rows = [row for res in base for row in res["chokepoints"]]
    if not accelerators and fmt in ("table", "md"):
        rows += [
            {
                "accelerator": "(ranking)",
                "order": r["order"],
                "kind": f"held by {r['n_accelerators']}",
                "items": r["key"],
                "countries": r["countries"],
                "measures": r["measures"],
            }
            for r in ranking(base, robust_only=not include_fragile)
        ]
    emit_rows(rows, fmt, output, ROW_COLUMNS)
    for res in base:
        if res["cycles"]:
            click.echo(f"warning: {res['accelerator']}: requirement loops broken: {res['cycles']}", err=True)


@click.command()
@click.argument("accelerator")
@click.argument("item")
@as_of_option
@_scenario_option
@store_options
@output_options
@handle_errors
def explain(
    accelerator: str,
    item: str,
    as_of: dt.date | None,
    scenario: Path | None,
    output_dir: Path | None,
    endpoint: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Sourced paths from an accelerator to an input or a provider.

    Each hop lists the sources that state it (title, publisher, date, URL), and supply hops the
    measures that cut them on the date, with their legal citations.

    Example:

        chipgraph explain "Ascend 910C" euv-lithography-tools
    """
    from graph.chokepoints.explain import explain as explain_paths
    from graph.chokepoints.explain import explain_rows
    from graph.chokepoints.projection import dependency_graph
    from graph.errors import ChipgraphError
    from graph.read.lookup import name_index, resolve_entity

    store = open_from_options(output_dir, endpoint)
    G = dependency_graph(store, as_of=as_of_or_data_date(store, as_of))
    index = name_index(store)
    [acc] = _resolve(store, G, (accelerator,), index)
    try:
        target = resolve_entity(store, item, index=index).id
    except ChipgraphError:  # unknown or ambiguous name: match labels inside the chain instead
        target = item
    emit_rows(
        explain_rows(explain_paths(G, acc, target, scenario=scenario)),
        fmt,
        output,
        ["path", "from", "relation", "to", "share", "sources", "urls", "cut_by"],
    )


@click.command("export-network")
@click.argument("accelerators", nargs=-1)
@click.option(
    "-o",
    "--output",
    "path",
    type=PathArg(dir_okay=False, path_type=Path),
    required=True,
    help="File to write: .graphml, .gexf, or .csv (writes <stem>-nodes.csv and <stem>-edges.csv); "
    "with --format open-psa, an .xml file; with --format ftm, FtM JSON lines (e.g. chipgraph.ftm.json).",
)
@click.option(
    "--format",
    "network_format",
    type=click.Choice(["open-psa", "ftm"]),
    default=None,
    help="open-psa: an Open-PSA MEF fault tree (for SCRAM and other fault-tree tools) of ACCELERATORS "
    "(default: all); ftm: the parties, listings, ownership and supply links as FollowTheMoney entities "
    "(for Aleph and yente; needs the ftm extra); otherwise the format follows the file extension.",
)
@click.option(
    "--reading",
    type=click.Choice(READINGS),
    default="broad",
    show_default=True,
    help="Which reading of the measures' scope cuts supply: broad counts a measure that covers an "
    "item only in part as cutting it, narrow does not (the two readings of `chipgraph chokepoints`).",
)
@as_of_option
@_scenario_option
@store_options
@handle_errors
def export_network(
    accelerators: tuple[str, ...],
    path: Path,
    network_format: str | None,
    reading: str,
    as_of: dt.date | None,
    scenario: Path | None,
    output_dir: Path | None,
    endpoint: str | None,
) -> None:
    """Write the dependency graph for Gephi or Cytoscape, with cut-off flags for the date.

    With --format open-psa: the fault tree of one or more accelerators (all without ACCELERATORS):
    providers are basic events, cut-offs house events set true; `scram --mocus -l 2 FILE` then
    finds the same minimal cut sets as `chipgraph chokepoints`.

    With --format ftm: not the dependency graph but the graph's parties (persons, companies,
    organisations, public bodies, legal entities), their listings (Sanction, with the Federal
    Register citations and dates), ownership and supply links as FollowTheMoney entities, one
    JSON object per line, each validated with the followthemoney package, to load into Aleph or
    match against OpenSanctions with yente. Every listing is exported with its dates, so
    --as-of and --scenario do not apply.

    Example:

        chipgraph export-network -o network.graphml --as-of 2024-12-02

        chipgraph export-network "Ascend 910C" --format open-psa -o ascend.xml

        chipgraph export-network --format ftm -o chipgraph.ftm.json
    """
    from graph.chokepoints.cuts import annotate_cuts
    from graph.chokepoints.export import FORMATS
    from graph.chokepoints.export import export_network as write
    from graph.chokepoints.projection import dependency_graph
    from graph.errors import InputError, Problem

    if network_format == "ftm":
        _export_ftm(path, accelerators, as_of, scenario, output_dir, endpoint)
        return
    if network_format is None and path.suffix.lower() not in FORMATS:
        raise InputError(
            Problem(f"cannot tell the format of {path.name}", hint="use .graphml, .gexf or .csv, or --format open-psa")
        )
    if accelerators and network_format != "open-psa":
        raise InputError(
            Problem("ACCELERATORS go with --format open-psa", hint="the other formats hold the whole graph")
        )
    from graph.chokepoints.scenarios import load_scenario

    store = open_from_options(output_dir, endpoint)
    scen = load_scenario(scenario) if scenario is not None else None
    G = dependency_graph(store, as_of=as_of_or_data_date(store, as_of, scen.as_of if scen else None), scenario=scen)
    if reading != G.graph["reading"]:
        annotate_cuts(G, G.graph["as_of"], min_confidence=G.graph["min_confidence"], reading=reading)
    if network_format == "open-psa":
        from graph.chokepoints.openpsa import write_open_psa

        roots = None
        if accelerators:
            wanted = set(_resolve(store, G, accelerators))
            roots = [n for n, d in G.nodes(data=True) if d.get("kind") == "accelerator" and d.get("entity") in wanted]
        unbridge = getattr(scen, "unbridge", ()) or () if scen is not None else ()
        click.echo(terminal_safe(f"wrote {write_open_psa(G, path, roots, unbridge=unbridge)}"), err=True)
        return
    for written in write(G, path):
        click.echo(terminal_safe(f"wrote {written}"), err=True)


def _export_ftm(
    path: Path,
    accelerators: tuple[str, ...],
    as_of: dt.date | None,
    scenario: Path | None,
    output_dir: Path | None,
    endpoint: str | None,
) -> None:
    """``export-network --format ftm``: the FollowTheMoney export (graph.export.ftm)."""
    from graph.errors import InputError, Problem
    from graph.export.ftm import followthemoney_model, write_ftm

    given = [
        name for name, value in (("ACCELERATORS", accelerators), ("--as-of", as_of), ("--scenario", scenario)) if value
    ]
    if given:
        raise InputError(
            Problem(
                f"{' and '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to --format ftm",
                hint="the FtM export holds every party and every listing with its dates",
            )
        )
    followthemoney_model()  # the missing-package error before the store is opened
    store = open_from_options(output_dir, endpoint)
    written = write_ftm(store, path)
    counts = ", ".join(f"{n} {schema}" for schema, n in written.counts.items())
    click.echo(
        terminal_safe(f"wrote {written.path}: {written.total} FollowTheMoney entities ({counts}), all valid"), err=True
    )
