"""Alignment findings ("which governments' controls would cut"), on the real, shipped data.

Hand-checkable from graph/data/eto/provision.csv and the curated measures: SMIC buys ion
implanters from Applied Materials and Axcelis (USA, cut since the 2022-10 end-use rule), SMIT
(8.8 %) and Nissin Ion (1.9 %) of Japan, an unnamed Taiwanese residual (0.6 %), which Taiwan's
2025-06 listing of SMIC cuts only in the broad reading, and CETC and unnamed Chinese firms, which
no source shows serving 7 nm. So Japan alone would cut in the broad reading, Japan and Taiwan in
both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.chokepoints.alignment import KEY_PREFIX, holds_in
from graph.chokepoints.analysis import all_chokepoints
from graph.chokepoints.metrics import ranking
from graph.read.model import DOMESTIC


@pytest.fixture(scope="module")
def G(store):
    from graph.chokepoints.projection import dependency_graph

    return dependency_graph(store)


@pytest.fixture(scope="module")
def results(G):
    return all_chokepoints(G)


def _rows(results, accelerator: str) -> dict[str, dict]:
    (res,) = [r for r in results if r["accelerator"] == accelerator]
    return {row["key"]: row for row in res["chokepoints"]}


def test_ion_implanters_are_one_government_away_in_the_broad_reading_and_two_in_both(results):
    rows = _rows(results, "ascend-910c")
    pair = rows["government:JPN+TWN:ion-implanters"]
    assert pair["robust"] and pair["order"] == 2 and pair["buyers"] == ["smic"]
    assert pair["providers"] == ["nissin-ion", "smit", "unnamed-twn-ion-implanters"]
    assert pair["foreign_share"] == pytest.approx(8.8 + 1.9 + 0.6)
    assert pair["government_shares"] == {"JPN": pytest.approx(8.8 + 1.9), "TWN": pytest.approx(0.6)}
    assert set(pair["left_in_china"]) == {"cetc", "unnamed-chn-ion-implanters"}
    assert "not shown serving 7 nm" in pair["kind"]
    alone = rows["government:JPN:ion-implanters"]
    assert not alone["robust"] and alone["reading"] == "broad" and alone["order"] == 1


def test_the_finding_predicts_what_a_scenario_of_those_controls_gives(G, tmp_path: Path):
    """Add the controls the finding names (Japan and Taiwan on ion implanters): the input is then
    left to the Chinese providers alone, in both readings, and the alignment row is gone."""
    scenario = tmp_path / "align.yaml"
    scenario.write_text(
        "name: Japan and Taiwan control ion implanters\n"
        "add_measures:\n"
        + "".join(
            f"  - {{id: {c.lower()}-implanters-test, jurisdiction: {c}, effective: 2025-01-01,"
            " covers: [ion-implanters], destinations: [CHN], reaches_foreign_products: false}\n"
            for c in ("JPN", "TWN")
        ),
        encoding="utf-8",
    )
    (res,) = all_chokepoints(G, ["ascend-910c"], scenario=scenario)
    rows = {row["key"]: row for row in res["chokepoints"]}
    assert rows["domestic-only:ion-implanters"]["robust"]
    assert not [k for k in rows if k.startswith(KEY_PREFIX) and k.endswith(":ion-implanters")]


def test_alignment_rows_are_for_buyers_in_china_and_foreign_countries_only(G, results):
    country = G.graph["provider_country"]
    found = 0
    for res in results:
        for row in res["chokepoints"]:
            if not row["key"].startswith(KEY_PREFIX):
                continue
            found += 1
            assert all(country.get(b) == DOMESTIC for b in row["buyers"]), row
            assert DOMESTIC not in row["countries"] and "" not in row["countries"], row
            assert row["order"] == len(row["countries"]) and row["key"].split(":")[1] == "+".join(row["countries"])
    assert found, "the shipped data has alignment findings"


def test_alignment_findings_rank_after_the_provider_sets(results):
    statuses = [r["status"] for r in ranking(results, robust_only=False)]
    assert "would cut if aligned" in statuses
    last_provider = max(i for i, s in enumerate(statuses) if s == "would cut")
    assert all(s == "would cut if aligned" for s in statuses[last_provider + 1 :])


@pytest.mark.parametrize(
    ("key", "cutting", "expected"),
    [
        ("government:JPN+TWN:ion-implanters", ["government:JPN:ion-implanters"], True),
        ("government:JPN:ion-implanters", ["government:JPN+TWN:ion-implanters"], False),
        ("government:JPN:ion-implanters", ["government:JPN:cmp-tools"], False),
        ("government:JPN+KOR:cmp-tools", ["government:JPN+KOR:cmp-tools"], True),
    ],
)
def test_a_set_of_governments_holds_where_a_subset_of_it_cuts(key: str, cutting: list[str], expected: bool):
    assert holds_in(key, cutting) is expected


def test_no_core_ip_finding_for_a_designer_no_source_shows_licensing_it(G, results):
    """Huawei, Cambricon, Moore Threads, Biren and Jingjia make their own cores (sourced
    cg:inHouseSourceOf); no source says whether Hygon makes the DCU's cores or licenses them, nor
    from whom. The graph still offers Hygon ETO's licensors (the US ones cut by its 2019 listing,
    Arm and Imagination of the UK, eMemory of Taiwan), but a "UK and Taiwan would cut" finding
    would rest on that unsourced dependence, so none is drawn, and the result says why."""
    (hygon,) = [r for r in results if r["accelerator"] == "hygon-dcu"]
    assert hygon["unsourced_inputs"] == ["core-intellectual-property"]
    assert G.nodes["supply:core-intellectual-property@hygon"].get("source_unsourced")
    assert not any(row["items"] == ["core-intellectual-property"] for row in hygon["chokepoints"])
    # a designer with sourced in-house cores has no such mark: its core IP is settled by its own
    (c910,) = [r for r in results if r["accelerator"] == "ascend-910c"]
    assert c910["unsourced_inputs"] == []
    assert not G.nodes["supply:core-intellectual-property@huawei"].get("source_unsourced")


def test_the_chokepoints_command_says_which_findings_it_leaves_out(built):
    from click.testing import CliRunner

    from graph.cli import cli

    out = CliRunner().invoke(cli, ["chokepoints", "--output-dir", str(built), "hygon-dcu", "kunlun-1"])
    assert out.exit_code == 0, out.output
    assert "no source says whether the designers of 1 accelerator(s) (hygon-dcu)" in out.stderr
    assert "kunlun-1: providers:keithley-instruments+keysight-tech, supplying samsung" in out.stderr
