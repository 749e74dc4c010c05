"""Chokepoints of an accelerator: what is cut off already, and which one or two providers could end it.

For an accelerator and a date (the graph's ``as_of``, or one given here) the analysis reports:

- **order 0, "cut-off"**: supply nodes (an input for a buyer, or the fabrication of the chip)
  whose every provider is cut off by measures in force. Their measures and legal citations are
  listed. The accelerator is ``feasible`` only if it can still be had without them.
- **order 1 and 2**: the minimal cut sets (see :mod:`graph.chokepoints.cutsets`) of the rest of
  the chain. To keep analysing past a cut-off, cut-off nodes count as *bridged* (installed tools,
  stock, earlier deliveries) but can fail no further; ``feasible_with_stock`` tells whether the
  accelerator can be had then. A scenario can withdraw the bridge for named inputs (``unbridge``).

- **alignment, "government:<countries>:<item>"**: the smallest sets of one or two governments
  whose control of one input (for buyers in China) would leave only Chinese providers that no
  source shows serving the node (see :mod:`graph.chokepoints.alignment`); listed apart.

Each row says which items the cut set would take away, which countries its providers are in,
and whether the supply that remains is domestic (Chinese) and with what world share.

**Two readings.** A measure that covers an input only in part (``cg:coversInputInPart``: Japan's
23 listed tool types, the parameter limits of the US equipment rules) may or may not cut a given
supplier's tools. :func:`all_chokepoints` analyses each accelerator both ways: the *broad*
reading counts such coverage as a cut, the *narrow* one does not. A finding found in both is
**robust** (``reading: "both"``); one found in a single reading is **fragile**, and its
``reading`` names the one it needs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx

from graph.chokepoints import nodeids
from graph.chokepoints.alignment import KEY_PREFIX as GOVERNMENT_PREFIX
from graph.chokepoints.alignment import government_rows, holds_in
from graph.chokepoints.cuts import annotate_cuts
from graph.chokepoints.cutsets import IncrementalAvailability, availability, is_cut, minimal_cut_sets, walk
from graph.chokepoints.importance import importance
from graph.chokepoints.measures import READINGS, parse_date, servicing_cut
from graph.chokepoints.scenarios import apply_scenario, as_scenario
from graph.errors import NotFoundError
from graph.read.model import DOMESTIC

__all__ = ["chokepoints", "analyse", "all_chokepoints", "domestic_accelerators", "merge_readings"]


def _root(G: nx.DiGraph, accelerator: str) -> str:
    node = nodeids.accelerator(str(accelerator))
    if node not in G:
        close = sorted(a for a in G.graph.get("accelerators", []) if accelerator.lower() in a)[:5]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFoundError(f"no accelerator {accelerator!r} in the dependency graph{hint}")
    return node


def _prepared(
    G: nx.DiGraph, as_of: Any, scenario: Any, min_confidence: str | None, reading: str | None = None
) -> nx.DiGraph:
    """``G`` with its cuts for the date, scenario, confidence and reading asked; a copy when they differ."""
    scenario = as_scenario(scenario)
    conf = min_confidence or G.graph.get("min_confidence", "medium")
    reading = reading or G.graph.get("reading", "broad")
    if scenario is not None:
        return annotate_cuts(
            apply_scenario(G, scenario),
            as_of or scenario.as_of or G.graph.get("as_of"),
            min_confidence=conf,
            reading=reading,
        )
    date = parse_date(as_of, "--as-of date")
    if (
        (date is not None and date.isoformat() != G.graph.get("as_of"))
        or conf != G.graph.get("min_confidence")
        or reading != G.graph.get("reading", "broad")
    ):
        G = annotate_cuts(G.copy(), date or G.graph.get("as_of"), min_confidence=conf, reading=reading)
    return G


def _blocked(G: nx.DiGraph, root: str, plain: Mapping[Hashable, bool]) -> list[str]:
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


def _foundry_unknown(G: nx.DiGraph, accelerator: str) -> bool:
    """True when every fabrication route of the accelerator is one with no named foundry."""
    stage = nodeids.stage(accelerator, "fabrication")
    routes = [v for v in G.successors(stage)] if stage in G else []
    return bool(routes) and all(not G.nodes[v].get("entity") for v in routes)


def _label(G: nx.DiGraph, node: str) -> str:
    return G.nodes[node].get("label", node)


def _item_of(G: nx.DiGraph, node: str) -> tuple[str, str]:
    data = G.nodes[node]
    if data.get("kind") == "stage":
        return ("fabrication", data.get("buyer", "")) if data.get("label") == "fabrication" else (node, "")
    return data.get("entity", node), data.get("buyer", "")


def _abroad_buyers(G: nx.DiGraph, killed: Iterable[Hashable], cut: frozenset) -> list[str]:
    """The buyers outside China whose supply a provider cut set stops, when it stops no one else's.

    A set qualifies when every supply edge it removes on the way to a lost input goes to a buyer
    in a known country other than China (a Korean foundry's own tool supply, for a chip it makes
    for a Chinese designer). An unnamed buyer in no known country does not qualify. Empty list:
    the set stops some Chinese (or unplaced) buyer's supply, and is a finding.
    """
    edges = [(n, d) for n in killed for v, d in G.adj[n].items() if v in cut and not is_cut(d)]
    countries = {str(d.get("buyer_country") or "") for _, d in edges}
    if not edges or "" in countries or DOMESTIC in countries:
        return []
    return sorted({str(G.nodes[n].get("buyer", "")) for n, _ in edges} - {""})


def _killed_items(G: nx.DiGraph, lost: Iterable[Hashable]) -> list[str]:
    """The supply and stage OR nodes among the nodes a cut set takes away, sorted: the rows' items."""
    # The cut-set engine is typed for any hashable node; the supply graph's node ids are strings.
    return sorted(
        str(n) for n in lost if G.nodes[n].get("kind") in ("supply", "stage") and G.nodes[n].get("gate") == "or"
    )


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
    substitutes: nx.DiGraph | None = None,
) -> dict[str, Any]:
    """Full result for one accelerator: summary fields and its chokepoint rows (plain data).

    ``substitutes`` is :func:`without_partial_substitutes` of the prepared graph; with it, the
    rows also list the inputs whose only supply left is Chinese providers that no source shows
    serving the 7 nm class (``domestic-only:<item>``, order 0), and the sets of governments whose
    control of one input would leave only such providers (``government:<countries>:<item>``,
    order = number of countries; :mod:`graph.chokepoints.alignment`).
    """
    scenario = as_scenario(scenario)
    G = _prepared(G, as_of, scenario, min_confidence)
    root = _root(G, accelerator)
    unbridge = set(unbridge) | set(getattr(scenario, "unbridge", ()) or ())
    acc = G.nodes[root]
    search = walk(G, root)  # one search for the availability without and with the bridge
    plain = availability(G, root, walk=search)
    blocked = _blocked(G, root, plain)
    bridged = [b for b in blocked if G.nodes[b].get("entity") not in unbridge]
    cs = minimal_cut_sets(G, root, max_order=max_order, bridged=bridged, on_cycle=on_cycle)
    rows: list[dict[str, Any]] = []
    base = {"accelerator": acc["entity"], "accelerator_label": acc.get("label", acc["entity"])}
    measures = G.graph.get("measures", {})

    date = parse_date(G.graph.get("as_of"))
    conf = G.graph.get("min_confidence", "medium")
    for node in blocked:
        item, buyer = _item_of(G, node)
        edges = sorted(G.adj[node].items(), key=lambda kv: str(kv[0]))
        provs = [d.get("provider", v) for v, d in edges]
        cut_by = sorted({m for _, d in edges for m in d.get("cut_by", ())})
        # the installed tools that bridge a cut-off decay where servicing is cut too, for every provider
        servicing = [servicing_cut(measures, d, date, conf) if date and "item" in d else () for _, d in edges]
        servicing_cut_by = sorted({m for s in servicing for m in s})
        servicing_cut_for = [p for p, s in zip(provs, servicing) if s]
        kind = "cut-off" + ("" if node in bridged else " (no stock)")
        if servicing_cut_for:
            kind += " (servicing cut" + ("" if len(servicing_cut_for) == len(provs) else " for some providers") + ")"
        rows.append(
            {
                **base,
                "order": 0,
                "kind": kind,
                "servicing_cut_by": servicing_cut_by,
                "servicing_cut_for": servicing_cut_for,
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

    government_cuts: list[str] = []
    if substitutes is not None:
        search_h = walk(substitutes, root)  # one search of the graph without partial substitutes
        blocked_h = _blocked(substitutes, root, availability(substitutes, root, walk=search_h))
        rows += _domestic_only_rows(G, substitutes, blocked_h, set(blocked), base)
        gov_rows, government_cuts = government_rows(
            G,
            substitutes,
            root,
            [b for b in blocked_h if substitutes.nodes[b].get("entity") not in unbridge],
            base,
            max_order,
            walk=search_h,
        )
        rows += gov_rows

    impact = IncrementalAvailability(G, root, bridged=bridged, walk=search)  # one walk for all cut sets
    classified = []
    for cut in cs.as_sets():
        members = sorted(cut, key=str)
        killed = _killed_items(G, impact.failures(members))
        foreign_buyers = _abroad_buyers(G, killed, cut) if acc.get("domestic") else []
        classified.append((cut, members, killed, foreign_buyers))
    # Fussell-Vesely share of the cut sets, weighted by order: of the findings, so the sets left
    # out (a fab abroad's own tools) do not dilute the providers that are findings
    ranked = importance([cut for cut, _, _, foreign in classified if not foreign])
    share = {r["provider"]: r["importance"] for r in ranked}
    abroad: list[dict[str, Any]] = []
    for cut, members, killed, foreign_buyers in classified:
        if foreign_buyers:
            # stopping these firms' sales to a fab abroad is no lever on a Chinese chip: it is the
            # fab's own supply, which no control aimed at China reaches (the foundry is the finding)
            labels = G.graph.get("labels", {})
            abroad.append(
                {
                    "key": "providers:" + "+".join(G.nodes[m].get("entity", m) for m in members),
                    "provider_labels": [_label(G, m) for m in members],
                    "buyers": foreign_buyers,
                    "buyer_labels": [labels.get(b, b) for b in foreign_buyers],
                }
            )
            continue
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
                "servicing_cut_by": [],
                "servicing_cut_for": [],
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
    trends = G.graph.get("share_trends", {})
    for r in rows:
        # the row's countries, and China's own share where the row is about domestic supply
        wanted = set(r["countries"]) | ({DOMESTIC} if r["domestic"] else set())
        r["country_shares"] = _country_shares(trends, r["items"], wanted)
    rows.sort(key=lambda r: (r["order"], r["key"]))
    return {
        **base,
        "as_of": G.graph.get("as_of"),
        "domestic": bool(acc.get("domestic")),
        "country": acc.get("country", ""),
        "feasible": bool(plain.get(root)),
        "feasible_with_stock": cs.available,
        "cycles": cs.cycles + G.graph.get("cycles", []),
        # no foundry in the data: its fabrication inputs are not analysed (no finding comes from them)
        "foundry_unknown": _foundry_unknown(G, acc["entity"]),
        "scenario": getattr(scenario, "name", None),
        "chokepoints": rows,
        # inputs other designers make themselves that no source shows this one making or licensing:
        # no alignment finding rests on them (graph.chokepoints.alignment)
        "unsourced_inputs": (
            unsourced := sorted({str(G.nodes[n]["entity"]) for n in search[0] if G.nodes[n].get("source_unsourced")})
        ),
        "unsourced_input_labels": [G.graph.get("labels", {}).get(i, i) for i in unsourced],
        # provider sets left out: they cut only the supply of a buyer outside China (a fab abroad)
        "abroad_sets": abroad,
        # every set of governments that cuts, minimal or not (merge_readings judges robustness by it)
        "government_cuts": government_cuts,
        "importance": [
            {
                **r,
                "provider": G.nodes[r["provider"]].get("entity", r["provider"]),
                "importance": round(r["importance"], 4),
            }
            for r in ranked
        ],
    }


def _country_shares(trends: Mapping[Any, Any], items: Iterable[str], countries: Iterable[str]) -> list[dict[str, Any]]:
    """The share then and now (:func:`graph.read.releases.share_trends`) of each given country in each row item.

    Only pairs for which both the earlier and the current ETO release give a country share.
    """
    return [trends[i, c].as_dict() for i in items for c in sorted(countries) if (i, c) in trends]


#: The marker ``without_partial_substitutes`` puts on the edges it cuts.
NO_CAPABILITY = "no-source-for-the-node"


def without_partial_substitutes(G: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``G`` in which Chinese providers not shown to serve the 7 nm class are cut off too."""
    H = G.copy()
    for _, _, data in H.edges(data=True):
        if data.get("partial_substitute") and not is_cut(data):
            data["cut_by"] = (NO_CAPABILITY,)
    return H


def _domestic_only_rows(
    G: nx.DiGraph, H: nx.DiGraph, blocked_h: list[str], blocked: set[str], base: dict[str, Any]
) -> list[dict[str, Any]]:
    """Order-0 rows for the inputs that only partial (Chinese, capability not sourced) substitutes
    still supply: the nodes blocked in ``H`` (``blocked_h``) that are not blocked in ``G``."""
    rows = []
    for node in blocked_h:
        if node in blocked:
            continue
        item, buyer = _item_of(G, node)
        edges = sorted(G.adj[node].items(), key=lambda kv: str(kv[0]))
        left = [(d.get("provider", v), d) for v, d in edges if not is_cut(d)]
        if not left or not all(d.get("partial_substitute") for _, d in left):
            continue  # blocked through a child, not by this node's own supply
        cut_by = sorted({m for _, d in edges for m in d.get("cut_by", ())})
        measures = G.graph.get("measures", {})
        shares = [d["share"] for _, d in left if d.get("share") is not None]
        rows.append(
            {
                **base,
                "order": 0,
                "kind": "domestic substitutes only (no source shows them serving 7 nm)",
                "key": f"domestic-only:{item}",
                "items": [item],
                "item_labels": [_label(G, node)],
                "buyers": [buyer],
                "providers": [p for p, _ in left],
                "provider_labels": [G.graph.get("labels", {}).get(p, p) for p, _ in left],
                "countries": sorted({d.get("provider_country", "") for _, d in edges if is_cut(d)} - {""}),
                "measures": cut_by,
                "citations": [measures[m].legal_citation for m in cut_by if m in measures],
                "servicing_cut_by": [],
                "servicing_cut_for": [],
                "domestic": True,
                "domestic_share": round(sum(shares), 3) if shares else None,
            }
        )
    return rows


def chokepoints(
    G: nx.DiGraph,
    accelerator: str,
    *,
    as_of: Any = None,
    scenario: Any = None,
    max_order: int = 2,
    min_confidence: str | None = None,
) -> list[dict[str, Any]]:
    """The chokepoint rows of one accelerator, in both readings, as the CLI and chokepoints.json give them.

    Each row says in which ``reading`` it holds and whether it is ``robust``; :func:`analyse`
    gives one reading (the graph's) with the summary fields.

    Examples
    --------
    ``chokepoints(G, "ascend-910c", as_of="2025-01-01")`` lists EUV and ArF immersion scanners as
    cut off for SMIC (order 0), then the providers whose loss would end the rest of the chain.
    """
    _root(G, accelerator)  # a clear error for an unknown accelerator
    acc = accelerator.removeprefix("acc:")
    (result,) = all_chokepoints(
        G, [acc], as_of=as_of, scenario=scenario, max_order=max_order, min_confidence=min_confidence
    )
    return result["chokepoints"]


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
    readings: Iterable[str] = READINGS,
    unbridge: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """:func:`analyse` for each accelerator (default: every domestic one), in id order, in both readings.

    The result of each accelerator is that of the first reading (broad), with the rows found only
    in the other added; every row says in which ``reading`` it holds ("both" when in all of them)
    and whether it is ``robust``. ``feasible_by_reading`` gives feasibility per reading.
    ``unbridge`` withdraws the stock bridge of these inputs (as a scenario's ``unbridge`` does, for a
    graph a scenario was applied to already).
    """
    scenario = as_scenario(scenario)
    readings = tuple(readings)
    graphs: dict[str, nx.DiGraph] = {}
    partial: dict[str, nx.DiGraph | None] = {}
    edges = [d for _, _, d in G.edges(data=True)]
    has_in_part = any(d.get("in_part") for d in edges)
    has_partial = any(d.get("partial_substitute") for d in edges)
    for r in readings:
        if graphs and not has_in_part:
            # no measure covers any edge only in part: every reading is the first one (no copy)
            graphs[r], partial[r] = graphs[readings[0]], partial[readings[0]]
            continue
        graphs[r] = _prepared(G, as_of, scenario, min_confidence, reading=r)
        partial[r] = without_partial_substitutes(graphs[r]) if has_partial else None
    accs = sorted(accelerators) if accelerators is not None else domestic_accelerators(graphs[readings[0]])
    unbridge = tuple(unbridge) + tuple(getattr(scenario, "unbridge", ()) or ())
    out = []
    for a in accs:
        per = {
            r: analyse(
                graphs[r],
                a,
                max_order=max_order,
                unbridge=unbridge,
                min_confidence=min_confidence,
                substitutes=partial[r],
            )
            for r in readings
        }
        out.append(merge_readings(per) | {"scenario": getattr(scenario, "name", None)})
    return out


def merge_readings(per: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One accelerator's results in several readings as one: rows tagged with where they hold."""
    readings = list(per)
    first = {k: v for k, v in per[readings[0]].items() if k != "government_cuts"}
    # a row holds in a reading where it is found, or (an alignment row) where its set of
    # governments cuts without being minimal there
    keys = {r: {row["key"] for row in res["chokepoints"]} for r, res in per.items()}
    cuts = {r: list(res.get("government_cuts", ())) for r, res in per.items()}

    def holds_where(key: str, reading: str) -> bool:
        if key in keys[reading]:
            return True
        return key.startswith(GOVERNMENT_PREFIX) and holds_in(key, cuts[reading])

    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in readings:
        for row in per[r]["chokepoints"]:
            if row["key"] in seen:
                continue
            seen.add(row["key"])
            holds = [x for x in readings if holds_where(row["key"], x)]
            rows.append({**row, "reading": "both" if len(holds) == len(readings) else "+".join(holds)})
    for row in rows:
        row["robust"] = row["reading"] == "both"
    rows.sort(key=lambda row: (row["order"], row["key"]))
    return {
        **first,
        "chokepoints": rows,
        "readings": readings,
        "feasible_by_reading": {r: res["feasible"] for r, res in per.items()},
    }
