"""``chipgraph import eto`` and ``chipgraph crosswalk``: a thin shell over graph.rdf.eto_rdf and crosswalk."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.common import handle_errors
from graph.cli.output import emit_rows, output_options
from graph.cli.pathtype import PathArg
from graph.lexical import terminal_safe

_dir = PathArg(file_okay=False, path_type=Path)


@click.group(name="import")
def import_group() -> None:
    """Import external datasets into the graph.

    Example:

        chipgraph import eto ~/eto-chip-explorer/data
    """


def _register_lists() -> None:
    from graph.cli.lists_cmds import lists

    import_group.add_command(lists)


@import_group.command(name="eto")
@click.argument("directory", required=False, type=PathArg(file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output-dir",
    type=_dir,
    default=None,
    help="Where to write the outputs (default: ./output or $CHIPGRAPH_OUTPUT).",
)
@click.option("--curated-dir", type=_dir, default=None, help="Curated YAML folder (default: the embedded data).")
@click.option("--check", "check_only", is_flag=True, help="Only validate the release; build nothing.")
@click.option("--no-site", is_flag=True, help="Skip rendering the HTML site.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print progress.")
@handle_errors
def eto(
    directory: Path | None,
    output_dir: Path | None,
    curated_dir: Path | None,
    check_only: bool,
    no_site: bool,
    quiet: bool,
) -> None:
    """Validate an ETO Chip Explorer release in DIRECTORY and rebuild the graph with it.

    DIRECTORY holds stages.csv, inputs.csv, sequence.csv, providers.csv and provision.csv in the
    layout of github.com/georgetown-cset/eto-chip-explorer/data, plus release.yaml (title,
    publisher, url, license, date, commit; copy the embedded one and edit it). Default: the
    release embedded in chipgraph. A missing or unexpected column, an unknown id, a share outside
    0-100, shares adding up to more than 100 beyond rounding, or a cycle in is_type_of is refused
    with file, line and column, and the previous build is left untouched.

    Example:

        chipgraph import eto ~/eto-chip-explorer/data --check
    """
    from graph.paths import ETO_DIR
    from graph.rdf.eto_rdf import load_eto

    directory = directory or ETO_DIR
    result = load_eto(directory)
    c = result.counts
    summary = (
        f"{directory}: {c['stages']} stages, {c['inputs']} inputs, {c['sequence_links']} sequence links, "
        f"{c['providers']} providers, {c['provision']} provision rows ({c['provision_with_share']} with "
        f"a share); {c['crosswalk_matched']} providers matched to curated entities"
    )
    click.echo(terminal_safe(("valid: " if check_only else "") + summary), err=not check_only)
    if check_only:
        return
    from graph.build import build
    from graph.cli.common import StepProgress

    with StepProgress(not quiet) as progress:
        built = build(output_dir, curated_dir=curated_dir, eto_dir=directory, progress=progress, site=not no_site)
    click.echo(
        f"built {built.triple_count:,} triples in {built.graph_count:,} named graphs into "
        f"{built.output_dir} in {built.seconds:.1f} s"
    )


@click.command()
@click.option(
    "--unmatched",
    is_flag=True,
    help="List ETO organisations not matched to a curated entity, with near-matches for review.",
)
@click.option("--near", "near_only", is_flag=True, help="With --unmatched: only those with a near-match.")
@click.option(
    "--lists",
    "of_lists",
    is_flag=True,
    help="The restricted-party list crosswalk (graph/data/lists_crosswalk.csv) instead of the ETO one.",
)
@click.option(
    "--epoch",
    "of_epoch",
    is_flag=True,
    help="The Epoch AI crosswalk (graph/data/epoch_crosswalk.csv: hardware, models, organisations, foundries).",
)
@click.option("--eto-dir", type=_dir, default=None, help="ETO dataset folder (default: the embedded release).")
@click.option("--curated-dir", type=_dir, default=None, help="Curated YAML folder (default: the embedded data).")
@click.option(
    "--crosswalk",
    "crosswalk_file",
    type=PathArg(dir_okay=False, path_type=Path),
    default=None,
    help="Crosswalk CSV (default: graph/data/eto_crosswalk.csv).",
)
@output_options
@handle_errors
def crosswalk(
    unmatched: bool,
    near_only: bool,
    of_lists: bool,
    of_epoch: bool,
    eto_dir: Path | None,
    curated_dir: Path | None,
    crosswalk_file: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Show the reviewed mapping between ETO providers and chipgraph entities.

    Without options, one row per crosswalk entry: the ETO provider, the chipgraph id it is merged
    into (empty when it was reviewed and kept apart), its Wikidata item, and whether the curated
    data defines that id. With --unmatched, the ETO organisations that no entry matches, each with
    the most similar curated label or alias (similarity 0-1) for a reviewer to confirm. --lists and
    --epoch show the restricted-party list and Epoch AI crosswalks the same way; with --epoch,
    --unmatched lists the training hardware reviewed as having no curated accelerator (with the
    models trained on it) and the organisations kept apart.

    Example:

        chipgraph crosswalk --unmatched --near -t

        chipgraph crosswalk --lists --unmatched --near -t

        chipgraph crosswalk --epoch --unmatched -t
    """
    from graph.paths import CURATED_DIR
    from graph.rdf.eto_rdf import DEFAULT_CROSSWALK, load_eto
    from graph.sources.crosswalk import curated_names, near_matches, read_crosswalk

    if of_lists and of_epoch:
        raise click.UsageError("choose one crosswalk, not --lists and --epoch")
    names = curated_names(curated_dir or CURATED_DIR)
    if of_epoch:
        from graph.cli.epoch_cmds import epoch_crosswalk_rows

        rows, columns = epoch_crosswalk_rows(
            names, curated_dir or CURATED_DIR, unmatched=unmatched, near_only=near_only, crosswalk=crosswalk_file
        )
        emit_rows(rows, fmt, output, columns=columns)
        return
    if of_lists:
        from graph.cli.lists_cmds import lists_crosswalk_rows

        rows, columns = lists_crosswalk_rows(names, unmatched=unmatched, near_only=near_only, crosswalk=crosswalk_file)
        emit_rows(rows, fmt, output, columns=columns)
        return
    crosswalk_file = crosswalk_file or DEFAULT_CROSSWALK
    result = load_eto(eto_dir, crosswalk=crosswalk_file, known_ids=set(names))
    if unmatched:
        rows = near_matches(result.unmatched_providers, names)
        if near_only:
            rows = [r for r in rows if r["near_match_id"]]
        emit_rows(
            rows,
            fmt,
            output,
            columns=[
                "eto_provider_id",
                "eto_name",
                "country",
                "entity_id",
                "near_match_id",
                "near_match_name",
                "similarity",
                "note",
            ],
        )
        return
    rows = [
        {
            "eto_provider_id": e.eto_provider_id,
            "eto_name": e.eto_name,
            "chipgraph_id": e.chipgraph_id,
            "wikidata_qid": e.wikidata_qid,
            "curated": bool(e.chipgraph_id) and e.chipgraph_id in names,
            "note": e.note,
        }
        for e in read_crosswalk(crosswalk_file).values()
    ]
    emit_rows(rows, fmt, output)


_register_lists()
