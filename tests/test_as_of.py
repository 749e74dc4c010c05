"""One meaning of ``--as-of``: exactly YYYY-MM-DD when given, the data date when not, for every command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.read.model import data_date


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize(
    "command",
    [
        ["chokepoints"],
        ["explain", "Ascend 910C", "euv-lithography-tools"],
        ["export-network", "-o", "x.graphml"],
        ["render"],
        ["capacity"],
    ],
)
@pytest.mark.parametrize("value", ["20240101", "2024-1-1", "2024-W01-1", "2024-02-30"])
def test_as_of_in_another_form_is_refused_naming_the_form(command, value, built: Path):
    result = run(*command, "--as-of", value, "--output-dir", str(built))
    assert result.exit_code == 2, result.output
    assert "YYYY-MM-DD" in result.output and repr(value) in result.output


@pytest.mark.parametrize("command", [["chokepoints"], ["explain"], ["export-network"], ["render"]])
def test_help_says_the_default_is_the_data_date(command):
    text = " ".join(run(*command, "--help").output.split())
    assert "default: the data date" in text and "today" not in text


def test_chokepoints_without_as_of_are_those_of_the_data_date(store, built: Path):
    day = data_date(store)
    assert day is not None
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert day.isoformat() == manifest["data_date"]
    plain = run("chokepoints", "Ascend 910C", "--json", "--output-dir", str(built))
    dated = run("chokepoints", "Ascend 910C", "--json", "--as-of", day.isoformat(), "--output-dir", str(built))
    assert plain.exit_code == 0, plain.output
    assert plain.output == dated.output
    earlier = run("chokepoints", "Ascend 910C", "--json", "--as-of", "2019-01-01", "--output-dir", str(built))
    assert earlier.output != plain.output, "the date must matter for the comparison to mean anything"


@pytest.mark.parametrize("name", ["measures-in-force", "listed-parties"])
def test_named_queries_default_to_the_data_date(name, store, built: Path):
    result = run("query", name, "--json", "--output-dir", str(built))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    day = data_date(store)
    assert rows and {r["as_of"] for r in rows} == {day.isoformat() if day else None}


def test_a_named_query_refuses_an_as_of_without_dashes(built: Path):
    result = run("query", "measures-in-force", "-p", "as_of", "20240101", "--output-dir", str(built))
    assert result.exit_code == 1 and "not a valid date" in result.output


def test_the_site_without_as_of_shows_the_data_date(store, tmp_path: Path):
    from graph.render import render_site

    seen: list[str | None] = []

    def analyse(store, accelerators, as_of, scenario):
        seen.append(as_of)
        return None

    render_site(store, tmp_path, analyse=analyse, max_nodes=50)
    day = data_date(store)
    assert day is not None and seen == [day.isoformat()]
    assert f"as of {day.isoformat()}" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_the_library_refuses_an_as_of_without_dashes(store, tmp_path: Path):
    from graph.errors import InputError
    from graph.render import render_site

    with pytest.raises(InputError, match="YYYY-MM-DD"):
        render_site(store, tmp_path, as_of="20240101")
    assert dt.date.fromisoformat("20240101")  # what the stdlib alone would have let through


def test_the_library_entry_points_default_to_the_data_date(store):
    from graph.chokepoints.outputs import chokepoint_document

    day = data_date(store)
    assert day is not None
    assert chokepoint_document(store)["as_of"] == day.isoformat()
