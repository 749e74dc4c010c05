"""The read model (graph.read.model): its definitions, and the site and the analysis agreeing.

The site (graph.render.data) and the chokepoint analysis (graph.chokepoints) both read the graph
through the read model, so they must name the same domestic accelerators, the same measures in
force and the same findings, on the data date and on any other date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from graph.read import model as rm
from graph.vocab.namespaces import ID, entity_id_of


def test_in_force_is_effective_inclusive_end_exclusive():
    assert rm.in_force(dt.date(2024, 12, 2), None, dt.date(2024, 12, 2))
    assert not rm.in_force(dt.date(2024, 12, 2), None, dt.date(2024, 12, 1))
    assert rm.in_force("2023-10-23", "2023-11-17", "2023-11-16")
    assert not rm.in_force("2023-10-23", "2023-11-17", "2023-11-17")
    assert not rm.in_force(None, None, "2030-01-01"), "a measure without an effective date is never in force"


def test_claims_hold_on_open_and_partial_intervals():
    assert rm.holds_on(None, None, "1900-01-01")
    assert rm.holds_on("2023", None, "2023-01-01"), "a bound given as a year starts at the year's start"
    assert not rm.holds_on("2023-02", None, "2023-01-31")
    assert not rm.holds_on(None, "2024", "2024-06-01")


def test_confidence_floor_and_label_order():
    assert rm.at_least("high", "medium") and not rm.at_least("low", "medium")
    assert rm.preferred_label({"zh": "华为", "": "Huawei Co", "en": "Huawei"}, "x") == "Huawei"
    assert rm.preferred_label({"zh": "华为", "": "Huawei Co"}, "x") == "Huawei Co"
    assert rm.preferred_label({"zh": "华为", "ko": "화웨이"}, "x") == "화웨이"
    assert rm.compact(ID + "huawei") == "cgid:huawei"


def test_data_date_is_the_build_data_date(store, built: Path):
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert rm.data_date(store) == dt.date.fromisoformat(manifest["data_date"])


def test_a_low_confidence_designer_does_not_make_a_chip_domestic(store):
    model = rm.load_model(store, rm.MIN_CONFIDENCE)
    claims = model.facts["jinghong-series"]["designedBy"]
    assert {c.confidence for c in claims.values()} == {"low"}
    assert not model.is_domestic("jinghong-series")
    assert model.at_floor("low").is_domestic("jinghong-series")
    assert "jinghong-series" not in model.domestic_accelerators()


def test_a_whole_suspension_takes_a_measure_out_of_force_and_a_partial_one_does_not(store):
    """The Affiliates Rule was suspended as a whole from 2025-11-10 to 2026-11-10 (BIS); the H200
    case-by-case review of 2026-01-15 lifts only a part of the 2023 advanced-computing rule."""
    from graph.chokepoints.measures import in_force
    from graph.chokepoints.projection import load_measures

    model = rm.load_model(store, rm.MIN_CONFIDENCE)
    facts = rm.measure_facts(model)
    rule = facts["us-affiliates-rule-2025-09"]
    assert rule.suspended == ((dt.date(2025, 11, 10), dt.date(2026, 11, 10)),)
    assert [rule.in_force(d) for d in ("2025-10-01", "2025-11-10", "2026-11-09", "2026-11-10")] == [
        True,
        False,
        False,
        True,
    ]
    advanced = facts["us-advanced-computing-rule-2023-10"]
    assert advanced.suspended == () and advanced.in_force("2026-06-01")
    # the analysis's measures say the same, on parsed dates
    measures = load_measures(model)
    assert not in_force(measures["us-affiliates-rule-2025-09"], dt.date(2026, 1, 1))
    assert in_force(measures["us-affiliates-rule-2025-09"], dt.date(2026, 11, 10))
    assert dt.date(2025, 11, 10) in measures["us-affiliates-rule-2025-09"].change_dates()


def test_the_built_site_has_a_page_for_each_analysed_accelerator_and_no_other(built: Path):
    doc = json.loads((built / "chokepoints.json").read_text(encoding="utf-8"))
    analysed = {a["accelerator"] for a in doc["accelerators"]}
    files = (built / "site").glob("accelerator-*.html")
    pages = {p.name.removeprefix("accelerator-").removesuffix(".html") for p in files}
    assert pages == analysed
    assert "jinghong-series" not in pages


@pytest.mark.parametrize("as_of", [None, "2023-01-01", "2025-06-01"])
def test_site_and_analysis_name_the_same_accelerators_measures_and_findings(store, as_of):
    from graph.chokepoints.analysis import chokepoints, domestic_accelerators
    from graph.chokepoints.measures import in_force
    from graph.chokepoints.projection import dependency_graph
    from graph.render.analysis import run_analysis
    from graph.render.data import load_snapshot

    date = dt.date.fromisoformat(as_of) if as_of else rm.data_date(store)
    assert date is not None
    snap = load_snapshot(store, as_of=date.isoformat())
    G = dependency_graph(store, as_of=date)

    site_accs = snap.domestic_accelerators()
    assert {entity_id_of(i) for i in site_accs} == set(domestic_accelerators(G))

    analysis_measures = G.graph["measures"]
    site_in_force = {entity_id_of(i) for i in snap.measures} & set(analysis_measures)
    assert site_in_force == {mid for mid, m in analysis_measures.items() if in_force(m, date)}
    for mid in site_in_force:  # the same interval, not only the same verdict
        m, shown = analysis_measures[mid], snap.measures[ID + mid]
        assert shown.effective == (m.effective.isoformat() if m.effective else "")
        assert shown.end == (m.end.isoformat() if m.end else "")

    found = run_analysis(store, site_accs, date.isoformat(), graph=G)
    assert set(found) == set(site_accs)
    for iri in site_accs:
        acc = entity_id_of(iri) or iri
        rows = chokepoints(G, acc, as_of=date)
        assert len(found[iri].rows) == len(rows), acc
        assert found[iri].summary["accelerator"] == acc
