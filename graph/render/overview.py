"""The overview graph: firms, accelerators, fabs, memory makers, models, inputs and measures.

Reified statements are drawn as the edges they stand for: a ``cg:Provision`` becomes
"provider -> provides -> input" (with its share), a ``cg:Deployment`` becomes
"model -> trained on / served on -> accelerator". Edges to countries by headquarters
(``cg:country``) and by destination or jurisdiction of a measure are not drawn, because they would
make every country a hub; a node's country is in its tooltip and drives the country filter.
Firms named by a restricted-party list in force get a red border and a note.
"""

from __future__ import annotations

from collections import defaultdict

from graph.render.data import Edge, Snapshot, SourceRef
from graph.render.graphpage import GEdge, GNode

__all__ = ["overview_graph", "node_for", "country_labels"]

#: Groups that never appear as nodes of the overview (they are drawn as edges or left out).
HIDDEN_GROUPS = {"Stage", "Deployment", "Provision", "Claim", "Rule", "Other"}
#: Groups shown even when they have no edge.
KEEP_ISOLATED = {"Accelerator", "Accelerator system", "Measure", "Language model"}
#: Relations not drawn as edges (see the module docstring).
HIDDEN_RELATIONS = {"country", "jurisdiction", "appliesToDestination", "inStage", "subjectEntity"}


def country_labels(snap: Snapshot) -> dict[str, str]:
    """ISO code -> English label of every country entity."""
    return {e.id: e.label for e in snap.entities.values() if e.group == "Country"}


def node_for(snap: Snapshot, iri: str, countries: dict[str, str] | None = None) -> GNode:
    """The drawn node of an entity: labels, type, countries and its listing marks and notes."""
    countries = countries if countries is not None else country_labels(snap)
    ent = snap.entities[iri]
    types = ", ".join(snap.class_labels.get(t, t) for t in ent.types)
    node = GNode(
        key=iri,
        label=ent.label,
        cls=ent.group,
        labels={k: v for k, v in ent.labels.items() if k in ("en", "zh", "ko")},
        aliases=ent.aliases,
        type=types,
        countries=ent.countries,
        country_label=", ".join(f"{countries.get(c, c)} ({c})" for c in ent.countries),
    )
    if ent.group == "Country":
        node.countries = [ent.id]
        node.country_label = f"{ent.label} ({ent.id})"
    for m in snap.listed.get(iri, []):
        node.marks.append("listed")
        measure = snap.measures[m]
        node.notes.append(
            f"Named by {snap.label(m)} (in force from {measure.effective or 'unknown date'}"
            + (f" until {measure.end}" if measure.end else "")
            + ")"
        )
    return node


def _merge_sources(*edges: Edge) -> list[SourceRef]:
    out: list[SourceRef] = []
    for e in edges:
        for s in e.sources:
            if s not in out:
                out.append(s)
    return sorted(out, key=lambda r: (r.date, r.title, r.iri))


def overview_graph(snap: Snapshot) -> tuple[list[GNode], list[GEdge]]:
    """Nodes and edges of the overview page."""
    rel = snap.class_labels
    by_subject: dict[str, dict[str, list[Edge]]] = defaultdict(lambda: defaultdict(list))
    for e in snap.edges:
        by_subject[e.s][e.p].append(e)
    candidates = {iri for iri, ent in snap.entities.items() if ent.group not in HIDDEN_GROUPS}
    edges: list[GEdge] = []
    for e in snap.edges:
        if e.p in HIDDEN_RELATIONS or e.s not in candidates or e.o not in candidates or e.s == e.o:
            continue
        edges.append(GEdge(e.s, e.o, rel.get(e.p, e.p), list(e.sources), e.confidence))
    for iri, ent in snap.entities.items():
        props = by_subject.get(iri, {})
        if ent.group == "Provision":
            for pe in props.get("provider", []):
                for ie in props.get("providedInput", []):
                    if pe.o in candidates and ie.o in candidates:
                        share = snap.shares.get(iri)
                        label = f"provides ({share} %)" if share else "provides"
                        edges.append(GEdge(pe.o, ie.o, label, _merge_sources(pe, ie), pe.confidence))
        elif ent.group == "Deployment":
            kind = snap.deployment_kinds.get(iri, "")
            verb = {"training": "trained on", "inference": "served on"}.get(kind, "deployed on")
            for me in props.get("model", []):
                for ae in props.get("accelerator", []):
                    if me.o in candidates and ae.o in candidates:
                        edges.append(GEdge(me.o, ae.o, verb, _merge_sources(me, ae), me.confidence))
    linked = {e.src for e in edges} | {e.dst for e in edges}
    keep = sorted(i for i in candidates if i in linked or snap.entities[i].group in KEEP_ISOLATED)
    countries = country_labels(snap)
    nodes = [node_for(snap, iri, countries) for iri in keep]
    return nodes, edges
