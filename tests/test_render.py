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

ASSET_REF = re.compile(r"""<(?:script|link|img|iframe|source|embed|object)\b[^>]*\b(?:src|href)\s*=\s*"""
                       r"""["']?([^"' >]+)""", re.IGNORECASE)


def _fake_analysis(store, accelerators, as_of, scenario):
    """A stand-in for graph.chokepoints with one chokepoint per accelerator."""
    out = {}
    for acc in accelerators:
        out[acc] = AcceleratorAnalysis(
            rows=[{"items": ["EUV lithography tools"], "order": 1,
                   "measures": [{"label": "US advanced computing rule (2022)", "date": "2022-10-07",
                                 "iri": "https://w3id.org/chipgraph/id/us-advanced-computing-2022"}],
                   "domestic": "no", "explanation": ["Ascend 910C needs SMIC N+2, which needs EUV " + XSS_LABEL],
                   "sources": [{"title": SCRIPT_BREAKER, "publisher": "Federal Register", "date": "2022-10-13",
                                "url": "javascript:alert(3)"}]}],
            chokepoint_items={"https://w3id.org/chipgraph/id/euv-lithography-tools": ["single point of failure"]},
            cut_providers={"https://w3id.org/chipgraph/id/asml": ["cut off by the 2022 rule from 2022-10-07"]},
            measures={"https://w3id.org/chipgraph/id/us-advanced-computing-2022"})
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return render_site(fixture_store(), tmp_path_factory.mktemp("out"), analyse=_fake_analysis)


def _pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


def test_pages_exist(site):
    names = [p.name for p in _pages(site)]
    assert names == ["accelerator-ascend-910c.html", "index.html", "overview.html"]
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
    for url in re.findall(r'href="(https?://[^"]+)"', text):
        assert url in ("https://example.org/article", "https://www.federalregister.gov/d/2019-10005")


def test_byte_identical_across_runs(site, tmp_path):
    again = render_site(fixture_store(), tmp_path, analyse=_fake_analysis)
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between two renders"


def test_as_of_and_scenario_are_shown_and_applied(tmp_path):
    site = render_site(fixture_store(), tmp_path, as_of="2020-01-01", scenario=Path("lift-2022.yaml"),
                       analyse=lambda *a: None)
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

    with pytest.raises(ChipgraphError, match="not a date"):
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
    for page in [site / "index.html", site / "overview.html", *pages]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)=["']?(?:https?:)?//""", text), page.name
