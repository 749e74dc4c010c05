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


def readme_python_blocks() -> list[str]:
    """The README's ```python blocks, in order (the tutorial: each block builds on the ones before)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_readme_tutorial_runs(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """Every ```python block of the README runs, in order and in one namespace, on the shipped data.

    The tutorial opens ``graph.open()``: the session build, through $CHIPGRAPH_OUTPUT; what it
    writes (the chart) goes to ``tmp_path``.
    """
    pytest.importorskip("pandas", reason="the tutorial needs the notebook extra (pip install -e .[notebook])")
    pytest.importorskip("matplotlib", reason="the tutorial's chart needs matplotlib (the notebook extra)")
    blocks = readme_python_blocks()
    assert len(blocks) >= 5, "the tutorial opens the graph, asks three questions and draws a chart"
    monkeypatch.setenv("CHIPGRAPH_OUTPUT", str(built))
    monkeypatch.delenv("CHIPGRAPH_ENDPOINT", raising=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme_tutorial"}
    for i, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"README.md python block {i}", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"README python block {i} failed: {exc!r}\n{block}") from exc
    out = capsys.readouterr().out
    assert "huawei" in out and "TechInsights" in out  # the lookup and the curators' note were printed
    chart = tmp_path / "measures-per-year.png"
    assert chart.exists() and chart.stat().st_size > 10_000
