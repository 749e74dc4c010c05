"""Production capacity of China's AI accelerators, from sourced and dated figure claims.

How many packages of an accelerator can be made in a year is bounded by logic dies (wafer starts x
gross dies per wafer x yield, plus die-bank drawdown, over dies per package), by memory (HBM stock
and new supply over stacks per package) and by packaging where it is known; the output is the
minimum. Every input is a range chosen from the claims by one rule (:data:`model.RANGE_RULE`); what
no source gives is a named assumption (``graph/data/capacity/assumptions.yaml``). Uncertainty is
propagated by exact interval bounds plus a seeded Monte Carlo (:mod:`graph.capacity.model`).
Published output estimates are read too, only to compare against.

Library API (claims first, keyword options, plain data back)::

    data = read_claims(store)                      # the one seam to the graph (claims.py)
    r = capacity(data, "ascend-910c", 2025, assumptions=load_assumptions())
    r["output"], r["binding"], r["sensitivity"], r["published"]
    results = capacity_results(data, years=[2025, 2026], scenario=load_capacity_scenario(path))
    write_capacity_outputs(store, "output")        # capacity.json and capacity.csv

This package sits in the layer of :mod:`graph.chokepoints`: it may import graph.read, graph.store,
graph.sparql, graph.vocab and the kernel, never graph.render or graph.cli.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "read_claims",
    "capacity",
    "capacity_results",
    "summary_rows",
    "load_assumptions",
    "load_capacity_scenario",
    "compare",
    "gross_dies_per_wafer",
    "write_capacity_outputs",
    "page_data",
]

_TARGETS = {
    "read_claims": "graph.capacity.claims",
    "capacity": "graph.capacity.model",
    "capacity_results": "graph.capacity.report",
    "summary_rows": "graph.capacity.report",
    "write_capacity_outputs": "graph.capacity.report",
    "load_assumptions": "graph.capacity.assumptions",
    "load_capacity_scenario": "graph.capacity.scenarios",
    "compare": "graph.capacity.scenarios",
    "gross_dies_per_wafer": "graph.capacity.dies",
    "page_data": "graph.capacity.page",
}


def __getattr__(name: str) -> Any:
    """Import the submodules (numpy) only when a function is first used."""
    if name in _TARGETS:
        return getattr(importlib.import_module(_TARGETS[name]), name)
    raise AttributeError(f"module 'graph.capacity' has no attribute {name!r}")
