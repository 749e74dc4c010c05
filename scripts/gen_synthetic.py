"""Seeded synthetic AND/OR dependency graphs for the chokepoint benchmark.

The shape follows the real projection (graph.chokepoints.projection): accelerator roots (AND)
need a few requirement nodes (AND), which need further requirement nodes and supply nodes (OR);
supply nodes are had from providers (basic events, shared across items, skewed towards a few big
ones) or from variants. Edges only point from lower to higher index, so the graph is a DAG.
About 5 % of the supply edges are cut by a measure. Same seed, same graph.

Usage: python scripts/gen_synthetic.py 10000 --seed 1   (prints node and edge counts)
"""

from __future__ import annotations

import argparse
import random

import networkx as nx


def synthetic_graph(n_nodes: int, *, seed: int = 0, roots: int = 10, cut_rate: float = 0.05) -> nx.DiGraph:
    """An AND/OR graph of about ``n_nodes`` nodes with ``roots`` accelerator roots ``acc:<i>``."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    n_prov = max(5, n_nodes // 10)
    n_supply = max(5, n_nodes // 3)
    n_need = max(5, n_nodes - n_prov - n_supply - roots)
    countries = ["USA", "JPN", "NLD", "KOR", "TWN", "DEU", "CHN"]
    provs = [f"provider:{i}" for i in range(n_prov)]
    for i, p in enumerate(provs):
        G.add_node(p, kind="provider", gate="and", basic=True, country=countries[i % len(countries)])
    needs = [f"need:{i}" for i in range(n_need)]
    supplies = [f"supply:{i}" for i in range(n_supply)]
    for x in needs:
        G.add_node(x, kind="need", gate="and")
    for x in supplies:
        G.add_node(x, kind="supply", gate="or")
    cum, total = [], 0.0
    for i in range(n_prov):  # a few big providers (cumulative weights: O(log n) per draw)
        total += 1.0 / (1 + i) ** 0.8
        cum.append(total)
    for i, s in enumerate(supplies):
        for p in set(rng.choices(provs, cum_weights=cum, k=rng.randint(1, 4))):
            G.add_edge(s, p, relation="provided-by", cut_by=("m",) if rng.random() < cut_rate else ())
        if i + 1 < n_supply and rng.random() < 0.1:
            G.add_edge(s, supplies[rng.randrange(i + 1, n_supply)], relation="variant", cut_by=())
    for i, x in enumerate(needs):
        G.add_edge(x, supplies[rng.randrange(n_supply)], relation="supplied-as", cut_by=())
        for _ in range(rng.randint(1, 3)):
            if i + 1 < n_need:
                G.add_edge(x, needs[rng.randrange(i + 1, n_need)], relation="goes-into", cut_by=())
    for r in range(roots):
        root = f"acc:{r}"
        G.add_node(root, kind="accelerator", gate="and", entity=str(r))
        for _ in range(5):
            G.add_edge(root, needs[rng.randrange(min(n_need, 50))], relation="requires", cut_by=())
    return G


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nodes", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    G = synthetic_graph(args.nodes, seed=args.seed)
    print(f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges")


if __name__ == "__main__":
    main()
