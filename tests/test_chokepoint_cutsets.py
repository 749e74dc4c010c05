"""Hand-checked AND/OR graphs for the minimal-cut-set algorithm (graph.chokepoints.cutsets).

Each expected answer can be checked on paper with the fault-tree reading of the graph: a
requirement AND is a fault-tree OR gate, a requirement OR a fault-tree AND gate (Vesely et al.,
Fault Tree Handbook, NUREG-0492, 1981, ch. VII; MOCUS, Fussell & Vesely 1972). A brute-force
enumeration over all sets of at most two basic events cross-checks random graphs.
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from graph.chokepoints.cutsets import availability, minimal_cut_sets
from graph.errors import ChipgraphError


def graph(
    gates: dict[str, str], edges: list[tuple[str, str]], basic: set[str], cut: set[tuple[str, str]] = frozenset()
):
    G = nx.DiGraph()
    for node, gate in gates.items():
        G.add_node(node, gate=gate, basic=node in basic)
    for b in basic:
        G.add_node(b, gate=G.nodes[b].get("gate", "and") if b in G else "and", basic=True)
    for u, v in edges:
        G.add_edge(u, v, cut_by=("m",) if (u, v) in cut else ())
    return G


def test_and_of_ors_gives_one_pair_per_or():
    # chip needs litho (ASML or Nikon) and etch (Lam or TEL): no single point, two pairs.
    G = graph(
        {"chip": "and", "litho": "or", "etch": "or"},
        [("chip", "litho"), ("chip", "etch"), ("litho", "asml"), ("litho", "nikon"), ("etch", "lam"), ("etch", "tel")],
        {"asml", "nikon", "lam", "tel"},
    )
    cs = minimal_cut_sets(G, "chip")
    assert cs.available and cs.singles == []
    assert cs.pairs == [("asml", "nikon"), ("lam", "tel")]


def test_shared_provider_of_both_alternatives_is_a_single_point():
    # EUV from ASML only, ArF immersion from ASML only: chip needs either, so ASML alone ends it.
    G = graph(
        {"chip": "and", "anyof": "or", "euv": "or", "arfi": "or"},
        [("chip", "anyof"), ("anyof", "euv"), ("anyof", "arfi"), ("euv", "asml"), ("arfi", "asml")],
        {"asml"},
    )
    assert minimal_cut_sets(G, "chip").singles == ["asml"]


def test_shared_provider_with_a_second_source():
    # ArF immersion also from Nikon: losing ASML leaves Nikon; ASML and Nikon together end it.
    G = graph(
        {"chip": "and", "anyof": "or", "euv": "or", "arfi": "or"},
        [("chip", "anyof"), ("anyof", "euv"), ("anyof", "arfi"), ("euv", "asml"), ("arfi", "asml"), ("arfi", "nikon")],
        {"asml", "nikon"},
    )
    cs = minimal_cut_sets(G, "chip")
    assert cs.singles == [] and cs.pairs == [("asml", "nikon")]


def test_provider_that_needs_inputs_itself():
    # Fabrication from SMIC (which itself needs tools from AMAT or Lam) or from TSMC.
    # {smic, tsmc} is a pair; {amat, lam, tsmc} has order 3 and is not reported.
    G = graph(
        {"chip": "and", "fab": "or", "smic": "and", "tools": "or"},
        [("chip", "fab"), ("fab", "smic"), ("fab", "tsmc"), ("smic", "tools"), ("tools", "amat"), ("tools", "lam")],
        {"smic", "tsmc", "amat", "lam"},
    )
    cs = minimal_cut_sets(G, "chip")
    assert cs.singles == [] and cs.pairs == [("smic", "tsmc")]
    # once TSMC is cut off by a measure, SMIC is a single point and the tool pair appears
    G.edges["fab", "tsmc"]["cut_by"] = ("us-fdpr",)
    cs = minimal_cut_sets(G, "chip")
    assert cs.singles == ["smic"] and cs.pairs == [("amat", "lam")]


def test_cut_edges_and_bridging():
    G = graph({"chip": "and", "litho": "or"}, [("chip", "litho"), ("litho", "asml")], {"asml"}, cut={("litho", "asml")})
    assert minimal_cut_sets(G, "chip").available is False
    assert availability(G, "chip")["chip"] is False
    cs = minimal_cut_sets(G, "chip", bridged=["litho"])
    assert cs.available and cs.singles == [] and cs.pairs == []


def test_max_order_one_skips_pairs():
    G = graph(
        {"chip": "and", "litho": "or"},
        [("chip", "litho"), ("litho", "a"), ("litho", "b"), ("chip", "c")],
        {"a", "b", "c"},
    )
    cs = minimal_cut_sets(G, "chip", max_order=1)
    assert cs.singles == ["c"] and cs.pairs == []
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ChipgraphError):
            minimal_cut_sets(G, "chip", max_order=bad)


def test_order_three_finds_the_triple_of_three_alternatives():
    # litho from ASML, Nikon or Canon; etch from Lam or TEL: one triple, one pair.
    G = graph(
        {"chip": "and", "litho": "or", "etch": "or"},
        [("chip", "litho"), ("litho", "asml"), ("litho", "nikon"), ("litho", "canon")]
        + [("chip", "etch"), ("etch", "lam"), ("etch", "tel")],
        {"asml", "nikon", "canon", "lam", "tel"},
    )
    assert minimal_cut_sets(G, "chip").higher == []
    cs = minimal_cut_sets(G, "chip", max_order=3)
    assert cs.singles == [] and cs.pairs == [("lam", "tel")]
    assert cs.higher == [("asml", "canon", "nikon")]
    assert cs.as_sets()[-1] == frozenset({"asml", "canon", "nikon"})


def test_order_three_through_a_provider_that_needs_inputs():
    # As test_provider_that_needs_inputs_itself: {amat, lam, tsmc} is the triple of order 3.
    G = graph(
        {"chip": "and", "fab": "or", "smic": "and", "tools": "or"},
        [("chip", "fab"), ("fab", "smic"), ("fab", "tsmc"), ("smic", "tools"), ("tools", "amat"), ("tools", "lam")],
        {"smic", "tsmc", "amat", "lam"},
    )
    cs = minimal_cut_sets(G, "chip", max_order=3)
    assert cs.pairs == [("smic", "tsmc")] and cs.higher == [("amat", "lam", "tsmc")]


def test_cycle_is_refused_or_broken_and_reported():
    # a needs b, b needs a or c: a loop a -> b -> a.
    G = graph({"a": "and", "b": "or"}, [("a", "b"), ("b", "a"), ("b", "c")], {"c"})
    with pytest.raises(ChipgraphError, match="loop"):
        minimal_cut_sets(G, "a")
    cs = minimal_cut_sets(G, "a", on_cycle="break")
    assert cs.cycles == [["a", "b", "a"]]
    # the closing edge b -> a is dropped: the loop cannot supply b, so c is a single point
    assert cs.available and cs.singles == ["c"] and cs.pairs == []


def brute_force_sets(G: nx.DiGraph, root: str, max_order: int, bridged=()) -> set[frozenset]:
    """Every minimal cut set of order <= max_order, by trying all sets of basic events in order of size."""
    basics = sorted(n for n in G if G.nodes[n].get("basic"))
    found: list[frozenset] = []
    for r in range(1, max_order + 1):
        for combo in itertools.combinations(basics, r):
            s = frozenset(combo)
            if not any(f <= s for f in found) and not availability(G, root, failed=combo, bridged=bridged)[root]:
                found.append(s)
    return set(found)


@pytest.mark.parametrize("seed", range(150))
def test_orders_one_to_four_match_brute_force_on_graphs_with_loops_and_stock(seed):
    rng = random.Random(seed)
    G, nodes = random_cyclic_graph(rng)
    blocked = [
        n for n in G if G.nodes[n].get("gate") == "or" and G.adj[n] and all(d["cut_by"] for d in G.adj[n].values())
    ]
    bridged = rng.sample(blocked, k=rng.randint(0, len(blocked)))
    root = rng.choice([n for n in nodes if n.startswith("g")])
    k = 1 + seed % 4
    cs = minimal_cut_sets(G, root, max_order=k, bridged=bridged, on_cycle="break")
    assert cs.available == availability(G, root, bridged=bridged)[root]
    if cs.available:
        assert set(cs.as_sets()) == brute_force_sets(G, root, k, bridged)


@pytest.mark.parametrize("seed", range(60))
def test_order_three_matches_brute_force_on_larger_dags(seed):
    rng = random.Random(1000 + seed)
    basics = [f"p{i}" for i in range(rng.randint(4, 10))]
    gates = {f"g{i}": rng.choice(["and", "or", "or"]) for i in range(rng.randint(8, 30))}
    G = graph(gates, [], set(basics))
    names = list(gates)
    for i, g in enumerate(names):
        pool = names[i + 1 :] + basics
        for child in rng.sample(pool, k=min(len(pool), rng.randint(1, 4))):
            G.add_edge(g, child, cut_by=("m",) if rng.random() < 0.05 else ())
    for g in rng.sample(names[1:], k=2):
        G.nodes[g]["basic"] = True
    cs = minimal_cut_sets(G, "g0", max_order=3)
    if cs.available:
        assert set(cs.as_sets()) == brute_force_sets(G, "g0", 3)


def brute_force(G: nx.DiGraph, root: str, basics: list[str]) -> tuple[set, set]:
    def down(failed):
        return not availability(G, root, failed=failed)[root]

    singles = {b for b in basics if down([b])}
    pairs = {frozenset(p) for p in itertools.combinations(basics, 2) if down(list(p)) and not (set(p) & singles)}
    return singles, pairs


@pytest.mark.parametrize("seed", range(40))
def test_random_dags_match_brute_force(seed):
    rng = random.Random(seed)
    n_gates, basics = rng.randint(3, 9), [f"p{i}" for i in range(rng.randint(2, 6))]
    gates = {f"g{i}": rng.choice(["and", "or"]) for i in range(n_gates)}
    G = graph(gates, [], set(basics))
    names = list(gates)
    for i, g in enumerate(names):
        for child in rng.sample(names[i + 1 :] + basics, k=min(len(names[i + 1 :] + basics), rng.randint(1, 3))):
            G.add_edge(g, child, cut_by=("m",) if rng.random() < 0.1 else ())
    cs = minimal_cut_sets(G, "g0")
    if not cs.available:
        assert availability(G, "g0")["g0"] is False
        return
    singles, pairs = brute_force(G, "g0", basics)
    assert set(cs.singles) == singles
    assert {frozenset(p) for p in cs.pairs} == pairs


def lost(G: nx.DiGraph, root: str, failed, bridged) -> dict[str, bool]:
    """The reference answer: the nodes where a full re-evaluation differs from the one without failures."""
    before = availability(G, root, bridged=bridged)
    after = availability(G, root, failed=failed, bridged=bridged)
    assert after.keys() == before.keys()
    return {n: ok for n, ok in after.items() if ok != before[n]}


def random_cyclic_graph(rng: random.Random) -> tuple[nx.DiGraph, list[str]]:
    """A random AND/OR graph with loops (edges in any direction, self-loops), cut edges, basic gates."""
    gates = {f"g{i}": rng.choice(["and", "or", "or"]) for i in range(rng.randint(3, 14))}
    basics = [f"p{i}" for i in range(rng.randint(1, 7))]
    G = graph(gates, [], set(basics))
    for g in rng.sample(list(gates), k=rng.randint(0, 2)):  # gates that can fail themselves
        G.nodes[g]["basic"] = True
    nodes = list(G)
    for g in gates:
        for child in rng.sample(nodes, k=rng.randint(0, min(4, len(nodes)))):
            G.add_edge(g, child, cut_by=("m",) if rng.random() < 0.15 else ())
    return G, nodes


@pytest.mark.parametrize("seed", range(300))
def test_incremental_failures_match_full_availability_on_random_graphs(seed):
    from graph.chokepoints.cutsets import IncrementalAvailability

    rng = random.Random(seed)
    G, nodes = random_cyclic_graph(rng)
    ors = [n for n in G if G.nodes[n].get("gate") == "or"]
    bridged = rng.sample(ors, k=rng.randint(0, len(ors))) if rng.random() < 0.5 else []
    basics = [n for n in G if G.nodes[n].get("basic")]
    for root in rng.sample([n for n in nodes if n.startswith("g")], k=2):
        inc = IncrementalAvailability(G, root, bridged=bridged)
        assert inc.before == availability(G, root, bridged=bridged)
        assert inc.cycles == minimal_cut_sets(G, root, on_cycle="break", bridged=bridged).cycles
        for _ in range(30):
            pool = basics if rng.random() < 0.8 else nodes + ["not-in-graph"]
            failed = rng.sample(pool, k=rng.randint(0, min(4, len(pool))))
            assert inc.failures(failed) == lost(G, root, failed, bridged), (root, failed, bridged)


def test_incremental_failures_on_a_loop_and_a_bridged_node():
    from graph.chokepoints.cutsets import IncrementalAvailability

    # a needs b; b needs a (the closing edge, dropped) or c or the cut-off d (bridged); c is basic
    G = graph(
        {"a": "and", "b": "or", "d": "or"},
        [("a", "b"), ("b", "a"), ("b", "c"), ("b", "d"), ("d", "x")],
        {"c", "x"},
        cut={("d", "x")},
    )
    inc = IncrementalAvailability(G, "a", bridged=["d"])
    assert inc.failures(["c"]) == {"c": False}  # b still has the bridged d
    assert inc.failures(["c", "d"]) == {"c": False, "d": False, "b": False, "a": False}
    assert IncrementalAvailability(G, "a").failures(["c"]) == {"c": False, "b": False, "a": False}


@pytest.fixture(scope="module")
def real_graph(store):
    """The dependency graph of the session build (conftest), on a date with cut-offs in force."""
    from graph.chokepoints.projection import dependency_graph

    return dependency_graph(store, as_of="2025-06-01")


def test_incremental_failures_match_full_availability_on_the_real_graph(real_graph):
    from graph.chokepoints.analysis import _blocked, domestic_accelerators
    from graph.chokepoints.cutsets import IncrementalAvailability

    G, rng, checked = real_graph, random.Random(0), 0
    for acc in domestic_accelerators(G)[:6]:
        root = f"acc:{acc}"
        bridged = _blocked(G, root, availability(G, root))
        inc = IncrementalAvailability(G, root, bridged=bridged)
        assert inc.before == availability(G, root, bridged=bridged)
        basics = sorted(n for n in inc.before if G.nodes[n].get("basic"))
        cut_sets = minimal_cut_sets(G, root, bridged=bridged, on_cycle="break").as_sets()
        for failed in cut_sets[:40] + [rng.sample(basics, k=min(3, len(basics))) for _ in range(20)]:
            assert inc.failures(failed) == lost(G, root, failed, bridged), (acc, failed)
            checked += 1
    assert checked > 100
