"""The step log: plain lines when not on a terminal, rich's status display on one."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from rich.console import Console

from graph.cli.progress import StepProgress


def test_plain_lines_when_not_a_terminal(capsys):
    progress = StepProgress()
    progress("reading the ontology")
    progress("validating with SHACL")
    err = capsys.readouterr().err.splitlines()
    assert [re.sub(r"^\[ *[0-9.]+s\] ", "", line) for line in err] == ["reading the ontology", "validating with SHACL"]
    assert all(re.match(r"^\[ *[0-9]+\.[0-9]s\] ", line) for line in err)
    assert progress.step == 2


def test_quiet_prints_nothing(capsys):
    progress = StepProgress(enabled=False)
    progress("x")
    assert capsys.readouterr().err == "" and progress.step == 1


def test_terminal_shows_a_status_and_keeps_one_line_per_step():
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=80, color_system=None)
    with StepProgress(console=console) as progress:
        progress("step [one]")  # rich markup in a message is shown as text
        assert progress._status is not None  # the spinner runs while a step does
        progress("step two")
    assert progress._status is None
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())
    assert re.search(r"\[ *[0-9.]+s\] step \[one\]", text) and re.search(r"\[ *[0-9.]+s\] step two", text)


def test_build_log_through_the_cli_is_plain(tmp_path):
    from graph.cli import cli

    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^\[ *[0-9.]+s\] validating with SHACL$", result.stderr, re.M)
