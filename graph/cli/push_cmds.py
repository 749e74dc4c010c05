"""``chipgraph push``: load the built dataset into a remote SPARQL server and verify it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from graph.cli.common import FiniteFloatRange, handle_errors
from graph.cli.pathtype import PathArg


@click.command()
@click.option(
    "--endpoint",
    envvar="CHIPGRAPH_ENDPOINT",
    required=True,
    metavar="URL",
    help="SPARQL endpoint that accepts queries and updates ($CHIPGRAPH_ENDPOINT). "
    "Virtuoso: http://HOST:8890/sparql-auth.",
)
@click.option(
    "--graph-store",
    default=None,
    metavar="URL",
    help="Write through this SPARQL 1.1 Graph Store HTTP Protocol endpoint instead of SPARQL "
    "Update (Virtuoso: http://HOST:8890/sparql-graph-crud-auth; faster, never atomic).",
)
@click.option(
    "--user", envvar="CHIPGRAPH_USER", default=None, help="User name for HTTP digest/basic auth ($CHIPGRAPH_USER)."
)
@click.option(
    "--password",
    envvar="CHIPGRAPH_PASSWORD",
    default=None,
    help="Password ($CHIPGRAPH_PASSWORD; prefer the variable: options show in the process list).",
)
@click.option(
    "--output-dir",
    type=PathArg(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the built graph (default: ./output or $CHIPGRAPH_OUTPUT).",
)
@click.option(
    "--batch-triples",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Most triples per SPARQL Update request (default: no limit, so one request, atomic on "
    "servers with transactional updates; on Virtuoso 1000).",
)
@click.option(
    "--timeout",
    type=FiniteFloatRange(min=1, max=86400),
    default=900.0,
    show_default=True,
    metavar="SECONDS",
    help="Time limit of each HTTP request.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
@handle_errors
def push(
    endpoint: str,
    graph_store: str | None,
    user: str | None,
    password: str | None,
    output_dir: Path | None,
    batch_triples: int | None,
    timeout: float,
    as_json: bool,
    quiet: bool,
) -> None:
    """Load the built graph into a SPARQL 1.1 server, replacing chipgraph's previous load.

    Reads output/chipgraph.trig (written by `chipgraph build`), replaces every graph of it on the
    server, drops chipgraph graphs the build no longer has, leaves other graphs alone, then checks
    that the server holds exactly as many triples per graph as the file (exit 1 if not).

    Example:

    \b
        CHIPGRAPH_PASSWORD=dba chipgraph push --endpoint http://localhost:8890/sparql-auth --user dba
    """
    from graph.cli.common import StepProgress
    from graph.paths import default_output_dir
    from graph.store.push import push as run_push
    from graph.store.remote import RemoteStore

    if password is not None and user is None:
        raise click.UsageError("--password needs --user")
    store = RemoteStore(endpoint, user=user, password=password, timeout=timeout)
    trig = (output_dir or default_output_dir()) / "chipgraph.trig"
    with StepProgress(enabled=not quiet) as progress:
        result = run_push(store, trig, graph_store=graph_store, batch_triples=batch_triples, progress=progress)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True))
        return
    how = (
        "one atomic SPARQL Update request"
        if result.atomic and result.method == "update"
        else f"{result.requests:,} {'Graph Store' if result.method == 'graph-store' else 'SPARQL Update'} requests"
    )
    click.echo(
        f"pushed {result.triples:,} triples in {result.graphs:,} graphs to {result.endpoint} "
        f"({how}, {result.seconds:.1f} s)"
    )
    click.echo(f"removed {len(result.removed):,} stale chipgraph graph(s); counts verified on the server")
