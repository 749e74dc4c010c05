"""One page per domestic accelerator: its upstream dependency graph and its chokepoints.

The graph is the accelerator's upstream closure in the knowledge graph: designer, foundry,
process node, memory, required inputs, the providers of each input (from ``cg:Provision``), the
providers' countries, and the measures in force that cover an input or list a party on the way.
Chokepoints come from the analysis (:mod:`graph.render.analysis`, over ``graph.chokepoints``):
their items are drawn as red stars, cut-off providers get a dashed red border and the cutting
measure and date in their tooltip, and a table lists each chokepoint with its explanation and
sources (the table is the template ``templates/accelerator.html``).
"""

from __future__ import annotations

from collections import defaultdict, deque

from graph.chokepoints import nodeids
from graph.render.analysis import AcceleratorAnalysis
from graph.render.data import Edge, Snapshot, SourceRef
from graph.render.graphpage import GEdge, GNode
from graph.render.overview import country_labels, node_for
from graph.vocab.namespaces import ID, entity_id_of

__all__ = ["upstream_graph", "analysis_graph", "page_name"]

#: relation -> reads "subject needs object" (followed from the accelerator outwards)
FORWARD = {
    "designedBy",
    "fabricatedBy",
    "processNode",
    "memoryTechnology",
    "memorySupplier",
    "requiresInput",
    "requiresAnyOf",
    "component",
    "nodeOperatedBy",
    "parentOrganisation",
    "manufacturedBy",
}
#: relation whose object needs its subject ("X goes into Y": Y needs X)
BACKWARD = {"goesInto": "made with"}


def page_name(iri: str) -> str:
    """The file name of an accelerator's page."""
    return f"accelerator-{entity_id_of(iri) or 'x'}.html"


def upstream_graph(
    snap: Snapshot, root: str, analysis: AcceleratorAnalysis | None = None
) -> tuple[list[GNode], list[GEdge]]:
    """Nodes and edges upstream of the accelerator ``root``, marked with the analysis results."""
    rel = snap.class_labels
    out: dict[str, list[tuple[str, str, list[Edge]]]] = defaultdict(list)
    provisions: dict[str, dict[str, list[Edge]]] = defaultdict(lambda: defaultdict(list))
    for e in snap.edges:
        if e.p in FORWARD:
            out[e.s].append((e.o, rel.get(e.p, e.p), [e]))
        elif e.p in BACKWARD:
            out[e.o].append((e.s, BACKWARD[e.p], [e]))
        elif e.p in ("provider", "providedInput"):
            provisions[e.s][e.p].append(e)
        elif e.p == "country" and snap.entities.get(e.s) and snap.entities[e.s].group != "Accelerator":
            out[e.s].append((e.o, "based in", [e]))
    for prov, props in provisions.items():
        share = snap.shares.get(prov)
        for ie in props.get("providedInput", []):
            for pe in props.get("provider", []):
                out[ie.o].append((pe.o, f"provided by ({share} %)" if share else "provided by", [ie, pe]))

    seen = {root}
    order = [root]
    edges: list[GEdge] = []
    queue = deque([root])
    # The whole upstream closure (linear in its size): what a page draws is chosen by
    # graph.render.cap.cap_graph, whose note says what it leaves out. (A hard stop here used to cut
    # the walk at 3,000 nodes without a word, before the visible 5,000-node cap could apply.)
    while queue:
        n = queue.popleft()
        for m, label, support in sorted(out.get(n, []), key=lambda t: (t[0], t[1])):
            if m not in snap.entities:
                continue
            sources = sorted({s for e in support for s in e.sources}, key=lambda r: (r.date, r.title, r.iri))
            edges.append(GEdge(n, m, label, sources, min((e.confidence for e in support if e.confidence), default="")))
            if m not in seen:
                seen.add(m)
                order.append(m)
                queue.append(m)
    # Measures in force that cover an item or list a party of this graph.
    for e in snap.edges:
        if e.s in snap.measures and e.o in seen and e.p in ("coversInput", "coversProduct", "listsParty"):
            if e.s not in seen:
                seen.add(e.s)
                order.append(e.s)
            measure = snap.measures[e.s]
            edges.append(
                GEdge(
                    e.s,
                    e.o,
                    rel.get(e.p, e.p),
                    list(e.sources),
                    e.confidence,
                    cut=True,
                    notes=[
                        f"In force from {measure.effective or 'unknown date'}"
                        + (f" until {measure.end}" if measure.end else "")
                    ],
                )
            )
    countries = country_labels(snap)
    nodes = {iri: node_for(snap, iri, countries) for iri in order}
    nodes[root].marks.append("root")
    if analysis is not None:
        for item, notes in analysis.chokepoint_items.items():
            if item in nodes:
                nodes[item].marks.append("chokepoint")
                nodes[item].notes.extend(notes)
        for provider, notes in analysis.cut_providers.items():
            if provider in nodes:
                nodes[provider].marks.append("cut")
                nodes[provider].notes.extend(notes)
        cut_pairs = analysis.cut_pairs
        for edge in edges:
            if (edge.src, edge.dst) in cut_pairs:
                edge.cut = True
                edge.notes.extend(cut_pairs[(edge.src, edge.dst)])
    return list(nodes.values()), edges


def analysis_graph(snap: Snapshot, analysis: AcceleratorAnalysis) -> tuple[list[GNode], list[GEdge]]:
    """The accelerator's part of the analysis's AND/OR graph, as drawn.

    Structural nodes are contracted: an input's "need" and "supply" nodes become one node per
    input and buyer (the same tool can be cut off for one foundry and not another), providers
    become their entities, and each provider is linked to its country. Supply edges that a
    measure cuts are drawn dashed red with the measure and its date.
    """
    import networkx as nx

    G, root = analysis.graph, analysis.root
    sub = nx.descendants(G, root) | {root}
    countries = country_labels(snap)
    labels = G.graph.get("labels", {})
    nodes: dict[str, GNode] = {}

    def entity_node(eid: str) -> str:
        iri = ID + eid
        if iri not in nodes:
            if iri in snap.entities:
                nodes[iri] = node_for(snap, iri, countries)
            else:
                nodes[iri] = GNode(key=iri, label=labels.get(eid, eid), cls="Other")
        return iri

    def display(n: str) -> str:
        data = G.nodes[n]
        kind = data.get("kind")
        if kind in ("accelerator", "provider"):
            return entity_node(data.get("entity", n))
        if kind in ("need", "supply"):
            eid, buyer = data.get("entity", ""), data.get("buyer", "")
            key = f"item:{eid}@{buyer}"
            if key not in nodes:
                base = (
                    node_for(snap, ID + eid, countries)
                    if ID + eid in snap.entities
                    else GNode(key=key, label=data.get("label", eid), cls="Input")
                )
                base.key = key
                base.countries = []
                base.country_label = ""
                base.notes = [f"Needed by {labels.get(buyer, buyer)}"] + base.notes
                nodes[key] = base
            return key
        if n not in nodes:
            text = {
                "stage": f"{data.get('label', '')} stage",
                "route": ("" if data.get("packaging") else "fabrication at ") + str(data.get("label", "")),
            }.get(kind, data.get("label", n))
            nodes[n] = GNode(
                key=n,
                label=text,
                cls="Stage" if kind in ("stage", "route") else "Rule",
                type={"and": "needs all of its links", "or": "needs any one of its links"}.get(
                    data.get("gate", ""), ""
                ),
            )
        return n

    sources = G.graph.get("sources", {})
    measures = G.graph.get("measures", {})
    merged: dict[tuple[str, str], GEdge] = {}
    for u, v, data in sorted(G.subgraph(sub).edges(data=True), key=lambda t: (t[0], t[1])):
        du, dv = display(u), display(v)
        if du == dv:
            continue
        rel = str(data.get("relation", "needs")).replace("-", " ")
        if data.get("share") is not None:
            rel += f" ({data['share']} %)"
        refs = []
        for sid in data.get("sources", ()):
            s = sources.get(sid, {})
            refs.append(
                SourceRef(
                    sid,
                    str(s.get("title") or sid),
                    str(s.get("publisher") or ""),
                    str(s.get("date") or ""),
                    str(s.get("url") or ""),
                )
            )
        edge = merged.setdefault((du, dv), GEdge(du, dv, rel, [], str(data.get("confidence", ""))))
        edge.sources = sorted(set(edge.sources) | set(refs), key=lambda r: (r.date, r.title, r.iri))
        for mid in data.get("cut_by", ()):
            analysis.measures.add(ID + mid)
            m = measures.get(mid)
            date = m.effective.isoformat() if getattr(m, "effective", None) else "date unknown"
            edge.cut = True
            edge.notes.append(f"Cut off by {getattr(m, 'label', mid)} (in force from {date})")
            if m is not None:
                for sid in getattr(m, "sources", ()):
                    s = sources.get(sid, {})
                    ref = SourceRef(
                        sid,
                        str(s.get("title") or sid),
                        str(s.get("publisher") or ""),
                        str(s.get("date") or ""),
                        str(s.get("url") or ""),
                    )
                    if ref not in edge.sources:
                        edge.sources.append(ref)
        if edge.cut and dv in nodes and "cut" not in nodes[dv].marks:
            nodes[dv].marks.append("cut")
    # providers -> their countries
    for key in [k for k, n in nodes.items() if G.nodes.get(nodeids.provider(entity_id_of(k) or ""))]:
        for code in nodes[key].countries:
            ciri = ID + code
            if ciri in snap.entities and ciri != key:
                entity_node(code)
                merged.setdefault((key, ciri), GEdge(key, ciri, "based in"))
    root_key = display(root)
    nodes[root_key].marks.append("root")
    for iri, notes in analysis.chokepoint_items.items():
        eid = entity_id_of(iri) or iri
        for key, node in nodes.items():
            if key == iri or key.startswith(f"item:{eid}@"):
                node.marks.append("chokepoint")
                node.notes.extend(notes)
    for iri, notes in analysis.cut_providers.items():
        if iri in nodes:
            nodes[iri].notes.extend(n for n in notes if n not in nodes[iri].notes)
    for edge in merged.values():
        edge.notes = sorted(set(edge.notes))
    return list(nodes.values()), list(merged.values())
