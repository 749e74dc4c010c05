"""The critical path of one accelerator: its dependency graph as a small collapsible tree.

An accelerator page shows, above the full graph, the tree stage -> input -> providers of the
analysis's AND/OR graph (:mod:`graph.chokepoints.projection`), each input marked with the
analysis verdict (cut off, domestic only, single point, pair, one or two governments, fine) and each provider with its
country, ETO share and the measures that cut it off. The chokepoints are open, the rest is folded
(the template ``templates/_critical_path.html`` draws it with ``<details>``).

The graph is a DAG: an input several inputs need is expanded once, under the parent nearest the
accelerator (breadth first, the first parent in sorted order), and elsewhere named with a
pointer. An input's ``supply:`` (OR) and ``all:`` (AND) nodes are merged into the input.
Providers still supplying come first, then by share (largest first) and label, capped per input.
"""

from __future__ import annotations

from collections import deque
from typing import Any

__all__ = ["critical_path", "MAX_PROVIDERS", "VERDICTS"]

#: Most providers listed under one input; the rest are counted ("N more").
MAX_PROVIDERS = 12
#: Verdicts, worst first; an input none of the analysis rows names is "fine".
VERDICTS = ("cut off", "domestic only", "single point", "pair", "one government", "two governments", "fine")
_GATE = {"alternatives": "any one of", "complements": "all of"}
_PROVIDER_KINDS = ("provider", "in-house")
_MERGED_KINDS = ("supply", "complements")


def _row_marks(rows: list[dict[str, Any]]) -> tuple[dict[tuple[str, str], list[dict[str, str]]], dict[str, list]]:
    """(item, buyer) -> verdicts and provider id -> verdicts from the analysis rows."""
    items: dict[tuple[str, str], list[dict[str, str]]] = {}
    providers: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        key = str(row.get("key", ""))
        order = row.get("order")
        ids = list(row.get("item_ids", ()))
        buyers = list(row.get("buyers", ()))
        if not key or not ids:
            continue
        if order == 0:
            text = "domestic only" if key.startswith("domestic-only:") else "cut off"
            pairs = list(zip(ids, buyers or [""] * len(ids), strict=False))
        elif key.startswith("government:"):
            # an alignment finding marks its input, not its providers (no one firm is the point)
            text = "one government" if order == 1 else "two governments" if order == 2 else f"{order} governments"
            pairs = [(i, b) for i in ids for b in (buyers or [""])]
        else:
            text = "single point" if order == 1 else "pair" if order == 2 else f"set of {order}"
            # the fabrication stage is no buyer's input: its node carries no buyer
            pairs = [(i, "" if i == "fabrication" else b) for i in ids for b in (buyers or [""])]
            for prov in row.get("provider_ids", ()):
                providers.setdefault(str(prov), []).append({"text": text, "anchor": str(row.get("anchor", ""))})
        mark = {"text": text, "anchor": str(row.get("anchor", ""))}
        for pair in pairs:
            if mark not in items.setdefault(pair, []):
                items[pair].append(mark)
    return items, providers


def _rank(marks: list[dict[str, str]]) -> list[dict[str, str]]:
    """Worst first; one mark per verdict (the first row's anchor)."""
    order = {v: i for i, v in enumerate(VERDICTS)}
    out: dict[str, dict[str, str]] = {}
    for m in sorted(marks, key=lambda m: (order.get(m["text"], len(VERDICTS)), m["anchor"])):
        out.setdefault(m["text"], m)
    return list(out.values())


def critical_path(
    G: Any, root: str, rows: list[dict[str, Any]], *, max_providers: int = MAX_PROVIDERS
) -> list[dict[str, Any]]:
    """The accelerator ``root``'s stages as nested plain dicts, chokepoints open.

    Parameters
    ----------
    G : networkx.DiGraph
        The dependency graph (``graph.chokepoints.projection.dependency_graph``).
    root : str
        The accelerator's node (``acc:<id>``).
    rows : list of dict
        The analysis rows (:class:`graph.render.analysis.AcceleratorAnalysis` ``rows``), with
        ``key``, ``order``, ``anchor``, ``item_ids``, ``buyers`` and ``provider_ids``.
    max_providers : int
        Most providers listed per input; the others are counted in ``more``.

    Returns
    -------
    list of dict
        One dict per stage: ``label``, ``kind``, ``gate``, ``verdicts`` (``text``, ``anchor``),
        ``verdict``, ``open``, ``cut_by``, ``children`` (the same shape; ``ref`` is set where the
        input is expanded elsewhere, under ``home``), ``providers_open``, ``providers``
        (``label``, ``country``, ``share``, ``cut_by`` as ``label``/``date``, ``verdicts``),
        ``more`` and ``more_cut``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph(measures={})
    >>> G.add_node("acc:a", kind="accelerator", label="A")
    >>> G.add_node("stage:a:fab", kind="stage", label="fabrication", gate="or")
    >>> G.add_node("need:euv@f", kind="need", label="EUV", entity="euv", buyer="f")
    >>> G.add_node("supply:euv@f", kind="supply", label="EUV", entity="euv", buyer="f")
    >>> G.add_node("provider:asml", kind="provider", label="ASML", entity="asml")
    >>> G.add_edge("acc:a", "stage:a:fab", relation="stage")
    >>> G.add_edge("stage:a:fab", "need:euv@f", relation="requires")
    >>> G.add_edge("need:euv@f", "supply:euv@f", relation="supplied-as")
    >>> G.add_edge("supply:euv@f", "provider:asml", relation="provided-by", share=100.0,
    ...            provider_country="NLD", cut_by=("nl-euv",))
    >>> rows = [{"key": "cut:euv", "order": 0, "anchor": "cp-cut-euv", "item_ids": ["euv"], "buyers": ["f"]}]
    >>> [stage] = critical_path(G, "acc:a", rows)
    >>> euv = stage["children"][0]
    >>> stage["open"], euv["label"], euv["verdict"], euv["open"]
    (True, 'EUV', 'cut off', True)
    >>> p = euv["providers"][0]
    >>> p["label"], p["country"], p["share"], [m["label"] for m in p["cut_by"]]
    ('ASML', 'NLD', 100.0, ['nl-euv'])
    """
    marks, provider_marks = _row_marks(rows)
    measures = G.graph.get("measures", {})
    # breadth first from the accelerator: each node is expanded under its first nearest parent
    home: dict[str, str] = {root: ""}
    queue = deque([root])
    while queue:
        u = queue.popleft()
        for v in sorted(G.successors(u)):
            if v not in home:
                home[v] = u
                queue.append(v)

    def label_of(n: str) -> str:
        data = G.nodes[n]
        fab_route = data.get("kind") == "route" and not data.get("packaging")
        return ("fabrication at " if fab_route else "") + str(data.get("label", n))

    def cut_refs(data: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        in_part = set(data.get("in_part", ()) or ())
        for mid in sorted(data.get("cut_by", ()) or ()):
            m = measures.get(mid)
            date = m.effective.isoformat() if getattr(m, "effective", None) else ""
            # "in part": the measure covers this supply only in one reading of its scope (fragile)
            out.append({"label": str(getattr(m, "label", "") or mid), "date": date, "in_part": mid in in_part})
        return out

    def provider_row(parent: str, p: str) -> dict[str, Any]:
        data, edge = G.nodes[p], G.edges[parent, p]
        share = edge.get("share")
        return {
            "label": str(data.get("label", p)),
            "country": str(edge.get("provider_country") or data.get("country") or ""),
            "share": None if share is None else float(share),
            "cut_by": cut_refs(edge),
            "verdicts": _rank(provider_marks.get(str(data.get("entity", "")), [])),
        }

    def node(n: str, parent: str) -> dict[str, Any]:
        data = G.nodes[n]
        kind = str(data.get("kind", ""))
        entity, buyer = str(data.get("entity", "")), str(data.get("buyer", ""))
        item = "fabrication" if kind == "stage" and data.get("label") == "fabrication" else entity
        verdicts = _rank(marks.get((item, buyer), []) or marks.get((item, ""), [])) if item else []
        out: dict[str, Any] = {
            "label": label_of(n),
            "kind": kind,
            "gate": _GATE.get(kind, ""),
            "verdicts": verdicts,
            "verdict": verdicts[0]["text"] if verdicts else "fine",
            "cut_by": cut_refs(G.edges[parent, n]) if parent else [],
            "ref": home.get(n) != parent,
            "home": label_of(home[n]) if home.get(n) else "",
            "children": [],
            "providers": [],
            "more": 0,
            "more_cut": 0,
        }
        if out["ref"]:
            out["open"] = False
            return out
        # the input's own OR / AND node is part of the input
        succ: list[tuple[str, str]] = []
        for v in sorted(G.successors(n)):
            if G.nodes[v].get("kind") in _MERGED_KINDS and G.edges[n, v].get("relation") == "supplied-as":
                if G.nodes[v].get("kind") == "complements":
                    out["gate"] = "all of"
                succ += [(v, w) for w in sorted(G.successors(v))]
            else:
                succ.append((n, v))
        provs = [provider_row(u, v) for u, v in succ if G.nodes[v].get("kind") in _PROVIDER_KINDS]
        # those still supplying first, then by share
        provs.sort(
            key=lambda p: (
                bool(p["cut_by"]),
                -(p["share"] if p["share"] is not None else -1.0),
                p["label"].lower(),
                p["label"],
            )
        )
        out["providers"], rest = provs[:max_providers], provs[max_providers:]
        out["more"], out["more_cut"] = len(rest), sum(1 for p in rest if p["cut_by"])
        out["children"] = [node(v, u) for u, v in succ if G.nodes[v].get("kind") not in _PROVIDER_KINDS]
        out["open"] = out["verdict"] != "fine" or any(c["open"] for c in out["children"])
        out["providers_open"] = out["verdict"] != "fine" or any(p["verdicts"] for p in provs)
        return out

    return [node(s, root) for s in sorted(G.successors(root))]
