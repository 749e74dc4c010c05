"""The chokepoint analysis on the real, shipped data, and its command line.

Expectations justified from the sources: SMIC's 7 nm-class nodes need ArF immersion or EUV
scanners (rules.yaml), ASML is the only named provider of both, and the Dutch controls cut them
off for China (facts.md O1, O6); Korean HBM is cut for Chinese buyers from 2024-12-02 under the
modelled ECCN 3A090.c rule (facts.md N2); the Huawei listing starts on 2019-05-16 (EL1) and the
October 2022 rule on 2022-10-07 (O4).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli

SCENARIOS = Path(__file__).resolve().parent.parent / "graph" / "data" / "scenarios"


@pytest.fixture(scope="module")
def out(built) -> Path:
    """The session build's output folder (conftest); these tests only read it."""
    return built


@pytest.fixture(scope="module")
def G(store):
    from graph.chokepoints.projection import dependency_graph

    return dependency_graph(store, as_of="2025-06-01")


def keys(rows, order=None):
    return {r["key"] for r in rows if order is None or r["order"] == order}


def test_lithography_is_cut_for_accelerators_fabbed_at_smic_on_7nm(G):
    from graph.chokepoints.analysis import chokepoints

    for acc in ("ascend-910b", "ascend-910c"):
        rows = chokepoints(G, acc)
        assert {"cut:euv-lithography-tools", "cut:arf-immersion-duv-lithography-tools"} <= keys(rows, 0), acc
        euv = next(r for r in rows if r["key"] == "cut:euv-lithography-tools")
        assert "nl-euv-licence-not-granted" in euv["measures"] and euv["buyers"] == ["smic"]


def test_korean_hbm_cut_for_unlisted_chinese_buyers_from_2024_12_02(G):
    from graph.chokepoints.analysis import analyse, domestic_accelerators

    hbm_rule = "us-hbm-rule-2024-12"
    hit = []
    for acc in domestic_accelerators(G):
        after = analyse(G, acc, as_of="2024-12-02")["chokepoints"]
        before = analyse(G, acc, as_of="2024-12-01")["chokepoints"]
        if any(hbm_rule in r["measures"] for r in after):
            hit.append(acc)
            assert not any(hbm_rule in r["measures"] for r in before)
            row = next(r for r in after if hbm_rule in r["measures"])
            assert "KOR" in row["countries"]
    assert hit, "the HBM rule cuts no accelerator"


def test_dates_of_the_huawei_listing_and_the_2022_rule(G):
    from graph.chokepoints.projection import annotate_cuts

    def measures_on(date):
        H = G.copy()
        annotate_cuts(H, date)
        return {m for _, _, d in H.edges(data=True) for m in d.get("cut_by", ())}

    assert "us-entity-list-huawei-2019" not in measures_on("2019-05-15")
    assert "us-entity-list-huawei-2019" in measures_on("2019-05-16")
    assert "us-sme-rule-2022-10" not in measures_on("2022-10-06")
    assert "us-sme-rule-2022-10" in measures_on("2022-10-07")
    today = measures_on(None)
    assert {"us-hbm-rule-2024-12", "nl-duv-extension-2024-09", "jp-sme-control-2023-07"} <= today


def test_shipped_scenarios_load_and_change_something(G):
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.scenarios import compare, load_scenario

    base = all_chokepoints(G)
    for path in sorted(SCENARIOS.glob("*.yaml")):
        if path.name.startswith("capacity-"):
            continue  # capacity scenarios: graph.capacity.scenarios (tests/test_capacity_*.py)
        diff = compare(base, all_chokepoints(G, scenario=load_scenario(path)))
        assert diff, path.name
    lift = compare(base, all_chokepoints(G, scenario=load_scenario(SCENARIOS / "lift-2024-12-hbm-rule.yaml")))
    assert any(
        "us-hbm-rule-2024-12" in d["measures_before"] and "us-hbm-rule-2024-12" not in d["measures_after"] for d in lift
    )


def test_build_writes_deterministic_outputs(out, tmp_path):
    from graph.chokepoints.outputs import write_chokepoint_outputs
    from graph.store.local import open_store

    doc = json.loads((out / "chokepoints.json").read_text())
    assert doc["accelerators"] and doc["ranking"] and (out / "chokepoints.csv").read_text().startswith("accelerator,")
    first = write_chokepoint_outputs(open_store(out), tmp_path / "a", as_of="2025-06-01")
    second = write_chokepoint_outputs(open_store(out), tmp_path / "b", as_of="2025-06-01")
    for x, y in zip(first, second):
        assert x.read_bytes() == y.read_bytes()


def run(out, *args):
    return CliRunner().invoke(cli, [*args, "--output-dir", str(out)], catch_exceptions=False)


def test_cli_chokepoints_json_by_label_in_any_language(out):
    res = run(out, "chokepoints", "昇腾910C", "--as-of", "2025-06-01", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)  # stderr notes the ETO release of that date
    assert {r["accelerator"] for r in rows} == {"ascend-910c"}
    assert "cut:euv-lithography-tools" in keys(rows, 0)


def test_cli_explain_and_export(out, tmp_path):
    res = run(out, "explain", "Ascend 910C", "euv-lithography-tools", "--json")
    assert res.exit_code == 0, res.output
    hops = json.loads(res.output)
    assert any(h["to"] == "ASML" and h["cut_by"] for h in hops)
    assert any("eto" in " ".join(h["urls"]) for h in hops)
    for name in ("n.graphml", "n.gexf", "n.csv"):
        res = run(out, "export-network", "-o", str(tmp_path / name))
        assert res.exit_code == 0, res.output
    assert (tmp_path / "n-edges.csv").read_text().startswith("source,target")
    import networkx as nx

    H = nx.read_graphml(tmp_path / "n.graphml")
    assert any(d.get("cut_off") for _, d in H.nodes(data=True))


def test_cli_errors(out, tmp_path):
    res = run(out, "chokepoints", "Ascend 9999")
    assert res.exit_code == 1 and "did you mean" in res.output
    res = run(out, "chokepoints", "--as-of", "2024-13-01")
    assert res.exit_code == 1 and "YYYY-MM-DD" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("- not a mapping\n")
    res = run(out, "chokepoints", "--scenario", str(bad))
    assert res.exit_code == 1 and "bad.yaml" in res.output
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("name: u\nremove_providers: [no-such-firm]\n")
    res = run(out, "chokepoints", "--scenario", str(unknown))
    assert res.exit_code == 1 and "no-such-firm" in res.output
    res = run(out, "export-network", "-o", str(tmp_path / "x.txt"))
    assert res.exit_code == 1
