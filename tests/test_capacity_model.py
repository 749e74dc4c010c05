"""The capacity model on hand-built claim sets whose answers can be checked by hand."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from graph.capacity.assumptions import Assumption, load_assumptions
from graph.capacity.claims import Accelerator, ClaimSet, FigureClaim
from graph.capacity.dies import count_dies_on_grid, gross_dies_per_wafer
from graph.capacity.model import RANGE_RULE, capacity, evaluate, select_inputs
from graph.capacity.scenarios import apply_to_inputs, load_capacity_scenario
from graph.errors import InputError


def claim(cid, metric, value, about=("chip",), year=2025, conf="medium", date="2025-01-01", low=None, high=None):
    return FigureClaim(
        id=cid,
        metric=metric,
        value=float(value),
        unit="u",
        about=tuple(about),
        claim_date=dt.date.fromisoformat(date),
        year=year,
        confidence=conf,
        sources=("src",),
        claimed_by="someone",
        label=cid,
        low=low,
        high=high,
    )


def assume(aid, param, low, high=None):
    return Assumption(
        id=aid, parameter=param, accelerators=("chip",), low=low, high=low if high is None else high, reasoning="test"
    )


ACC = {"chip": Accelerator("chip", "Chip", designers=("maker",), nodes=("node",), countries=("CHN",))}
BASE_ASSUMPTIONS = [
    assume("d", "wafer_diameter_mm", 300),
    assume("s", "wafer_share", 1.0),
    assume("bank", "die_bank_dies", 0),
    assume("n", "domestic_hbm_stacks", 0),
    assume("h", "hbm_share", 1.0),
]


def claims(wafers=1000, hbm=8_000_000, **extra):
    cs = [
        claim("w", "wafer-allocation-wpm", wafers, about=("maker",)),
        claim("a", "die-area-mm2", 100.0),
        claim("y", "yield-fraction", 0.5, about=("node",)),
        claim("k", "dies-per-package", 1),
        claim("h", "hbm-stock-stacks", hbm, about=("CHN",)),
        claim("m", "hbm-stacks-per-package", 8),
    ]
    cs += [claim(k, *v) if isinstance(v, tuple) else v for k, v in extra.items()]
    return ClaimSet(claims=cs, accelerators=ACC, labels={})


def run(data, **kw):
    return capacity(data, "chip", 2025, assumptions=kw.pop("assumptions", BASE_ASSUMPTIONS), draws=2000, **kw)


# --- the die formula ---------------------------------------------------------------------------


def test_gross_die_formula_by_hand():
    # pi*150^2/100 - pi*300/sqrt(200) = 706.858 - 66.643
    assert gross_dies_per_wafer(100.0) == pytest.approx(640.215, abs=1e-3)
    assert gross_dies_per_wafer(100.0, diameter_mm=200) == pytest.approx(
        math.pi * 100**2 / 100 - math.pi * 200 / math.sqrt(200)
    )
    assert gross_dies_per_wafer(10_000_000.0) == 0.0


@pytest.mark.parametrize("w,h", [(10, 10), (21.32, 31.22), (14.6, 31.25), (26, 33)])
def test_gross_die_formula_against_an_exact_count(w, h):
    exact = count_dies_on_grid(w, h)
    est = gross_dies_per_wafer(w * h)
    assert 0.9 * exact <= est <= exact


def test_gross_die_formula_against_a_published_count():
    # Morgan Stanley counts 78 Ascend 910B dies per 12-inch wafer; the die is 21.32 x 31.22 mm
    assert gross_dies_per_wafer(21.32 * 31.22) == pytest.approx(78, rel=0.05)


def test_gross_die_formula_rejects_bad_areas():
    with pytest.raises(ValueError):
        gross_dies_per_wafer(0)


# --- the model ----------------------------------------------------------------------------------


def test_a_hand_checked_point():
    r = run(claims())
    logic = 1000 * 12 * gross_dies_per_wafer(100.0) * 0.5  # 3.84 M
    memory = 8_000_000 / 8  # 1 M
    assert r["status"] == "modelled"
    assert r["output"]["p50"] == r["output"]["bound_low"] == r["output"]["bound_high"] == round(min(logic, memory))
    assert r["binding_constraint"] == "memory"
    assert r["binding"] == [{"constraint": "logic", "share": 0.0}, {"constraint": "memory", "share": 1.0}]


def test_the_binding_constraint_in_a_constructed_case():
    # a tiny wafer allocation makes logic bind everywhere
    r = run(claims(wafers=10))
    assert r["binding_constraint"] == "logic"
    assert r["output"]["p50"] == round(10 * 12 * gross_dies_per_wafer(100.0) * 0.5)
    # two wafer claims 10 .. 1000: logic binds below ~208 wafers/month, memory above
    data = claims(wafers=10, w2=claim("w2", "wafer-allocation-wpm", 1000, about=("maker",)))
    r = run(data)
    crossing = 1_000_000 / (12 * gross_dies_per_wafer(100.0) * 0.5)  # 208.2 wafers/month
    share_logic = (crossing - 10) / (1000 - 10)
    got = {b["constraint"]: b["share"] for b in r["binding"]}
    assert got["logic"] == pytest.approx(share_logic, abs=0.03)
    assert r["sensitivity"][0]["parameter"] == "wafer_starts_wpm"


@pytest.mark.parametrize("field,kw", [("wafers", "wafers"), ("hbm", "hbm")])
def test_monotone_more_wafers_or_hbm_never_lower_output(field, kw):
    outs = []
    for v in [10, 100, 300, 1000, 5000] if field == "wafers" else [1e5, 1e6, 4e6, 8e6, 3e7]:
        r = run(claims(**{kw: v}))
        outs.append((r["output"]["p10"], r["output"]["p50"], r["output"]["p90"], r["output"]["bound_high"]))
    for a, b in zip(outs, outs[1:]):
        assert all(y >= x for x, y in zip(a, b))


def test_monotone_vectorised():
    import numpy as np

    base = dict(
        wafer_starts_wpm=1000.0,
        wafer_share=1.0,
        die_area_mm2=100.0,
        wafer_diameter_mm=300.0,
        yield_fraction=0.5,
        die_bank_dies=1e5,
        die_bank_draw=0.5,
        dies_per_package=2.0,
        hbm_stock_stacks=8e6,
        hbm_share=0.5,
        domestic_hbm_stacks=0.0,
        stacks_per_package=8.0,
    )
    grid = np.linspace(0, 1e7, 101)
    for name in ("wafer_starts_wpm", "hbm_stock_stacks", "die_bank_dies", "domestic_hbm_stacks"):
        out = evaluate({**base, name: grid})["output"]
        assert np.all(np.diff(out) >= 0), name


def test_determinism_same_seed_same_bytes():
    data = claims(w2=claim("w2", "wafer-allocation-wpm", 300, about=("maker",)))
    a = json.dumps(run(data, seed=7), sort_keys=True)
    b = json.dumps(run(data, seed=7), sort_keys=True)
    c = json.dumps(run(data, seed=8), sort_keys=True)
    assert a == b and a != c


def test_range_rule_year_confidence_and_as_of():
    data = claims(
        old=claim("old", "wafer-allocation-wpm", 50, about=("maker",), year=2024),
        weak=claim("weak", "wafer-allocation-wpm", 5000, about=("maker",), conf="low"),
        late=claim("late", "wafer-allocation-wpm", 9000, about=("maker",), date="2025-12-01"),
        lowhigh=claim("lh", "yield-fraction", 0.3, about=("chip",), low=0.1, high=0.6),
    )
    inputs, missing, _ = select_inputs(data, "chip", 2025, BASE_ASSUMPTIONS)
    assert not missing
    w = inputs["wafer_starts_wpm"]
    assert (w.low, w.high) == (1000, 9000) and [c.id for c in w.claims] == ["late", "w"]  # weak below the floor
    y = inputs["yield_fraction"]
    assert (y.low, y.high) == (0.1, 0.6)  # figureLow/figureHigh count
    inputs, _, _ = select_inputs(data, "chip", 2025, BASE_ASSUMPTIONS, as_of=dt.date(2025, 6, 1))
    assert inputs["wafer_starts_wpm"].high == 1000  # the late claim was not made yet
    inputs, _, _ = select_inputs(data, "chip", 2025, BASE_ASSUMPTIONS, min_confidence="low")
    assert inputs["wafer_starts_wpm"].high == 9000 and inputs["wafer_starts_wpm"].low == 1000
    inputs, _, _ = select_inputs(data, "chip", 2026, BASE_ASSUMPTIONS)
    assert inputs["wafer_starts_wpm"].carried_from == 2025
    assert "carried forward" in RANGE_RULE


def test_only_low_confidence_claims_are_used_and_flagged():
    data = ClaimSet(
        claims=[c for c in claims().claims if c.id != "w"]
        + [claim("w", "wafer-allocation-wpm", 100, about=("maker",), conf="low")],
        accelerators=ACC,
    )
    inputs, _, _ = select_inputs(data, "chip", 2025, BASE_ASSUMPTIONS)
    assert inputs["wafer_starts_wpm"].low_confidence_only


def test_missing_inputs_are_named():
    data = ClaimSet(claims=[c for c in claims().claims if c.id not in ("a", "m")], accelerators=ACC)
    r = run(data)
    assert r["status"] == "missing inputs" and r["output"] is None
    assert {m["parameter"] for m in r["missing"]} == {"die_area_mm2", "stacks_per_package"}


def test_published_estimates_are_compared_never_used():
    data = claims(
        pub=claim("pub", "output-units-per-year", 3_000_000, about=("chip",)),
        pub2=claim("pub2", "output-units-per-year", 900_000, about=("maker",), high=900_000),
    )
    r = run(data)
    assert r["output"]["p50"] == 1_000_000  # unchanged by the estimates
    verdicts = {p["id"]: p for p in r["published"]}
    assert verdicts["pub"]["verdict"] == "above model range"
    assert verdicts["pub2"]["verdict"] == "below model range" and verdicts["pub2"]["scope"] == "designer"
    need = {w["parameter"]: w["would_need"] for w in verdicts["pub"]["would_need"]}
    assert need["hbm_stock_stacks"] == pytest.approx(24_000_000, rel=1e-6)  # 3 M x 8 stacks
    assert need["stacks_per_package"] == pytest.approx(8 / 3, rel=1e-5)
    assert "wafer_starts_wpm" not in need  # logic alone cannot lift a memory-bound output


def test_packaging_applies_when_a_source_gives_it():
    data = claims(p=claim("p", "packaging-capacity-per-year", 300_000, about=("maker",)))
    r = run(data)
    assert r["output"]["p50"] == 300_000 and r["binding_constraint"] == "packaging"


# --- scenarios and bad inputs ------------------------------------------------------------------


def test_scenario_changes_inputs(tmp_path: Path):
    p = tmp_path / "s.yaml"
    p.write_text(
        "name: more HBM\nchanges:\n  - parameter: domestic_hbm_stacks\n    set: [8000000, 8000000]\n"
        "    reason: test\n  - parameter: hbm_stock_stacks\n    scale: 2\n    reason: test\n"
    )
    s = load_capacity_scenario(p)
    r = run(claims(), scenario=s)
    assert r["output"]["p50"] == (16_000_000 + 8_000_000) / 8
    base_inputs, missing, _ = select_inputs(claims(), "chip", 2025, BASE_ASSUMPTIONS)
    after, _ = apply_to_inputs(s, "chip", 2025, base_inputs, missing)
    assert base_inputs["hbm_stock_stacks"].high == 8e6 and after["hbm_stock_stacks"].high == 16e6


@pytest.mark.parametrize(
    "body,line,text",
    [
        ("name: x\nchanges:\n  - parameter: wafer_starts\n    scale: 2\n    reason: r\n", 3, "unknown parameter"),
        ("name: x\nchanges:\n  - parameter: wafer_starts_wpm\n    scale: [2, 1]\n    reason: r\n", 3, "low <= high"),
        (
            "name: x\nchanges:\n  - parameter: wafer_starts_wpm\n    scale: 2\n    add: 1\n    reason: r\n",
            3,
            "exactly one",
        ),
        ("name: x\nchanges:\n  - parameter: wafer_starts_wpm\n    scale: 2\n", 3, "needs a reason"),
        ("name: x\nchanges:\n  - parameter: wafer_starts_wpm\n    scale: .nan\n    reason: r\n", 3, "finite number"),
        ("name: x\nchanges:\n  - parameter: wafer_starts_wpm\n    scale: .inf\n    reason: r\n", 3, "finite number"),
        (
            "name: x\nchanges:\n  - parameter: wafer_starts_wpm\n    scale: 1" + "9" * 400 + "\n    reason: r\n",
            3,
            "finite",
        ),
        ("name: x\nchanges:\n  - parameter: [wafer_starts_wpm]\n    scale: 2\n    reason: r\n", 3, "unknown parameter"),
        (
            "name: x\nfoo: 1\nchanges:\n  - parameter: wafer_starts_wpm\n    scale: 2\n    reason: r\n",
            2,
            "unknown scenario key",
        ),
        ("name: x\nchanges: []\n", 2, "non-empty list"),
    ],
)
def test_bad_scenarios_are_rejected_with_file_and_line(tmp_path: Path, body, line, text):
    p = tmp_path / "bad.yaml"
    p.write_text(body)
    with pytest.raises(InputError) as err:
        load_capacity_scenario(p)
    assert f"{p}:{line}:" in str(err.value) and text in str(err.value)


@pytest.mark.parametrize(
    "body,line,text",
    [
        ("- id: a\n  parameter: yield\n  accelerator: '*'\n  value: 1\n  reasoning: r\n", 2, "unknown parameter"),
        (
            "- id: a\n  parameter: hbm_share\n  accelerator: x\n  low: 0.5\n  high: 0.1\n  reasoning: r\n",
            1,
            "low <= high",
        ),
        ("- id: a\n  parameter: hbm_share\n  accelerator: x\n  value: 0.5\n", 1, "needs its reasoning"),
        (
            "- id: a\n  parameter: hbm_share\n  accelerator: x\n  value: 0.5\n  reasoning: r\n  colour: red\n",
            6,
            "unknown key",
        ),
    ],
)
def test_bad_assumptions_are_rejected_with_file_and_line(tmp_path: Path, body, line, text):
    p = tmp_path / "bad.yaml"
    p.write_text(body)
    with pytest.raises(InputError) as err:
        load_assumptions(p)
    assert f"{p}:{line}:" in str(err.value) and text in str(err.value)
