"""Bridge from the chokepoint analysis (``graph.chokepoints``) to what the pages draw.

The site calls :func:`run_analysis` once per render: it builds the AND/OR dependency graph
(``dependency_graph``) for the date and scenario, runs ``analyse`` for every domestic
accelerator, and returns per accelerator the rows of its chokepoint table (with explanations
and sources) and the analysis graph the accelerator page draws. When the analysis package is not
installed it returns None and the pages say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.chokepoints import nodeids
from graph.chokepoints.alignment import KEY_PREFIX as GOVERNMENT_PREFIX
from graph.vocab.namespaces import ID, entity_id_of

__all__ = ["AcceleratorAnalysis", "run_analysis"]


@dataclass
class AcceleratorAnalysis:
    """The chokepoints of one accelerator, ready to render.

    ``rows``: one dict per chokepoint with ``items`` (what the chokepoint is), ``takes`` (what
    losing it takes away), ``order``, ``kind``, ``measures`` (``label``, ``date``, ``iri``),
    ``countries``, ``domestic`` (text), ``explanation`` (lines) and ``sources`` (``title``,
    ``publisher``, ``date``, ``url``), and the analysis's ids: ``item_ids`` (what it takes away),
    ``buyers`` and ``provider_ids``. ``chokepoint_items`` and ``cut_providers`` map IRIs to
    tooltip notes. ``graph`` and ``root`` are the analysis graph and the accelerator's node in it.
    ``history`` holds the accelerator's events of :func:`graph.chokepoints.history.history` (none
    under a scenario).
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    chokepoint_items: dict[str, list[str]] = field(default_factory=dict)
    cut_providers: dict[str, list[str]] = field(default_factory=dict)
    cut_pairs: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    measures: set[str] = field(default_factory=set)
    graph: Any = None
    root: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)  # graph.chokepoints.history events


def run_analysis(
    store: Any,
    accelerators: list[str],
    as_of: str | None = None,
    scenario: Any = None,
    graph: Any = None,
    history_events: Callable[[], list[dict[str, Any]]] | None = None,
    results: list[dict[str, Any]] | None = None,
) -> dict[str, AcceleratorAnalysis]:
    """Chokepoints of every accelerator IRI in ``accelerators``.

    ``graph`` is a dependency graph already projected for the same date and no scenario (the
    build shares the one it analysed for chokepoints.json); otherwise one is projected here, as of
    ``as_of``, else the scenario's date, else the data date. ``history_events``, with ``graph``,
    returns :func:`graph.chokepoints.history.history` of that graph up to its date for (at least)
    these accelerators, when the caller computes it alongside (the build does, in a child process).
    ``results``, with ``graph``, are :func:`graph.chokepoints.analysis.all_chokepoints` of that
    graph for (at least) these accelerators (the build's chokepoints.json), so they are not
    analysed twice.
    """
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.projection import dependency_graph

    if scenario is not None:
        from graph.chokepoints.scenarios import as_scenario

        scenario = as_scenario(scenario)
    if graph is not None and scenario is None:
        G = graph
    else:
        from graph.read.model import date_or_data_date

        when = as_of if as_of is not None or getattr(scenario, "as_of", None) else date_or_data_date(store, None)
        G = dependency_graph(store, as_of=when, scenario=scenario)  # no date: the scenario's, else the data date
    ids = {entity_id_of(iri) or iri: iri for iri in accelerators}
    present = sorted(acc for acc in ids if nodeids.accelerator(acc) in G)
    # the same call as chokepoints.json (both readings of partial coverage), so the pages and the
    # tables name the same findings
    unbridge = getattr(scenario, "unbridge", ()) or ()
    by_id = (
        {r["accelerator"]: r for r in results} if results is not None and graph is not None and scenario is None else {}
    )
    missing = [acc for acc in present if acc not in by_id]
    if missing:
        by_id |= {r["accelerator"]: r for r in all_chokepoints(G, missing, as_of=as_of, max_order=2, unbridge=unbridge)}
    results = [by_id[acc] for acc in present]
    out = {ids[r["accelerator"]]: _normalise(G, nodeids.accelerator(r["accelerator"]), r) for r in results}
    if scenario is None and present:  # the history is the baseline's: a scenario has no past
        from graph.chokepoints.history import history

        # an accelerator's events depend on it alone, so a history of more accelerators holds the same ones
        shared = history_events is not None and graph is not None
        events = history_events() if shared and history_events else history(G, present, until=as_of)
        for event in events:
            if event["accelerator"] in ids:
                out[ids[event["accelerator"]]].history.append(event)
    return out


def anchor(key: str) -> str:
    """The HTML id of a chokepoint row on its accelerator's page (a finding key made id-safe).

    >>> anchor("providers:asml+unnamed-chn-e-beam-metrology-tools")
    'cp-providers-asml-unnamed-chn-e-beam-metrology-tools'
    """
    return "cp-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


#: How a row's reading of partial-coverage measures reads on a page.
_READING_TEXT = {
    "both": "robust",
    "broad": "fragile: only if partial coverage cuts",
    "narrow": "fragile: only if partial coverage does not cut",
}


def _measure_ref(G: Any, mid: str) -> dict[str, str]:
    m = G.graph.get("measures", {}).get(mid)
    label = getattr(m, "label", "") or mid
    date = m.effective.isoformat() if getattr(m, "effective", None) else "date unknown"
    return {"label": label, "date": date, "iri": ID + mid}


def _sources(G: Any, ids: Any) -> list[dict[str, str]]:
    registry = G.graph.get("sources", {})
    out = []
    for sid in sorted(set(ids)):
        s = registry.get(sid, {"title": sid})
        out.append(
            {
                "title": str(s.get("title") or sid),
                "publisher": str(s.get("publisher") or ""),
                "date": str(s.get("date") or ""),
                "url": str(s.get("url") or ""),
            }
        )
    return sorted(out, key=lambda s: (s["date"], s["title"]))


def _path(G: Any, root: str, target: str) -> tuple[list[str], list[str]]:
    """Labels along a shortest path from the accelerator to ``target``, and the sources of its hops."""
    import networkx as nx

    try:
        nodes = nx.shortest_path(G, root, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return [], []
    labels = [str(G.nodes[n].get("label", n)) for n in nodes]
    sources = [s for a, b in zip(nodes, nodes[1:], strict=False) for s in G.edges[a, b].get("sources", ())]
    return labels, sources


def _alignment_text(row: dict[str, Any], who: str, left: list[str], labels: dict[str, str]) -> str:
    """What an alignment row says, in a sentence: who supplies the input now, and what is left."""
    buyers = ", ".join(labels.get(b, b) for b in row["buyers"]) or "the buyer"
    rest = f"from {', '.join(left)}, which no source shows serving the 7 nm class" if left else "from no one else"
    parts = row.get("government_shares") or {}
    held = f"; of world supply {', '.join(f'{c} {v:g} %' for c, v in parts.items())}" if parts else ""
    return (
        f"After the measures in force, {buyers} gets {', '.join(row['item_labels'])} from "
        f"{', '.join(row['provider_labels'])} ({who}{held}) and {rest}. If {who} controlled this input "
        "for buyers in China, as others already do, the accelerator would lose its new supply "
        "(tools already installed keep working while they are serviced)."
    )


def _alignment_parts(
    G: Any, root: str, row: dict[str, Any], acc_label: str, out: AcceleratorAnalysis
) -> tuple[list[str], list[str], list[str], list[str], str]:
    """(explanation, sources, items, takes, domestic) of an alignment row, noting its input on ``out``.

    The sources are those of the path to the input and of the input's supply hops (who provides
    it, with what share): the facts the sentence rests on."""
    item_nodes = [nodeids.supply(i, b) for i in row["items"] for b in row["buyers"]]
    path, psources = _path(G, root, item_nodes[0]) if item_nodes else ([], [])
    for target in (n for n in item_nodes if n in G):
        psources += [s for d in G.adj[target].values() for s in d.get("sources", ())]
    who = " and ".join(row["countries"])
    left = row.get("left_in_china_labels") or []
    explanation = ([" → ".join(path)] if path else []) + [_alignment_text(row, who, left, G.graph.get("labels", {}))]
    what = ", ".join(row["item_labels"])
    for item in row["items"]:
        out.chokepoint_items.setdefault(ID + item, []).append(
            f"Alignment chokepoint of {acc_label}: {who} supply all the foreign {what} left"
        )
    share = row.get("foreign_share")
    domestic = "left: " + (", ".join(left) if left else "none")
    if share is not None:
        domestic += f" (the {who} providers hold {share} % of world supply)"
    return explanation, psources, row["item_labels"], row["item_labels"], domestic


def _normalise(G: Any, root: str, result: dict[str, Any]) -> AcceleratorAnalysis:
    out = AcceleratorAnalysis(graph=G, root=root, summary={k: v for k, v in result.items() if k != "chokepoints"})
    acc_label = result.get("accelerator_label", root)
    for row in result["chokepoints"]:
        measures = [_measure_ref(G, m) for m in row.get("measures", [])]
        out.measures.update(m["iri"] for m in measures)
        msources = [s for m in row.get("measures", []) for s in getattr(G.graph["measures"].get(m), "sources", ())]
        order = row["order"]
        if order == 0:
            item_nodes = [
                nodeids.supply(i, b) if b else nodeids.stage(result["accelerator"], "fabrication")
                for i, b in zip(row["items"], row["buyers"], strict=False)
            ]
            path, psources = _path(G, root, item_nodes[0]) if item_nodes else ([], [])
            mtext = "; ".join(f"{m['label']} (from {m['date']})" for m in measures)
            buyers = ", ".join(b for b in row["buyers"] if b) or "the buyer"
            explanation = [" → ".join(path)] if path else []
            explanation.append(
                f"Every provider ({', '.join(row['provider_labels'])}) is cut off from "
                f"{buyers} by: {mtext or 'no measure'}."
            )
            for item in row["items"]:
                out.chokepoint_items.setdefault(ID + item, []).append(
                    f"Cut off for {acc_label} ({row['kind']}) by {mtext}"
                )
            for prov in row["providers"]:
                out.cut_providers.setdefault(ID + prov, []).append(
                    f"Cut off from {buyers} for {', '.join(row['item_labels'])}: {mtext}"
                )
            items, takes = row["item_labels"], row["item_labels"]
            domestic = "no: every provider is cut off"
        elif row["key"].startswith(GOVERNMENT_PREFIX):
            explanation, psources, items, takes, domestic = _alignment_parts(G, root, row, acc_label, out)
        else:
            labels, psources = [], []
            for prov in row["providers"]:
                path, srcs = _path(G, root, nodeids.provider(prov))
                if path:
                    labels.append(" → ".join(path))
                psources += srcs
            explanation = labels + [
                f"Losing {' and '.join(row['provider_labels'])} would take away {', '.join(row['item_labels'])}."
            ]
            for prov in row["providers"]:
                out.chokepoint_items.setdefault(ID + prov, []).append(
                    f"Chokepoint of {acc_label} ({row['kind']}): losing it takes away {', '.join(row['item_labels'])}"
                )
            items, takes = row["provider_labels"], row["item_labels"]
            share = row.get("domestic_share")
            domestic = (
                "yes: Chinese provider(s)" + (f", {share} % world share" if share is not None else "")
                if row.get("domestic")
                else "no"
            )
        out.rows.append(
            {
                "key": row["key"],
                "anchor": anchor(row["key"]),
                "robust": bool(row.get("robust", True)),
                "order": order,
                "kind": row["kind"],
                "reading": _READING_TEXT.get(row.get("reading", "both"), row.get("reading", "both")),
                "items": items,
                "takes": takes,
                "item_ids": list(row.get("items", [])),
                "buyers": list(row.get("buyers", [])),
                "provider_ids": list(row.get("providers", [])),
                "countries": row.get("countries", []),
                "measures": measures,
                "domestic": domestic,
                "explanation": explanation,
                "sources": _sources(G, list(psources) + list(msources)),
            }
        )
    return out
