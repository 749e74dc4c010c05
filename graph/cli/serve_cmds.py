"""``chipgraph serve``: the read-only SPARQL endpoint, the query page and the HTML site."""

from __future__ import annotations

import ipaddress
import re
import signal
import socket
import time
from pathlib import Path

import click

from graph.cli.common import FiniteFloatRange, handle_errors
from graph.cli.pathtype import PathArg
from graph.server.answers import DEFAULT_CACHE_MB
from graph.server.app import DEFAULT_MAX_BODY, DEFAULT_MAX_ROWS
from graph.server.pool import (
    DEFAULT_FAST_LIMIT,
    DEFAULT_LONG_WORKERS,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    MAX_WORKERS,
)

_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")


def _check_host(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--host`` must be an IP address or a host name this machine resolves (a usage error if not).

    waitress would otherwise fail deep in its start-up with "Invalid host/port specified", which
    reached the user as an unexpected ValueError. An all-numeric name such as 999.1.1.1 is a
    malformed IPv4 address, not a host name, so it is refused without a DNS look-up.
    """
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    labels = value.split(".")
    if not value or len(value) > 253 or not all(_HOST_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise click.BadParameter(f"{value!r} is neither an IP address nor a host name", ctx, param)
    try:
        socket.getaddrinfo(value, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise click.BadParameter(f"{value!r}: this machine cannot resolve it ({exc})", ctx, param) from exc
    return value


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    callback=_check_host,
    show_default=True,
    help="Address to listen on. Anything but loopback exposes the graph to the network.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0 picks a free one)."
)
@click.option(
    "--timeout",
    type=FiniteFloatRange(0.1, 3600),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Time limit per query; a query that overruns is cancelled.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(1),
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    metavar="N",
    help="At most this many rows (or triples) per answer; cuts are reported.",
)
@click.option(
    "--max-body",
    type=click.IntRange(1),
    default=DEFAULT_MAX_BODY,
    show_default=True,
    metavar="BYTES",
    help="Largest request body accepted.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, MAX_WORKERS),
    default=DEFAULT_WORKERS,
    show_default=f"2 per core, at most {MAX_WORKERS}",
    help="Fast-lane query worker processes (short queries that can run at once).",
)
@click.option(
    "--long-workers",
    type=click.IntRange(0, 256),
    default=DEFAULT_LONG_WORKERS,
    show_default=True,
    metavar="N",
    help=f"At most N queries past {DEFAULT_FAST_LIMIT:g} s of CPU running at once (one process each, ~35 MB).",
)
@click.option(
    "--output-dir",
    type=PathArg(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the built graph (default: ./output or $CHIPGRAPH_OUTPUT).",
)
@click.option(
    "--in-memory",
    is_flag=True,
    help="Copy the store into memory once, shared by all query workers: 3-7x faster on queries that "
    "sort or return many strings; costs about 12 s and 0.7 GB per million triples at start.",
)
@click.option(
    "--cache-mb",
    type=click.IntRange(0, 100_000),
    default=DEFAULT_CACHE_MB,
    show_default=True,
    metavar="MB",
    help="Keep up to MB megabytes of answers: a repeated query (same text, parameters and format) is "
    "answered from memory; the store is read-only. 0 runs every query.",
)
@click.option("--quiet", is_flag=True, help="Do not log requests.")
@handle_errors
def serve(
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_body: int,
    workers: int,
    long_workers: int,
    output_dir: Path | None,
    in_memory: bool,
    cache_mb: int,
    quiet: bool,
) -> None:
    """Serve a read-only SPARQL 1.1 endpoint over the built store, the HTML site and a query page.

    GET/POST /sparql (SPARQL 1.1 Protocol), /query (an offline query page with the named
    queries), /api/queries, and the generated site under output/site. Updates, LOAD and SERVICE
    are refused on the parsed query, and the query workers cannot open network connections;
    each query has a time limit and a row cap.

    Example:

        chipgraph serve --port 7878 --timeout 5
    """
    from graph.paths import default_output_dir
    from graph.server.app import ServerConfig
    from graph.server.httpd import make_server
    from graph.store.local import store_path

    out = output_dir or default_output_dir()
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo(f"Warning: listening on {host} makes the endpoint reachable from other machines.", err=True)
    config = ServerConfig(
        store_dir=store_path(out),
        site_dir=out / "site",
        host=host,
        port=port,
        timeout=timeout,
        max_rows=max_rows,
        max_body=max_body,
        workers=workers,
        long_workers=long_workers,
        log=not quiet,
        in_memory=in_memory,
        cache_mb=cache_mb,
    )
    if in_memory:
        click.echo("copying the store into memory...", err=True)
    server = make_server(config)
    if in_memory and server.pool.store_kind != "memory":
        click.echo("Warning: the in-memory copy could not be made; queries read the store on disk.", err=True)
    elif in_memory:
        click.echo("queries are answered from an in-memory copy of the store", err=True)
    if not server.pool.sandboxed:
        from graph.sparql.sandbox import unavailable_reason

        click.echo(
            f"Warning: the query workers run without the no-network filter ({unavailable_reason()}); "
            "SERVICE is still refused by the parse check.",
            err=True,
        )
    if cache_mb:
        started = time.monotonic()
        kept, failed = server.app.warm_answers()
        click.echo(
            f"answered {kept} named queries once for the answer cache in {time.monotonic() - started:.1f} s",
            err=True,
        )
        for failure in failed:
            click.echo(f"Warning: {failure}", err=True)
    click.echo(f"chipgraph endpoint: {server.url}sparql  query page: {server.url}query  (Ctrl-C stops)", err=True)
    # SIGTERM (service managers, `kill`) stops it like Ctrl-C, so the query workers are shut down
    # too instead of being left running a long query after the server is gone.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopping", err=True)
    finally:
        server.server_close()


def _interrupt(signum: int, frame: object) -> None:  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt
