"""One page per domestic accelerator: its upstream dependency graph and its chokepoints.

The graph is the accelerator's upstream closure in the knowledge graph: designer, foundry,
process node, memory, required inputs, the providers of each input (from ``cg:Provision``), the
providers' countries, and the measures in force that cover an input or list a party on the way.
Chokepoints come from the analysis (:mod:`graph.render.analysis`, over ``graph.chokepoints``):
their items are drawn as red stars, cut-off providers get a dashed red border and the cutting
measure and date in their tooltip, and a table lists each chokepoint with its explanation and
sources.
"""

from __future__ import annotations

from collections import defaultdict, deque

from graph.namespaces import entity_id_of
from graph.render.analysis import AcceleratorAnalysis
from graph.render.data import Edge, Snapshot
from graph.render.escape import h, link
from graph.render.graphpage import GEdge, GNode
from graph.render.overview import country_labels, node_for

__all__ = ["upstream_graph", "page_name", "chokepoint_table"]

#: relation -> reads "subject needs object" (followed from the accelerator outwards)
FORWARD = {"designedBy", "fabricatedBy", "processNode", "memoryTechnology", "memorySupplier", "requiresInput",
           "requiresAnyOf", "component", "nodeOperatedBy", "parentOrganisation", "manufacturedBy"}
#: relation whose object needs its subject ("X goes into Y": Y needs X)
BACKWARD = {"goesInto": "made with"}
MAX_NODES = 3000


def page_name(iri: str) -> str:
    """The file name of an accelerator's page."""
    return f"accelerator-{entity_id_of(iri) or 'x'}.html"


def upstream_graph(snap: Snapshot, root: str, analysis: AcceleratorAnalysis | None = None
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
    while queue and len(seen) < MAX_NODES:
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
            m = snap.measures[e.s]
            edges.append(GEdge(e.s, e.o, rel.get(e.p, e.p), list(e.sources), e.confidence, cut=True,
                               notes=[f"In force from {m.effective or 'unknown date'}"
                                      + (f" until {m.end}" if m.end else "")]))
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


def chokepoint_table(analysis: AcceleratorAnalysis | None, snap: Snapshot) -> str:
    """The HTML table of an accelerator's chokepoints with explanations, measures and sources."""
    if analysis is None:
        return ('<p class="note">The chokepoint analysis (<code>graph.chokepoints</code>) is not available in '
                'this installation, so no chokepoints are listed.</p>')
    if not analysis.rows:
        return '<p class="note">The analysis finds no chokepoint of order 1 or 2 for this accelerator.</p>'
    parts = ['<table class="chokepoints"><thead><tr><th>#</th><th>chokepoint (items that must all fail)</th>'
             '<th>order</th><th>cut off by (measure, date)</th><th>domestic provider left</th>'
             '<th>explanation</th><th>sources</th></tr></thead><tbody>']
    for i, row in enumerate(analysis.rows, 1):
        measures = "<br>".join(f'<span class="cut">{h(m["label"])}</span> ({h(m["date"])})'
                               for m in row["measures"]) or "—"
        sources = "<br>".join(link(s["title"], s["url"]) + (f' <span class="src-meta">{h(s["publisher"])}, '
                                                               f'{h(s["date"])}</span>' if s["publisher"] else "")
                              for s in row["sources"]) or "—"
        explanation = "<br>".join(h(x) for x in row["explanation"]) or "—"
        parts.append(f'<tr><td class="num">{i}</td><td>{h(" + ".join(row["items"]))}</td>'
                     f'<td class="num">{h(row["order"])}</td><td>{measures}</td><td>{h(row["domestic"])}</td>'
                     f"<td>{explanation}</td><td>{sources}</td></tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
