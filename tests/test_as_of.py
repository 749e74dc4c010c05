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
    assert result.exit_code == 1, result.output
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


def test_as_of_before_the_current_eto_release_takes_the_earlier_release_shares(store, built: Path):
    """ETO's current release (2025 figures) is dated 2026-08-14, the one before (2024 figures)
    2025-07-11. On 2025-01-01 neither was out: the analysis takes the earliest and says so. China's
    ALD share is 0.5 % in the 2024 data (no firm named) and 2.6 % in 2025 (Piotech 2.2 % named)."""
    from graph.chokepoints.analysis import chokepoints
    from graph.chokepoints.projection import dependency_graph

    def ald(as_of: str):
        G = dependency_graph(store, as_of=as_of)
        rows = chokepoints(G, "ascend-910b")
        [row] = [r for r in rows if r["key"] == "domestic-only:atomic-layer-deposition-tools"]
        return G.graph["shares_release"], row

    early_release, early = ald("2025-01-01")
    assert early_release == {
        "release": "eto-chip-explorer-0bb9949",
        "date": "2025-07-11",
        "current": False,
        "fallback": True,
    }
    assert (early["providers"], early["domestic_share"]) == (["unnamed-chn-atomic-layer-deposition-tools"], 0.5)
    mid_release, _ = ald("2025-08-01")
    assert (mid_release["release"], mid_release["fallback"]) == ("eto-chip-explorer-0bb9949", False)
    day = data_date(store)
    assert day is not None and day.isoformat() >= "2026-08-14"
    now_release, now = ald(day.isoformat())
    assert now_release["release"] == "eto-chip-explorer" and now_release["current"]
    assert (now["providers"], now["domestic_share"]) == (["piotech", "unnamed-chn-atomic-layer-deposition-tools"], 2.6)
    trend = {
        "item": "atomic-layer-deposition-tools",
        "country": "CHN",
        "then": 0.5,
        "then_year": "2024",
        "now": 2.6,
        "now_year": "2025",
    }
    assert trend in now["country_shares"] and trend in early["country_shares"]  # then and now, whichever date
    cli = run("chokepoints", "Ascend 910B", "--json", "--as-of", "2025-01-01", "--output-dir", str(built))
    assert cli.exit_code == 0, cli.output
    assert "market shares and providers from ETO release eto-chip-explorer-0bb9949 of 2025-07-11" in cli.stderr
    assert "ETO release" not in run("chokepoints", "Ascend 910B", "--json", "--output-dir", str(built)).stderr
