"""Generate the README's CLI reference from the commands' own ``--help`` text.

``scripts/gen_cli_reference.py`` writes it into README.md between two markers, and a test
fails when the README and ``--help`` drift apart.
"""

from __future__ import annotations

import click
from click.testing import CliRunner

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"


def _commands(group: click.Group, ctx: click.Context, prefix: list[str]) -> list[list[str]]:
    paths = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or cmd.hidden:
            continue
        paths.append(prefix + [name])
        if isinstance(cmd, click.Group):
            paths += _commands(cmd, click.Context(cmd, info_name=name, parent=ctx), prefix + [name])
    return paths


def reference_markdown() -> str:
    """The help of ``chipgraph`` and of every subcommand, as Markdown."""
    from graph.cli import cli

    runner = CliRunner()
    parts = []
    ctx = click.Context(cli, info_name="chipgraph")
    top: list[str] = []
    for path in [top] + _commands(cli, ctx, []):
        result = runner.invoke(cli, path + ["--help"], prog_name="chipgraph", terminal_width=100)
        title = " ".join(["chipgraph"] + path)
        parts.append(f"### `{title}`\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def replace_section(readme: str, body: str) -> str:
    """README text with the part between the markers replaced by ``body``."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}\n{END}{tail}"
