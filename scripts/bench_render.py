"""Benchmark the graph pages: build time, file size and time-to-interactive in headless Chromium.

Generates synthetic graphs of 1k, 5k and 20k nodes (about 1.5 edges per node, skewed towards
hubs, as a supply chain is), renders each as a graph page the way the site does (the node cap of
:mod:`graph.render.cap`, then chipgraph's own layout, template and script), opens it from file://
in Debian's chromium through Playwright, and reports:

- ``drawn``: nodes the page draws (the rest are capped: searchable, not drawn);

- ``python_s``: layout + payload + HTML in Python;
- ``html_mb``: size of the page (the data is inline; vis-network is a shared asset);
- ``tti_s``: from navigation start to the first drawn frame (``afterDrawing``), i.e. when the
  graph can be panned, zoomed, hovered and searched;
- ``search_ms``: typing a query, selecting the first hit and focusing on it;
- ``filter_ms``: hiding one class (the legend's first) with the legend (DataView refresh and redraw).

Usage: ``.venv/bin/python scripts/bench_render.py [--sizes 1000,5000,20000] [--max-nodes 0]``
(``--max-nodes 0`` draws every node, as before the cap).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from graph.paths import ASSETS_DIR
from graph.render.cap import DEFAULT_MAX_NODES, cap_graph, cap_notice
from graph.render.graphpage import GEdge, GNode, PageView, graph_page, graph_payload
from graph.render.layout import force_layout
from graph.render.site import ASSET_FILES

CLASSES = ["Accelerator", "Foundry", "Equipment maker", "Organisation", "Input", "Measure", "Country"]
COUNTRIES = ["CHN", "USA", "NLD", "JPN", "KOR", "TWN", "DEU"]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def synthetic(n: int, seed: int = 7) -> tuple[list[GNode], list[GEdge]]:
    rng = random.Random(seed)
    nodes = [
        GNode(
            key=f"n{i:06d}",
            label=f"Node {i}",
            cls=CLASSES[i % len(CLASSES)],
            labels={"en": f"Node {i}", "zh": f"节点{i}"},
            countries=[COUNTRIES[i % len(COUNTRIES)]],
            type="synthetic",
        )
        for i in range(n)
    ]
    edges = []
    for i in range(1, n):
        j = int(rng.paretovariate(1.2)) % i  # preferential: low ids are hubs
        edges.append(GEdge(f"n{i:06d}", f"n{j:06d}", "needs"))
        if rng.random() < 0.5:
            edges.append(GEdge(f"n{i:06d}", f"n{rng.randrange(i):06d}", "provided by"))
    return nodes, edges


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,20000")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES, help="node cap per page (0: none)")
    opts = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-render-"))
    (tmp / "assets").mkdir()
    for name in ASSET_FILES:
        shutil.copyfile(ASSETS_DIR / name, tmp / "assets" / name)
    print(
        f"{'nodes':>7} {'drawn':>7} {'edges':>7} {'python_s':>9} {'html_mb':>8} {'tti_s':>7} {'search_ms':>10} "
        f"{'filter_ms':>10}"
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=opts.chromium, args=ARGS)
        for n in (int(s) for s in opts.sizes.split(",")):
            t0 = time.perf_counter()
            cap = cap_graph(*synthetic(n), max_nodes=opts.max_nodes)
            pos = force_layout([x.key for x in cap.nodes], [(e.src, e.dst) for e in cap.edges])
            payload = graph_payload(
                cap.nodes, cap.edges, pos, {c: c for c in COUNTRIES}, cap.hidden, cap.degree, cap.hidden_count
            )
            html = graph_page(
                title="bench",
                heading=f"bench {n}",
                intro=cap_notice(cap),
                payload=payload,
                view=PageView(as_of=None, scenario=None, data_date="2025-01-01"),
            )
            page_path = tmp / f"bench-{n}.html"
            page_path.write_text(html, encoding="utf-8")
            py_s = time.perf_counter() - t0
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(page_path.as_uri())
            page.wait_for_function("document.body.getAttribute('data-ready') === '1'", timeout=300000)
            tti = page.evaluate("() => window.chipgraph.readyMs") / 1000
            t1 = time.perf_counter()
            page.fill("#search", f"Node {n // 2}")
            page.press("#search", "Enter")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            search_ms = (time.perf_counter() - t1) * 1000
            t2 = time.perf_counter()
            page.locator("#legend input").first.uncheck()  # the first class drawn
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            filter_ms = (time.perf_counter() - t2) * 1000
            if errors:
                print("errors:", errors, file=sys.stderr)
            print(
                f"{n:>7} {len(payload['nodes']):>7} {len(payload['edges']):>7} {py_s:>9.2f} "
                f"{page_path.stat().st_size / 1e6:>8.2f} {tti:>7.2f} {search_ms:>10.0f} "
                f"{filter_ms:>10.0f}",
                flush=True,
            )
            page.close()
        browser.close()
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
