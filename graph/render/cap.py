"""Cap what a graph page draws, so a large graph still opens in under 3 seconds.

``scripts/bench_render.py`` measured time-to-interactive in headless Chromium at 0.46 s for 1,000
nodes, 1.14 s for 5,000 and 3.47 s for 20,000 (about linear in the nodes drawn). Above
:data:`DEFAULT_MAX_NODES` a page therefore draws only the most important nodes:

1. the page's root, then the nodes that must stay visible: chokepoints, cut-off providers, firms
   named by a restricted-party list, accelerators and measures (classes in
   :data:`ALWAYS_KEEP_CLASSES`), most connected first, up to half the cap;
2. then all the remaining nodes (essential or not) by degree (links within the page's graph),
   highest first, up to the cap.

Ties are broken by the node key, so the choice is deterministic. On real data the essential nodes
are a few hundred, so all of them are drawn; the half-cap only matters for a graph with thousands
of measures or listed firms, where it keeps room for the hubs that hold the picture together
(otherwise a page could draw thousands of essential nodes and almost no links between them).

The nodes not drawn stay searchable on the page (a light list of names, see
:func:`graph.render.graphpage.graph_payload`; at most :data:`DEFAULT_MAX_SEARCHABLE` of them, the
most connected, so the page's size stays bounded too), drawn nodes say how many of their links lead to
nodes not drawn, and :func:`cap_notice` tells the reader what was left out and where the whole
graph is.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from graph.render.graphpage import GEdge, GNode

__all__ = ["DEFAULT_MAX_NODES", "ALWAYS_KEEP_CLASSES", "ALWAYS_KEEP_MARKS", "Capped", "cap_graph", "cap_notice"]

#: Most nodes a page draws (5,000 opened in about 1.1 s in the benchmark; 20,000 took 3.5 s).
DEFAULT_MAX_NODES = 5000
#: Most nodes not drawn that a page still lists for its search (about 150 bytes each).
DEFAULT_MAX_SEARCHABLE = 50_000
#: Classes kept ahead of every other node when a page is capped.
ALWAYS_KEEP_CLASSES = frozenset({"Accelerator", "Accelerator system", "Measure"})
#: Marks that keep a node ahead of every other node when a page is capped.
ALWAYS_KEEP_MARKS = frozenset({"root", "chokepoint", "cut", "listed"})


@dataclass
class Capped:
    """What a page draws (``nodes``, ``edges``) and what it leaves out (``hidden``), with counts."""

    nodes: list[GNode]
    edges: list[GEdge]
    hidden: list[GNode] = field(default_factory=list)
    hidden_count: int = 0
    total_nodes: int = 0
    total_edges: int = 0
    degree: dict[str, int] = field(default_factory=dict)
    essential_hidden: int = 0

    @property
    def capped(self) -> bool:
        """True when some nodes are not drawn."""
        return bool(self.hidden_count)


def _essential(node: GNode) -> bool:
    return node.cls in ALWAYS_KEEP_CLASSES or any(m in ALWAYS_KEEP_MARKS for m in node.marks)


def _tier(node: GNode) -> int:
    """0: the page's root, 1: other essential nodes, 2: the rest."""
    return 0 if "root" in node.marks else 1 if _essential(node) else 2


def cap_graph(
    nodes: list[GNode],
    edges: list[GEdge],
    max_nodes: int | None = DEFAULT_MAX_NODES,
    max_searchable: int | None = DEFAULT_MAX_SEARCHABLE,
) -> Capped:
    """Keep at most ``max_nodes`` nodes (``None`` or 0: keep all) and the edges between them.

    Parameters
    ----------
    nodes, edges : list
        The page's whole graph; edges whose ends are not both among ``nodes`` are ignored.
    max_nodes : int, optional
        The cap; :data:`DEFAULT_MAX_NODES` by default.
    max_searchable : int, optional
        Most nodes not drawn to list in ``hidden`` (the most connected); ``None`` or 0: all.

    Returns
    -------
    Capped
        Drawn nodes in their input order (a drawn node with links to hidden ones gets a note
        saying how many; the input nodes are not modified), drawn edges, the listed hidden nodes
        sorted by key, how many are not drawn, the totals and every node's degree.

    Examples
    --------
    >>> a, b, c = (GNode(k, k, "Input") for k in "abc")
    >>> out = cap_graph([a, b, c], [GEdge("a", "b", "needs"), GEdge("c", "b", "needs")], max_nodes=2)
    >>> [n.key for n in out.nodes], [n.key for n in out.hidden]
    (['a', 'b'], ['c'])
    """
    keys = {n.key for n in nodes}
    inside = [e for e in edges if e.src in keys and e.dst in keys]
    degree: Counter[str] = Counter()
    for e in inside:
        degree[e.src] += 1
        degree[e.dst] += 1
    if not max_nodes or len(nodes) <= max_nodes:
        return Capped(list(nodes), list(edges), [], 0, len(nodes), len(inside), dict(degree))
    ranked = sorted(nodes, key=lambda n: (_tier(n), -degree[n.key], n.key))
    first = [n.key for n in ranked if _tier(n) < 2][: max(1, max_nodes // 2)]
    kept = set(first)
    for n in sorted(nodes, key=lambda n: (-degree[n.key], n.key)):
        if len(kept) >= max_nodes:
            break
        kept.add(n.key)
    lost: Counter[str] = Counter()
    for e in inside:
        if (e.src in kept) != (e.dst in kept):
            lost[e.src if e.src in kept else e.dst] += 1
    drawn = []
    for n in nodes:
        if n.key not in kept:
            continue
        if lost[n.key]:
            n = dataclasses.replace(
                n,
                notes=[
                    *n.notes,
                    f"{lost[n.key]:,} of its {degree[n.key]:,} links lead to "
                    "nodes not drawn on this page (search still finds them)",
                ],
            )
        drawn.append(n)
    hidden = sorted((n for n in nodes if n.key not in kept), key=lambda n: (-degree[n.key], n.key))
    essential_hidden = sum(1 for n in hidden if _essential(n))
    listed = sorted(hidden[:max_searchable] if max_searchable else hidden, key=lambda n: n.key)
    drawn_edges = [e for e in inside if e.src in kept and e.dst in kept]
    return Capped(
        drawn,
        drawn_edges,
        listed,
        len(hidden),
        len(nodes),
        len(inside),
        dict(degree),
        essential_hidden=essential_hidden,
    )


def cap_notice(capped: Capped, *, full_graph: bool = False) -> Markup:
    """A visible note (safe HTML) saying what a capped page leaves out; empty when nothing is.

    With ``full_graph`` the note also says where the whole graph is (the build's
    ``chipgraph.trig`` and ``chipgraph export-network``). The text is the template ``_cap_note.html``.
    """
    from graph.render.templating import render

    return render("_cap_note.html", cap=capped, full_graph=full_graph)
