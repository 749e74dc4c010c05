"""Minimal cut sets of order 1 and 2 in an AND/OR requirement graph (fault-tree style).

An edge ``u -> v`` says "u needs v". A node's ``gate`` says how: ``"and"`` (needs every child;
a node without children is available), ``"or"`` (needs one child). Nodes with ``basic=True`` are
the *basic events*: they can fail (a provider stops supplying). Edges whose ``cut_by`` attribute
is non-empty are already cut (a measure is in force) and are ignored. An OR node all of whose
edges are cut is *blocked*; a blocked node listed in ``bridged`` counts as available but cannot
fail any more (as when installed tools or stock bridge a cut-off).

A *cut set* of a root is a set of basic events whose joint failure makes the root unavailable;
it is *minimal* if no proper subset is one. Translated to fault-tree terms, a requirement AND is
a fault-tree OR gate (the item fails if any need fails) and a requirement OR is a fault-tree AND
gate (it fails only if every alternative fails); the cut sets are those of the fault tree.

Algorithm: one post-order pass over the graph reachable from the root computes, for every
available node, its order-1 cut sets (``singles``) and its minimal order-2 cut sets (``pairs``),
truncated at order 2 as in MOCUS with a cut-off on order:

- basic node ``b``: ``{b}`` is added to the singles (and pairs containing ``b`` are dropped);
- AND node: singles = union of the children's singles; pairs = union of the children's pairs,
  minus pairs that contain a single;
- OR node over available children ``c1..ck``, folded pairwise: ``S = S1 & S2``; pairs are the
  ``{a, b}`` with ``a`` in ``S1 - S`` and ``b`` in ``S2 - S``, the pairs of one child that also
  kill the other (they contain one of its singles or are one of its pairs), minus non-minimal ones.

Each node is visited once, so a shared node (a provider of several items) is computed once and
its failure is seen by every parent: that is what makes ``{ASML}`` a single cut set of a node that
needs EUV *or* ArF immersion scanners when ASML is the only provider of both.

Cycles: a requirement loop has no bottom-up order. With ``on_cycle="raise"`` a
:class:`~graph.errors.ChipgraphError` names the loop; with ``on_cycle="break"`` the edge that
closes the loop in a depth-first search from the root (children in sorted order) is dropped and
the loop is reported in ``CutSets.cycles``. Dropping it means: as an AND requirement it counts as
met (existing stock breaks the loop); as an OR alternative it does not count (a loop cannot
supply itself). Both choices keep a loop from making anything available out of nothing.

Many failure sets, one root: :class:`IncrementalAvailability` walks the graph under the root once
(post-order, back edges, availability without failures, each node's parents) and then answers
"which nodes does the failure of ``S`` take away?" by propagating upwards from ``S`` only, in
post-order position, so a cut set costs the size of what it kills rather than of the whole graph.

References
----------
W. E. Vesely, F. F. Goldberg, N. H. Roberts, D. F. Haasl, *Fault Tree Handbook*, NUREG-0492,
U.S. Nuclear Regulatory Commission, 1981, ch. VII (minimal cut sets, MOCUS).
J. B. Fussell and W. E. Vesely, "A new methodology for obtaining cut sets for fault trees",
*Trans. Am. Nucl. Soc.* 15 (1972) 262-263 (MOCUS).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import ChipgraphError

__all__ = ["CutSets", "minimal_cut_sets", "availability", "IncrementalAvailability", "is_cut"]

Pair = frozenset


@dataclass
class CutSets:
    """The result of :func:`minimal_cut_sets`."""

    root: Hashable
    available: bool  # the root can be had at all (after cut edges and bridging)
    singles: list[Hashable] = field(default_factory=list)
    pairs: list[tuple[Hashable, Hashable]] = field(default_factory=list)
    cycles: list[list[Hashable]] = field(default_factory=list)

    def as_sets(self) -> list[frozenset]:
        """All cut sets as frozensets, singles first."""
        return [frozenset([s]) for s in self.singles] + [frozenset(p) for p in self.pairs]


def is_cut(data: dict[str, Any]) -> bool:
    """True when an edge is cut by a measure in force."""
    return bool(data.get("cut_by"))


def _children(G: nx.DiGraph, node: Hashable) -> list[Hashable]:
    return sorted((v for v, d in G.adj[node].items() if not is_cut(d)), key=str)


def _postorder(G: nx.DiGraph, root: Hashable, on_cycle: str) -> tuple[list[Hashable], set[tuple], list[list]]:
    """Nodes reachable from root over uncut edges, children before parents; back edges found."""
    order: list[Hashable] = []
    state: dict[Hashable, int] = {root: 1}  # 1 = on the stack, 2 = done
    stack: list[tuple[Hashable, list[Hashable]]] = [(root, _children(G, root))]
    path: list[Hashable] = [root]
    back: set[tuple] = set()
    cycles: list[list] = []
    while stack:
        node, todo = stack[-1]
        if todo:
            child = todo.pop(0)
            st = state.get(child)
            if st is None:
                state[child] = 1
                stack.append((child, _children(G, child)))
                path.append(child)
            elif st == 1:
                loop = path[path.index(child) :] + [child]
                if on_cycle == "raise":
                    raise ChipgraphError(
                        "the dependency graph has a requirement loop: "
                        + " -> ".join(map(str, loop))
                        + " (pass on_cycle='break' to treat the closing edge as satisfied)"
                    )
                back.add((node, child))
                cycles.append(loop)
        else:
            stack.pop()
            path.pop()
            state[node] = 2
            order.append(node)
    return order, back, cycles


def _fold_or(a: tuple[frozenset, set], b: tuple[frozenset, set], with_pairs: bool) -> tuple[frozenset, set]:
    s1, p1 = a
    s2, p2 = b
    s = s1 & s2
    if not with_pairs:
        return s, set()
    pairs: set[frozenset] = set()
    only1, only2 = s1 - s, s2 - s
    for x in only1:
        for y in only2:
            if x != y:
                pairs.add(Pair((x, y)))
    for p in p1:
        if p & s2 or p in p2:
            pairs.add(p)
    for p in p2:
        if p & s1:
            pairs.add(p)
    if s:
        pairs = {p for p in pairs if not (p & s)}
    return s, pairs


def _evaluate(
    G: nx.DiGraph, root: Hashable, order: list[Hashable], back: set[tuple], bridged: frozenset, max_order: int
) -> dict[Hashable, tuple[bool, frozenset, set]]:
    with_pairs = max_order >= 2
    info: dict[Hashable, tuple[bool, frozenset, set]] = {}
    for node in order:
        data = G.nodes[node]
        gate = data.get("gate", "and")
        kids = [c for c in _children(G, node) if (node, c) not in back]
        if gate == "or":
            any_edges = G.out_degree(node) > 0
            avail_kids = [info[c] for c in kids if info[c][0]]
            if not avail_kids:
                if any_edges and node not in bridged:
                    info[node] = (False, frozenset(), set())
                    continue
                singles, pairs = frozenset(), set()  # no data, or bridged: available, cannot fail
            else:
                singles, pairs = avail_kids[0][1], set(avail_kids[0][2])
                for k in avail_kids[1:]:
                    singles, pairs = _fold_or((singles, pairs), (k[1], k[2]), with_pairs)
        else:
            if any(not info[c][0] for c in kids):
                info[node] = (False, frozenset(), set())
                continue
            singles = frozenset().union(*(info[c][1] for c in kids)) if kids else frozenset()
            pairs = set().union(*(info[c][2] for c in kids)) if (kids and with_pairs) else set()
            if pairs and singles:
                pairs = {p for p in pairs if not (p & singles)}
        if data.get("basic"):
            singles = singles | {node}
            if pairs:
                pairs = {p for p in pairs if node not in p}
        info[node] = (True, singles, pairs)
    return info


def minimal_cut_sets(
    G: nx.DiGraph, root: Hashable, *, max_order: int = 2, bridged: Iterable[Hashable] = (), on_cycle: str = "raise"
) -> CutSets:
    """Minimal cut sets of order <= ``max_order`` (1 or 2) of ``root``.

    Parameters
    ----------
    G : networkx.DiGraph
        Requirement graph: node attributes ``gate`` ("and"/"or") and ``basic`` (bool); edge
        attribute ``cut_by`` (non-empty = cut).
    root : node
    max_order : {1, 2}
    bridged : nodes
        Blocked OR nodes that count as available (stock) but cannot fail.
    on_cycle : {"raise", "break"}

    Returns
    -------
    CutSets
        ``available`` is False when the root is already unavailable; its cut sets are then empty
        (the empty set is the only minimal cut set).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("chip", gate="and"); G.add_node("litho", gate="or")
    >>> for p in ("asml", "nikon", "tel"): G.add_node(p, gate="and", basic=True)
    >>> G.add_edges_from([("chip", "litho"), ("litho", "asml"), ("litho", "nikon"), ("chip", "tel")])
    >>> cs = minimal_cut_sets(G, "chip")
    >>> cs.singles, cs.pairs
    (['tel'], [('asml', 'nikon')])
    """
    if max_order not in (1, 2):
        raise ChipgraphError(f"max_order must be 1 or 2, not {max_order}")
    if root not in G:
        raise ChipgraphError(f"{root!r} is not in the dependency graph")
    if on_cycle not in ("raise", "break"):
        raise ChipgraphError(f"on_cycle must be 'raise' or 'break', not {on_cycle!r}")
    order, back, cycles = _postorder(G, root, on_cycle)
    info = _evaluate(G, root, order, back, frozenset(bridged), max_order)
    ok, singles, pairs = info[root]
    if not ok:
        return CutSets(root=root, available=False, cycles=cycles)
    return CutSets(
        root=root,
        available=True,
        singles=sorted(singles, key=str),
        pairs=sorted((tuple(sorted(p, key=str)) for p in pairs), key=lambda t: tuple(map(str, t))),
        cycles=cycles,
    )


def availability(
    G: nx.DiGraph,
    root: Hashable,
    *,
    failed: Iterable[Hashable] = (),
    bridged: Iterable[Hashable] = (),
    on_cycle: str = "break",
) -> dict[Hashable, bool]:
    """Which nodes reachable from ``root`` are available when the ``failed`` basic events fail."""
    failed = set(failed)
    bridged = frozenset(bridged)
    order, back, _ = _postorder(G, root, on_cycle)
    avail: dict[Hashable, bool] = {}
    for node in order:
        gate = G.nodes[node].get("gate", "and")
        kids = [c for c in _children(G, node) if (node, c) not in back]
        if node in failed:
            avail[node] = False
        elif gate == "or":
            avail[node] = any(avail[c] for c in kids) or node in bridged or G.out_degree(node) == 0
        else:
            avail[node] = all(avail[c] for c in kids)
    return avail


class IncrementalAvailability:
    """Availability under one root, re-evaluated for failure sets by upward propagation only.

    :func:`availability` walks everything reachable from the root for every failure set; with a
    thousand cut sets per accelerator and ten thousand reachable nodes that is quadratic. This
    class does the walk once: the post-order, its back edges (dropped exactly as
    :func:`availability` drops them, ``on_cycle`` as there), ``before`` (the availability without
    failures, with the same ``bridged``), each node's position in the post-order and its parents
    over uncut, non-back edges. :meth:`failures` then starts at the failed nodes and re-evaluates
    only the parents of nodes that changed.

    Why this is exact: every uncut, non-back edge goes from a later to an earlier post-order
    position, so taking nodes from a heap keyed by position evaluates a parent only after all of
    its children are final; and failures only turn True into False (the gates are monotone), so
    a node that was unavailable before, or that no changed child reaches, keeps its value.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("chip", gate="and"); G.add_node("litho", gate="or")
    >>> for p in ("asml", "nikon"): G.add_node(p, gate="and", basic=True)
    >>> G.add_edges_from([("chip", "litho"), ("litho", "asml"), ("litho", "nikon")])
    >>> inc = IncrementalAvailability(G, "chip")
    >>> inc.failures(["asml"]), sorted(inc.failures(["asml", "nikon"]))
    ({'asml': False}, ['asml', 'chip', 'litho', 'nikon'])
    """

    def __init__(
        self, G: nx.DiGraph, root: Hashable, *, bridged: Iterable[Hashable] = (), on_cycle: str = "break"
    ) -> None:
        self.G = G
        self.root = root
        self.bridged = frozenset(bridged)
        self.order, back, self.cycles = _postorder(G, root, on_cycle)
        self.position: dict[Hashable, int] = {node: i for i, node in enumerate(self.order)}
        self.kids: dict[Hashable, list[Hashable]] = {}
        self.parents: dict[Hashable, list[Hashable]] = {node: [] for node in self.order}
        self.any_of: set[Hashable] = {n for n in self.order if G.nodes[n].get("gate", "and") == "or"}
        # OR nodes available whatever their children do: bridged, or without any edge (no data)
        self.steady: set[Hashable] = {n for n in self.any_of if n in self.bridged or G.out_degree(n) == 0}
        self.before: dict[Hashable, bool] = {}
        for node in self.order:
            kids = [c for c in _children(G, node) if (node, c) not in back]
            self.kids[node] = kids
            for child in kids:
                self.parents[child].append(node)
            self.before[node] = self._gate(node, {})

    def _gate(self, node: Hashable, changed: dict[Hashable, bool]) -> bool:
        """The rule of :func:`availability` for a node that has not failed, over ``before`` overlaid by ``changed``.

        A child is available when it was before and has not changed (every change is True -> False).
        """
        before = self.before
        if node in self.any_of:
            return node in self.steady or any(c not in changed and before[c] for c in self.kids[node])
        return all(c not in changed and before[c] for c in self.kids[node])

    def failures(self, failed: Iterable[Hashable]) -> dict[Hashable, bool]:
        """The nodes that the failure of ``failed`` takes away, as ``{node: False}``.

        Exactly the nodes where ``availability(G, root, failed=failed, bridged=bridged)`` is False
        and :attr:`before` is True; every other reachable node keeps its value in :attr:`before`.
        Failed nodes not reachable from the root, or unavailable already, change nothing.
        """
        changed: dict[Hashable, bool] = {}
        heap: list[int] = []
        queued: set[Hashable] = set()
        for node in dict.fromkeys(failed):  # deduplicated, in the order given
            if self.before.get(node):
                changed[node] = False
                self._push_parents(node, heap, queued, changed)
        while heap:
            node = self.order[heapq.heappop(heap)]
            if node not in changed and not self._gate(node, changed):
                changed[node] = False
                self._push_parents(node, heap, queued, changed)
        return changed

    def _push_parents(self, node: Hashable, heap: list[int], queued: set[Hashable], changed: dict) -> None:
        """Queue the parents of a node that just turned unavailable, once each, if they can still change.

        A parent cannot change when it was unavailable already, has changed (failed itself), or is steady.
        """
        for parent in self.parents[node]:
            if parent not in queued and parent not in changed and self.before[parent] and parent not in self.steady:
                queued.add(parent)
                heapq.heappush(heap, self.position[parent])
