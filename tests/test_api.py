"""The notebook facade (graph.api): import graph does no work; calls give plain rows."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

import graph
from graph.errors import NotFoundError


def test_importing_graph_loads_nothing():
    code = "import sys, graph; print(sorted(m for m in sys.modules if m.startswith('graph.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_query_with_keyword_parameters_and_a_label(built):
    g = graph.open(built)
    rows = g.query("controls-on-firm", firm="中芯国际", as_of=dt.date(2024, 12, 31))
    assert rows and rows == g.query("controls-on-firm", firm="cgid:smic", as_of="2024-12-31")
    assert rows.columns[:3] == ["firm", "as_of", "measure"]
    assert {r["firm"] for r in rows} == {"cgid:smic"}
    assert all(isinstance(r["effective"], dt.date) for r in rows)
    json.dumps(rows, default=str)  # plain values


def test_lookup_entity_sparql_and_ask(built):
    g = graph.open(built)
    assert g.lookup("화웨이")["id"] == "huawei"
    report = g.entity("Ascend 910C")
    assert report["id"] == "ascend-910c" and any(f["note"] for f in report["facts"])
    labels = g.sparql("SELECT ?e ?l WHERE { ?e rdfs:label ?l }", e="cgid:huawei").column("l")
    assert "华为" in labels
    assert g.sparql("ASK { cgid:huawei a ?t }") == [{"boolean": True}]
    with pytest.raises(NotFoundError, match="did you mean"):
        g.lookup("Ascend 91OC")


def test_chokepoints_and_capacity_rows(built):
    g = graph.open(built)
    cuts = g.chokepoints("Ascend 910C")
    assert cuts and {r["accelerator"] for r in cuts} == {"ascend-910c"}
    assert any(r["order"] == 0 for r in cuts)
    cap = g.capacity("Ascend 910C", year=2025)
    assert len(cap) == 1 and cap[0]["status"] == "modelled" and cap[0]["p10"] <= cap[0]["p50"] <= cap[0]["p90"]
    with pytest.raises(NotFoundError, match="not an AI accelerator"):
        g.chokepoints("SMIC")


def test_capacity_without_as_of_is_the_capacity_of_the_data_date(built):
    """`capacity --as-of` with no value uses every claim: the same results as the data date's."""
    from graph.read.model import date_or_data_date

    g = graph.open(built)
    on_data_date = g.capacity(year=2025, as_of=date_or_data_date(g.store, None))
    assert len(on_data_date) > 3
    assert g.capacity(year=2025) == on_data_date
    assert g.capacity(year=2025, as_of="2024-06-01") != on_data_date  # a date before some claims changes them


def test_to_pandas(built):
    pd = pytest.importorskip("pandas")
    df = graph.open(built).chokepoints("Ascend 910C").to_pandas()
    assert isinstance(df, pd.DataFrame) and list(df.columns[:3]) == ["accelerator", "order", "kind"]
    assert len(df) == len(graph.open(built).chokepoints("Ascend 910C"))


def test_open_refuses_a_folder_without_a_build(tmp_path):
    from graph.errors import ChipgraphError

    with pytest.raises(ChipgraphError, match="chipgraph build"):
        graph.open(tmp_path)
