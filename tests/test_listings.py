"""The listings page's data (graph.render.listings) on the shipped data, and the page it renders."""

from __future__ import annotations

from pathlib import Path

SMIC = "https://w3id.org/chipgraph/id/smic"


def _rows(store):
    from graph.render.accelerator_pages import page_name
    from graph.render.data import load_snapshot
    from graph.render.listings import listing_rows

    accelerators = load_snapshot(store).domestic_accelerators()
    return listing_rows(store, {iri: page_name(iri) for iri in accelerators})


def test_smic_on_the_entity_list_since_2020_12_22_with_its_role(store):
    rows = _rows(store)
    assert len(rows) > 1500
    smic = [r for r in rows if r["party"] == SMIC and r["list"] == "Entity List"]
    assert len(smic) == 1
    row = smic[0]
    assert row["date"] == "2020-12-22"
    assert row["country"] == "CHN"
    assert "83420" in row["citation"]
    assert "foundry" in row["roles"]
    pages = {link["page"] for link in row["links"]}
    assert "accelerator-ascend-910b.html" in pages
    assert all(link["rel"] == "fabricatedBy" for link in row["links"])


def test_a_chinese_name_matches_smic_rows_only_among_smic(store):
    rows = _rows(store)
    hits = [r for r in rows if "中芯" in r["search"]]
    assert {r["party"] for r in hits} >= {SMIC}
    assert all("中芯" in " ".join([r["name"], *r["names"]]) for r in hits)
    assert len(hits) < len(rows) / 10


def test_rows_are_sorted_by_list_date_and_name(store):
    rows = _rows(store)
    keys = [(r["list"].lower(), r["date"], r["name"].casefold(), r["entry"]) for r in rows]
    assert keys == sorted(keys)
    assert len({r["entry"] for r in rows}) == len(rows)


def test_the_built_page_lists_smic_escaped_and_is_linked_from_the_index(built: Path):
    site = built / "site"
    html = (site / "listings.html").read_text(encoding="utf-8")
    assert "中芯国际" in html and "<strong>SMIC</strong>" in html
    assert 'href="accelerator-ascend-910b.html"' in html
    assert html.count("<tr data-search=") > 1500
    assert "<script src=" not in html and "http" not in html.split("<script>")[1]
    assert 'href="listings.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_as_of_leaves_out_later_entries_and_ended_ones_say_until(store):
    from graph.render.listings import listing_rows

    before = listing_rows(store, as_of="2020-12-21")
    assert not [r for r in before if r["party"] == SMIC and r["list"] == "Entity List"]
    assert all(r["date"] <= "2020-12-21" for r in before)
    rows = listing_rows(store)
    assert len(before) < len(rows)
    ended = [r for r in rows if r["end"]]
    assert all(r["end"] > r["date"] for r in ended)
