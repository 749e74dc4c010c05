"""The static site: escaping, offline assets, determinism, --as-of and atomic replacement."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from render_fixture import SCRIPT_BREAKER, XSS_LABEL, fixture_store

from graph.render import render_site
from graph.render.analysis import AcceleratorAnalysis
from graph.render.escape import h, safe_url, script_json

ASSET_REF = re.compile(
    r"""<(?:script|link|img|iframe|source|embed|object)\b[^>]*\b(?:src|href)\s*=\s*"""
    r"""["']?([^"' >]+)""",
    re.IGNORECASE,
)


def _fake_analysis(store, accelerators, as_of, scenario):
    """A stand-in for graph.chokepoints with one chokepoint per accelerator."""
    out = {}
    for acc in accelerators:
        out[acc] = AcceleratorAnalysis(
            rows=[
                {
                    "items": ["EUV lithography tools"],
                    "order": 1,
                    "measures": [
                        {
                            "label": "US advanced computing rule (2022)",
                            "date": "2022-10-07",
                            "iri": "https://w3id.org/chipgraph/id/us-advanced-computing-2022",
                        }
                    ],
                    "domestic": "no",
                    "explanation": ["Ascend 910C needs SMIC N+2, which needs EUV " + XSS_LABEL],
                    "sources": [
                        {
                            "title": SCRIPT_BREAKER,
                            "publisher": "Federal Register",
                            "date": "2022-10-13",
                            "url": "javascript:alert(3)",
                        }
                    ],
                }
            ],
            chokepoint_items={"https://w3id.org/chipgraph/id/euv-lithography-tools": ["single point of failure"]},
            cut_providers={"https://w3id.org/chipgraph/id/asml": ["cut off by the 2022 rule from 2022-10-07"]},
            measures={"https://w3id.org/chipgraph/id/us-advanced-computing-2022"},
        )
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return render_site(fixture_store(), tmp_path_factory.mktemp("out"), analyse=_fake_analysis)


def _pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


def test_pages_exist(site):
    names = [p.name for p in _pages(site)]
    assert names == ["accelerator-ascend-910c.html", "index.html", "listings.html", "overview.html"]
    assert (site / "assets" / "vis-network.min.js").stat().st_size > 100_000
    assert (site / "assets" / "vis-network.LICENSE-MIT").exists()


def test_escape_helpers():
    assert h(XSS_LABEL) == "&lt;img src=x onerror=alert(1)&gt;"
    text = script_json({"t": SCRIPT_BREAKER, "a": "&"})
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"t": SCRIPT_BREAKER, "a": "&"}
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url('https://x.org/"onmouseover=1') is None


def test_no_raw_markup_from_data_in_any_page(site):
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        assert "<img" not in text, page.name
        assert "<script>alert" not in text, page.name
        assert "javascript:" not in text, page.name
        # every <script> element is either the data island or a relative asset
        assert text.count("</script>") == text.count("<script"), page.name


def test_xss_label_survives_as_data(site):
    text = (site / "overview.html").read_text(encoding="utf-8")
    island = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S).group(1)
    data = json.loads(island)
    assert XSS_LABEL in [n["label"] for n in data["nodes"]]
    # the javascript: URL of a source is dropped, the title kept as text
    titles = {s["title"]: s["url"] for e in data["edges"] for s in e["sources"]}
    assert titles[[t for t in titles if t.startswith("Implementation")][0]] == ""


def test_chokepoint_table_escapes_explanations(site):
    text = (site / "accelerator-ascend-910c.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert "single point of failure" in text


def test_no_remote_assets(site):
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        refs = ASSET_REF.findall(text)
        assert refs, page.name
        for ref in refs:
            assert not re.match(r"(?i)^(https?:)?//", ref), f"{page.name} loads {ref}"
            assert (site / ref).exists(), f"{page.name} refers to missing {ref}"
    for asset in (site / "assets").glob("*.js"):
        assert "sourceMappingURL" not in asset.read_text(encoding="utf-8")


def test_http_links_only_to_sources(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    urls = set(re.findall(r'href="(https?://[^"]+)"', text))
    assert urls == {"https://example.org/article", "https://www.federalregister.gov/d/2019-10005"}


def test_byte_identical_across_runs(site, tmp_path):
    again = render_site(fixture_store(), tmp_path, analyse=_fake_analysis)
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between two renders"


def test_as_of_and_scenario_are_shown_and_applied(tmp_path):
    site = render_site(
        fixture_store(), tmp_path, as_of="2020-01-01", scenario=Path("lift-2022.yaml"), analyse=lambda *a: None
    )
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "As of <strong>2020-01-01</strong>" in index
    assert "scenario <strong>lift-2022.yaml</strong>" in index
    assert "Huawei Entity List listing (2019)" in index
    assert "US advanced computing rule (2022)" not in index  # not yet in force
    overview = (site / "overview.html").read_text(encoding="utf-8")
    assert "As of <strong>2020-01-01</strong>" in overview
    assert "US advanced computing rule (2022)" not in overview
    assert "not available" in index  # the analysis stub returned None


def test_latest_data_date_not_clock(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    # the latest source date (2025-02-17), not the ontology date or the clock
    assert "Latest date in the data: <strong>2025-02-17</strong>" in index


def test_bad_as_of_is_an_error(tmp_path):
    from graph.errors import ChipgraphError

    with pytest.raises(ChipgraphError, match="not a calendar date"):
        render_site(fixture_store(), tmp_path, as_of="2020-13-45", analyse=lambda *a: None)
    assert not (tmp_path / "site").exists()


def test_rerender_replaces_the_site_atomically(tmp_path):
    render_site(fixture_store(), tmp_path, analyse=lambda *a: None)
    (tmp_path / "site" / "stale.html").write_text("old")
    render_site(fixture_store(), tmp_path, analyse=lambda *a: None)
    assert not (tmp_path / "site" / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temp folder left behind


def test_render_command(tmp_path):
    from click.testing import CliRunner

    from graph.cli import cli

    result = CliRunner().invoke(cli, ["render", "--help"])
    assert result.exit_code == 0 and "--as-of" in result.output and "--scenario" in result.output
    result = CliRunner().invoke(cli, ["render", "--output-dir", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "Error:" in result.output


def test_real_site_from_the_build(built):
    """The shipped data: every domestic accelerator has a page with its analysed chokepoints."""
    site = built / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    pages = sorted(site.glob("accelerator-*.html"))
    assert len(pages) >= 5
    for page in pages:
        assert f'href="{page.name}"' in index
    ascend = (site / "accelerator-ascend-910c.html").read_text(encoding="utf-8")
    assert "Chokepoints of Ascend 910C" in ascend
    assert "ArF immersion (DUV) lithography tools" in ascend  # cut off for SMIC under the modelled rules
    assert '<svg class="timeline"' in index
    # the 910B's chokepoint history: ArF immersion scanners are cut off for SMIC from the Dutch
    # licence requirement of 2023-09-01 (as `chipgraph chokepoints "Ascend 910B" --history` says)
    b = (site / "accelerator-ascend-910b.html").read_text(encoding="utf-8")
    row = re.search(r'<g class="hrow" data-key="cut:arf-immersion-duv-lithography-tools".*?</g>', b, re.S).group(0)
    assert "cut off: ArF immersion (DUV) lithography tools" in row
    assert "from 2023-09-01 (still on" in row and "Netherlands" in row
    for page in [site / "index.html", site / "overview.html", *pages]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)=["']?(?:https?:)?//""", text), page.name


def _overview_data(site: Path) -> dict:
    text = (site / "overview.html").read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S).group(1))


def test_cap_keeps_essentials_then_hubs():
    from graph.render.cap import cap_graph, cap_notice
    from graph.render.graphpage import GEdge, GNode

    nodes = [
        GNode("hub", "Hub", "Organisation"),
        GNode("acc", "Acc", "Accelerator"),
        GNode("leaf1", "Leaf 1", "Input"),
        GNode("leaf2", "Leaf 2", "Input"),
        GNode("firm", "Firm", "Organisation", marks=["listed"]),
    ]
    edges = [
        GEdge("acc", "hub", "needs"),
        GEdge("leaf1", "hub", "needs"),
        GEdge("leaf2", "hub", "needs"),
        GEdge("leaf2", "leaf1", "needs"),
    ]
    out = cap_graph(nodes, edges, max_nodes=4)
    # input order; both essentials (half the cap), then by degree with ties by key: hub (3), leaf1 (2)
    assert [n.key for n in out.nodes] == ["hub", "acc", "leaf1", "firm"]
    assert [n.key for n in out.hidden] == ["leaf2"] and out.hidden_count == 1
    assert [(e.src, e.dst) for e in out.edges] == [("acc", "hub"), ("leaf1", "hub")]
    assert "1 of its 3 links lead to nodes not drawn" in out.nodes[0].notes[0]
    assert nodes[0].notes == []  # the caller's nodes are not modified
    assert cap_graph(nodes, edges, max_nodes=4) == out  # deterministic
    note = cap_notice(out, full_graph=True)
    assert "Showing 4 of 5 nodes" in note and "every accelerator, measure, chokepoint and listed firm" in note
    assert "<code>chipgraph.trig</code>" in note
    assert cap_notice(cap_graph(nodes, edges, max_nodes=5)) == ""
    # more essentials than half the cap: the most connected of them, and the note says some are missing
    tight = cap_graph(nodes, edges, max_nodes=2)
    assert [n.key for n in tight.nodes] == ["hub", "acc"] and tight.essential_hidden == 1
    assert "(1 of them are not drawn)" in cap_notice(tight)
    few = cap_graph(nodes, edges, max_nodes=2, max_searchable=2)
    assert [n.key for n in few.hidden] == ["leaf1", "leaf2"] and few.hidden_count == 3  # the most connected
    assert "finds the 2 most connected of them" in cap_notice(few)


def test_capped_overview_says_so_and_keeps_hidden_nodes_searchable(site, tmp_path):
    full = _overview_data(site)
    assert "hidden" not in full and "cap-note" not in (site / "overview.html").read_text(encoding="utf-8")
    capped = render_site(fixture_store(), tmp_path, analyse=_fake_analysis, max_nodes=3)
    text = (capped / "overview.html").read_text(encoding="utf-8")
    assert f"Showing 3 of {len(full['nodes'])} nodes" in text and "chipgraph export-network" in text
    data = _overview_data(capped)
    assert len(data["nodes"]) == 3 and data["hiddenCount"] == len(full["nodes"]) - 3
    assert sorted(n["key"] for n in data["nodes"] + data["hidden"]) == sorted(n["key"] for n in full["nodes"])
    assert any(n["group"] in ("Accelerator", "Measure") or n["marks"] for n in data["nodes"])  # an essential one
    hidden = {n["key"]: n for n in data["hidden"]}
    assert all(hidden[k]["label"] == n["label"] for n in full["nodes"] for k in [n["key"]] if k in hidden)
    assert "<img" not in text  # hidden labels are escaped data too
    again = render_site(fixture_store(), tmp_path / "again", analyse=_fake_analysis, max_nodes=3)
    assert (again / "overview.html").read_bytes() == (capped / "overview.html").read_bytes()


def test_stale_temp_folders_are_removed_and_only_those(tmp_path):
    import os

    old_style = tmp_path / ".site.ab12cd_3"  # from an earlier version: no process id
    dead = tmp_path / ".site.999999999-ab12cd34"  # its process is gone
    running = tmp_path / f".site.{os.getpid()}-zz99yy88"  # a render still running (this process)
    others = [tmp_path / ".site.keep", tmp_path / ".sitex1234567", tmp_path / "site.old.x", tmp_path / "data"]
    for d in [old_style, dead, running, *others]:
        d.mkdir()
        (d / "f.html").write_text("x")
    (tmp_path / ".site.cd34ef56").write_text("a file, not a folder")
    render_site(fixture_store(), tmp_path, analyse=lambda *a: None)
    assert not old_style.exists() and not dead.exists()
    assert running.exists() and all(d.exists() for d in others) and (tmp_path / ".site.cd34ef56").is_file()


def test_failed_render_leaves_no_temp_folder_and_keeps_the_old_site(tmp_path, monkeypatch):
    import graph.render.site as site_mod

    render_site(fixture_store(), tmp_path, analyse=lambda *a: None)
    before = (tmp_path / "site" / "index.html").read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(site_mod, "_index_page", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        render_site(fixture_store(), tmp_path, analyse=lambda *a: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (tmp_path / "site" / "index.html").read_bytes() == before


def test_upstream_walk_is_not_cut_silently_and_the_cap_says_what_it_leaves_out():
    """A supply chain deeper than the 3,000 nodes the walk once stopped at, without a word."""
    from graph.render.accelerator_pages import upstream_graph
    from graph.render.cap import cap_graph, cap_notice
    from graph.render.data import Edge, Entity, Snapshot
    from graph.vocab.namespaces import CG, ID

    n = 3_500
    keys = [ID + f"part-{i}" for i in range(n)]
    entities = {
        k: Entity(k, k.rsplit("/", 1)[-1], {"en": f"Part {i}"}, types=[CG + "Input"]) for i, k in enumerate(keys)
    }
    edges = [Edge(a, "requiresInput", b) for a, b in zip(keys, keys[1:])]
    snap = Snapshot(None, entities, edges, {}, {}, {}, {}, 0, "2025-01-01", {})
    nodes, links = upstream_graph(snap, keys[0])
    assert len(nodes) == n and len(links) == n - 1  # the whole closure, every link
    cap = cap_graph(nodes, links, max_nodes=3_000)
    assert len(cap.nodes) == 3_000 and cap.hidden_count == 500
    assert "Showing 3,000 of 3,500 nodes" in cap_notice(cap)


def test_templates_escape_by_default_and_refuse_missing_variables():
    from jinja2 import UndefinedError

    from graph.render.templating import environment, render

    page = render("_macros.html")  # macros only: renders to nothing but must compile
    assert page.strip() == ""
    macros = environment().get_template("_macros.html").module
    assert str(macros.link(XSS_LABEL, "javascript:alert(1)")) == "&lt;img src=x onerror=alert(1)&gt;"
    assert str(macros.link("a", 'https://x.org/"onmouseover=1')) == "a"
    assert 'href="https://x.org/a?b=1&amp;c=2"' in str(macros.link("a", "https://x.org/a?b=1&c=2"))
    island = environment().from_string("{{ d | script_json }}").render(d={"t": SCRIPT_BREAKER + "\u2028"})
    assert "<" not in island and "\u2028" not in island and json.loads(island)["t"].startswith("</script>")
    with pytest.raises(UndefinedError):
        render("timeline.svg")


def test_query_page_is_a_jinja_template_with_the_site_escaping():
    from graph.render.query_page import render_query_page

    queries = [{"name": "q", "description": SCRIPT_BREAKER + "\u2028", "text": "SELECT * { ?s ?p ?o }"}]
    page = render_query_page(nonce="n0nce-Z", queries=queries, max_rows=1000, timeout=30.0)
    assert page.count('<script nonce="n0nce-Z">') == 1 and "{{" not in page
    assert "time limit of\n30 s and at most 1000 rows" in page
    literal = page.split("const QUERIES = ", 1)[1].split(";\n", 1)[0]
    assert "</script>" not in literal and "<" not in literal and "\u2028" not in literal
    assert json.loads(literal) == queries


def test_timeline_shows_hostile_measure_and_suspension_labels_as_text(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    svg = text[text.index('<svg class="timeline"') : text.index("</svg>", text.index('<svg class="timeline"'))]
    assert "Rule &lt;img src=x onerror=alert(1)&gt;" in svg
    assert "Suspension &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in svg  # in the bar's title
    island = re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>', text, re.S).group(1)
    assert "<" not in island and "\\u003c/script\\u003e" in island
    data = json.loads(island)
    rows = {r["id"]: r for r in data["rows"]}
    hostile = rows["measure-xss-rule-2021"]
    assert hostile["label"] == "Rule " + XSS_LABEL
    assert (hostile["status"], hostile["end"], hostile["jurisdiction"]) == ("ended", "2021-06-01", ["NLD"])
    suspended = rows["measure-us-advanced-computing-2022"]
    assert suspended["status"] == "suspended"
    assert suspended["suspensions"] == [{"label": "Suspension " + SCRIPT_BREAKER, "start": "2024-01-01", "until": ""}]
    # the measures table: one row per measure, the target of the timeline's links
    assert '<tr id="measure-xss-rule-2021"><td><strong>Rule &lt;img' in text
    assert 'href="#measure-xss-rule-2021"' in svg


def test_timeline_svg_draws_suspensions_and_ends():
    from graph.render.timeline import Suspension, TimelineRow, status_of, timeline_svg

    rows = [
        TimelineRow("open", "2020-01-01"),
        TimelineRow("paused", "2020-01-01", suspensions=(Suspension("s", "2022-01-01", "2023-01-01"),)),
        TimelineRow("ended", "2021-01-01", end="2022-07-01", end_reason="rescinded"),
    ]
    svg = str(timeline_svg(rows, "2024-06-01"))
    assert svg.count('class="pause"') == 1 and svg.count('class="ended"') == 1
    assert "until 2022-07-01 (rescinded)" in svg
    assert [status_of(r, "2022-06-01") for r in rows] == ["in force", "suspended", "in force"]
    assert [status_of(r, "2024-06-01") for r in rows] == ["in force", "in force", "ended"]


def test_history_chart_rows_bars_and_escaping():
    from graph.render.history_chart import history_svg

    events = [
        {"accelerator": "a", "date": "2020-01-01", "event": "present", "key": "providers:x", "order": 1,
         "reading": "both", "measures": [], "measures_changing": []},
        {"accelerator": "a", "date": "2022-01-01", "event": "appears", "key": "cut:euv", "order": 0,
         "reading": "broad", "measures": ["m1"], "measures_changing": ["m1"]},
        {"accelerator": "a", "date": "2022-01-01", "event": "vanishes", "key": "providers:x", "order": 1,
         "reading": "both", "measures": [], "measures_changing": ["m1"]},
    ]  # fmt: skip
    svg = str(
        history_svg(
            events,
            "2024-01-01",
            labels={"x": XSS_LABEL, "euv": "EUV"},
            measure_label={"m1": SCRIPT_BREAKER}.get,
            anchors={"cut:euv": "cp-cut-euv"},
        )
    )
    assert "<img" not in svg and "<script" not in svg
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg and "&lt;/script&gt;" in svg
    # rows by first date: the pair first, then the cut-off (fragile: pale and dashed), linked to its table row
    assert svg.index('data-key="providers:x"') < svg.index('data-key="cut:euv"')
    assert 'class="hbar fragile"' in svg and 'href="#cp-cut-euv"' in svg
    assert "from 2020-01-01 until 2022-01-01" in svg and "from 2022-01-01 (still on 2024-01-01)" in svg
