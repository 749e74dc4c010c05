"""Sourced explanations: the paths from an accelerator to an item or provider, hop by hop.

Each hop names the sources that state it (title, publisher, date, URL from the source registry)
and, for supply hops, the measures that cut it on the graph's date with their legal citations.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

import networkx as nx

from graph.chokepoints.analysis import _prepared, _root
from graph.errors import NotFoundError

__all__ = ["explain", "explain_rows"]


def _targets(G: nx.DiGraph, root: str, item: str) -> list[str]:
    reach = nx.descendants(G, root)
    key = item.casefold()
    hits = [
        n
        for n in reach
        if str(G.nodes[n].get("entity", "")).casefold() == key
        and G.nodes[n].get("kind") in ("need", "supply", "provider", "route")
    ]
    if not hits:
        hits = [n for n in reach if str(G.nodes[n].get("label", "")).casefold() == key]
    if not hits:
        names = sorted({str(G.nodes[n].get("entity")) for n in reach if G.nodes[n].get("kind") in ("need", "provider")})
        import difflib

        close = difflib.get_close_matches(item, names, n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFoundError(f"{item!r} is not in the dependency chain of {G.nodes[root].get('label')}{hint}")
    # prefer the supply node over the need node of the same input (it lists the providers)
    kinds = {"supply": 0, "provider": 1, "route": 2, "need": 3}
    return sorted(hits, key=lambda n: (kinds.get(G.nodes[n].get("kind"), 9), str(n)))


def _hop(G: nx.DiGraph, u: str, v: str) -> dict[str, Any]:
    d = G.edges[u, v]
    sources = G.graph.get("sources", {})
    measures = G.graph.get("measures", {})
    return {
        "from": G.nodes[u].get("label", u),
        "to": G.nodes[v].get("label", v),
        "relation": d.get("relation", ""),
        "share": d.get("share"),
        "confidence": d.get("confidence"),
        "sources": [sources.get(s, {"id": s}) for s in d.get("sources", ())],
        "cut_by": [
            {
                "id": m,
                "label": measures[m].label,
                "legal_citation": measures[m].legal_citation,
                "effective": measures[m].effective.isoformat() if measures[m].effective else None,
            }
            for m in d.get("cut_by", ())
            if m in measures
        ],
    }


def explain(
    G: nx.DiGraph, accelerator: str, item: str, *, as_of: Any = None, scenario: Any = None, max_paths: int = 10
) -> list[dict[str, Any]]:
    """The sourced paths from ``accelerator`` to ``item`` (an input or provider id or label).

    Returns a list of paths; each is ``{"target", "nodes": [labels], "hops": [...], "providers": [...]}``
    where ``providers`` lists the target's own supply hops (provider, share, sources, cut_by).
    """
    G = _prepared(G, as_of, scenario, None)
    root = _root(G, accelerator)
    out = []
    for target in _targets(G, root, item):
        paths = sorted(islice(nx.all_simple_paths(G, root, target), 200), key=lambda p: (len(p), p))[:max_paths]
        for path in paths:
            hops = [_hop(G, u, v) for u, v in zip(path, path[1:])]
            providers = [_hop(G, target, v) for v in sorted(G.adj[target]) if "candidates" in G.edges[target, v]]
            out.append(
                {
                    "target": G.nodes[target].get("label", target),
                    "as_of": G.graph.get("as_of"),
                    "nodes": [G.nodes[n].get("label", n) for n in path],
                    "hops": hops,
                    "providers": providers,
                }
            )
        if out:
            break
    return out


def explain_rows(paths: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten paths into table rows: one per hop and per provider of the target."""
    rows = []
    for i, p in enumerate(paths, 1):
        for hop in p["hops"] + p["providers"]:
            rows.append(
                {
                    "path": i,
                    "from": hop["from"],
                    "relation": hop["relation"],
                    "to": hop["to"],
                    "share": hop["share"],
                    "sources": [
                        f"{s.get('title') or s.get('id')} ({s.get('publisher') or '?'}, {s.get('date') or '?'})"
                        for s in hop["sources"]
                    ],
                    "urls": [s.get("url") for s in hop["sources"] if s.get("url")],
                    "cut_by": [f"{m['label']} [{m['legal_citation']}]" for m in hop["cut_by"]],
                }
            )
    return rows
