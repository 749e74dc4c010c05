"""Concentration and exposure metrics (graph.chokepoints.metrics) on graphs small enough to check by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.chokepoints.metrics import countries_for_share, hhi, input_concentration, jurisdiction_exposure, ranking


def test_hhi_is_the_sum_of_squared_percentage_shares() -> None:
    assert hhi([100]) == 10000.0
    assert hhi([50, 50]) == 5000.0
    assert hhi([60, 30, 10]) == 3600.0 + 900.0 + 100.0


def test_hhi_ignores_unknown_shares_and_is_none_without_any() -> None:
    assert hhi([None, 40, None]) == 1600.0
    assert hhi([None, None]) is None
    assert hhi([]) is None


def test_countries_for_share_counts_the_largest_first() -> None:
    shares = {"USA": 40.0, "JPN": 30.0, "NLD": 20.0, "KOR": 10.0}
    assert countries_for_share(shares) == 3  # 40 + 30 = 70 < 75; + 20 = 90
    assert countries_for_share(shares, threshold=70) == 2
    assert countries_for_share(shares, threshold=40) == 1


def test_countries_for_share_is_none_when_the_shares_never_reach_the_threshold() -> None:
    assert countries_for_share({"USA": 30.0, "JPN": 20.0}) is None
    assert countries_for_share({}) is None


def _graph() -> nx.DiGraph:
    """acc:x needs one supply node over 'etch' with two providers: a US firm (60 %) and a Japanese firm (40 %)."""
    G = nx.DiGraph()
    G.add_node("acc:x", kind="accelerator")
    G.add_node("supply:etch@d", kind="supply")
    G.add_edge("acc:x", "supply:etch@d")
    for firm, country, share in (("lam", "USA", 60.0), ("tel", "JPN", 40.0)):
        G.add_node(f"provider:{firm}", kind="provider")
        G.add_edge("supply:etch@d", f"provider:{firm}", candidates=(), share=share, provider_country=country)
    G.graph.update(
        labels={"etch": "Etch tools"},
        provisions={"etch": [("lam", 60.0), ("tel", 40.0)]},
        provider_country={"lam": "USA", "tel": "JPN"},
        country_provisions={},
    )
    return G


def test_input_concentration_by_hand() -> None:
    [row] = input_concentration(_graph())
    assert row == {
        "input": "etch",
        "label": "Etch tools",
        "providers": 2,
        "hhi": 3600.0 + 1600.0,
        "countries_for_75": 2,
        "top_country": "USA",
        "top_country_share": 60.0,
    }


def test_input_concentration_prefers_the_country_rows_eto_gives() -> None:
    G = _graph()
    G.graph["country_provisions"] = {"etch": [("JPN", 80.0), ("USA", 20.0)]}
    [row] = input_concentration(G)
    assert (row["top_country"], row["top_country_share"], row["countries_for_75"]) == ("JPN", 80.0, 1)


def test_jurisdiction_exposure_splits_each_supply_node_by_share() -> None:
    rows = jurisdiction_exposure(_graph(), "x")
    assert rows == [
        {"accelerator": "x", "jurisdiction": "USA", "exposure": 0.6, "supply_nodes": 1},
        {"accelerator": "x", "jurisdiction": "JPN", "exposure": 0.4, "supply_nodes": 1},
    ]


def _result(acc: str, key: str, order: int, countries: list[str]) -> dict:
    return {
        "chokepoints": [
            {
                "key": key,
                "order": order,
                "kind": "provider",
                "provider_labels": [key],
                "item_labels": [],
                "countries": countries,
                "measures": [],
                "accelerator": acc,
            }
        ]
    }


def test_ranking_lists_cut_offs_apart_then_orders_by_accelerators_held_then_key() -> None:
    results = [
        _result("a", "asml", 1, ["NLD"]),
        _result("b", "asml", 1, ["NLD"]),
        _result("a", "cadence", 1, ["USA"]),
        _result("c", "cut:euv", 0, ["NLD"]),  # one accelerator, but already cut off: listed first
    ]
    rows = ranking(results)
    assert [(r["rank"], r["status"], r["key"], r["n_accelerators"], r["accelerators"]) for r in rows] == [
        (1, "cut off", "cut:euv", 1, ["c"]),
        (2, "would cut", "asml", 2, ["a", "b"]),
        (3, "would cut", "cadence", 1, ["a"]),
    ]


@pytest.mark.parametrize("threshold", [0.0, 1e-12])
def test_countries_for_share_with_a_zero_threshold_needs_one_country(threshold: float) -> None:
    assert countries_for_share({"USA": 5.0}, threshold=threshold) == 1
