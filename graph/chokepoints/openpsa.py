"""The dependency graph as an Open-PSA Model Exchange Format (MEF) fault tree.

The chokepoint analysis is a fault-tree analysis (:mod:`graph.chokepoints.cutsets`); this module
writes the same model in the format that fault-tree tools read (SCRAM, XFTA, ...), so that any of
them can check chipgraph's cut sets and importance figures, or take the model further.

Translation (the top events are "the accelerator cannot be had"):

- a provider (a node with ``basic=True``) is a **basic event**, "the provider stops supplying",
  with the same failure probability ``probability`` for every provider (the figures are
  qualitative; the probability only weighs cut sets by their order in importance measures);
- a requirement AND node (needs every child) is an **OR gate** (it fails if any need fails);
- a requirement OR node (needs one child) is an **AND gate** (it fails only if every alternative
  fails);
- a supply edge cut by a measure in force is a **house event set true** (``cut-<node>-<provider>``,
  its label names the measures): that alternative has failed already;
- a cut-off item whose stock bridges the cut-off (the analysis' *bridged* nodes, see
  :mod:`graph.chokepoints.analysis`) gets a house event ``stock-<node>`` set false in its AND gate:
  it cannot fail any further;
- an item with nothing to fail (an AND without needs, an OR without any supply data) is the
  constant false; a provider that needs inputs itself is an OR gate ``<provider>-with-inputs``
  over its basic event and its needs.

Requirement loops are broken as the analysis breaks them: a depth-first search from the roots in
sorted order (children sorted) drops the edge that closes a loop; dropped from an AND node the
need counts as met, dropped from an OR node the alternative counts as failed (a house event
``loop-<node>-<child>`` set true). With several roots on a graph with loops, which edge closes a
loop can differ from the search of one root alone; export one root to compare on such a graph.

Names follow the MEF's identifier rule (an XML NCName without ``.`` or ``--``): node ids keep
letters, digits, ``_`` and single ``-``; every other character becomes ``_``; clashes get ``_2``,
``_3``, ... in sorted order. Each definition carries the node id (attribute ``node``) and the
label. The file is deterministic: same graph, same bytes.

References
----------
S. Epstein and A. Rauzy, *Open-PSA Model Exchange Format*, version 2.0d, Open-PSA Initiative,
2008 (https://open-psa.github.io/mef/).
O. Rakhimov, *SCRAM: Probabilistic Risk Analysis Tool*, https://scram-pra.org (reads this format).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from graph.chokepoints.cutsets import is_cut
from graph.errors import ChipgraphError

__all__ = [
    "open_psa",
    "write_open_psa",
    "default_roots",
    "default_bridged",
    "mef_name",
    "basic_event_nodes",
    "read_scram_report",
]

_BAD = re.compile(r"[^A-Za-z0-9_-]")


def mef_name(node: Hashable) -> str:
    """A MEF identifier for a node id (before clashes are resolved).

    Examples
    --------
    >>> mef_name("supply:auto-ball-bonders@amd"), mef_name("9--x-")
    ('supply_auto-ball-bonders_amd', '_9-_-x-_')
    """
    s = _BAD.sub("_", str(node)) or "_"
    s = s.replace("--", "-_-").replace("--", "-_-")
    if not (s[0].isalpha() or s[0] == "_") or s[0] == "-":
        s = "_" + s
    if s.endswith("-"):
        s += "_"
    return s


class _Names:
    """Unique MEF names, handed out in call order (callers go in sorted order: deterministic)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, base: str) -> str:
        name, i = base, 1
        while name in self.used:
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
        return name


def default_roots(G: nx.DiGraph) -> list[Hashable]:
    """Every accelerator node (``kind == "accelerator"``), sorted."""
    return sorted((n for n, d in G.nodes(data=True) if d.get("kind") == "accelerator"), key=str)


def default_bridged(G: nx.DiGraph, roots: Iterable[Hashable], *, unbridge: Iterable[str] = ()) -> list[Hashable]:
    """The cut-off nodes that the analysis bridges with stock for some root, sorted.

    As :func:`graph.chokepoints.analysis.analyse`: OR nodes all of whose edges are cut and whose
    loss reaches the root, less those whose item (``entity``) is in ``unbridge``.
    """
    from graph.chokepoints.analysis import _blocked
    from graph.chokepoints.cutsets import availability

    unbridge = set(unbridge)
    out: set[Hashable] = set()
    for root in roots:
        for b in _blocked(G, root, availability(G, root)):  # type: ignore[arg-type]
            if G.nodes[b].get("entity") not in unbridge:
                out.add(b)
    return sorted(out, key=str)


def _reachable(G: nx.DiGraph, roots: list[Hashable]) -> tuple[list[Hashable], set[tuple]]:
    """Nodes reachable over uncut edges from the roots (DFS, sorted children), and back edges."""
    state: dict[Hashable, int] = {}
    order: list[Hashable] = []
    back: set[tuple] = set()

    def kids(node: Hashable) -> list[Hashable]:
        return sorted((v for v, d in G.adj[node].items() if not is_cut(d)), key=str)

    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, kids(root))]
        while stack:
            node, todo = stack[-1]
            if todo:
                child = todo.pop(0)
                st = state.get(child)
                if st is None:
                    state[child] = 1
                    stack.append((child, kids(child)))
                elif st == 1:
                    back.add((node, child))
            else:
                stack.pop()
                state[node] = 2
                order.append(node)
    return order, back


def _attrs(node: Hashable, data: dict[str, Any]) -> str:
    items = [("node", str(node))] + [(k, str(data[k])) for k in ("kind", "entity", "country") if data.get(k)]
    inner = "".join(f'<attribute name="{k}" value={quoteattr(v)}/>' for k, v in items)
    return f"<attributes>{inner}</attributes>"


def _label(text: str) -> str:
    return f"<label>{escape(text)}</label>" if text.strip() else ""


def open_psa(
    G: nx.DiGraph,
    roots: Iterable[Hashable] | None = None,
    *,
    bridged: Iterable[Hashable] | None = None,
    unbridge: Iterable[str] = (),
    probability: float = 0.1,
    name: str = "chipgraph",
) -> str:
    """The fault tree of ``roots`` (default: every accelerator) as Open-PSA MEF XML text.

    Parameters
    ----------
    G : networkx.DiGraph
        Requirement graph (node attributes ``gate``, ``basic``; edge attribute ``cut_by``).
    roots : nodes, optional
        The top events; default :func:`default_roots`.
    bridged : nodes, optional
        Cut-off OR nodes bridged by stock; default :func:`default_bridged` (as the analysis).
        Only nodes all of whose edges are cut are bridged.
    unbridge : entities
        Items whose stock does not bridge (a scenario's ``unbridge``), for the default ``bridged``.
    probability : float
        The failure probability of every basic event (0 < p < 1).
    name : str
        The model's and the fault tree's name.

    Returns
    -------
    str
        The MEF document (UTF-8 text), the same bytes for the same inputs.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("chip", gate="and", kind="accelerator"); G.add_node("litho", gate="or")
    >>> for p in ("asml", "nikon"): G.add_node(p, gate="and", basic=True)
    >>> G.add_edges_from([("chip", "litho"), ("litho", "asml"), ("litho", "nikon")])
    >>> xml = open_psa(G)
    >>> '<define-gate name="litho">' in xml and '<and><basic-event name="asml"/>' in xml
    True
    """
    roots = default_roots(G) if roots is None else sorted(dict.fromkeys(roots), key=str)
    for r in roots:
        if r not in G:
            raise ChipgraphError(f"{r!r} is not in the dependency graph")
    if not roots:
        raise ChipgraphError("no root to export: the graph has no accelerator")
    if not 0.0 < probability < 1.0:
        raise ChipgraphError(f"probability must be between 0 and 1, not {probability}")
    order, back = _reachable(G, roots)
    inside = set(order)
    blocked = {
        n for n in order if G.nodes[n].get("gate") == "or" and G.adj[n] and all(is_cut(d) for d in G.adj[n].values())
    }
    if bridged is None:
        bridged = default_bridged(G, roots, unbridge=unbridge) if blocked else ()
    stocked = sorted(blocked & set(bridged), key=str)

    names = _Names()
    gate_name: dict[Hashable, str] = {}
    basic_name: dict[Hashable, str] = {}
    ordered = sorted(order, key=str)
    for n in ordered:
        data = G.nodes[n]
        base = mef_name(n)
        if data.get("basic"):
            basic_name[n] = names.take(base)
            has_needs = any(not is_cut(d) for d in G.adj[n].values()) or (
                data.get("gate") == "or" and len(G.adj[n]) > 0
            )
            if has_needs:
                gate_name[n] = names.take(base + "-with-inputs")
        else:
            gate_name[n] = names.take(base)
    house: list[tuple[str, str, bool]] = []  # name, label, state

    def ref(node: Hashable) -> str:
        if node in gate_name:
            return f'<gate name="{gate_name[node]}"/>'
        return f'<basic-event name="{basic_name[node]}"/>'

    def connective(op: str, args: list[str]) -> str:
        if not args:
            return '<constant value="false"/>'
        if len(args) == 1:
            return args[0]
        return f"<{op}>{''.join(args)}</{op}>"

    labels = G.graph.get("labels", {})
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    title = f"chipgraph dependency graph as of {G.graph.get('as_of') or 'the build date'}"
    if G.graph.get("scenario"):
        title += f", scenario {G.graph['scenario']}"
    out.append(f"<opsa-mef name={quoteattr(mef_name(name))}>")
    out.append(f"  {_label(title + ': top events = accelerators that cannot be had')}")
    out.append(f"  <define-fault-tree name={quoteattr(mef_name(name))}>")
    for n in ordered:
        if n not in gate_name:
            continue
        data = G.nodes[n]
        gate = data.get("gate", "and")
        args = []
        extra = []
        for v, d in sorted(G.adj[n].items(), key=lambda kv: str(kv[0])):
            if is_cut(d):
                if gate == "or":
                    measures = ", ".join(sorted(map(str, d.get("cut_by", ()))))
                    hname = names.take(f"cut-{mef_name(n)}-{mef_name(v)}")
                    prov = labels.get(d.get("provider"), d.get("provider") or v)
                    house.append((hname, f"{prov} cut off from {n} by {measures}", True))
                    extra.append(f'<house-event name="{hname}"/>')
                continue  # a cut need of an AND node is ignored, as in the analysis
            if (n, v) in back:
                if gate == "or":
                    hname = names.take(f"loop-{mef_name(n)}-{mef_name(v)}")
                    text = f"requirement loop closed by {n} -> {v}: this alternative does not count"
                    house.append((hname, text, True))
                    extra.append(f'<house-event name="{hname}"/>')
                continue
            assert v in inside
            args.append(ref(v))
        if gate == "or":
            if n in stocked:
                hname = names.take(f"stock-{mef_name(n)}")
                house.append((hname, f"stock bridges the cut-off of {n}", False))
                extra.append(f'<house-event name="{hname}"/>')
            if not G.adj[n]:  # no supply data at all: available, cannot fail
                formula = '<constant value="false"/>'
            else:
                formula = connective("and", args + extra)
        else:
            formula = connective("or", args)
        if data.get("basic"):
            formula = connective("or", [f'<basic-event name="{basic_name[n]}"/>', formula])
        out.append(
            f"    <define-gate name={quoteattr(gate_name[n])}>"
            f"{_label(str(data.get('label', '')))}{_attrs(n, data)}{formula}</define-gate>"
        )
    out.append("  </define-fault-tree>")
    out.append("  <model-data>")
    for n in ordered:
        if n in basic_name:
            data = G.nodes[n]
            out.append(
                f"    <define-basic-event name={quoteattr(basic_name[n])}>"
                f"{_label(str(data.get('label', '')))}{_attrs(n, data)}"
                f'<float value="{probability!r}"/></define-basic-event>'
            )
    for hname, text, state in sorted(house):
        out.append(
            f"    <define-house-event name={quoteattr(hname)}>{_label(text)}"
            f'<constant value="{"true" if state else "false"}"/></define-house-event>'
        )
    out.append("  </model-data>")
    out.append("</opsa-mef>")
    return "\n".join(out) + "\n"


def basic_event_nodes(xml: str) -> dict[str, str]:
    """Map the basic-event names of a document written by :func:`open_psa` back to node ids."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    out = {}
    for be in root.iter("define-basic-event"):
        node = next((a.get("value") for a in be.iter("attribute") if a.get("name") == "node"), None)
        out[be.get("name", "")] = node if node is not None else be.get("name", "")
    return out


def read_scram_report(text: str) -> dict[str, Any]:
    """The results of a SCRAM report (XML text): cut sets, importance and times per top event.

    Returns ``{"products": {top: [frozenset of basic-event names]}, "importance": {top: {event:
    {"FV": ..., ...}}}, "seconds": {top: analysis time}}``; importance only when it was asked.
    """
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text)
    products: dict[str, list[frozenset]] = {}
    for sop in root.iter("sum-of-products"):
        products[sop.get("name", "")] = [
            frozenset(be.get("name", "") for be in p.iter("basic-event")) for p in sop.iter("product")
        ]
    importance: dict[str, dict[str, dict[str, float]]] = {}
    for imp in root.iter("importance"):
        importance[imp.get("name", "")] = {
            be.get("name", ""): {k: float(v) for k, v in be.attrib.items() if k != "name"}
            for be in imp.iter("basic-event")
        }
    seconds = {}
    for ct in root.iter("calculation-time"):
        p = ct.find("products")
        if p is not None and p.text:
            seconds[ct.get("name", "")] = float(p.text)
    return {"products": products, "importance": importance, "seconds": seconds}


def write_open_psa(G: nx.DiGraph, path: str | Path, roots: Iterable[Hashable] | None = None, **kwargs: Any) -> Path:
    """Write :func:`open_psa` of ``G`` to ``path`` atomically; return the path."""
    from graph.atomic import write_text_atomic

    path = Path(path)
    write_text_atomic(path, open_psa(G, roots, **kwargs))
    return path
