"""``chipgraph crosswalk`` prints the reviewed mapping and the unmatched providers with the shared output flags."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from graph.cli import cli


def test_crosswalk_lists_the_reviewed_mapping() -> None:
    result = CliRunner().invoke(cli, ["crosswalk", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["eto_provider_id"]: r for r in json.loads(result.output)}
    assert rows["P37"] == {
        "eto_provider_id": "P37",
        "eto_name": "SMIC",
        "chipgraph_id": "smic",
        "wikidata_qid": "",
        "curated": True,
        "note": "",
    }
    assert rows["P88"]["wikidata_qid"] == "Q297879"
    assert rows["P306"]["chipgraph_id"] == ""


def test_crosswalk_unmatched_as_csv(tmp_path: Path) -> None:
    out = tmp_path / "unmatched.csv"
    result = CliRunner().invoke(cli, ["crosswalk", "--unmatched", "--csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "eto_provider_id",
        "eto_name",
        "country",
        "entity_id",
        "near_match_id",
        "near_match_name",
        "similarity",
        "note",
    ]
    by_id = {r["eto_provider_id"]: r for r in rows}
    assert "P37" not in by_id  # SMIC is matched
    assert by_id["P306"]["near_match_id"] == "huawei" and by_id["P306"]["entity_id"] == "hysol-huawei"
    assert by_id["P13"]["eto_name"] == "Loongson"


def test_crosswalk_near_only_and_conflicting_flags() -> None:
    near = CliRunner().invoke(cli, ["crosswalk", "--unmatched", "--near", "--nl"])
    assert near.exit_code == 0, near.output
    lines = [json.loads(line) for line in near.output.splitlines()]
    assert lines and all(r["near_match_id"] for r in lines)
    clash = CliRunner().invoke(cli, ["crosswalk", "--csv", "--json"])
    assert clash.exit_code == 1


def test_import_help_has_an_example() -> None:
    for args in (["import", "--help"], ["import", "eto", "--help"], ["crosswalk", "--help"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and "Example:" in result.output
