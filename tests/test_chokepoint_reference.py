"""The chokepoint ranking against the chokepoints published analyses name (issue 14).

The reference is ``graph/data/reference/expert-chokepoints.yaml`` (each entry with the sources
that name it). The issue's targets are precision >= 0.8 and recall >= 0.7 for the default
(robust) ranking, and no finding the outside review classed as an artefact. Precision and the
artefact rule are asserted; recall is measured and reported, and asserted only as a floor,
because the chokepoints it still misses need a model layer chipgraph does not have (components
of Chinese tools), hold only under the broad reading of in-part controls (advanced deposition
and etch; the stacking tools of Huawei's own HBM, reached only by a listing's foreign-direct-
product rule), or are dependencies no control cuts today (photoresists, ion implanters): see the
README's chokepoint section.
"""

from __future__ import annotations

import pytest

from graph.chokepoints.reference import load_reference, score

#: Issue 14's targets for the default ranking.
PRECISION_TARGET = 0.8
RECALL_TARGET = 0.7
#: What the model reaches today (9 of 14, with 2.5D packaging); a drop below it is a regression.
RECALL_FLOOR = 0.64


@pytest.fixture(scope="module")
def results(store):
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.projection import dependency_graph

    G = dependency_graph(store)  # the data date, as chipgraph build and chokepoints use
    return G, all_chokepoints(G)


def test_the_reference_names_its_sources_and_real_ids(results):
    G, _ = results
    chokepoints, artefacts = load_reference()
    assert len(chokepoints) >= 13 and len(artefacts) == 6
    known = set(G.graph["entities"]) | set(G.graph["measures"]) | set(G.graph["inputs"])
    for entry in chokepoints:
        assert entry.sources and all(url.startswith("http") for url in entry.sources), entry.id
        bare = {m for m in entry.match if ":" not in m}
        unknown = sorted(bare - known - {"components-of-chinese-tools"})  # a layer ETO has not
        assert unknown == [], (entry.id, unknown)


def test_the_robust_ranking_meets_the_precision_target_and_holds_no_artefact(results, capsys):
    from graph.chokepoints.metrics import ranking

    _, res = results
    measured = score(ranking(res), res, load_reference())
    with capsys.disabled():
        print(
            f"\nchokepoint ranking vs published analyses: precision {measured['precision']:.2f} "
            f"(target {PRECISION_TARGET}), recall {measured['recall']:.2f} (target {RECALL_TARGET}); "
            f"missed: {', '.join(measured['missed'])}; unmatched findings: {', '.join(measured['unmatched']) or 'none'}"
        )
    assert measured["precision"] >= PRECISION_TARGET, measured["unmatched"]
    assert measured["artefacts"] == {}, measured["artefacts"]
    assert measured["recall"] >= RECALL_FLOOR, measured["missed"]


def test_fragile_findings_are_where_the_reviews_deposition_and_etch_artefact_went(results):
    from graph.chokepoints.metrics import ranking

    _, res = results
    everything = score(ranking(res, robust_only=False), res, load_reference())
    robust = score(ranking(res), res, load_reference())
    # AMEC and NAURA as the last suppliers of deposition and etch hold only if the in-part
    # controls (Japan's 23 items, the 2023/2024 US lists) cut every foreign tool: fragile
    assert any("naura" in key or "amec" in key for key in everything["artefacts"])
    assert not any("naura" in key or "amec" in key for key in robust["artefacts"])
    assert "advanced-deposition-etch" in everything["found"]


def test_the_domestic_hbm_equipment_chokepoint_is_found_among_fragile_findings(results):
    """Huawei's HBM stacking tools (issue 14's missing stage) give findings that match the
    reference's domestic-HBM-equipment entry, in the broad reading only: every foreign bonder and
    via etcher is reached only through the foreign-direct-product rules of Huawei's listings."""
    from graph.chokepoints.metrics import ranking

    _, res = results
    everything = score(ranking(res, robust_only=False), res, load_reference())
    robust = score(ranking(res), res, load_reference())
    assert "domestic-hbm-equipment" in everything["found"]
    assert "domestic-hbm-equipment" in robust["missed"]
