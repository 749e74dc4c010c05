"""Chokepoints of an accelerator: what is cut off already, and which one or two providers could end it.

For an accelerator and a date (the graph's ``as_of``, or one given here) the analysis reports:

- **order 0, "cut-off"**: supply nodes (an input for a buyer, or the fabrication of the chip)
  whose every provider is cut off by measures in force. Their measures and legal citations are
  listed. The accelerator is ``feasible`` only if it can still be had without them.
- **order 1 and 2**: the minimal cut sets (see :mod:`graph.chokepoints.cutsets`) of the rest of
  the chain. To keep analysing past a cut-off, cut-off nodes count as *bridged* (installed tools,
  stock, earlier deliveries) but can fail no further; ``feasible_with_stock`` tells whether the
  accelerator can be had then. A scenario can withdraw the bridge for named inputs (``unbridge``).

Each row says which items the cut set would take away, which countries its providers are in,
and whether the supply that remains is domestic (Chinese) and with what world share.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.chokepoints import nodeids
from graph.chokepoints.cuts import annotate_cuts
from graph.chokepoints.cutsets import IncrementalAvailability, availability, is_cut, minimal_cut_sets
from graph.chokepoints.importance import importance
from graph.chokepoints.measures import parse_date
from graph.chokepoints.scenarios import apply_scenario, as_scenario
from graph.errors import NotFoundError
from graph.read.model import DOMESTIC

__all__ = ["chokepoints", "analyse", "all_chokepoints", "domestic_accelerators"]


def _root(G: nx.DiGraph, accelerator: str) -> str:
    node = nodeids.accelerator(str(accelerator))
    if node not in G:
        close = sorted(a for a in G.graph.get("accelerators", []) if accelerator.lower() in a)[:5]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFoundError(f"no accelerator {accelerator!r} in the dependency graph{hint}")
    return node


def _prepared(G: nx.DiGraph, as_of: Any, scenario: Any, min_confidence: str | None) -> nx.DiGraph:
    """``G`` with its cuts for the date, scenario and confidence asked; a copy when they differ."""
    scenario = as_scenario(scenario)
    conf = min_confidence or G.graph.get("min_confidence", "medium")
    if scenario is not None:
        return annotate_cuts(
            apply_scenario(G, scenario), as_of or scenario.as_of or G.graph.get("as_of"), min_confidence=conf
        )
    date = parse_date(as_of, "--as-of date")
    if (date is not None and date.isoformat() != G.graph.get("as_of")) or conf != G.graph.get("min_confidence"):
        G = annotate_cuts(G.copy(), date or G.graph.get("as_of"), min_confidence=conf)
    return G


def _blocked(G: nx.DiGraph, root: str, plain: dict[str, bool]) -> list[str]:
    """OR nodes whose every edge is cut and whose loss reaches the root.

    A blocked node matters when a chain of unavailable nodes leads from the root down to it; a
    blocked variant whose sibling is still available does not, and is not reported.
    """
    seen = {root}
    todo = [root] if not plain.get(root, True) else []
    out = []
    while todo:
        node = todo.pop()
        edges = G.adj[node]
        if G.nodes[node].get("gate") == "or" and edges and all(is_cut(d) for d in edges.values()):
            out.append(node)
        for child, data in edges.items():
            if not is_cut(data) and child not in seen and not plain.get(child, True):
                seen.add(child)
                todo.append(child)
    return sorted(out)


def _label(G: nx.DiGraph, node: str) -> str:
    return G.nodes[node].get("label", node)


def _item_of(G: nx.DiGraph, node: str) -> tuple[str, str]:
    data = G.nodes[node]
    if data.get("kind") == "stage":
        return ("fabrication", data.get("buyer", "")) if data.get("label") == "fabrication" else (node, "")
    return data.get("entity", node), data.get("buyer", "")


def _killed_items(G: nx.DiGraph, lost: Iterable[str]) -> list[str]:
    """The supply and stage OR nodes among the nodes a cut set takes away, sorted: the rows' items."""
    return sorted(n for n in lost if G.nodes[n].get("kind") in ("supply", "stage") and G.nodes[n].get("gate") == "or")


def analyse(
    G: nx.DiGraph,
    accelerator: str,
    *,
    as_of: Any = None,
    scenario: Any = None,
    max_order: int = 2,
    min_confidence: str | None = None,
    unbridge: Iterable[str] = (),
    on_cycle: str = "break",
) -> dict[str, Any]:
    """Full result for one accelerator: summary fields and its chokepoint rows (plain data)."""
    scenario = as_scenario(scenario)
    G = _prepared(G, as_of, scenario, min_confidence)
    root = _root(G, accelerator)
    unbridge = set(unbridge) | set(getattr(scenario, "unbridge", ()) or ())
    acc = G.nodes[root]
    plain = availability(G, root)
    blocked = _blocked(G, root, plain)
    bridged = [b for b in blocked if G.nodes[b].get("entity") not in unbridge]
    cs = minimal_cut_sets(G, root, max_order=max_order, bridged=bridged, on_cycle=on_cycle)
    rows: list[dict[str, Any]] = []
    base = {"accelerator": acc["entity"], "accelerator_label": acc.get("label", acc["entity"])}
    measures = G.graph.get("measures", {})

    for node in blocked:
        item, buyer = _item_of(G, node)
        edges = sorted(G.adj[node].items(), key=lambda kv: str(kv[0]))
        provs = [d.get("provider", v) for v, d in edges]
        cut_by = sorted({m for _, d in edges for m in d.get("cut_by", ())})
        rows.append(
            {
                **base,
                "order": 0,
                "kind": "cut-off" + ("" if node in bridged else " (no stock)"),
                "key": f"cut:{item}",
                "items": [item],
                "item_labels": [_label(G, node)],
                "buyers": [buyer],
                "providers": provs,
                "provider_labels": [G.graph.get("labels", {}).get(p, p) for p in provs],
                "countries": sorted({d.get("provider_country", "") for _, d in edges} - {""}),
                "measures": cut_by,
                "citations": [measures[m].legal_citation for m in cut_by if m in measures],
                "domestic": False,
                "domestic_share": None,
            }
        )

    ranked = importance(cs)  # Fussell-Vesely share of the cut sets, weighted by order
    share = {r["provider"]: r["importance"] for r in ranked}
    impact = IncrementalAvailability(G, root, bridged=bridged)  # one walk for all cut sets
    for cut in cs.as_sets():
        members = sorted(cut, key=str)
        killed = _killed_items(G, impact.failures(members))
        entities = [G.nodes[m].get("entity", m) for m in members]
        countries = sorted({G.nodes[m].get("country", "") for m in members} - {""})
        shares: dict[str, float] = {}
        for n in killed:
            for v, d in G.adj[n].items():
                if v in cut and not is_cut(d) and d.get("share") is not None:
                    shares[v] = max(shares.get(v, 0.0), float(d["share"]))
        domestic = bool(countries) and all(G.nodes[m].get("country") == DOMESTIC for m in members)
        rows.append(
            {
                **base,
                "order": len(members),
                "kind": {1: "single point", 2: "pair", 3: "triple"}.get(len(members), f"set of {len(members)}"),
                "key": "providers:" + "+".join(entities),
                "items": [_item_of(G, n)[0] for n in killed],
                "item_labels": [_label(G, n) for n in killed],
                "buyers": sorted({_item_of(G, n)[1] for n in killed} - {""}),
                "providers": entities,
                "importance": [round(share[m], 4) for m in members],
                "provider_labels": [_label(G, m) for m in members],
                "countries": countries,
                "measures": [],
                "citations": [],
                "domestic": domestic,
                "domestic_share": round(sum(shares.values()), 3) if domestic and shares else None,
            }
        )
    rows.sort(key=lambda r: (r["order"], r["key"]))
    return {
        **base,
        "as_of": G.graph.get("as_of"),
        "domestic": bool(acc.get("domestic")),
        "country": acc.get("country", ""),
        "feasible": bool(plain.get(root)),
        "feasible_with_stock": cs.available,
        "cycles": cs.cycles + G.graph.get("cycles", []),
        "scenario": getattr(scenario, "name", None),
        "chokepoints": rows,
        "importance": [
            {
                **r,
                "provider": G.nodes[r["provider"]].get("entity", r["provider"]),
                "importance": round(r["importance"], 4),
            }
            for r in ranked
        ],
    }


def chokepoints(
    G: nx.DiGraph,
    accelerator: str,
    *,
    as_of: Any = None,
    scenario: Any = None,
    max_order: int = 2,
    min_confidence: str | None = None,
) -> list[dict[str, Any]]:
    """The chokepoint rows of one accelerator (see :func:`analyse` for the summary fields).

    Examples
    --------
    ``chokepoints(G, "ascend-910c", as_of="2025-01-01")`` lists EUV and ArF immersion scanners as
    cut off for SMIC (order 0), then the providers whose loss would end the rest of the chain.
    """
    return analyse(G, accelerator, as_of=as_of, scenario=scenario, max_order=max_order, min_confidence=min_confidence)[
        "chokepoints"
    ]


def domestic_accelerators(G: nx.DiGraph) -> list[str]:
    """Accelerators designed by an organisation in China."""
    return sorted(
        G.nodes[nodeids.accelerator(a)]["entity"]
        for a in G.graph.get("accelerators", [])
        if G.nodes.get(nodeids.accelerator(a), {}).get("domestic")
    )


def all_chokepoints(
    G: nx.DiGraph,
    accelerators: Iterable[str] | None = None,
    *,
    as_of: Any = None,
    scenario: Any = None,
    max_order: int = 2,
    min_confidence: str | None = None,
) -> list[dict[str, Any]]:
    """:func:`analyse` for each accelerator (default: every domestic one), in id order."""
    scenario = as_scenario(scenario)
    G = _prepared(G, as_of, scenario, min_confidence)
    accs = sorted(accelerators) if accelerators is not None else domestic_accelerators(G)
    return [
        analyse(
            G, a, max_order=max_order, unbridge=getattr(scenario, "unbridge", ()) or (), min_confidence=min_confidence
        )
        | {"scenario": getattr(scenario, "name", None)}
        for a in accs
    ]
