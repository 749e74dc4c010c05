"""Build the static site into ``<output_dir>/site``: index, overview graph, one page per accelerator.

The site opens from the file system with no network: pages reference ``assets/`` beside them
(vis-network's standalone build, chipgraph's script and style), nothing else. It is rendered
into a temporary folder and swapped into place with :func:`graph.atomic.replace_dir_atomic`, so a
reader never sees half a site. The same store, date and scenario give byte-identical files: no
clock is read, every list is sorted and layouts are seeded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from graph.atomic import recover_dir, replace_dir_atomic
from graph.background import Background
from graph.lexical import parse_iso_date
from graph.output_lock import locked_output
from graph.paths import ASSETS_DIR
from graph.read.model import date_or_data_date
from graph.render.accelerator_pages import analysis_graph, page_name, upstream_graph
from graph.render.analysis import AcceleratorAnalysis, run_analysis
from graph.render.cap import DEFAULT_MAX_NODES, cap_graph
from graph.render.critical_path import critical_path
from graph.render.data import Snapshot, load_snapshot
from graph.render.graphpage import PageView, graph_page, graph_payload
from graph.render.history_chart import history_svg
from graph.render.layout import force_layout, layered_layout
from graph.render.overview import country_labels, overview_graph
from graph.render.templating import render
from graph.render.timeline import Suspension, TimelineRow, status_of, timeline_data, timeline_svg
from graph.vocab.namespaces import SOURCE, entity_id_of

__all__ = ["render_site", "remove_stale_temp_dirs", "ASSET_FILES"]

ASSET_FILES = (
    "vis-network.min.js",
    "vis-network.LICENSE-MIT",
    "vis-network.LICENSE-APACHE-2.0",
    "chipgraph.js",
    "chipgraph.css",
)
Analyse = Callable[[Any, list[str], str | None, Any], dict[str, AcceleratorAnalysis] | None]


def _as_of_text(store: Any, as_of: Any) -> str:
    """The date the site shows: ``as_of`` (``YYYY-MM-DD`` exactly), else the data date."""
    date = None if as_of is None else parse_iso_date(as_of, "--as-of")
    return date_or_data_date(store, date).isoformat()


def _scenario_text(scenario: Any) -> str | None:
    if scenario is None:
        return None
    if isinstance(scenario, (str, Path)):
        return Path(scenario).name
    for attr in ("name", "title", "id"):
        value = getattr(scenario, attr, None) or (scenario.get(attr) if isinstance(scenario, dict) else None)
        if value:
            return str(value)
    return "custom scenario"


def _overview_page(snap: Snapshot, view: PageView, max_nodes: int | None) -> str:
    cap = cap_graph(*overview_graph(snap), max_nodes=max_nodes)
    positions = force_layout([n.key for n in cap.nodes], [(e.src, e.dst) for e in cap.edges])
    payload = graph_payload(
        cap.nodes, cap.edges, positions, country_labels(snap), cap.hidden, cap.degree, cap.hidden_count
    )
    return graph_page("overview.html", payload=payload, cap=cap, full_graph=True, view=view)


def _accelerator_page(
    snap: Snapshot,
    iri: str,
    analysis: AcceleratorAnalysis | None,
    analysed: bool,
    view: PageView,
    max_nodes: int | None,
    capacity_pages: list[dict[str, str]] | None = None,
) -> tuple[str, set[str]]:
    if analysis is not None and analysis.graph is not None:
        all_nodes, all_edges = analysis_graph(snap, analysis)
    else:
        all_nodes, all_edges = upstream_graph(snap, iri, analysis)
    reached = {n.key for n in all_nodes if n.key in snap.measures}
    cap = cap_graph(all_nodes, all_edges, max_nodes=max_nodes)
    nodes, edges = cap.nodes, cap.edges
    group_rank = {n.key: (n.cls, n.label.lower(), n.key) for n in nodes}
    root = next(n.key for n in nodes if "root" in n.marks)
    positions = layered_layout(
        root,
        [n.key for n in nodes],
        [(e.src, e.dst) for e in edges if e.src not in snap.measures],
        sort_key=group_rank.__getitem__,
    )
    payload = graph_payload(nodes, edges, positions, country_labels(snap), cap.hidden, cap.degree, cap.hidden_count)
    ent = snap.entities[iri]
    entity = {"label": ent.label, "names": " / ".join(ent.labels[k] for k in ("zh", "ko") if k in ent.labels)}
    html = graph_page(
        "accelerator.html",
        entity=entity,
        payload=payload,
        cap=cap,
        full_graph=True,
        analysis=analysis or AcceleratorAnalysis(),
        analysed=analysed and analysis is not None,
        view=view,
        capacity_pages=capacity_pages or [],
        critical_path=critical_path(analysis.graph, analysis.root, analysis.rows)
        if analysis is not None and analysis.graph is not None
        else [],
        history=_history_chart(analysis, view.as_of or snap.as_of or snap.data_date),
    )
    return html, reached


def _history_chart(analysis: AcceleratorAnalysis | None, until: str) -> Markup | None:
    """The accelerator's chokepoint history as an SVG, or None when there is no analysis graph."""
    if analysis is None or analysis.graph is None:
        return None
    G = analysis.graph
    measures = G.graph.get("measures", {})
    return history_svg(
        analysis.history,
        until,
        labels=G.graph.get("labels", {}),
        measure_label=lambda m: getattr(measures.get(m), "label", "") or m,
        anchors={row["key"]: row["anchor"] for row in analysis.rows if row.get("anchor")},
    )


def _capacity_pages(
    folder: Path, results: list[dict[str, Any]], snap: Snapshot, say: Callable[[str], None]
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, str]]]]:
    """Write one capacity page per result into ``folder``; (index rows, accelerator id -> page links)."""
    if not results:
        return [], {}
    from graph.capacity.page import page_name as capacity_page_name
    from graph.capacity.report import summary_rows
    from graph.render.capacity_page import render_capacity_page

    say(f"site: {len(results)} capacity pages")
    sources: dict[str, dict[str, Any]] = {
        r.iri.removeprefix(SOURCE): {"title": r.title, "publisher": r.publisher, "date": r.date, "url": r.url}
        for r in snap.sources.values()
    }
    index, links = [], defaultdict(list)
    for result, row in zip(results, summary_rows(results), strict=True):
        name = capacity_page_name(result)
        (folder / name).write_text(render_capacity_page(result, sources, tuple(snap.licensed)), encoding="utf-8")
        links[result["accelerator"]].append({"label": str(result["year"]), "page": name})
        p10, p50, p90 = row["p10"], row["p50"], row["p90"]
        index.append(
            {
                "label": row["accelerator"],
                "year": row["year"],
                "page": name,
                "p50": f"{p50:,.0f}" if p50 is not None else "—",
                "range": f"{p10:,.0f} to {p90:,.0f}" if p10 is not None and p90 is not None else "—",
                "binding": row["binding"] or "—",
                "missing": row["missing"] or "—",
            }
        )
    return index, dict(links)


#: Most chokepoints (columns) the index's matrix shows: those holding the most accelerators.
MATRIX_COLUMNS = 24


def chokepoint_matrix(accelerators: list[dict[str, Any]], limit: int = MATRIX_COLUMNS) -> dict[str, Any]:
    """Accelerators x chokepoints for the index: columns are the findings that hold the most
    accelerators (robust before fragile, then by order and key), each cell the row's order and
    robustness with a link to its explanation on the accelerator's page.

    >>> m = chokepoint_matrix([{"label": "A", "page": "a.html", "rows": [
    ...     {"key": "cut:euv", "items": ["EUV"], "order": 0, "robust": True, "anchor": "cp-cut-euv"}]}])
    >>> m["columns"][0]["key"], m["rows"][0]["cells"][0]["href"]
    ('cut:euv', 'a.html#cp-cut-euv')
    """

    def key_of(row: dict[str, Any]) -> str:  # rows of a custom ``analyse`` may lack the finding key
        return str(row.get("key") or f"{row['order']}:" + "+".join(row["items"]))

    held: dict[str, dict[str, Any]] = {}
    for acc in accelerators:
        for row in acc["rows"]:
            key = key_of(row)
            col = held.setdefault(
                key, {"key": key, "label": _column_label(key, row), "n": 0, "robust": True, "order": row["order"]}
            )
            col["n"] += 1
            col["robust"] = col["robust"] and row.get("robust", True)
            col["order"] = min(col["order"], row["order"])
    columns = sorted(held.values(), key=lambda c: (not c["robust"], -c["n"], c["order"], c["key"]))[:limit]
    rows = []
    for acc in accelerators:
        by_key = {key_of(r): r for r in acc["rows"]}
        cells = []
        for col in columns:
            r = by_key.get(col["key"])
            title = f"{acc['label']}: {col['label']} (order {r['order']}, {r.get('reading', '')})" if r else ""
            cells.append(
                {
                    "order": r["order"] if r else None,
                    "robust": bool(r.get("robust", True)) if r else None,
                    "government": col["key"].startswith("government:"),
                    "href": f"{acc['page']}#{r['anchor']}" if r and r.get("anchor") else (acc["page"] if r else ""),
                    "title": title,
                }
            )
        rows.append({"label": acc["label"], "page": acc["page"], "cells": cells})
    return {"columns": columns, "rows": rows, "hidden": max(0, len(held) - len(columns))}


def _column_label(key: str, row: dict[str, Any]) -> str:
    """A matrix column's heading: the items, and for an alignment finding the governments too.

    >>> _column_label("government:JPN+TWN:ion-implanters", {"items": ["Ion implanters"]})
    'Ion implanters, if JPN + TWN controlled it'
    """
    label = " + ".join(row["items"])
    if key.startswith("government:"):
        label += f", if {' + '.join(key.split(':')[1].split('+'))} controlled it"
    return label


#: The class of the imported list entries: the listings page shows them, the timeline does not.
LIST_ENTRY = "ListEntry"


def measure_anchor(iri: str) -> str:
    """The id of a measure's row in the index's measures table.

    >>> measure_anchor("https://w3id.org/chipgraph/id/nl-duv-control-2023-09")
    'measure-nl-duv-control-2023-09'
    """
    return "measure-" + re.sub(r"[^A-Za-z0-9_-]+", "-", entity_id_of(iri) or iri)


def _timeline_rows(snap: Snapshot, accelerators: list[str], reached: dict[str, set[str]]) -> list[TimelineRow]:
    """The measures that took effect by the view's date, list entries left out, with what they reach."""
    rows = []
    for t in snap.timeline:
        if t.kind == LIST_ENTRY:
            continue
        hits = sorted((snap.label(a) for a in accelerators if t.iri in reached.get(a, set())), key=str.lower)
        rows.append(
            TimelineRow(
                label=t.label,
                start=t.effective,
                end=t.end,
                reaches=tuple(hits),
                href="#" + measure_anchor(t.iri),
                id=measure_anchor(t.iri),
                kind=snap.class_labels.get(t.kind, t.kind),
                jurisdiction=tuple(t.jurisdiction),
                end_reason=t.end_reason,
                citation=t.citation,
                suspensions=tuple(Suspension(label, start, until) for label, start, until in t.suspensions),
            )
        )
    return rows


def _index_page(
    snap: Snapshot,
    accelerators: list[str],
    analyses: dict[str, AcceleratorAnalysis] | None,
    reached: dict[str, set[str]],
    view: PageView,
    capacity: list[dict[str, Any]] | None = None,
) -> str:
    accs = [
        {
            "label": snap.entities[iri].label,
            "zh": snap.entities[iri].labels.get("zh", ""),
            "page": page_name(iri),
            "rows": analyses.get(iri, AcceleratorAnalysis()).rows if analyses is not None else [],
        }
        for iri in accelerators
    ]
    rows = _timeline_rows(snap, accelerators, reached)
    list_entries = sum(1 for t in snap.timeline if t.kind == LIST_ENTRY)
    until = snap.as_of or snap.data_date

    def class_key(item: tuple[str, int]) -> tuple[str, str]:
        return snap.class_labels.get(item[0], item[0]).lower(), item[0]

    classes = [(snap.class_labels.get(c, c), n) for c, n in sorted(snap.class_counts.items(), key=class_key)]
    sources = sorted(snap.sources.values(), key=lambda r: (r.date, r.title.lower(), r.iri), reverse=True)
    return render(
        "index.html",
        counts={"entities": sum(1 for e in snap.entities.values() if e.types), "claims": snap.claim_count},
        accelerators=accs,
        analysed=analyses is not None,
        matrix=chokepoint_matrix(accs) if analyses is not None else None,
        capacity=capacity or [],
        timeline=timeline_svg(rows, until),
        timeline_data=timeline_data(rows, until),
        measures=[{"row": r, "status": status_of(r, until)} for r in rows],
        list_entries=list_entries,
        classes=classes,
        sources=sources,
        view=view,
    )


def _listings_page(store: Any, accelerators: list[str], view: PageView, as_of: str | None) -> str:
    from graph.render.listings import listing_rows

    rows = listing_rows(store, {iri: page_name(iri) for iri in accelerators}, as_of=as_of)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["list"]] += 1
    return render("listings.html", rows=rows, lists=sorted(counts.items(), key=lambda c: c[0].lower()), view=view)


TEMP_PREFIX = ".site."
#: The renderer's own temporary folders: ``.site.<pid>-<mkdtemp suffix>`` (and, from earlier
#: versions, ``.site.<mkdtemp suffix>``); nothing else in the output folder is ever removed.
TEMP_NAME = re.compile(r"^\.site\.(?:(?P<pid>[0-9]+)-)?[a-z0-9_]{8}$")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else (or cannot tell): leave its folder alone
    return True


def remove_stale_temp_dirs(output_dir: Path) -> list[Path]:
    """Remove temporary site folders left by renders that were killed; return what was removed.

    Only folders named like the renderer's own temporary folders (:data:`TEMP_NAME`) are touched,
    and only when the process that made them is gone (folders from older versions carry no
    process id and are always stale), so a render running alongside keeps its folder.
    """
    removed: list[Path] = []
    try:
        entries = sorted(Path(output_dir).iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        match = TEMP_NAME.match(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink():
            continue
        if match["pid"] is not None and _pid_alive(int(match["pid"])):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def render_site(
    store: Any,
    output_dir: Path,
    as_of: str | dt.date | None = None,
    scenario: Any = None,
    progress: Callable[[str], None] | None = None,
    *,
    analyse: Analyse | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    capacity: list[dict[str, Any]] | None = None,
    model: Any = None,
    lock: bool = True,
) -> Path:
    """Render the site into ``output_dir/site`` and return that path.

    Parameters
    ----------
    store : GraphStore
        The built graph (read through SPARQL only).
    output_dir : Path
        The build's output folder; the site goes into its ``site/`` subfolder, replaced atomically.
    as_of : str or datetime.date, optional
        Show facts and measures as of this date (``YYYY-MM-DD``); default: the data date
        (:func:`graph.read.model.data_date`). The pages say which date was used.
    scenario : optional
        A what-if scenario (a YAML path or a loaded scenario), passed to the chokepoint analysis.
    progress : callable, optional
        Called with a short message before each step.
    analyse : callable, optional
        Replaces :func:`graph.render.analysis.run_analysis` (for tests).
    max_nodes : int, optional
        Most nodes a graph page draws (:func:`graph.render.cap.cap_graph`); ``None`` or 0 draws all.
    capacity : list of dict, optional
        Results of :func:`graph.capacity.report.build_results`: one page per accelerator and year,
        a table on the index and links from the accelerator pages; none without them.
        ``chipgraph render`` computes them from the store as ``build`` does, so a site rendered
        on its own has the capacity pages a build's has.
    model : graph.read.model.Model, optional
        The store's facts as :func:`graph.read.model.load_model` read them, when the caller has
        them already (the build reads them once for the analyses and the site).
    lock : bool
        Hold ``output_dir``'s build lock (:func:`graph.output_lock.locked_output`) while rendering,
        so that a render and a build never write one folder at once. ``build`` renders into its
        own staging folder under the lock it holds, and passes ``False``.

    Temporary folders left by a killed earlier render are removed first
    (:func:`remove_stale_temp_dirs`); this render's own is removed on any error.
    """
    say = progress or (lambda _msg: None)
    if not lock:
        return _render(store, Path(output_dir), as_of, scenario, say, analyse, max_nodes, capacity, model)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with locked_output(output_dir, what="render"):
        return _render(store, output_dir, as_of, scenario, say, analyse, max_nodes, capacity, model)


def _render(
    store: Any,
    output_dir: Path,
    as_of: str | dt.date | None,
    scenario: Any,
    say: Callable[[str], None],
    analyse: Analyse | None,
    max_nodes: int | None,
    capacity: list[dict[str, Any]] | None,
    model: Any,
) -> Path:
    """The body of :func:`render_site`, with the lock (if any) held."""
    as_of_s = _as_of_text(store, as_of)
    say("site: reading the graph")
    snap = load_snapshot(store, as_of=as_of_s, model=model)
    view = PageView(
        as_of=as_of_s, scenario=_scenario_text(scenario), data_date=snap.data_date, licensed=tuple(snap.licensed)
    )
    accelerators = snap.domestic_accelerators()
    say(f"site: analysing {len(accelerators)} domestic accelerators")
    analyses = (analyse or run_analysis)(store, accelerators, as_of_s, scenario)

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / "site"
    recover_dir(target)
    for stale in remove_stale_temp_dirs(output_dir):
        say(f"site: removed {stale.name}, left by an interrupted render")
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=output_dir))
    try:
        (tmp / "assets").mkdir()
        for name in ASSET_FILES:
            shutil.copyfile(ASSETS_DIR / name, tmp / "assets" / name)
        capacity_index, capacity_links = _capacity_pages(tmp, capacity or [], snap, say)

        def graph_pages(share: list[str], overview: bool) -> dict[str, set[str]]:
            """Write the overview (if asked) and the pages of ``share``; the measures each page reaches."""
            if overview:
                (tmp / "overview.html").write_text(_overview_page(snap, view, max_nodes), encoding="utf-8")
            reached = {}
            for iri in share:
                analysis = analyses.get(iri) if analyses is not None else None
                links = capacity_links.get(entity_id_of(iri) or iri, [])
                html, measures = _accelerator_page(snap, iri, analysis, analyses is not None, view, max_nodes, links)
                reached[iri] = measures | (analysis.measures if analysis else set())
                (tmp / page_name(iri)).write_text(html, encoding="utf-8")
            return reached

        # the graph pages read only the snapshot and the analyses in memory: a forked child draws the
        # overview and every other accelerator while this process draws the rest and the listings
        say(f"site: overview graph and {len(accelerators)} accelerator pages")
        other = Background(graph_pages, accelerators[1::2], True)
        reached = graph_pages(accelerators[0::2], False)
        say("site: listings")
        (tmp / "listings.html").write_text(_listings_page(store, accelerators, view, as_of_s), encoding="utf-8")
        reached.update(other.result())
        reached = {iri: reached[iri] for iri in accelerators}
        say("site: index")
        index = _index_page(snap, accelerators, analyses, reached, view, capacity_index)
        (tmp / "index.html").write_text(index, encoding="utf-8")
        tmp.chmod(0o755)
        replace_dir_atomic(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
