"""The persistent store: read-only access, rdflib access, and the union default graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import ChipgraphError
from graph.store import open_store, rdflib_dataset


def test_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ChipgraphError, match="run `chipgraph build` first"):
        open_store(tmp_path)


def test_rdflib_view_answers_like_the_native_store(built: Path, store) -> None:
    query = "SELECT ?l WHERE { <https://w3id.org/chipgraph/id/huawei> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    native = sorted(r["l"].value for r in store.select(query))
    ds = rdflib_dataset(built)
    via_rdflib = sorted(str(row[0]) for row in ds.query(query))
    assert native and via_rdflib == native


def test_bindings_are_bound_by_the_engine_not_pasted(store) -> None:
    import pyoxigraph as ox

    hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { ?s ?p "')
    rows = store.select("SELECT ?name ?e WHERE { ?e rdfs:label ?name }", {"name": hostile})
    assert rows == []
