"""Every `chipgraph ...` example in the README runs on the shipped data and exits 0.

Examples are read from the README's ```bash blocks, so the documentation cannot drift from
the CLI unnoticed. Commands that start servers, write to remote servers or rebuild are skipped.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli

REPO = Path(__file__).resolve().parent.parent
SKIP = {"serve", "push", "build"}


def readme_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            for prefix in (".venv/bin/chipgraph ", "chipgraph "):
                if line.startswith(prefix):
                    args = shlex.split(line[len(prefix) :], comments=True)
                    if args and args[0] not in SKIP:
                        commands.append(line[len(prefix) :])
    return commands


def test_the_readme_has_examples() -> None:
    assert len(readme_examples()) >= 10


@pytest.mark.parametrize("example", readme_examples())
def test_readme_example_runs(example: str, built: Path, tmp_path: Path) -> None:
    args = shlex.split(example, comments=True)
    args = [str(REPO / a) if a.startswith("graph/data/") else a for a in args]
    args = [str(tmp_path / Path(a).name) if a.startswith("output/") else a for a in args]
    command = cli.get_command(None, args[0])  # type: ignore[arg-type]
    assert command is not None, f"README names an unknown command: {args[0]}"
    if any(p.name == "output_dir" for p in command.params):
        args += ["--output-dir", str(built)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, f"chipgraph {example}\n{result.output}"
    assert result.output.strip()
