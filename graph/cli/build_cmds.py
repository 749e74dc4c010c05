"""``chipgraph build`` and ``chipgraph validate``."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.common import StepProgress, handle_errors
from graph.cli.pathtype import PathArg
from graph.lexical import terminal_safe

_dir = PathArg(file_okay=False, path_type=Path)


@click.command()
@click.option(
    "-o",
    "--output-dir",
    type=_dir,
    default=None,
    help="Where to write the outputs (default: ./output or $CHIPGRAPH_OUTPUT).",
)
@click.option("--curated-dir", type=_dir, default=None, help="Curated YAML folder (default: the embedded data).")
@click.option("--eto-dir", type=_dir, default=None, help="ETO dataset folder (default: the embedded release).")
@click.option("--force", is_flag=True, help="Rebuild the store even if the inputs have not changed.")
@click.option("--no-site", is_flag=True, help="Skip rendering the HTML site.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print progress.")
@handle_errors
def build(
    output_dir: Path | None, curated_dir: Path | None, eto_dir: Path | None, force: bool, no_site: bool, quiet: bool
) -> None:
    """Build the graph: ontology + ETO data + curated facts -> validated RDF, store, analyses, site.

    Writes chipgraph.trig (every claim in its own named graph, with provenance),
    chipgraph.ttl (the union), chipgraph.jsonld, the persistent store store/,
    chokepoints.json/.csv and site/ into the output folder. Nothing there changes when an
    input is bad.

    Example:

        chipgraph build -o output
    """
    from graph.build import build as run_build

    with StepProgress(not quiet) as progress:  # stops the terminal's status display before the summary
        result = run_build(
            output_dir, curated_dir=curated_dir, eto_dir=eto_dir, force=force, progress=progress, site=not no_site
        )
    click.echo(
        terminal_safe(
            f"built {result.triple_count:,} triples in {result.graph_count:,} named graphs "
            f"({result.quad_count:,} quads) into {result.output_dir} in {result.seconds:.1f} s"
        )
    )


@click.command()
@click.option("--curated-dir", type=_dir, default=None, help="Curated YAML folder (default: the embedded data).")
@click.option("--eto-dir", type=_dir, default=None, help="ETO dataset folder (default: the embedded release).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print progress.")
@handle_errors
def validate(curated_dir: Path | None, eto_dir: Path | None, quiet: bool) -> None:
    """Check every input (YAML, CSV, ontology) and the SHACL shapes; write nothing.

    Exit code 0 when the data conforms, 1 with one line per problem (file:line: message)
    otherwise.

    Example:

        chipgraph validate
    """
    from graph.build import validate_only

    with StepProgress(not quiet) as progress:
        dataset = validate_only(curated_dir=curated_dir, eto_dir=eto_dir, progress=progress)
    click.echo(f"valid: {len(dataset.quads):,} quads conform to the shapes")
