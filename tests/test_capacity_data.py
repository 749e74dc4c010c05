"""The capacity model on the shipped data: claims, assumptions, scenarios, CLI, page."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.capacity.assumptions import DEFAULT_ASSUMPTIONS, check_assumptions, load_assumptions
from graph.capacity.claims import read_claims
from graph.capacity.report import capacity_results, write_capacity_outputs
from graph.capacity.scenarios import compare, load_capacity_scenario
from graph.cli import cli

DATA = Path(__file__).resolve().parent.parent / "graph" / "data"
SCENARIOS = sorted((DATA / "scenarios").glob("capacity-*.yaml"))


@pytest.fixture(scope="module")
def data(store):
    return read_claims(store)


def test_epoch_claims_match_the_copied_csv(data):
    sums = defaultdict(lambda: [0.0, 0.0, 0.0])
    ids = {"Ascend 910B": "ascend-910b", "Ascend 910C": "ascend-910c", "Siyuan 590": "siyuan-590"}
    with open(DATA / "epoch" / "sales_quarterly_by_chip.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 24
    for r in rows:
        k = (ids[r["Chip type"]], int(r["Start date"][:4]))
        for i, col in enumerate(("5th percentile", "median", "95th percentile")):
            sums[k][i] += float(r[f"Number of units ({col})"])
    epoch = {
        (c.about[0], c.year): c
        for c in data.claims
        if c.claimed_by == "epoch-ai" and c.metric == "output-units-per-year"
    }
    assert set(epoch) == set(sums)
    # the imported quarterly claims (graph/rdf/epoch_sales_rdf.py) add up to the curated yearly sums
    quarterly = defaultdict(lambda: [0.0, 0.0, 0.0])
    for c in data.claims:
        if c.claimed_by == "epoch-ai" and c.metric == "output-units-per-quarter":
            for i, v in enumerate((c.low, c.value, c.high)):
                quarterly[c.about[0], c.year][i] += v or 0.0
    assert dict(quarterly) == dict(sums)
    for k, (lo, med, hi) in sums.items():
        c = epoch[k]
        assert (c.low, c.value, c.high) == (lo, med, hi)
    assert (DATA / "epoch" / "PROVENANCE.md").is_file() and (DATA / "epoch" / "LICENSE.md").is_file()


def test_every_capacity_claim_has_year_date_sources_and_confidence(data):
    cap = [c for c in data.claims if c.id.startswith("cap-")]
    assert len(cap) == 58
    for c in cap:
        assert c.year and c.claim_date and c.sources and c.confidence in ("low", "medium", "high"), c.id


def test_shipped_assumptions_name_real_claims_and_accelerators(data):
    check_assumptions(load_assumptions(DEFAULT_ASSUMPTIONS), set(data.by_id()), set(data.accelerators))


def test_ascend_910c_2025_has_a_sourced_range_binding_and_estimates(data):
    (r,) = capacity_results(data, ["ascend-910c"], [2025], draws=20_000)
    assert r["status"] == "modelled"
    o = r["output"]
    assert 0 < o["bound_low"] <= o["p10"] <= o["p50"] <= o["p90"] <= o["bound_high"]
    assert r["binding_constraint"] in ("logic", "memory")
    assert sum(b["share"] for b in r["binding"]) == pytest.approx(1.0)
    used = {c["id"] for c in r["claims_used"]}
    assert {"cap-910c-hbm-stacks", "cap-910c-dies-per-package", "cap-ms-smic-ai-wafers-2025"} <= used
    assert not any(c["metric"] == "output-units-per-year" for c in r["claims_used"])
    pub = {p["id"]: p for p in r["published"]}
    assert {"cap-epoch-ascend-910c-2025", "cap-bis-ascend-2025", "cap-semianalysis-ascend-2025"} <= set(pub)
    assert all(p["verdict"] for p in pub.values())
    assert r["assumptions"] and all(a["reasoning"] for a in r["assumptions"])


def test_accelerators_without_inputs_say_what_is_missing(data):
    results = capacity_results(data, years=[2025], draws=1000)
    by = {r["accelerator"]: r for r in results}
    assert by["ascend-910c"]["status"] == by["ascend-910b"]["status"] == "modelled"
    assert by["siyuan-590"]["status"] == "missing inputs"
    assert "die_area_mm2" in {m["parameter"] for m in by["siyuan-590"]["missing"]}


def test_as_of_uses_only_claims_made_by_then(data):
    (r,) = capacity_results(data, ["ascend-910c"], [2025], as_of=__import__("datetime").date(2025, 6, 30), draws=1000)
    assert all(c["claim_date"] <= "2025-06-30" for c in r["claims_used"])
    assert all(p["claim_date"] <= "2025-06-30" for p in r["published"])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_capacity_scenarios_change_the_output(data, path):
    s = load_capacity_scenario(path)
    years = [2026]
    base = capacity_results(data, ["ascend-910c"], years, draws=5000)
    after = capacity_results(data, ["ascend-910c"], years, scenario=s, draws=5000)
    (row,) = compare(base, after)
    changed = [k for k in ("p50", "logic_p50", "memory_p50") if row[f"{k}_before"] != row[f"{k}_after"]]
    assert changed, path.name


def test_more_hbm_never_lowers_output_on_real_data(data):
    s_more = load_capacity_scenario(DATA / "scenarios" / "capacity-cxmt-hbm3-volume.yaml")
    base = capacity_results(data, ["ascend-910c"], [2026], draws=5000)[0]["output"]
    more = capacity_results(data, ["ascend-910c"], [2026], scenario=s_more, draws=5000)[0]["output"]
    assert all(more[k] >= base[k] for k in ("p10", "p50", "p90", "bound_low", "bound_high"))


def test_outputs_are_deterministic(store, tmp_path):
    a = write_capacity_outputs(store, tmp_path / "a", years=[2025], draws=2000)
    b = write_capacity_outputs(store, tmp_path / "b", years=[2025], draws=2000)
    for x, y in zip(a, b):
        assert x.read_bytes() == y.read_bytes()
    results = json.loads(a[0].read_text())
    assert {r["accelerator"] for r in results} >= {"ascend-910c", "ascend-910b", "siyuan-590"}


def test_capacity_page_is_escaped_and_offline(data):
    from graph.render.capacity_page import render_capacity_page

    (r,) = capacity_results(data, ["ascend-910c"], [2025], draws=1000)
    r = json.loads(json.dumps(r))
    r["label"] = "<script>alert(1)</script>"
    html = render_capacity_page(r)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "src=" not in html and "<link" not in html
    assert render_capacity_page(r) == html


# --- CLI ----------------------------------------------------------------------------------------


def run(built, *args):
    return CliRunner().invoke(cli, ["capacity", *args, "--output-dir", str(built)], catch_exceptions=False)


def test_cli_table_for_ascend_910c(built):
    res = run(built, "Ascend 910C", "--year", "2025", "--draws", "5000", "-t")
    assert res.exit_code == 0, res.output
    assert "Binding constraint:" in res.output and "Published output estimates" in res.output
    assert "cap-epoch-ascend-910c-2025" in res.output and "Assumptions" in res.output


def test_cli_json_is_deterministic(built):
    a = run(built, "ascend-910c", "--year", "2025", "--draws", "3000", "--json").output
    b = run(built, "ascend-910c", "--year", "2025", "--draws", "3000", "--json").output
    assert a == b and json.loads(a)[0]["accelerator"] == "ascend-910c"


def test_cli_csv_lists_missing_inputs(built):
    res = run(built, "--year", "2025", "--draws", "1000", "--csv")
    rows = list(csv.DictReader(res.output.splitlines()))
    by = {r["accelerator"]: r for r in rows}
    assert by["Siyuan 590"]["status"] == "missing inputs" and "die_area_mm2" in by["Siyuan 590"]["missing"]


def test_cli_scenario_reports_the_change(built):
    path = DATA / "scenarios" / "capacity-cxmt-hbm3-volume.yaml"
    res = run(built, "Ascend 910C", "--year", "2026", "--draws", "2000", "--scenario", str(path), "--csv")
    assert res.exit_code == 0
    (row,) = list(csv.DictReader(res.output.splitlines()))
    assert float(row["p50_change_percent"]) > 0


def test_cli_bad_scenario_is_one_error_with_file_and_line(built, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - parameter: wafers\n    scale: 2\n    reason: r\n")
    res = CliRunner().invoke(cli, ["capacity", "--scenario", str(bad), "--output-dir", str(built)])
    assert res.exit_code == 1 and f"{bad}:3:" in res.output and "Traceback" not in res.output


def test_cli_unknown_accelerator(built):
    res = CliRunner().invoke(cli, ["capacity", "Ascend 9999", "--output-dir", str(built)])
    assert res.exit_code == 1 and res.output.startswith("Error:")
