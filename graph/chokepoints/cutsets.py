"""Minimal cut sets of bounded order in an AND/OR requirement graph (fault-tree style).

An edge ``u -> v`` says "u needs v". A node's ``gate`` says how: ``"and"`` (needs every child;
a node without children is available), ``"or"`` (needs one child). Nodes with ``basic=True`` are
the *basic events*: they can fail (a provider stops supplying). Edges whose ``cut_by`` attribute
is non-empty are already cut (a measure is in force) and are ignored. An OR node all of whose
edges are cut is *blocked*; a blocked node listed in ``bridged`` counts as available but cannot
fail any more (as when installed tools or stock bridge a cut-off).

A *cut set* of a root is a set of basic events whose joint failure makes the root unavailable;
it is *minimal* if no proper subset is one. Translated to fault-tree terms, a requirement AND is
a fault-tree OR gate (the item fails if any need fails) and a requirement OR is a fault-tree AND
gate (it fails only if every alternative fails); the cut sets are those of the fault tree
(:mod:`graph.chokepoints.openpsa` writes that fault tree for other tools).

Algorithm: one post-order pass over the graph reachable from the root computes, bottom-up and
truncated at order ``k = max_order`` (as MOCUS with a cut-off on order), for every available node
its *family*: the singles ``S`` and a set ``H`` of cut sets of order 2..k containing all minimal
ones. Basic events are numbered in post-order and a set of them is one Python ``int`` used as a
bitset, so union is ``|``, intersection ``&`` and order ``int.bit_count``:

- basic node ``b``: its bit joins ``S`` (and sets containing it leave ``H``);
- AND node (a fault-tree OR): ``S`` = union of the children's ``S``; ``H`` = union of the
  children's ``H`` less sets meeting ``S``. The union is *lazy*: it is formed only when an OR
  node or the root asks for it, over the frontier below, so a long chain of AND nodes does not
  copy the same sets into every ancestor (the cost the frozenset version paid);
- OR node (a fault-tree AND) over available children, folded pairwise, ``F1 x F2``:
  ``S = S1 & S2``; the products of a single of one child with a single of the other; the sets
  of one child that also kill the other (they meet its singles) or, below order ``k``, the
  sets of one child with one single of the other added; the unions of a set of each child of
  order at most ``k`` (found through an index by element). Children's ``H`` avoid their ``S``,
  so no product meets the new ``S``.

Sets in ``H`` may be non-minimal (a triple containing a pair found elsewhere); they are genuine
cut sets, and the root's family is minimised once at the end. Each node is visited once, so a
shared node (a provider of several items) is computed once and its failure is seen by every
parent: that is what makes ``{ASML}`` a single cut set of a node that needs EUV *or* ArF immersion
scanners when ASML is the only provider of both.

Cycles: a requirement loop has no bottom-up order. With ``on_cycle="raise"`` a
:class:`~graph.errors.ChipgraphError` names the loop; with ``on_cycle="break"`` the edge that
closes the loop in a depth-first search from the root (children in sorted order) is dropped and
the loop is reported in ``CutSets.cycles``. Dropping it means: as an AND requirement it counts as
met (existing stock breaks the loop); as an OR alternative it does not count (a loop cannot
supply itself). Both choices keep a loop from making anything available out of nothing. The
search runs first without sorting (an acyclic graph has the same cut sets in any order) and is
repeated in sorted order only when it meets a loop.

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
A. Rauzy, "Mathematical foundations of minimal cutsets", *IEEE Trans. Reliability* 50 (2001)
389-396, doi:10.1109/24.983400 (truncation by order, minimisation).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import ChipgraphError

__all__ = ["CutSets", "minimal_cut_sets", "availability", "IncrementalAvailability", "is_cut", "walk"]

Pair = frozenset


@dataclass
class CutSets:
    """The result of :func:`minimal_cut_sets`: minimal cut sets by order, each list sorted."""

    root: Hashable
    available: bool  # the root can be had at all (after cut edges and bridging)
    singles: list[Hashable] = field(default_factory=list)
    pairs: list[tuple[Hashable, Hashable]] = field(default_factory=list)
    cycles: list[list[Hashable]] = field(default_factory=list)
    higher: list[tuple[Hashable, ...]] = field(default_factory=list)  # order 3 and above

    def as_sets(self) -> list[frozenset]:
        """All cut sets as frozensets, singles first, then pairs, then higher orders."""
        return (
            [frozenset([s]) for s in self.singles]
            + [frozenset(p) for p in self.pairs]
            + [frozenset(t) for t in self.higher]
        )


def is_cut(data: dict[str, Any]) -> bool:
    """True when an edge is cut by a measure in force."""
    return bool(data.get("cut_by"))


def _children(G: nx.DiGraph, node: Hashable) -> list[Hashable]:
    """The children of ``node`` over uncut edges, sorted by their text (a fixed search order).

    Reads networkx's plain adjacency dict (as :class:`_Families` does): the walks call this for
    every node they visit, and the mapping views cost more than the work itself.
    """
    adj = G._adj if hasattr(G, "_adj") else G.adj
    kids = [v for v, d in adj[node].items() if not d.get("cut_by")]
    if len(kids) > 1:
        kids.sort(key=str)
    return kids


def _walk(
    G: nx.DiGraph, root: Hashable, on_cycle: str
) -> tuple[list[Hashable], dict[Hashable, list[Hashable]], list[list]]:
    """:func:`_postorder` with each node's children over uncut edges minus the back edges.

    Availability reads these lists again for every node; keeping them from the search saves
    reading and sorting every adjacency twice.
    """
    order: list[Hashable] = []
    state: dict[Hashable, int] = {root: 1}  # 1 = on the stack, 2 = done
    first = _children(G, root)
    kids: dict[Hashable, list[Hashable]] = {root: first}
    stack: list[tuple[Hashable, list[Hashable], int]] = [(root, first, 0)]
    path: list[Hashable] = [root]
    cycles: list[list] = []
    while stack:
        node, todo, i = stack[-1]
        if i < len(todo):
            child = todo[i]
            stack[-1] = (node, todo, i + 1)
            st = state.get(child)
            if st is None:
                state[child] = 1
                grand = _children(G, child)
                kids[child] = grand
                stack.append((child, grand, 0))
                path.append(child)
            elif st == 1:
                loop = path[path.index(child) :] + [child]
                if on_cycle == "raise":
                    raise ChipgraphError(
                        "the dependency graph has a requirement loop: "
                        + " -> ".join(map(str, loop))
                        + " (pass on_cycle='break' to treat the closing edge as satisfied)"
                    )
                cycles.append(loop)
                kids[node] = [c for c in kids[node] if c != child]  # a copy: ``todo`` is still walked
        else:
            stack.pop()
            path.pop()
            state[node] = 2
            order.append(node)
    return order, kids, cycles


Walk = tuple[list[Hashable], dict[Hashable, list[Hashable]], list[list]]


def walk(G: nx.DiGraph, root: Hashable, on_cycle: str = "break") -> Walk:
    """The search under ``root`` that :func:`availability` and :class:`IncrementalAvailability` make.

    Both depend on the graph's cuts only through it, so a caller asking both about the same
    graph and root (the analysis: availability without bridging, then with) can search once and
    pass the result to each as ``walk``.
    """
    return _walk(G, root, on_cycle)


def _postorder(G: nx.DiGraph, root: Hashable, on_cycle: str) -> tuple[list[Hashable], set[tuple], list[list]]:
    """Nodes reachable from root over uncut edges, children before parents; back edges found."""
    order, _, cycles = _walk(G, root, on_cycle)
    back = {(loop[-2], loop[-1]) for loop in cycles}
    return order, back, cycles


# --- the frozenset version (order <= 2), kept as a reference for scripts/bench_*.py ---------------


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
        singles: frozenset
        pairs: set[frozenset]
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


# --- the bitset engine --------------------------------------------------------------------------
# Basic event i is bit 1 << i. A node's family is a pair (S, F): S the singles as a bitset, F a
# bitset over the *sources*, the families of order 2..k kept in a list (``sources[j]``, a frozenset
# of bitsets, for bit 1 << j of F). An OR node's fold makes a source; an AND node's F is the union
# of its children's, so forming its sets (the union of its sources, less those meeting S) waits
# until an OR node or the root needs them. An unavailable node has the family None.

_EMPTY: frozenset = frozenset()
_ON_STACK = object()  # marks a node on the DFS stack
_MISSING = object()


def _bits(x: int) -> list[int]:
    """The one-bit ints of a bitset, lowest first."""
    out = []
    while x:
        low = x & -x
        out.append(low)
        x ^= low
    return out


def _positions(x: int) -> list[int]:
    """The indices of the set bits of ``x``."""
    text = bin(x)
    top = len(text) - 1
    return [top - i for i, c in enumerate(text) if c == "1"]


def _fold(s1: int, h1: frozenset, s2: int, h2: frozenset, k: int) -> tuple[int, frozenset]:
    """The family of a fault-tree AND of two families (see the module notes), truncated at ``k``."""
    s = s1 & s2
    a, b = s1 & ~s2, s2 & ~s1  # singles of one child only
    out: set[int] = set()
    if a and b:
        bl = _bits(b)
        for x in _bits(a):
            out.update([x | y for y in bl])
    for hx, sy, ay in ((h1, s2, b), (h2, s1, a)):
        if not hx:
            continue
        ays = None
        for h in hx:
            if h & sy:
                out.add(h)  # kills the other child too
            elif ay and h.bit_count() < k:
                if ays is None:
                    ays = _bits(ay)
                out.update([h | y for y in ays])
    if h1 and h2:
        if k == 2:
            out |= h1 & h2
        elif k == 3:
            small, large = (h1, h2) if len(h1) <= len(h2) else (h2, h1)
            index: dict[int, list[int]] = {}
            for h in small:
                for y in _bits(h):
                    index.setdefault(y, []).append(h)
            for h in large:
                for y in _bits(h):
                    for g in index.get(y, ()):
                        u = h | g
                        if u.bit_count() <= 3:
                            out.add(u)
        else:
            for x in h1:
                for y in h2:
                    u = x | y
                    if u.bit_count() <= k:
                        out.add(u)
    return s, frozenset(out)


class _Families:
    """Families of the nodes under one root, computed bottom-up by :meth:`run`."""

    def __init__(self, G: nx.DiGraph, k: int, bridged: frozenset) -> None:
        self.G = G
        self.adj = G._adj if hasattr(G, "_adj") else G.adj
        self.ndata = G._node if hasattr(G, "_node") else G.nodes
        self.k = k
        self.bridged = bridged
        self.basics: list[Hashable] = []  # bit i <-> basics[i]
        self.sources: list[frozenset] = []
        self.info: dict[Hashable, Any] = {}  # node -> (S, F), None (unavailable) or _ON_STACK
        self.formed: dict[Hashable, frozenset] = {}

    def sets(self, node: Hashable, fam: tuple[int, int], keep: bool = True) -> frozenset:
        """The cut sets of order 2..k of an available node: the union of its sources less those meeting S."""
        got = self.formed.get(node)
        if got is not None:
            return got
        s, f = fam
        if not f:
            return _EMPTY
        pos = _positions(f)
        src = self.sources
        h = src[pos[0]] if len(pos) == 1 else src[pos[0]].union(*[src[i] for i in pos[1:]])
        if s:
            h = frozenset([x for x in h if not x & s])
        if keep:
            self.formed[node] = h
        return h

    def _source(self, h: frozenset) -> int:
        if not h:
            return 0
        self.sources.append(h)
        return 1 << (len(self.sources) - 1)

    def _or(self, kids: list[tuple[Hashable, tuple[int, int]]]) -> tuple[int, int]:
        """The family of a requirement OR node (a fault-tree AND) over two or more available children."""
        k = self.k
        if k == 1:
            s = -1
            for _, f in kids:
                s &= f[0]
            return s, 0
        if not any(f[1] for _, f in kids):
            u = 0
            for _, f in kids:
                x = f[0]
                if not x or x & (x - 1):
                    break  # an alternative that cannot fail, or that has several singles
                u |= x
            else:  # every alternative fails with one basic event: the product is their union
                n = u.bit_count()
                if n == 1:
                    return u, 0
                return 0, (self._source(frozenset([u])) if n <= k else 0)
        (c0, f0), rest = kids[0], kids[1:]
        s, h = f0[0], self.sets(c0, f0)
        for c, f in rest:
            s, h = _fold(s, h, f[0], self.sets(c, f), k)
            if not s and not h:
                break
        return s, self._source(h)

    def _finish(self, node: Hashable, is_or: bool, basic: Any, s: int, f: int, kids: Any, ok: bool) -> Any:
        """The family of a node whose children are all done."""
        if is_or:
            if kids:
                fam = kids[0][1] if len(kids) == 1 else self._or(kids)
            elif self.adj[node] and node not in self.bridged:
                return None
            else:
                fam = (0, 0)  # no supply data, or bridged: available, cannot fail
        elif ok:
            fam = (s, f)
        else:
            return None
        if basic:
            bit = 1 << len(self.basics)
            self.basics.append(node)
            s, f = fam
            if f:  # sets containing the node itself are no longer minimal
                h = self.sets(node, fam, keep=False)
                f = self._source(frozenset([x for x in h if not x & bit]))
            fam = (s | bit, f)
        return fam

    def run(self, root: Hashable) -> bool:
        """Compute the families of every node under the root (post-order); False on meeting a loop.

        One depth-first pass: each uncut edge is read once, and a child's family is folded into
        its parent's running state (``s``, ``f`` for an AND, the available children for an OR)
        as soon as the child is done. The state of the nodes on the path waits on a stack.
        """
        adj, ndata, info = self.adj, self.ndata, self.info
        missing, on_stack = _MISSING, _ON_STACK
        finish = self._finish
        stack: list[tuple] = []
        node = root
        info[root] = on_stack
        data = ndata[root]
        is_or, basic = data.get("gate", "and") == "or", data.get("basic")
        it = iter(adj[root].items())
        s = f = 0
        kids: list | None = [] if is_or else None
        ok = True
        while True:
            for v, d in it:
                if d.get("cut_by"):
                    continue
                c = info.get(v, missing)
                if c is missing:  # go down to v
                    info[v] = on_stack
                    stack.append((node, it, is_or, basic, s, f, kids, ok))
                    node = v
                    data = ndata[v]
                    is_or, basic = data.get("gate", "and") == "or", data.get("basic")
                    it = iter(adj[v].items())
                    s = f = 0
                    kids = [] if is_or else None
                    ok = True
                    break
                if c is on_stack:
                    return False  # v is on the path to node: a loop
                if is_or:
                    if c is not None:
                        kids.append((v, c))  # type: ignore[union-attr]
                elif c is None:
                    ok = False
                else:
                    s |= c[0]
                    f |= c[1]
            else:  # every child of node is done
                if is_or or basic:
                    fam = finish(node, is_or, basic, s, f, kids, ok)
                else:
                    fam = (s, f) if ok else None
                info[node] = fam
                if not stack:
                    return True
                child = node
                node, it, is_or, basic, s, f, kids, ok = stack.pop()
                if is_or:
                    if fam is not None:
                        kids.append((child, fam))
                elif fam is None:
                    ok = False
                else:
                    s |= fam[0]
                    f |= fam[1]

    def result(self, root: Hashable) -> tuple[bool, list, list[list]]:
        """(available, singles, cut sets of order 2..k by order) of the root, minimised, as node lists."""
        fam = self.info[root]
        if fam is None:
            return False, [], []
        h = self.sets(root, fam) if self.k > 1 else _EMPTY
        by_order: list[list[int]] = [[] for _ in range(max(self.k, 2) + 1)]
        for x in h:
            by_order[x.bit_count()].append(x)
        lower: set[int] = set(by_order[2])
        for order in range(3, self.k + 1):
            kept = []
            for x in by_order[order]:
                if any((x ^ y) in lower for y in _bits(x)):
                    continue
                if order >= 4 and any(y & x == y and y.bit_count() < order - 1 for y in lower):
                    continue
                kept.append(x)
            by_order[order] = kept
            lower.update(kept)
        basics = self.basics

        def names(x: int) -> list:
            return [basics[b.bit_length() - 1] for b in _bits(x)]

        singles = [basics[i] for i in _positions(fam[0])] if fam[0] else []
        return True, singles, [[names(x) for x in by_order[o]] for o in range(2, self.k + 1)]


def _without_loops(G: nx.DiGraph, root: Hashable, back: set[tuple]) -> nx.DiGraph:
    """The graph under the root with the loop-closing edges marked cut (what dropping them means)."""
    H = G.subgraph(nx.descendants(G, root) | {root}).copy()
    for u, v in back:
        H.edges[u, v]["cut_by"] = ("requirement loop",)
    return H


def _sort_key(sets: list[list]) -> list[tuple]:
    return sorted((tuple(sorted(x, key=str)) for x in sets), key=lambda t: tuple(map(str, t)))


def minimal_cut_sets(
    G: nx.DiGraph, root: Hashable, *, max_order: int = 2, bridged: Iterable[Hashable] = (), on_cycle: str = "raise"
) -> CutSets:
    """Minimal cut sets of order <= ``max_order`` of ``root``.

    Parameters
    ----------
    G : networkx.DiGraph
        Requirement graph: node attributes ``gate`` ("and"/"or") and ``basic`` (bool); edge
        attribute ``cut_by`` (non-empty = cut).
    root : node
    max_order : int
        1 (single points of failure), 2 (also pairs), 3 (also triples); more is allowed but the
        number of cut sets, and the time, grow fast with the order.
    bridged : nodes
        Blocked OR nodes that count as available (stock) but cannot fail.
    on_cycle : {"raise", "break"}

    Returns
    -------
    CutSets
        ``available`` is False when the root is already unavailable; its cut sets are then empty
        (the empty set is the only minimal cut set). ``singles``, ``pairs`` and ``higher`` (order
        3 and up, by order) are sorted by the node ids as text.

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
    >>> G.add_edge("litho", "canon"); G.add_node("canon", basic=True)
    >>> minimal_cut_sets(G, "chip", max_order=3).higher
    [('asml', 'canon', 'nikon')]
    """
    if not isinstance(max_order, int) or isinstance(max_order, bool) or max_order < 1:
        raise ChipgraphError(f"max_order must be a whole number of at least 1, not {max_order!r}")
    if root not in G:
        raise ChipgraphError(f"{root!r} is not in the dependency graph")
    if on_cycle not in ("raise", "break"):
        raise ChipgraphError(f"on_cycle must be 'raise' or 'break', not {on_cycle!r}")
    bridged = frozenset(bridged)
    engine = _Families(G, max_order, bridged)
    cycles: list[list] = []
    if not engine.run(root):  # a loop: the sorted search decides which edge closes it
        _, back, cycles = _postorder(G, root, on_cycle)
        engine = _Families(_without_loops(G, root, back), max_order, bridged)
        engine.run(root)
    ok, singles, higher = engine.result(root)
    if not ok:
        return CutSets(root=root, available=False, cycles=cycles)
    return CutSets(
        root=root,
        available=True,
        singles=sorted(singles, key=str),
        pairs=_sort_key(higher[0]) if higher else [],
        cycles=cycles,
        higher=[t for group in higher[1:] for t in _sort_key(group)],
    )


def availability(
    G: nx.DiGraph,
    root: Hashable,
    *,
    failed: Iterable[Hashable] = (),
    bridged: Iterable[Hashable] = (),
    on_cycle: str = "break",
    walk: Walk | None = None,
) -> dict[Hashable, bool]:
    """Which nodes reachable from ``root`` are available when the ``failed`` basic events fail.

    ``walk``: the result of :func:`walk` for this graph, root and ``on_cycle``, if already made.
    """
    failed = set(failed)
    bridged = frozenset(bridged)
    order, children, _ = walk if walk is not None else _walk(G, root, on_cycle)
    ndata = G._node if hasattr(G, "_node") else G.nodes
    adj = G._adj if hasattr(G, "_adj") else G.adj
    avail: dict[Hashable, bool] = {}
    for node in order:
        gate = ndata[node].get("gate", "and")
        kids = children[node]
        if node in failed:
            avail[node] = False
        elif gate == "or":
            avail[node] = any(avail[c] for c in kids) or node in bridged or not adj[node]
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
        self,
        G: nx.DiGraph,
        root: Hashable,
        *,
        bridged: Iterable[Hashable] = (),
        on_cycle: str = "break",
        walk: Walk | None = None,
    ) -> None:
        self.G = G
        self.root = root
        self.bridged = frozenset(bridged)
        self.order, children, self.cycles = walk if walk is not None else _walk(G, root, on_cycle)
        self.position: dict[Hashable, int] = {node: i for i, node in enumerate(self.order)}
        self.kids: dict[Hashable, list[Hashable]] = {}
        self.parents: dict[Hashable, list[Hashable]] = {node: [] for node in self.order}
        self.any_of: set[Hashable] = {n for n in self.order if G.nodes[n].get("gate", "and") == "or"}
        # OR nodes available whatever their children do: bridged, or without any edge (no data)
        self.steady: set[Hashable] = {n for n in self.any_of if n in self.bridged or G.out_degree(n) == 0}
        self.before: dict[Hashable, bool] = {}
        for node in self.order:
            kids = children[node]
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
