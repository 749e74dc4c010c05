"""Concentration and exposure metrics, and the cross-accelerator ranking of chokepoints.

- **HHI** (Herfindahl-Hirschman index) of an input: the sum of the squared market shares of its
  providers, in percent (0-10,000); above 2,500 is "highly concentrated" in the US merger
  guidelines. Computed over firms where ETO names them, else countries.
- **countries for 75 %**: the fewest countries whose shares add up to at least 75 % of the
  input's market, as ETO's Supply Chain Explorer reports it (country-level shares; where ETO gives
  only firm shares, they are summed by the firms' countries).
- **exposure** of an accelerator to a jurisdiction: the share-weighted count of its supply nodes
  that depend on providers there, i.e. the sum over the supply nodes of the jurisdiction's share
  of that node's providers (shares normalised to the known total).
- **ranking**: chokepoints (by key) ordered by how many accelerators they hold.

References
----------
U.S. Department of Justice and Federal Trade Commission, *Merger Guidelines* (2023), §2.1 (HHI).
Emerging Technology Observatory, *Supply Chain Explorer*, methodology notes (countries for 75 %).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.chokepoints import nodeids
from graph.chokepoints.alignment import KEY_PREFIX as GOVERNMENT_PREFIX

__all__ = ["hhi", "countries_for_share", "input_concentration", "jurisdiction_exposure", "ranking"]


def hhi(shares: Iterable[float | None]) -> float | None:
    """Sum of squared percentage shares; None when no share is known.

    >>> hhi([50, 40, 10])
    4200.0
    """
    known = [float(s) for s in shares if s is not None]
    return round(sum(s * s for s in known), 2) if known else None


def countries_for_share(country_shares: dict[str, float], threshold: float = 75.0) -> int | None:
    """The fewest countries whose shares reach ``threshold`` percent; None if they never do.

    >>> countries_for_share({"NLD": 81.5, "JPN": 15.0})
    1
    """
    total = 0.0
    for n, share in enumerate(sorted(country_shares.values(), reverse=True), 1):
        total += share
        if total >= threshold - 1e-9:
            return n
    return None


def _country_shares(G: nx.DiGraph, item: str) -> dict[str, float]:
    rows = G.graph.get("country_provisions", {}).get(item) or []
    out: dict[str, float] = defaultdict(float)
    if rows:
        for p, s in rows:
            if s is not None:
                out[p] += float(s)
        return dict(out)
    countries = G.graph.get("provider_country", {})
    for p, s in G.graph.get("provisions", {}).get(item, []):
        if s is not None and countries.get(p):
            out[countries[p]] += float(s)
    return dict(out)


def input_concentration(G: nx.DiGraph, inputs: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """HHI and countries-for-75 % of every input with provider data (plain rows, by input id)."""
    labels = G.graph.get("labels", {})
    provisions = G.graph.get("provisions", {})
    rows = []
    for item in sorted(inputs if inputs is not None else provisions):
        provs = provisions.get(item, [])
        cs = _country_shares(G, item)
        top = max(cs.items(), key=lambda kv: (kv[1], kv[0]))[0] if cs else None
        rows.append(
            {
                "input": item,
                "label": labels.get(item, item),
                "providers": len(provs),
                "hhi": hhi(s for _, s in provs),
                "countries_for_75": countries_for_share(cs),
                "top_country": top,
                "top_country_share": round(cs[top], 2) if top else None,
            }
        )
    return rows


def jurisdiction_exposure(G: nx.DiGraph, accelerator: str) -> list[dict[str, Any]]:
    """Share-weighted count of the accelerator's supply nodes that depend on each jurisdiction."""
    root = nodeids.accelerator(accelerator)
    exposure: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for node in nx.descendants(G, root) | {root}:
        if G.nodes[node].get("kind") != "supply":
            continue
        by_country: dict[str, float] = defaultdict(float)
        for _, _, d in G.out_edges(node, data=True):
            if "candidates" in d and d.get("share") is not None and d.get("provider_country"):
                by_country[d["provider_country"]] += float(d["share"])
        total = sum(by_country.values())
        if total <= 0:
            continue
        for c, s in by_country.items():
            exposure[c] += s / total
            counts[c] += 1
    rows = [
        {"accelerator": root[4:], "jurisdiction": c, "exposure": round(v, 3), "supply_nodes": counts[c]}
        for c, v in exposure.items()
    ]
    return sorted(rows, key=lambda r: (-r["exposure"], r["jurisdiction"]))


def ranking(results: Iterable[dict[str, Any]], *, robust_only: bool = True) -> list[dict[str, Any]]:
    """Chokepoints across accelerators (results of ``all_chokepoints``): the supplies already cut
    off (order 0, ``status`` "cut off", or "domestic only" where only domestic providers that no
    source shows serving the node are left) first, then the sets of providers whose loss would cut
    (orders 1 and 2, "would cut"), then the sets of governments whose control of one input would
    ("would cut if aligned", :mod:`graph.chokepoints.alignment`), each group with the most
    accelerators first.

    By default only robust findings (those that hold in both readings of the measures' scope);
    ``robust_only=False`` ranks every finding, and a key is robust when it is for every accelerator.
    """
    held: dict[str, dict[str, Any]] = {}
    for res in results:
        for row in res["chokepoints"]:
            if robust_only and not row.get("robust", True):
                continue
            entry = held.setdefault(
                row["key"],
                {
                    "key": row["key"],
                    "order": row["order"],
                    "kind": row["kind"],
                    "label": row.get("label")
                    or ", ".join(row["provider_labels"] if row["order"] else row["item_labels"]),
                    "countries": set(),
                    "measures": set(),
                    "accelerators": set(),
                    "robust": True,
                },
            )
            entry["robust"] = entry["robust"] and row.get("robust", True)
            entry["order"] = min(entry["order"], row["order"])
            entry["countries"] |= set(row["countries"])
            entry["measures"] |= set(row["measures"])
            entry["accelerators"].add(row["accelerator"])
    rows = [
        {
            **e,
            "n_accelerators": len(e["accelerators"]),
            "accelerators": sorted(e["accelerators"]),
            "countries": sorted(e["countries"]),
            "measures": sorted(e["measures"]),
        }
        for e in held.values()
    ]
    rows.sort(key=lambda r: (_group(r), -r["n_accelerators"], r["order"], r["key"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
        if r["order"]:
            r["status"] = _STATUS[_group(r)]
        else:
            r["status"] = "domestic only" if r["kind"].startswith("domestic") else "cut off"
    return rows


#: The status of a ranked finding by its group (order 0 is told apart by its kind).
_STATUS = {1: "would cut", 2: "would cut if aligned"}


def _group(row: dict[str, Any]) -> int:
    """0: already cut off; 1: sets of providers that would cut; 2: sets of governments that would."""
    if not row["order"]:
        return 0
    return 2 if row["key"].startswith(GOVERNMENT_PREFIX) else 1
