"""The FollowTheMoney export (graph.export.ftm, `export-network --format ftm`) on the shipped data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli

# followthemoney is in the test extra: without it these tests fail rather than skip, so that a
# missing install step cannot pass unnoticed (the last test hides the package on purpose).
SMIC_ENTITY_LIST = "chipgraph-entry-bis-entity-list-semiconductor-manufacturing-international-corporation-smic"


@pytest.fixture(scope="module")
def export(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ftm") / "chipgraph.ftm.json"
    result = CliRunner().invoke(cli, ["export-network", "--format", "ftm", "-o", str(path), "--output-dir", str(built)])
    assert result.exit_code == 0, result.output
    assert "all valid" in result.output
    return path


@pytest.fixture(scope="module")
def entities(export: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    return {row["id"]: row for row in rows}


def _props(entity: dict) -> dict[str, list[str]]:
    return entity["properties"]


def test_smic_is_a_company_with_its_names_in_every_language(entities):
    smic = entities["chipgraph-smic"]
    assert smic["schema"] == "Company"
    props = _props(smic)
    assert props["name"] == ["SMIC"]
    assert {"中芯国际", "중신궈지", "Semiconductor Manufacturing International Corporation"} <= set(props["alias"])
    assert props["country"] == ["cn"]
    assert props["address"] and props["sourceUrl"] and props["publisher"]


def test_smic_has_its_entity_list_sanction_with_the_federal_register_citation_and_date(entities):
    sanctions = [
        e for e in entities.values() if e["schema"] == "Sanction" and _props(e)["entity"] == ["chipgraph-smic"]
    ]
    programs = {p for s in sanctions for p in _props(s)["program"]}
    assert {"Entity List", "NS-CMIC List"} <= programs
    listing = _props(entities[SMIC_ENTITY_LIST])
    assert listing["program"] == ["Entity List"]
    assert listing["reason"] == ["85 FR 83420, 12/22/20"]
    assert listing["listingDate"] == ["2020-12-22"] and listing["startDate"] == ["2020-12-22"]
    assert listing["authority"] == ["Bureau of Industry and Security"] and listing["country"] == ["us"]
    assert "85 FR 83420 (2020-12-22)" in listing["description"][0]
    assert listing["publisher"] == ["U.S. Department of Commerce, Bureau of Industry and Security"]
    assert listing["sourceUrl"][0].startswith("https://www.ecfr.gov/")
    # the curated listing of 2020 stays beside the list entry, with its own sources
    curated = _props(entities["chipgraph-us-entity-list-smic-2020"])
    assert curated["startDate"] == ["2020-12-18"] and "85 FR 83416" in curated["reason"][0]


def test_every_list_entry_is_a_sanction(entities, store):
    entries = int(store.select("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a cg:ListEntry }")[0]["n"].value)
    assert entries >= 2000
    from_lists = [e for e in entities.values() if e["schema"] == "Sanction" and e["id"].startswith("chipgraph-entry-")]
    assert len(from_lists) == entries
    assert all(e["properties"]["entity"][0] in entities for e in from_lists)


def test_every_line_validates_with_followthemoney(export: Path):
    from followthemoney import model

    from graph.export.ftm import validate_lines

    lines = export.read_text(encoding="utf-8").splitlines()
    assert validate_lines(lines) == []
    for line in lines:  # and, independently of validate_lines, FtM's own round trip
        data = json.loads(line)
        assert model.get_proxy(data, cleaned=False).to_dict() == data
        assert model[data["schema"]].validate(data) is None


def test_the_validator_finds_broken_entities():
    from graph.export.ftm import validate_lines

    org = {"id": "chipgraph-a", "schema": "Organization", "properties": {"name": ["A"]}}
    bad = [
        json.dumps(org),
        json.dumps(
            {
                "id": "chipgraph-o",
                "schema": "Ownership",
                "properties": {"owner": ["chipgraph-a"], "asset": ["chipgraph-a"]},
            }
        ),
        json.dumps({"id": "chipgraph-s", "schema": "Sanction", "properties": {"program": ["X"], "colour": ["red"]}}),
        json.dumps({"id": "chipgraph-a", "schema": "Thing", "properties": {}}),
        json.dumps(
            {
                "id": "chipgraph-d",
                "schema": "Sanction",
                "properties": {"entity": ["chipgraph-z"], "startDate": ["22/12/2020"]},
            }
        ),
    ]
    problems = "\n".join(validate_lines(bad))
    assert "asset is a Organization, not a Asset" in problems
    assert "line 3 (chipgraph-s): Sanction has no property colour" in problems
    assert "line 3 (chipgraph-s): required entity missing" in problems
    assert "'Thing' is not a concrete FtM schema" in problems
    assert "points at 'chipgraph-z'" in problems
    assert "line 5 (chipgraph-d): Entity validation failed: {'startDate'" in problems


def test_two_exports_are_byte_identical_and_sorted(export: Path, built: Path, tmp_path: Path):
    again = tmp_path / "again.ftm.json"
    result = CliRunner().invoke(
        cli, ["export-network", "--format", "ftm", "-o", str(again), "--output-dir", str(built)]
    )
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == export.read_bytes()
    ids = [json.loads(line)["id"] for line in export.read_text(encoding="utf-8").splitlines()]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(i.startswith("chipgraph-") for i in ids)


def test_a_person_party_becomes_a_person(entities, store):
    persons = {
        r["e"].value.rsplit("/", 1)[1]
        for r in store.select("SELECT ?e WHERE { GRAPH ?g { ?e a cg:Person } FILTER(?g != cggraph:inferred) }")
    }
    assert len(persons) >= 100
    assert {entities[f"chipgraph-{p}"]["schema"] for p in persons} == {"Person"}
    assert sum(1 for e in entities.values() if e["schema"] == "Person") == len(persons)
    # a bare list party (the US lists do not say person or organisation) stays a LegalEntity
    assert entities["chipgraph-party-bis-entity-list-3-k-electronics-limited"]["schema"] == "LegalEntity"


def test_ownership_and_supply_links(entities):
    hisilicon = _props(entities["chipgraph-ownership.huawei.hisilicon"])
    assert entities["chipgraph-ownership.huawei.hisilicon"]["schema"] == "Ownership"
    assert hisilicon["owner"] == ["chipgraph-huawei"] and hisilicon["asset"] == ["chipgraph-hisilicon"]
    assert hisilicon["sourceUrl"]
    # a list party that the 1260H list names as SMIC's subsidiary is owned, so a Company
    subsidiaries = [
        e for e in entities.values() if e["schema"] == "Ownership" and _props(e)["owner"] == ["chipgraph-smic"]
    ]
    assert len(subsidiaries) >= 5
    assert all(entities[_props(e)["asset"][0]]["schema"] == "Company" for e in subsidiaries)
    link = entities["chipgraph-supply-smic-hisilicon-foundry"]
    assert link["schema"] == "UnknownLink"
    props = _props(link)
    assert props["subject"] == ["chipgraph-smic"] and props["object"] == ["chipgraph-hisilicon"]
    assert props["role"] == ["foundry supplier"] and "Ascend 910C" in props["description"][0]


def test_options_that_do_not_apply_are_refused(built: Path, tmp_path: Path):
    out = tmp_path / "x.ftm.json"
    args = ["export-network", "--format", "ftm", "-o", str(out), "--output-dir", str(built), "--as-of", "2024-01-01"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "--as-of does not apply to --format ftm" in result.output
    assert not out.exists()


def test_without_followthemoney_the_command_says_how_to_install_it(built: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "followthemoney", None)  # import followthemoney -> ImportError
    out = tmp_path / "x.ftm.json"
    result = CliRunner().invoke(cli, ["export-network", "--format", "ftm", "-o", str(out), "--output-dir", str(built)])
    assert result.exit_code == 1
    assert "Error: the FollowTheMoney export needs the followthemoney package" in result.output
    assert "pip install 'chipgraph[ftm]'" in result.output
    assert not out.exists()
