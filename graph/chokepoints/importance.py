"""Importance of providers from the minimal cut sets of an accelerator (Fussell-Vesely style).

A provider matters to an accelerator in proportion to the share of its minimal cut sets that it
appears in, weighted by order: a single point of failure weighs more than a pair, a pair more than
a triple. With the same small failure probability ``q`` for every provider, a cut set of order
``n`` weighs ``q ** n`` (the probability that all its members fail), and the importance of
provider ``i`` is

    FV(i) = sum of q ** |C| over the cut sets C that contain i / sum of q ** |C| over all C,

the Fussell-Vesely measure under the rare-event approximation. It lies in [0, 1]; a provider in
every cut set has 1. ``q = 0.1`` (the default) makes a single point count ten pairs. SCRAM's
*criticality importance factor* (CIF) with ``--rare-event`` is the same number wherever the
rare-event sum stays below 1 when the provider is set failed (SCRAM clips probabilities at 1, so
for a single point of failure it differs); its ``occurrence`` is :func:`importance`'s
``cut_sets``. Only the truncated cut sets count (order <= ``max_order`` of the analysis).

References
----------
W. E. Vesely, T. C. Davis, R. S. Denning, N. Saltos, *Measures of Risk Importance and Their
Applications*, NUREG/CR-3385, U.S. Nuclear Regulatory Commission, 1983.
M. van der Borst and H. Schoonakker, "An overview of PSA importance measures", *Reliability
Engineering & System Safety* 72 (2001) 241-245, doi:10.1016/S0951-8320(01)00007-8.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from graph.errors import ChipgraphError

__all__ = ["importance", "importance_of"]


def importance(cut_sets: Any, *, q: float = 0.1) -> list[dict[str, Any]]:
    """Providers ranked by their Fussell-Vesely share of the minimal cut sets.

    Parameters
    ----------
    cut_sets : CutSets or iterable of sets
        The minimal cut sets (a :class:`~graph.chokepoints.cutsets.CutSets`, or sets of providers).
    q : float
        The failure probability of every provider, 0 < q < 1: a cut set of order n weighs q ** n.

    Returns
    -------
    list of dict
        One row per provider in a cut set, by falling ``importance`` then provider id (as text):
        ``rank``, ``provider``, ``importance`` (FV share), ``cut_sets`` (how many contain it) and
        ``by_order`` (how many of each order, a list from order 1).

    Examples
    --------
    >>> rows = importance([{"tel"}, {"asml", "nikon"}])
    >>> [(r["provider"], round(r["importance"], 4), r["cut_sets"]) for r in rows]
    [('tel', 0.9091, 1), ('asml', 0.0909, 1), ('nikon', 0.0909, 1)]
    """
    if not 0.0 < q < 1.0:
        raise ChipgraphError(f"q must be between 0 and 1, not {q}")
    sets = cut_sets.as_sets() if hasattr(cut_sets, "as_sets") else [frozenset(c) for c in cut_sets]
    sets = [s for s in dict.fromkeys(sets) if s]
    if not sets:
        return []
    top = max(len(s) for s in sets)
    total = sum(q ** len(s) for s in sets)
    weight: dict[Hashable, float] = {}
    counts: dict[Hashable, list[int]] = {}
    for s in sets:
        w = q ** len(s)
        for p in s:
            weight[p] = weight.get(p, 0.0) + w
            counts.setdefault(p, [0] * top)[len(s) - 1] += 1
    ranked = sorted(weight, key=lambda p: (-weight[p], str(p)))
    return [
        {
            "rank": i + 1,
            "provider": p,
            "importance": weight[p] / total,
            "cut_sets": sum(counts[p]),
            "by_order": counts[p],
        }
        for i, p in enumerate(ranked)
    ]


def importance_of(rows: Iterable[dict[str, Any]]) -> dict[Hashable, float]:
    """``{provider: importance}`` from the rows of :func:`importance`."""
    return {r["provider"]: r["importance"] for r in rows}
