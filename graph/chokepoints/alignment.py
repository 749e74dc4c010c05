"""Which governments' controls would cut an accelerator: the "one or two governments away" findings.

The provider cut sets (:mod:`graph.chokepoints.cutsets`) ask which *firms* an accelerator cannot
lose. Analysts also ask which *governments* it cannot have align: after the measures in force,
the foreign supply of an input that is left may all come from one or two countries whose
governments do not control it (yet). If those governments controlled that input for Chinese
buyers, as others already do, the buyer would be left with the Chinese providers alone. This
module finds, for each accelerator, the smallest sets of such countries per input.

The finding is an *alignment* finding, listed apart from the provider cut sets, and it assumes:

* the Chinese providers left are those no source shows serving the 7 nm class (the graph
  :func:`graph.chokepoints.analysis.without_partial_substitutes` makes): a Chinese provider
  whose capability is sourced keeps the input, and then no foreign government can cut it;
* supply with no country (ETO's "Various companies") is never attributed to a government;
* only buyers in China count: a control aimed at China does not reach a fab abroad;
* what is already cut off counts as bridged (installed tools, stock), as for the cut sets;
* an input had through its sub-categories (``isTypeOf`` variants) is judged per sub-category;
* an input other designers make themselves (their own cores) gives no finding for a designer
  that no source shows making or licensing it (the supply node's ``source_unsourced``): that it
  depends on the world's licensors is not known (Hygon's DCU and core IP).

A set of countries *cuts* in a reading when the accelerator is lost once those countries'
supply of the input ends; the rows are the minimal sets. The cutting sets are returned too, so
that :func:`graph.chokepoints.analysis.merge_readings` can call a row robust when its set cuts in
every reading (:func:`holds_in`), even where a smaller set suffices in one of them (Japan alone
for ion implanters in the broad reading, Japan and Taiwan in the narrow one: the pair holds in
both, Japan alone only in the broad reading).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from itertools import combinations
from typing import Any

import networkx as nx

from graph.chokepoints.cutsets import IncrementalAvailability, Walk, is_cut
from graph.chokepoints.cutsets import walk as walk_under
from graph.read.model import DOMESTIC

__all__ = ["government_rows", "holds_in", "KEY_PREFIX"]

#: The prefix of an alignment finding's key: ``government:JPN+TWN:ion-implanters``.
KEY_PREFIX = "government:"


def _parts(key: str) -> tuple[frozenset[str], str]:
    """(countries, item) of an alignment key."""
    countries, _, item = key.removeprefix(KEY_PREFIX).partition(":")
    return frozenset(countries.split("+")), item


def holds_in(key: str, cutting_keys: Iterable[str]) -> bool:
    """Does the alignment finding ``key`` hold where these sets cut? It does when one of them is
    for the same input and within its countries (a control by more governments cuts no less)."""
    countries, item = _parts(key)
    return any(other_item == item and other <= countries for other, other_item in map(_parts, cutting_keys))


def _candidates(H: nx.DiGraph, reachable: Iterable[Hashable]) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """Input -> its supply nodes that foreign governments alone could cut, with their countries.

    A supply node qualifies when it is bought by a party in China and every edge left uncut
    is a provider's from a named foreign country (no variant left). Such a node has an uncut
    provider, so it is available and not bridged (bridged nodes have none); no availability
    needs computing to find it.
    """
    out: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    for node in reachable:
        data = H.nodes[node]
        if data.get("kind") != "supply" or data.get("gate") != "or" or data.get("source_unsourced"):
            continue  # source_unsourced: no source says the buyer licenses it rather than makes it
        left = [d for d in H.adj[node].values() if not is_cut(d)]
        if not left or any("provider" not in d or d.get("buyer_country") != DOMESTIC for d in left):
            continue
        countries = frozenset(str(d.get("provider_country") or "") for d in left)
        if "" in countries or DOMESTIC in countries:
            continue
        out[str(data["entity"])].append((str(node), countries))
    return out


def _left_in_china(G: nx.DiGraph, nodes: Iterable[str]) -> list[str]:
    """The Chinese providers still supplying these nodes in ``G``: the partial substitutes left."""
    return sorted(
        {
            str(d.get("provider", v))
            for n in nodes
            for v, d in G.adj[n].items()
            if not is_cut(d) and d.get("provider_country") == DOMESTIC and d.get("partial_substitute")
        }
    )


def government_rows(
    G: nx.DiGraph,
    H: nx.DiGraph,
    root: Hashable,
    bridged: Iterable[Hashable],
    base: dict[str, Any],
    max_order: int,
    *,
    walk: Walk | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows, cutting keys): the minimal sets of at most ``max_order`` countries per input whose
    control would cut the accelerator ``root``, and the keys of every set that cuts.

    ``G`` is the prepared graph (labels, the Chinese providers left), ``H`` the same without
    partial substitutes, ``bridged`` the nodes that count as bridged in ``H``, ``walk`` the
    search of ``H`` under ``root`` if the caller has made it (:func:`graph.chokepoints.cutsets.walk`).
    """
    search = walk if walk is not None else walk_under(H, root)
    candidates = _candidates(H, search[0])
    if not candidates:
        return [], []
    inc = IncrementalAvailability(H, root, bridged=bridged, walk=search)
    if not inc.before.get(root):
        return [], []
    labels = G.graph.get("labels", {})
    rows: list[dict[str, Any]] = []
    cutting_keys: list[str] = []
    for item, nodes in sorted(candidates.items()):
        countries = sorted(frozenset().union(*(c for _, c in nodes)))
        cuts: dict[frozenset[str], list[str]] = {}
        for k in range(1, min(max_order, len(countries)) + 1):
            for combo in combinations(countries, k):
                chosen = frozenset(combo)
                members = [n for n, c in nodes if c <= chosen]
                if members and root in inc.failures(members):
                    cuts[chosen] = members
        for chosen, members in sorted(cuts.items(), key=lambda kv: (len(kv[0]), sorted(kv[0]))):
            key = f"{KEY_PREFIX}{'+'.join(sorted(chosen))}:{item}"
            cutting_keys.append(key)
            if any(other < chosen for other in cuts):
                continue  # not minimal: a smaller set of these countries cuts already
            rows.append(_row(G, H, item, sorted(chosen), members, base, labels, key))
    return rows, cutting_keys


def _row(
    G: nx.DiGraph,
    H: nx.DiGraph,
    item: str,
    countries: list[str],
    members: list[str],
    base: dict[str, Any],
    labels: dict[str, str],
    key: str,
) -> dict[str, Any]:
    edges = [d for n in members for d in H.adj[n].values() if not is_cut(d)]
    providers = sorted({str(d["provider"]) for d in edges})
    shares: dict[str, float] = {}
    country_of: dict[str, str] = {}
    for d in edges:
        country_of[str(d["provider"])] = str(d.get("provider_country") or "")
        if d.get("share") is not None:
            shares[str(d["provider"])] = max(shares.get(str(d["provider"]), 0.0), float(d["share"]))
    # each government's part of the world supply left, so a row shows which of them is the gap
    by_country = {c: round(sum(v for p, v in shares.items() if country_of[p] == c), 3) for c in countries}
    left = _left_in_china(G, members)
    label = str(G.nodes[members[0]].get("label", item))
    who = " and ".join(countries)
    parts = ", ".join(f"{c} {by_country[c]:g} %" for c in countries) if shares else who
    kind = f"would cut if {who} controlled it" + (
        " (the Chinese providers left are not shown serving 7 nm)" if left else " (no Chinese provider left)"
    )
    return {
        **base,
        "order": len(countries),
        "kind": kind,
        "key": key,
        "label": f"{label} ({parts} of world supply)" if shares else f"{label} ({who})",
        "items": [item],
        "item_labels": [label],
        "buyers": sorted({str(H.nodes[n].get("buyer", "")) for n in members} - {""}),
        "providers": providers,
        "provider_labels": [labels.get(p, p) for p in providers],
        "foreign_share": round(sum(shares.values()), 3) if shares else None,
        "government_shares": by_country if shares else None,
        "left_in_china": left,
        "left_in_china_labels": [labels.get(p, p) for p in left],
        "countries": countries,
        "measures": [],
        "citations": [],
        "servicing_cut_by": [],
        "servicing_cut_for": [],
        "domestic": False,
        "domestic_share": None,
    }
