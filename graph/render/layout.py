"""Deterministic node positions, computed in Python so the browser never runs physics.

Small graphs get a seeded force-directed layout (networkx ``spring_layout``); beyond
:data:`SPRING_LIMIT` nodes that costs too much (it is quadratic), so only the best-connected
nodes are laid out that way and every other node is placed near its best-placed neighbour, or
on an outer spiral when it has none. Dependency graphs get a layered layout (depth from the
root, one column per depth). Coordinates are rounded so that the output is byte-stable.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

__all__ = ["force_layout", "layered_layout", "SPRING_LIMIT"]

SPRING_LIMIT = 600
SEED = 7
GRAVITY = 0.08
#: A node key: any hashable value the caller names its nodes by (the site uses IRIs).
K = TypeVar("K", bound=Hashable)


def _jitter(key: Hashable, radius: float) -> tuple[float, float]:
    """A stable pseudo-random offset for ``key`` (same key, same offset, on every run)."""
    digest = hashlib.sha1(repr(key).encode()).digest()
    angle = int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi
    dist = radius * (0.5 + int.from_bytes(digest[4:8], "big") / 2**33)
    return dist * math.cos(angle), dist * math.sin(angle)


def _fruchterman_reingold(n: int, pairs: list[tuple[int, int]], iterations: int = 80):
    """Fruchterman-Reingold force-directed placement of ``n`` nodes in [-1, 1]^2, seeded.

    The dense O(n^2)-per-iteration form (as networkx's ``spring_layout`` for small graphs),
    written with numpy alone so that it needs no scipy. Fruchterman & Reingold, "Graph drawing
    by force-directed placement", Software: Practice and Experience 21(11), 1991.
    """
    import numpy as np

    rng = np.random.default_rng(SEED)
    pos = rng.random((n, 2)) - 0.5
    if n == 1:
        return pos * 0
    adj = np.zeros((n, n))
    for a, b in pairs:
        adj[a, b] = adj[b, a] = 1.0
    k = math.sqrt(1.0 / n)
    t = 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=-1))
        np.clip(dist, 0.01, None, out=dist)
        force = k * k / dist**2 - adj * dist / k
        disp = np.einsum("ijk,ij->ik", delta, force)
        disp -= GRAVITY * pos * np.sqrt((pos**2).sum(axis=1))[:, None] * n * k  # keeps components together
        length = np.sqrt((disp**2).sum(axis=1))
        length = np.where(length < 0.01, 0.1, length)
        pos += disp * (t / length)[:, None]
        t -= dt
    pos -= pos.mean(axis=0)
    extent = np.abs(pos).max()
    return pos / extent if extent > 0 else pos


def force_layout(nodes: list[K], edges: Iterable[tuple[K, K]], spacing: float = 90.0) -> dict[K, tuple[float, float]]:
    """Positions for ``nodes`` (in pixels, centred on 0,0) from a seeded spring layout."""
    nodes = list(nodes)
    if not nodes:
        return {}
    adjacency: dict[K, set[K]] = defaultdict(set)
    for a, b in edges:
        if a != b:
            adjacency[a].add(b)
            adjacency[b].add(a)
    order = {n: i for i, n in enumerate(nodes)}
    core = sorted(nodes, key=lambda n: (-len(adjacency[n]), order[n]))[:SPRING_LIMIT]
    core_set = set(core)
    core.sort(key=order.__getitem__)
    index = {n: i for i, n in enumerate(core)}
    pairs = [(index[a], index[b]) for a in core for b in adjacency[a] if b in core_set]
    raw = _fruchterman_reingold(len(core), pairs, iterations=80)
    scale = spacing * math.sqrt(len(nodes)) / 2
    pos: dict[K, tuple[float, float]] = {
        n: (float(raw[i, 0]) * scale, float(raw[i, 1]) * scale) for n, i in index.items()
    }

    # Place the rest breadth-first around their already placed neighbours.
    queue = deque(n for n in core)
    while queue:
        n = queue.popleft()
        for m in sorted(adjacency[n], key=order.__getitem__):
            if m not in pos:
                dx, dy = _jitter(m, spacing * 1.5)
                pos[m] = (pos[n][0] + dx, pos[n][1] + dy)
                queue.append(m)
    # Unconnected leftovers go on a sunflower spiral outside the laid-out disc.
    rest = [n for n in nodes if n not in pos]
    if rest:
        radius = max((math.hypot(x, y) for x, y in pos.values()), default=0.0) + spacing * 2
        golden = math.pi * (3 - math.sqrt(5))
        for i, n in enumerate(rest):
            r = radius + spacing * math.sqrt(i + 1)
            pos[n] = (r * math.cos(i * golden), r * math.sin(i * golden))
    return {n: (round(pos[n][0], 1), round(pos[n][1], 1)) for n in nodes}


def layered_layout(
    root: K,
    nodes: list[K],
    edges: Iterable[tuple[K, K]],
    sort_key: Callable[[K], SupportsRichComparison] | None = None,
    column_gap: float = 320.0,
    row_gap: float = 46.0,
    max_rows: int = 40,
) -> dict[K, tuple[float, float]]:
    """Columns by distance from ``root`` along ``edges`` (root at the left); long columns wrap.

    ``sort_key`` orders nodes within a column (default: their order in ``nodes``). Nodes not
    reachable from ``root`` go into a last column.
    """
    order = {n: i for i, n in enumerate(nodes)}
    key = sort_key or order.__getitem__
    succ: dict[K, list[K]] = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    depth = {root: 0}
    queue = deque([root])
    while queue:
        n = queue.popleft()
        for m in sorted(succ[n], key=order.__getitem__):
            if m in order and m not in depth:
                depth[m] = depth[n] + 1
                queue.append(m)
    last = max(depth.values(), default=0) + 1
    columns: dict[int, list[K]] = defaultdict(list)
    for n in nodes:
        columns[depth.get(n, last)].append(n)
    pos: dict[K, tuple[float, float]] = {}
    x = 0.0
    for d in sorted(columns):
        col = sorted(columns[d], key=key)
        sub = math.ceil(len(col) / max_rows)
        for i, n in enumerate(col):
            k, row = divmod(i, max_rows)
            rows_here = min(max_rows, len(col) - k * max_rows)
            pos[n] = (round(x + k * column_gap * 0.6, 1), round((row - (rows_here - 1) / 2) * row_gap, 1))
        x += column_gap + (sub - 1) * column_gap * 0.6
    return pos
