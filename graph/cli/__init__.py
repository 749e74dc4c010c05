"""The ``chipgraph`` command line: a thin shell over the library.

Commands are registered by name and imported only when run, so that ``chipgraph show`` does
not pay for pyvis, pyshacl or networkx. To add a command, write a click command in a module of
this package and add one line to :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from graph import __version__

#: command name -> "module:attribute" (modules under graph.cli)
COMMANDS: dict[str, str] = {
    "build": "graph.cli.build_cmds:build",
    "capacity": "graph.cli.capacity_cmds:capacity",
    "chokepoints": "graph.cli.chokepoint_cmds:chokepoints",
    "explain": "graph.cli.chokepoint_cmds:explain",
    "export-network": "graph.cli.chokepoint_cmds:export_network",
    "validate": "graph.cli.build_cmds:validate",
    "stats": "graph.cli.inspect_cmds:stats",
    "show": "graph.cli.inspect_cmds:show",
    "sources": "graph.cli.inspect_cmds:sources",
    "conflicts": "graph.cli.inspect_cmds:conflicts",
    "import": "graph.cli.eto_cmds:import_group",
    "crosswalk": "graph.cli.eto_cmds:crosswalk",
    "queries": "graph.cli.query_cmds:queries",
    "query": "graph.cli.query_cmds:query",
    "push": "graph.cli.push_cmds:push",
    "serve": "graph.cli.serve_cmds:serve",
    "render": "graph.cli.render_cmds:render",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; a usage error (bad option value, missing argument) ends, like
        every other error, in one ``Error:`` paragraph and exit status 1, not click's usage
        block and status 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "chipgraph"
            click.echo(f"Error: {exc.format_message()} (see `{where} --help`)", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)  # --help and --version give 0


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chipgraph")
def cli() -> None:
    """chipgraph: the supply chain behind China's AI accelerators, as a sourced knowledge graph.

    Build the graph from the curated facts and the ETO dataset, query it with SPARQL, find the
    export-control chokepoints of each accelerator, and draw it as offline HTML.

    Example:

        chipgraph build && chipgraph show "Ascend 910C"
    """


def main() -> None:
    """Entry point of the console script and ``python -m graph``."""
    cli(prog_name="chipgraph")


if __name__ == "__main__":  # pragma: no cover
    main()
