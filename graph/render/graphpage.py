"""Turn nodes and edges into the network data of one interactive graph page, through pyvis.

pyvis is the model of a vis-network graph in Python: :func:`graph_payload` builds a
``pyvis.network.Network`` with ``add_node`` (each node in its class's ``group``, at the position
the layout computed) and ``add_edge``, sets its options through pyvis's API (physics off because
positions are precomputed, a fixed layout seed, edge smoothing, hiding edges while dragging a big
graph) and adds the class colours as vis-network ``groups``. The page then draws exactly
``net.nodes``, ``net.edges`` and ``net.options``.

The page itself is chipgraph's own Jinja template (``templates/graph_page.html``), never pyvis's
stock template, which loads Bootstrap and vis-network from CDNs and does not escape the heading:
the data goes into a ``<script type="application/json">`` island through the ``script_json``
filter, every label is put into the page as text by ``assets/chipgraph.js``, and the assets are
the local ``assets/`` copies.

pyvis's ``add_node``/``add_edge`` check membership in a list, so building a network is quadratic:
about 1.5 s at the 5,000 nodes a page draws at most (:data:`graph.render.cap.DEFAULT_MAX_NODES`),
well under 0.1 s for the shipped data's pages (under 600 nodes each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from graph.render.data import GROUP_COLOURS, GROUP_ORDER, SourceRef
from graph.render.escape import safe_url
from graph.render.templating import render

__all__ = ["GNode", "GEdge", "PageView", "graph_payload", "graph_page", "LAYOUT_SEED", "BIG_GRAPH"]

#: vis-network's layout seed: fixed, so a page draws the same way on every load.
LAYOUT_SEED = 7
#: Above this many nodes a page hides edge labels, draws straight edges and hides edges while dragging.
BIG_GRAPH = 800


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
    entry: dict[str, Any] = {"id": id_, "key": n.key, "label": n.label or n.key, "group": n.cls, "links": links}
    for name, value in (
        ("labels", dict(sorted(n.labels.items()))),
        ("aliases", n.aliases),
        ("type", n.type),
        ("countryLabel", n.country_label),
    ):
        if value:
            entry[name] = value
    return entry


@dataclass(frozen=True)
class PageView:
    """What every page's header and footer say: the date shown, the scenario, the data's latest date."""

    as_of: str | None
    scenario: str | None
    data_date: str
    #: (title, publisher, licence URL) of the imported datasets, credited in every page's footer
    licensed: tuple[tuple[str, str, str], ...] = ()


def _network(big: bool) -> Any:
    """An empty directed pyvis network with the options every graph page uses."""
    from pyvis.network import Network
    from pyvis.options import Layout

    net = Network(directed=True, cdn_resources="in_line")
    net.toggle_physics(False)  # positions come from graph.render.layout
    net.toggle_stabilization(False)
    net.options.layout = Layout(randomSeed=LAYOUT_SEED, improvedLayout=False)
    net.options.layout.hierarchical.enabled = False
    net.toggle_hide_edges_on_drag(big)
    net.inherit_edge_colors(False)
    if big:
        net.options.edges.smooth.enabled = False
    else:
        net.set_edge_smooth("continuous")
        net.options.edges.smooth.roundness = 0.3
    return net


def graph_payload(
    nodes: list[GNode],
    edges: list[GEdge],
    positions: dict[str, tuple[float, float]],
    country_labels: dict[str, str],
    hidden: list[GNode] | None = None,
    degree: dict[str, int] | None = None,
    hidden_count: int | None = None,
) -> dict[str, Any]:
    """The JSON-ready data of a graph page: pyvis's nodes, edges and options, and the country list.

    Nodes are numbered in key order and carry, besides vis-network's ``label``, ``group``,
    ``shape``, ``x`` and ``y``, what the page's search and details panel show (``key``,
    ``labels``, ``aliases``, ``type``, ``countries``, ``countryLabel``, ``marks``, ``notes``).
    Edges carry ``label``, ``sources``, ``confidence``, ``cut``, ``critical`` and ``notes``.
    ``options["groups"]`` holds the colour of each class drawn.

    ``hidden`` nodes (left out by :func:`graph.render.cap.cap_graph`) are not drawn; they go into a
    light ``hidden`` list (names, group, type, country and ``links``, their degree from ``degree``)
    so the page's search still finds them. Their ids follow the drawn nodes' ids. ``hidden_count``
    (default: ``len(hidden)``) is how many nodes are not drawn, listed or not.
    """
    nodes = sorted(nodes, key=lambda n: n.key)
    index = {n.key: i for i, n in enumerate(nodes)}
    net = _network(len(nodes) > BIG_GRAPH)
    for n in nodes:
        x, y = positions.get(n.key, (0.0, 0.0))
        net.add_node(
            index[n.key],
            label=n.label or n.key,  # pyvis would show the numeric id for an empty label
            group=n.cls,
            x=x,
            y=y,
            key=n.key,
            labels=dict(sorted(n.labels.items())),
            aliases=n.aliases,
            type=n.type,
            countries=n.countries,
            countryLabel=n.country_label,
            marks=sorted(set(n.marks)),
            notes=n.notes,
        )
    kept = sorted(
        (e for e in edges if e.src in index and e.dst in index), key=lambda e: (index[e.src], index[e.dst], e.label)
    )
    for i, e in enumerate(kept):
        net.add_edge(
            index[e.src],
            index[e.dst],
            id=i,
            label=e.label,
            sources=[_source_dict(s) for s in e.sources],
            confidence=e.confidence,
            cut=e.cut,
            critical=e.critical,
            notes=e.notes,
        )
    used = sorted({n.cls for n in nodes}, key=lambda g: (GROUP_ORDER.get(g, 99), g))
    options = json.loads(net.options.to_json())
    # pyvis has no call for vis-network's groups (its set_options strips every space, and class
    # names have spaces), so they are added to the options it produced.
    options["groups"] = {g: {"color": {"background": GROUP_COLOURS.get(g, "#cccccc")}} for g in used}
    codes = sorted({c for n in nodes for c in n.countries})
    countries = [{"code": c, "label": country_labels.get(c, c)} for c in codes]
    out: dict[str, Any] = {"nodes": net.nodes, "edges": net.edges, "options": options, "countries": countries}
    if hidden:
        degree = degree or {}
        out["hidden"] = [
            _hidden_entry(len(nodes) + i, n, degree.get(n.key, 0))
            for i, n in enumerate(sorted(hidden, key=lambda n: n.key))
        ]
        out["hiddenCount"] = max(hidden_count or 0, len(hidden))
    return out


def graph_page(template: str = "graph_page.html", /, **context: Any) -> Markup:
    """A graph page from ``template`` (an extension of ``graph_page.html``).

    ``context`` needs ``payload`` (from :func:`graph_payload`) and ``view`` (a :class:`PageView`),
    plus what the template names; the base template alone also takes ``title``, ``heading`` and
    an optional ``intro`` (safe HTML, e.g. :func:`graph.render.cap.cap_notice`).
    """
    return render(template, **context)
