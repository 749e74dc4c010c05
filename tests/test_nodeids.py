"""Node ids of the dependency graph (graph.chokepoints.nodeids), and no import cycle in chokepoints."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

from graph.chokepoints import nodeids

PACKAGE = Path(__file__).resolve().parent.parent / "graph" / "chokepoints"


def test_ids_round_trip():
    assert nodeids.accelerator("ascend-910c") == nodeids.accelerator("acc:ascend-910c") == "acc:ascend-910c"
    assert nodeids.stage("ascend-910c", "fabrication") == "stage:ascend-910c:fabrication"
    assert nodeids.route("ascend-910c", "smic", "smic-n7") == "route:ascend-910c:smic:smic-n7"
    assert nodeids.route("x", None, None) == "route:x:unknown:-"
    for make, kind in (
        (nodeids.need, "need"),
        (nodeids.supply, "supply"),
        (nodeids.all_of, "all"),
        (nodeids.anyof, "anyof"),
    ):
        node = make("hbm2e", "hisilicon+huawei")
        assert (nodeids.kind_of(node), nodeids.entity_of(node), nodeids.buyer_of(node)) == (
            kind,
            "hbm2e",
            "hisilicon+huawei",
        )
    assert nodeids.entity_of(nodeids.provider("asml")) == "asml" and nodeids.buyer_of("provider:asml") is None
    assert nodeids.entity_of(nodeids.stage("ascend-910c", "memory")) == "ascend-910c"
    inhouse = nodeids.in_house("huawei", "kirin-ip")
    assert (nodeids.kind_of(inhouse), nodeids.entity_of(inhouse), nodeids.buyer_of(inhouse)) == (
        "inhouse",
        "huawei",
        None,
    )


def test_the_projection_writes_ids_of_this_grammar(store):
    from graph.chokepoints.projection import dependency_graph

    G = dependency_graph(store, as_of="2025-06-01")
    makers = {
        "accelerator": lambda d: nodeids.accelerator(d["entity"]),
        "provider": lambda d: nodeids.provider(d["entity"]),
        "need": lambda d: nodeids.need(d["entity"], d["buyer"]),
        "alternatives": lambda d: nodeids.anyof(d["entity"], d["buyer"]),
        "complements": lambda d: nodeids.all_of(d["entity"], d["buyer"]),
    }
    checked = 0
    for node, data in G.nodes(data=True):
        make = makers.get(data.get("kind"))
        if make is not None:
            assert make(data) == node
            checked += 1
        if data.get("kind") == "supply":
            assert nodeids.kind_of(node) == "supply" and nodeids.entity_of(node) == data["entity"]
    assert checked > 100


def _imports(path: Path) -> set[str]:
    """Modules of graph.chokepoints that ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("graph.chokepoints"):
            if node.module == "graph.chokepoints":
                found |= {f"graph.chokepoints.{a.name}" for a in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("graph.chokepoints.")}
    return found


def test_no_import_cycle_among_the_chokepoint_modules():
    G = nx.DiGraph()
    for path in PACKAGE.glob("*.py"):
        if path.name == "__init__.py":
            continue
        me = f"graph.chokepoints.{path.stem}"
        G.add_node(me)
        for other in _imports(path):
            if other != me and (PACKAGE / f"{other.rsplit('.', 1)[1]}.py").exists():
                G.add_edge(me, other)
    assert list(nx.simple_cycles(G)) == []
    assert G.has_edge("graph.chokepoints.scenarios", "graph.chokepoints.cuts")
