"""Export-control chokepoints of China's domestic AI accelerators (networkx analysis).

Model
-----
The RDF graph is projected (through SPARQL, so any store works) into a directed AND/OR
dependency graph. An accelerator needs ALL of its stages (AND): design (EDA software, core IP),
fabrication, assembly/packaging/testing and, where known, memory. Fabrication can be had from ANY
of the foundry routes the sources report (OR); a route needs the foundry itself and ALL the
fabrication inputs of the ETO dataset that the requirement rules (``rules.yaml``) name for the
accelerator and its process node (e.g. a node of 7 nm or below needs ArF immersion OR EUV
lithography). An input is needed together with every input that goes into it (``cg:goesInto``,
within its stage), and can be had from ANY of its providers (``cg:Provision``: firms where ETO
names them, plus "unnamed <country> firms" for a country's share its named firms leave
unaccounted; else countries) or variants (``cg:isTypeOf``), except where a supply model rule
(``supply_model.yaml``) says the variants complement each other (CD metrology AND overlay AND
defect inspection...). HBM comes from the suppliers reported for the accelerator and the HBM
market's providers.

Buyers: the designer buys design inputs and memory (and needs no supplier for what it makes in
house, ``cg:inHouseSourceOf``); the foundry buys fabrication inputs, except the wafer's own inputs
(crystal pullers), which the wafer makers buy; the packaging house buys assembly, packaging and
test inputs (the one a supply relationship names, else an unlisted house). A measure cuts a
provider off from a buyer on a date when it is in force, covers the item, applies to the buyer
(destination or listed party, including parents) and binds the provider (its jurisdiction, or a
foreign-direct-product rule); see :mod:`graph.chokepoints.measures`. A measure that covers an
item only in part is read both ways, and findings say whether they are robust to that.

Chokepoints are then (fault-tree style, :mod:`graph.chokepoints.cutsets`): items whose every
provider is already cut off (order 0), and the minimal sets of one or two providers whose loss
would make the accelerator unobtainable from what remains (orders 1 and 2). Cycles in the
requirements are reported and broken at the edge that closes them. Metrics
(:mod:`graph.chokepoints.metrics`): HHI per input, the number of countries needed for 75 % of
supply, exposure per controlling jurisdiction, and a ranking of chokepoints by accelerators held.

Library API (graph first, keyword options, plain data back)::

    G = dependency_graph(store, as_of="2025-01-01")
    rows = chokepoints(G, "ascend-910c", max_order=2)
    results = all_chokepoints(G); table = ranking(results)
    paths = explain(G, "ascend-910c", "euv-lithography-tools")
    write_chokepoint_outputs(store, "output")
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "dependency_graph",
    "chokepoints",
    "analyse",
    "all_chokepoints",
    "ranking",
    "explain",
    "write_chokepoint_outputs",
    "load_scenario",
    "compare",
]


def __getattr__(name: str) -> Any:
    """Import the heavy submodules (networkx) only when a function is first used."""
    targets = {
        "dependency_graph": "graph.chokepoints.projection",
        "chokepoints": "graph.chokepoints.analysis",
        "analyse": "graph.chokepoints.analysis",
        "all_chokepoints": "graph.chokepoints.analysis",
        "ranking": "graph.chokepoints.metrics",
        "explain": "graph.chokepoints.explain",
        "write_chokepoint_outputs": "graph.chokepoints.outputs",
        "load_scenario": "graph.chokepoints.scenarios",
        "compare": "graph.chokepoints.scenarios",
    }
    if name in targets:
        import importlib

        return getattr(importlib.import_module(targets[name]), name)
    raise AttributeError(name)
