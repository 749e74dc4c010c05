"""``chipgraph render``: write the offline HTML site from the built graph."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.common import as_of_option, handle_errors, open_from_options, store_options
from graph.cli.pathtype import PathArg
from graph.lexical import terminal_safe


@click.command()
@as_of_option
@click.option(
    "--scenario",
    type=PathArg(exists=True, dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="A what-if scenario (YAML) applied to the chokepoint analysis.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print progress.")
@store_options
@handle_errors
def render(as_of, scenario: Path | None, quiet: bool, output_dir: Path | None, endpoint: str | None) -> None:
    """Write the static site: index, overview graph and one page per domestic accelerator.

    The pages open from the file system with no network (vis-network ships in site/assets/).
    They show the graph as of --as-of and under --scenario, and say which were used. The site goes
    into <output-dir>/site, replaced atomically.

    Example:

        chipgraph render --as-of 2023-01-01 && xdg-open output/site/index.html
    """
    from graph.capacity.report import build_results
    from graph.paths import default_output_dir
    from graph.render import render_site

    store = open_from_options(output_dir, endpoint)
    progress = None if quiet else (lambda msg: click.echo(terminal_safe(msg), err=True))
    if progress:
        progress("estimating production capacity (as build does: the capacity pages)")
    capacity = build_results(store)
    target = render_site(
        store, output_dir or default_output_dir(), as_of=as_of, scenario=scenario, progress=progress, capacity=capacity
    )
    click.echo(terminal_safe(str(target / "index.html")))
