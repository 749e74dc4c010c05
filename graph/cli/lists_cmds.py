"""``chipgraph import lists`` and the list half of ``chipgraph crosswalk``: a thin shell over graph.rdf.lists_rdf."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import click

from graph.cli.common import handle_errors
from graph.cli.pathtype import PathArg
from graph.lexical import terminal_safe

_dir = PathArg(file_okay=False, path_type=Path)


@click.command(name="lists")
@click.argument("directory", required=False, type=_dir)
@click.option(
    "--cn-dir", type=_dir, default=None, help="OpenSanctions cn_sanctions folder (default: the embedded copy)."
)
@click.option(
    "-o",
    "--output-dir",
    type=_dir,
    default=None,
    help="Where to write the outputs (default: ./output or $CHIPGRAPH_OUTPUT).",
)
@click.option("--check", "check_only", is_flag=True, help="Only validate the lists; build nothing.")
@click.option("--no-site", is_flag=True, help="Skip rendering the HTML site.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print progress.")
@handle_errors
def lists(
    directory: Path | None, cn_dir: Path | None, output_dir: Path | None, check_only: bool, no_site: bool, quiet: bool
) -> None:
    """Validate the US restricted-party lists in DIRECTORY and China's designations, and rebuild the graph.

    DIRECTORY holds lists.json and the per-list extracts (bis_entity_list.json, bis_meu.json,
    bis_dpl.json, dow_1260h.json, ofac_nscmic.json, dhs_uflpa.json, fcc_covered.json) in the layout
    of github.com/phagehunter/nsfreg/data, plus countries.csv and corrections.csv (copy the embedded
    ones). --cn-dir holds OpenSanctions' sanctions.csv and cn_sanctions.yml. Default: the snapshots
    embedded in chipgraph. An unknown field, a citation that cannot be read as "VOL FR PAGE, M/D/YY"
    or whose date is not in its volume's year, an unknown country, a duplicate record or bytes that
    are not UTF-8 are refused with file, line, record and field, and the previous build is left
    untouched.

    Example:

        chipgraph import lists ~/nsfreg/data --check
    """
    from graph.rdf.lists_rdf import default_dirs

    directory, cn_dir = default_dirs(directory, cn_dir)
    with _list_dirs(directory, cn_dir):
        _import(directory, cn_dir, output_dir, check_only, no_site, quiet)


@contextlib.contextmanager
def _list_dirs(directory: Path, cn_dir: Path) -> Iterator[None]:
    """Point the build at these list folders for the duration of the command (and only then)."""
    names = {"CHIPGRAPH_LISTS_DIR": str(directory), "CHIPGRAPH_CN_SANCTIONS_DIR": str(cn_dir)}
    saved = {k: os.environ.get(k) for k in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _import(
    directory: Path, cn_dir: Path, output_dir: Path | None, check_only: bool, no_site: bool, quiet: bool
) -> None:
    from graph.build import assemble

    counts = assemble().counts  # reads and checks the lists against the curated and ETO data
    from graph.rdf.lists_rdf import load_lists

    c = load_lists(directory, cn_dir).counts
    summary = (
        f"{directory}: {c['entries_bis-entity-list']:,} Entity List entries ({c['chinese_entity_list']:,} China), "
        f"{c['entries_bis-meu']} MEU, {c['entries_dow-1260h']} Section 1260H, {c['entries_ofac-nscmic']} NS-CMIC, "
        f"{c['entries_dhs-uflpa']} UFLPA, {c['entries_fcc-covered']} FCC, {c['entries_bis-dpl']} DPL; "
        f"{c['entries_imported']:,} imported; {c['cn_designations']} Chinese designations from {cn_dir}; "
        f"{c['crosswalk_matched']} entries matched to curated entities; {counts['lists']:,} quads"
    )
    click.echo(terminal_safe(("valid: " if check_only else "") + summary), err=not check_only)
    if check_only:
        return
    from graph.build import build
    from graph.cli.common import StepProgress

    built = build(output_dir, progress=StepProgress(not quiet), site=not no_site)
    click.echo(
        f"built {built.triple_count:,} triples in {built.graph_count:,} named graphs into "
        f"{built.output_dir} in {built.seconds:.1f} s"
    )


def lists_crosswalk_rows(
    names: dict[str, list[str]], *, unmatched: bool, near_only: bool, crosswalk: Path | None
) -> tuple[list[dict[str, object]], list[str]]:
    """Rows for ``chipgraph crosswalk --lists``: the reviewed rows, or unmatched entries with near-matches."""
    from graph.rdf.lists_rdf import DEFAULT_CROSSWALK, load_lists
    from graph.sources.crosswalk import near_matches
    from graph.sources.lists_crosswalk import read_lists_crosswalk
    from graph.sources.restricted_lists import US_LIST_FILES

    crosswalk = crosswalk or DEFAULT_CROSSWALK
    if not unmatched:
        entries = read_lists_crosswalk(crosswalk, set(US_LIST_FILES) | {"cn-sanctions"})
        rows = [
            {
                "list_id": e.list_id,
                "entry_name": e.entry_name,
                "country": e.country,
                "chipgraph_id": e.chipgraph_id,
                "parent_id": e.parent_id,
                "parent_source": e.parent_source,
                "curated": bool(e.chipgraph_id or e.parent_id) and (e.chipgraph_id or e.parent_id) in names,
                "note": e.note,
            }
            for e in entries
        ]
        return rows, list(rows[0]) if rows else []
    result = load_lists(crosswalk=crosswalk, known_ids=set(names))
    rows = near_matches(result.unmatched, names)
    if near_only:
        rows = [r for r in rows if r["near_match_id"]]
    out = [
        {
            "list_id": r["list_id"],
            "entry_name": r["eto_name"],
            "country": r["country"],
            "entity_id": r["entity_id"],
            "near_match_id": r["near_match_id"],
            "near_match_name": r["near_match_name"],
            "similarity": r["similarity"],
        }
        for r in rows
    ]
    columns = ["list_id", "entry_name", "country", "entity_id", "near_match_id", "near_match_name", "similarity"]
    return out, columns
