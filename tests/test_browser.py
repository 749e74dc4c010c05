"""The rendered site in a real headless browser (Debian's chromium driven by Playwright).

Every page must load from file:// with no console error and no request leaving its folder, draw
its graph, find a node by search, and show the XSS probe label as text without running it.
Screenshots of each page type go to output/screenshots/ for review.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from render_fixture import XSS_LABEL, fixture_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "output" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium, or run scripts/test.sh as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from graph.render import render_site

    return render_site(fixture_store(), tmp_path_factory.mktemp("out"))


class Visit:
    """A page opened in the browser, with everything it logged, requested and tried to pop up."""

    def __init__(self, browser, path: Path, graph: bool):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri(), wait_until="load")
        if graph:
            self.page.wait_for_function("document.body.getAttribute('data-ready') === '1'", timeout=30000)

    def outside(self, folder: Path) -> list[str]:
        base = folder.as_uri() + "/"
        return [u for u in self.requests if not u.startswith(base)]

    def drawn_pixels(self) -> int:
        return self.page.evaluate("""() => {
            const c = document.querySelector('#graph canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
            }
            return n;
        }""")


def _pages(site: Path) -> list[tuple[Path, bool]]:
    pages = [(site / "index.html", False), (site / "overview.html", True)]
    pages += [(p, True) for p in sorted(site.glob("accelerator-*.html"))]
    return pages


def test_every_page_loads_offline_without_errors(browser, site):
    assert len(_pages(site)) >= 3
    for path, graph in _pages(site):
        v = Visit(browser, path, graph)
        assert v.errors == [], f"{path.name}: console errors {v.errors}"
        assert v.outside(site) == [], f"{path.name}: requests outside the site folder {v.outside(site)}"
        assert v.dialogs == []
        if graph:
            assert v.drawn_pixels() > 500, f"{path.name}: the graph canvas is blank"
        v.page.close()


def test_search_finds_a_node_by_its_chinese_name(browser, site):
    v = Visit(browser, site / "overview.html", True)
    v.page.fill("#search", "华为")
    v.page.press("#search", "Enter")
    selected = v.page.evaluate("() => window.chipgraph.data.nodes.find(n => n.id === window.chipgraph.selected).key")
    assert selected.endswith("/id/huawei")
    assert v.page.evaluate("() => window.chipgraph.network.getSelectedNodes()") != []
    assert "Huawei" in v.page.inner_text("#search-results")
    assert "화웨이" in v.page.inner_text("#details")  # the Korean label is in the details panel
    v.page.close()


def test_xss_label_shows_as_text_and_runs_nothing(browser, site):
    v = Visit(browser, site / "overview.html", True)
    v.page.fill("#search", "onerror")
    v.page.press("#search", "Enter")
    assert v.page.inner_text("#search-results").strip() == XSS_LABEL
    assert XSS_LABEL in v.page.inner_text("#details")
    # hover the node too: our tooltip must show the text, not make an element
    pos = v.page.evaluate("""() => { const n = window.chipgraph; const id = n.selected;
        const p = n.network.canvasToDOM(n.network.getPosition(id)); return [p.x, p.y]; }""")
    box = v.page.locator("#graph").bounding_box()
    v.page.mouse.move(box["x"] + pos[0], box["y"] + pos[1])
    v.page.wait_for_selector("#tooltip:not([hidden])", timeout=5000)
    assert XSS_LABEL in v.page.inner_text("#tooltip")
    assert v.page.evaluate("() => document.querySelectorAll('img').length") == 0
    v.page.wait_for_timeout(300)
    assert v.dialogs == []
    assert v.errors == []
    v.page.close()


def test_filter_by_class_and_country(browser, site):
    v = Visit(browser, site / "overview.html", True)
    total = v.page.evaluate("() => window.chipgraph.data.nodes.length")
    v.page.select_option("#country", "CHN")
    shown = v.page.inner_text("#graph-stats")
    assert shown.startswith(tuple(f"{n} of {total}" for n in range(1, total)))
    v.page.select_option("#country", "")
    v.page.uncheck("#legend input[value='Measure']")
    assert not v.page.inner_text("#graph-stats").startswith(f"{total} of")
    v.page.close()


def test_screenshots_of_each_page_type(browser, site):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "index": (site / "index.html", False),
        "overview": (site / "overview.html", True),
        "accelerator": (sorted(site.glob("accelerator-*.html"))[0], True),
    }
    for name, (path, graph) in shots.items():
        v = Visit(browser, path, graph)
        target = SCREENSHOTS / f"fixture-{name}.png"
        v.page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 5000
        v.page.close()


def test_real_site_pages_work_and_are_screenshotted(browser, built):
    """The site that ``chipgraph build`` writes for the shipped data (see conftest.built)."""
    site = built / "site"
    pages = {"index": (site / "index.html", False), "overview": (site / "overview.html", True)}
    accelerator = site / "accelerator-ascend-910c.html"
    pages["accelerator"] = (accelerator if accelerator.exists() else sorted(site.glob("accelerator-*.html"))[0], True)
    # the build draws the capacity results too: a page per accelerator and year, linked from the index
    pages["capacity"] = (site / "capacity-ascend-910c-2025.html", False)
    assert 'href="capacity-ascend-910c-2025.html"' in (site / "index.html").read_text(encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, (path, graph) in pages.items():
        v = Visit(browser, path, graph)
        assert v.errors == [], f"{path.name}: console errors {v.errors}"
        assert v.outside(site) == [], f"{path.name}: requests outside the site folder"
        if graph:
            assert v.drawn_pixels() > 2000, f"{path.name}: the graph canvas is blank"
        v.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        v.page.close()
    v = Visit(browser, site / "overview.html", True)
    v.page.fill("#search", "中芯")  # SMIC's Chinese name
    v.page.press("#search", "Enter")
    assert v.page.evaluate("() => window.chipgraph.selected") is not None
    assert "SMIC" in v.page.inner_text("#details")
    v.page.close()


def test_capped_page_says_so_and_search_finds_nodes_not_drawn(browser, tmp_path):
    from graph.render import render_site

    site = render_site(fixture_store(), tmp_path, max_nodes=3)
    v = Visit(browser, site / "overview.html", True)
    assert v.errors == [] and v.outside(site) == []
    assert "Showing 3 of" in v.page.inner_text("#cap-note")
    assert "more nodes not drawn" in v.page.inner_text("#graph-stats")
    hidden = v.page.evaluate("() => window.chipgraph.data.hidden.map(n => n.label)")
    assert XSS_LABEL in hidden  # a leaf in the fixture: not among the 3 drawn
    v.page.fill("#search", "onerror")
    v.page.press("#search", "Enter")
    assert v.page.inner_text("#search-results").strip() == XSS_LABEL + " (not drawn)"
    details = v.page.inner_text("#details")
    assert XSS_LABEL in details and "Not drawn on this page" in details
    assert v.page.evaluate("() => document.querySelectorAll('img').length") == 0
    assert v.dialogs == [] and v.errors == []
    v.page.close()


def test_critical_path_tree_of_the_910c(browser, built):
    """The 910C's critical path: painted above the graph, chokepoints open, folded inputs open on a click.

    Timing: the tree must be painted, and a click must open a folded node, each in under a second.
    The earliest possible click (issued as soon as the page is parsed) waits for vis-network to
    draw the graph (a few hundred milliseconds of script); that time is printed, not asserted, as
    it depends on the machine's load.
    """
    site = built / "site"
    path = site / "accelerator-ascend-910c.html"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    # note (from navigation start) when a details element opens or closes
    page.add_init_script("""window.toggledMs = 0; new MutationObserver(() => {
        if (!window.toggledMs) window.toggledMs = performance.now(); })
        .observe(document, { subtree: true, attributes: true, attributeFilter: ["open"] });""")
    page.goto(path.as_uri(), wait_until="domcontentloaded")
    tree = page.locator("#critical-path")

    def folded(label: str):
        node = tree.locator(f"details:has(> summary .cp-label:text-is('{label}'))").first
        assert node.get_attribute("open") is None, f"{label} should be folded"
        return node

    first = folded("Core intellectual property")
    first.locator("> summary").click()
    page.wait_for_function("el => el.open", arg=first.element_handle(), timeout=5000)
    earliest_ms = page.evaluate("() => window.toggledMs")
    painted_ms = page.evaluate("() => performance.getEntriesByName('first-contentful-paint')[0].startTime")
    assert painted_ms < 1000, f"first paint after {painted_ms:.0f} ms"
    page.wait_for_function("document.body.getAttribute('data-ready') === '1'", timeout=30000)
    assert tree.is_visible()
    assert tree.bounding_box()["y"] < page.locator("#graph").bounding_box()["y"]
    assert first.locator(".cp-provider-list").is_visible()
    euv = tree.locator("details:has(> summary .cp-label:text-is('EUV lithography tools'))").first
    assert euv.get_attribute("open") is not None and "Netherlands" in euv.inner_text()
    packaging = folded("packaging")
    started = page.evaluate("() => { window.toggledMs = 0; return performance.now(); }")
    packaging.locator("> summary").click()
    page.wait_for_function("el => el.open", arg=packaging.element_handle(), timeout=1000)
    took = page.evaluate("() => window.toggledMs") - started
    assert took < 1000, f"opening a folded node took {took:.0f} ms"
    assert packaging.locator("details").first.is_visible()
    assert errors == [], f"console errors {errors}"
    base = site.as_uri() + "/"
    assert [u for u in requests if not u.startswith(base)] == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tree.locator(".cp-tree").evaluate("el => { el.scrollTop = 0; }")
    page.evaluate("() => document.getElementById('critical-path').scrollIntoView()")  # below the history chart
    page.screenshot(path=str(SCREENSHOTS / "accelerator-tree.png"))
    print(
        f"first paint {painted_ms:.0f} ms; earliest click opened at {earliest_ms:.0f} ms; "
        f"a click after load: {took:.0f} ms"
    )
    page.close()


def test_listings_page_filters_by_a_chinese_name(browser, built):
    """The listings page: offline, no console error; typing 中芯 leaves SMIC's rows and hides the rest."""
    site = built / "site"
    v = Visit(browser, site / "listings.html", False)
    rows = v.page.locator("#listings tbody tr")
    total = rows.count()
    assert total > 1500
    v.page.fill("#listing-filter", "中芯")
    visible = v.page.locator("#listings tbody tr:not([hidden])")
    shown = visible.count()
    assert 0 < shown < total / 10
    texts = visible.all_inner_texts()
    assert any("SMIC" in t and "Entity List" in t and "2020-12-22" in t for t in texts)
    assert all("中芯" in t for t in texts)
    assert "of" in v.page.inner_text("#listing-count")
    assert v.errors == [], f"console errors {v.errors}"
    assert v.outside(site) == [], "requests outside the site folder"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / "listings.png"))
    v.page.fill("#listing-filter", "")
    assert v.page.locator("#listings tbody tr:not([hidden])").count() == total
    v.page.close()


def _timeline_rows(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('#timeline-chart g.tl-row')].map(g => g.dataset.id)")


def _axis_years(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('#timeline-chart text.yr')].map(t => t.textContent)")


def check_timeline(browser, site: Path, screenshots: bool = True) -> None:
    """The index's timeline: filters hide and show rows, zoom changes the axis, a click goes to the measure."""
    v = Visit(browser, site / "index.html", False)
    page = v.page
    data = page.evaluate("() => JSON.parse(document.getElementById('timeline-data').textContent)")
    every = [r["id"] for r in data["rows"]]
    assert _timeline_rows(page) == every  # all shown at first, in the SVG's order
    assert page.locator("#timeline-controls").is_visible()
    # jurisdiction: China's measures go and come back
    china = {r["id"] for r in data["rows"] if r["jurisdiction"] == ["CHN"]}
    assert china and len(china) < len(every)
    page.uncheck("input[name=tl-jurisdiction][value=CHN]")
    assert _timeline_rows(page) == [i for i in every if i not in china]
    assert f"{len(every) - len(china)} of {len(every)} measures shown" in page.inner_text("#tl-count")
    page.check("input[name=tl-jurisdiction][value=CHN]")
    assert _timeline_rows(page) == every
    # kind and status
    listings = {r["id"] for r in data["rows"] if r["kind"] == "entity listing"}
    page.uncheck("input[name=tl-kind][value='entity listing']")
    assert set(_timeline_rows(page)) == set(every) - listings
    page.check("input[name=tl-kind][value='entity listing']")
    ended = {r["id"] for r in data["rows"] if r["status"] == "ended"}
    assert ended
    page.uncheck("input[name=tl-status][value=ended]")
    assert set(_timeline_rows(page)) == set(every) - ended
    page.check("input[name=tl-status][value=ended]")
    # suspensions and ends drawn on the bars
    suspended = [r for r in data["rows"] if r["suspensions"]]
    assert page.locator("#timeline-chart line.pause").count() == sum(len(r["suspensions"]) for r in suspended)
    assert page.locator("#timeline-chart path.ended").count() == len([r for r in data["rows"] if r["end"]])
    # zoom: a range of years by the selects, by the buttons, by a drag
    full = _axis_years(page)
    assert full[0] == str(data["first"]) and full[-1] == str(data["last"]), full
    page.select_option("#tl-from", str(data["last"] - 3))
    assert _axis_years(page) == [str(y) for y in range(data["last"] - 3, data["last"] + 1)]
    gone = {r["id"] for r in data["rows"] if r["end"] and r["end"] < f"{data['last'] - 3}-01-01"}
    assert set(_timeline_rows(page)) == set(every) - gone
    if screenshots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => document.getElementById('timeline').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / "index-timeline-zoomed.png"))
    page.click("#tl-all")
    assert _axis_years(page) == full
    page.click("#tl-zoom-in")
    zoomed = _axis_years(page)
    assert len(zoomed) < len(full)
    page.click("#tl-all")
    box = page.locator("#timeline-chart svg").bounding_box()
    scale = box["width"] / (330 + 520 + 440)
    x0, x1 = box["x"] + (330 + 10) * scale, box["x"] + (330 + 200) * scale
    page.mouse.move(x0, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(x1, box["y"] + 100, steps=5)
    page.mouse.up()
    dragged = _axis_years(page)
    assert dragged[0] == str(data["first"]) and len(dragged) < len(full)
    page.click("#tl-all")
    if screenshots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#timeline").scroll_into_view_if_needed()
        page.evaluate("() => document.getElementById('timeline').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / "index-timeline.png"))
    # a click on a measure goes to its row in the measures table
    target = next(r for r in data["rows"] if r["reaches"])
    page.locator(f"#timeline-chart g.tl-row[data-id='{target['id']}'] text").first.click()
    page.wait_for_function("id => location.hash === '#' + id", arg=target["id"], timeout=5000)
    row = page.locator(f"#{target['id']}")
    assert row.is_visible() and target["label"] in row.inner_text()
    assert v.errors == [], f"console errors {v.errors}"
    assert v.outside(site) == [], f"requests outside the site folder {v.outside(site)}"
    assert v.dialogs == []
    page.close()


def test_index_timeline_filters_zooms_and_links(browser, built):
    check_timeline(browser, built / "site")


def test_timeline_draws_hostile_labels_as_text(browser, site):
    v = Visit(browser, site / "index.html", False)
    texts = v.page.evaluate("() => [...document.querySelectorAll('#timeline-chart g.tl-row')].map(g => g.textContent)")
    assert len(texts) == 3  # the listing without a jurisdiction too, under "(none)"
    assert v.page.locator("input[name=tl-jurisdiction][value='(none)']").is_checked()
    assert any(("Rule " + XSS_LABEL)[:43] in t for t in texts)
    titles = v.page.evaluate(
        "() => [...document.querySelectorAll('#timeline-chart line.pause title')].map(t => t.textContent)"
    )
    assert any("</script><script>alert(2)</script>" in t for t in titles)
    assert v.page.evaluate("() => document.querySelectorAll('img, #timeline-chart script').length") == 0
    assert v.dialogs == [] and v.errors == [] and v.outside(site) == []
    v.page.close()


def check_history(browser, site: Path, screenshots: bool = True) -> None:
    """The 910B's chokepoint history: ArF immersion scanners cut off for SMIC from 2023-09-01.

    Checked by hand against ``chipgraph chokepoints "Ascend 910B" --history``:
    ``ascend-910b,2023-09-01,appears,cut:arf-immersion-duv-lithography-tools,0,True,...,nl-duv-control-2023-09``.
    """
    v = Visit(browser, site / "accelerator-ascend-910b.html", True)
    page = v.page
    chart = page.locator("#chokepoint-history svg.history")
    assert chart.is_visible()
    assert chart.bounding_box()["y"] < page.locator("#critical-path").bounding_box()["y"]
    row = chart.locator("g.hrow[data-key='cut:arf-immersion-duv-lithography-tools']")
    bar = row.locator("rect.hbar").first
    assert "from 2023-09-01" in bar.locator("title").text_content()
    years = {
        t.text_content(): t.bounding_box()["x"] + t.bounding_box()["width"] / 2 for t in chart.locator("text.yr").all()
    }
    x = bar.bounding_box()["x"]
    share = (x - years["2023"]) / (years["2024"] - years["2023"])
    assert 0.6 < share < 0.72, share  # 1 September is two thirds into the year
    # the order-0 row links to its row in the chokepoint table
    row.locator("a text").click()
    page.wait_for_function("() => location.hash === '#cp-cut-arf-immersion-duv-lithography-tools'", timeout=5000)
    assert v.errors == [], f"console errors {v.errors}"
    assert v.outside(site) == []
    if screenshots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => document.getElementById('chokepoint-history').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / "accelerator-history.png"))
    page.close()


def test_history_chart_of_the_910b(browser, built):
    check_history(browser, built / "site")
