"""Turn nodes and edges into the data and HTML of one interactive graph page.

The nodes and edges are plain records; :func:`graph_payload` hands them through a
``pyvis.network.Network`` (whose node and edge lists are filled directly, because its
``add_node``/``add_edge`` scan lists and are quadratic) and returns the JSON the page script
draws. The page itself comes from chipgraph's own template, never pyvis's stock template,
which loads assets from CDNs and does not escape headings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.render.data import GROUP_COLOURS, GROUP_ORDER, SourceRef
from graph.render.escape import h, safe_url, script_json
from graph.render.templating import fill

__all__ = ["GNode", "GEdge", "graph_payload", "graph_page", "page"]


@dataclass
class GNode:
    """A node as drawn: ``key`` is its IRI; ``marks`` among listed, cut, chokepoint, root."""

    key: str
    label: str
    cls: str
    labels: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    type: str = ""
    countries: list[str] = field(default_factory=list)
    country_label: str = ""
    marks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class GEdge:
    """An edge as drawn, with the sources behind it; ``cut`` and ``critical`` style it red."""

    src: str
    dst: str
    label: str
    sources: list[SourceRef] = field(default_factory=list)
    confidence: str = ""
    cut: bool = False
    critical: bool = False
    notes: list[str] = field(default_factory=list)


def _source_dict(ref: SourceRef) -> dict[str, str]:
    d = ref.as_dict()
    d["url"] = safe_url(d["url"]) or ""
    return d


def _hidden_entry(id_: int, n: GNode, links: int) -> dict[str, Any]:
    """A node not drawn, as its search entry: empty fields are left out to keep the page small."""
    entry: dict[str, Any] = {"id": id_, "key": n.key, "label": n.label, "cls": n.cls, "links": links}
    for name, value in (
        ("labels", dict(sorted(n.labels.items()))),
        ("aliases", n.aliases),
        ("type", n.type),
        ("countryLabel", n.country_label),
    ):
        if value:
            entry[name] = value
    return entry


def graph_payload(
    nodes: list[GNode],
    edges: list[GEdge],
    positions: dict[str, tuple[float, float]],
    country_labels: dict[str, str],
    hidden: list[GNode] | None = None,
    degree: dict[str, int] | None = None,
    hidden_count: int | None = None,
) -> dict[str, Any]:
    """The JSON-ready data of a graph page: nodes, edges, class colours and the country list.

    ``hidden`` nodes (left out by :func:`graph.render.cap.cap_graph`) are not drawn; they go into a
    light ``hidden`` list (names, class, type, country and ``links``, their degree from ``degree``)
    so the page's search still finds them. Their ids follow the drawn nodes' ids. ``hidden_count``
    (default: ``len(hidden)``) is how many nodes are not drawn, listed or not.
    """
    from pyvis.network import Network

    nodes = sorted(nodes, key=lambda n: n.key)
    index = {n.key: i for i, n in enumerate(nodes)}
    net = Network(directed=True, cdn_resources="in_line")
    net.nodes = [
        {
            "id": index[n.key],
            "key": n.key,
            "label": n.label,
            "cls": n.cls,
            "labels": dict(sorted(n.labels.items())),
            "aliases": n.aliases,
            "type": n.type,
            "countries": n.countries,
            "countryLabel": n.country_label,
            "marks": sorted(set(n.marks)),
            "notes": n.notes,
            "x": positions.get(n.key, (0.0, 0.0))[0],
            "y": positions.get(n.key, (0.0, 0.0))[1],
        }
        for n in nodes
    ]
    net.node_ids = list(range(len(nodes)))
    net.node_map = {d["id"]: d for d in net.nodes}
    kept = sorted(
        (e for e in edges if e.src in index and e.dst in index), key=lambda e: (index[e.src], index[e.dst], e.label)
    )
    net.edges = [
        {
            "id": i,
            "from": index[e.src],
            "to": index[e.dst],
            "label": e.label,
            "sources": [_source_dict(s) for s in e.sources],
            "confidence": e.confidence,
            "cut": e.cut,
            "critical": e.critical,
            "notes": e.notes,
        }
        for i, e in enumerate(kept)
    ]
    node_data, edge_data, *_ = net.get_network_data()
    used = {n.cls for n in nodes}
    groups = {g: GROUP_COLOURS.get(g, "#cccccc") for g in sorted(used, key=lambda g: (GROUP_ORDER.get(g, 99), g))}
    codes = sorted({c for n in nodes for c in n.countries})
    countries = [{"code": c, "label": country_labels.get(c, c)} for c in codes]
    out = {"nodes": node_data, "edges": edge_data, "groups": groups, "countries": countries}
    if hidden:
        degree = degree or {}
        out["hidden"] = [
            _hidden_entry(len(nodes) + i, n, degree.get(n.key, 0))
            for i, n in enumerate(sorted(hidden, key=lambda n: n.key))
        ]
        out["hiddenCount"] = max(hidden_count or 0, len(hidden))
    return out


def page(
    *,
    title: str,
    heading: str,
    main: str,
    context: str,
    data_date: str,
    nav: str = "",
    scripts: str = "",
    body_class: str = "",
) -> str:
    """A whole HTML page from the base template; ``main``, ``context`` and ``nav`` are safe HTML."""
    return fill(
        "base.html",
        title=h(title),
        heading=h(heading),
        main=main,
        context=context,
        data_date=h(data_date),
        nav=nav,
        scripts=scripts,
        body_class=h(body_class),
    )


GRAPH_SCRIPTS = '<script src="assets/vis-network.min.js"></script>\n<script src="assets/chipgraph.js"></script>'


def graph_page(
    *,
    title: str,
    heading: str,
    intro: str,
    payload: dict[str, Any],
    context: str,
    data_date: str,
    marks_legend: str,
    after: str = "",
    nav: str = "",
) -> str:
    """A graph page: controls, canvas, details panel, then ``after`` (safe HTML, e.g. tables)."""
    body = fill(
        "graph_body.html",
        intro=intro,
        marks_legend=marks_legend,
        graph_label=h(heading),
        after=after,
        graph_json=script_json(payload),
    )
    return page(
        title=title,
        heading=heading,
        main=body,
        context=context,
        data_date=data_date,
        nav=nav,
        scripts=GRAPH_SCRIPTS,
        body_class="graph-page",
    )
