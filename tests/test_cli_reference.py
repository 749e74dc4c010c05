"""The README's CLI reference matches --help, and every command documents itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from graph.cli import COMMANDS, cli
from graph.cli.reference import END, START, reference_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_cli_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    current = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert current == reference_markdown().strip(), "run: python scripts/gen_cli_reference.py"


def test_every_command_has_help_with_an_example() -> None:
    ctx = click.Context(cli, info_name="chipgraph")
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None, name
        commands = [cmd]
        if isinstance(cmd, click.Group):
            commands += [cmd.get_command(ctx, sub) for sub in cmd.list_commands(ctx)]
        for command in commands:
            assert command.help and "Example" in command.help, f"{name}: help lacks an Example block"


def test_version_and_python_m() -> None:
    import subprocess
    import sys

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "chipgraph" in result.output
    proc = subprocess.run([sys.executable, "-m", "graph", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "chokepoints" in proc.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["nonsense"])
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["chokepoints", "--as-of", "2025-02-30"],
        ["serve", "--port", "99999"],
        ["build", "-o", ""],
        ["query", "-o", "", "-e", "ASK {}"],
        ["nonsense"],
    ],
)
def test_usage_errors_end_in_one_error_paragraph_and_status_1(args, tmp_path) -> None:
    """A bad option value is an input error like any other: ``Error:``, status 1, no usage block,
    and nothing written (``build -o ''`` would otherwise build into the current folder)."""
    proc = subprocess.run(
        [sys.executable, "-m", "graph", *args], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("Error: ") and "Usage:" not in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
