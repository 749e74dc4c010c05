"""Benchmark SHACL validation (graph.rdf.shacl.validate_quads) on the real dataset and scaled copies.

The shipped data (ontology + ETO import + curated facts) is assembled once; larger inputs are
made by repeating every entity, claim and source under renamed IRIs (``<iri>-copyN``), so the
mix of classes and shapes stays realistic. Prints wall and CPU seconds per size; CPU time is the
steadier number on a shared machine.

Usage::

    python scripts/bench_shacl.py              # copies 1, 2, 4
    python scripts/bench_shacl.py --copies 1 3
"""

from __future__ import annotations

import argparse
import re
import time

import pyoxigraph as ox

from graph.build import assemble
from graph.rdf.shacl import validate_quads
from graph.vocab.namespaces import CLAIM, GRAPH, ID, SOURCE

_RENAMED = (ID, CLAIM, SOURCE)
_COUNTRY = re.compile(re.escape(ID) + "[A-Z]{3}$")  # country IRIs are their ISO codes: keep them


def _rename(term, n: int):
    if isinstance(term, ox.NamedNode) and term.value.startswith(_RENAMED) and not _COUNTRY.match(term.value):
        return ox.NamedNode(f"{term.value}-copy{n}")
    return term


def scaled(quads: list[ox.Quad], copies: int) -> list[ox.Quad]:
    """The dataset plus ``copies - 1`` renamed copies of its data (not of the ontology)."""
    out = list(quads)
    for n in range(1, copies):
        for q in quads:
            if q.graph_name == ox.NamedNode(GRAPH + "ontology"):
                continue
            out.append(
                ox.Quad(
                    _rename(q.subject, n),
                    q.predicate,
                    _rename(q.object, n),
                    _rename(q.graph_name, n) if isinstance(q.graph_name, ox.NamedNode) else q.graph_name,
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    base = assemble().quads
    print(f"{'quads':>8} {'wall s':>7} {'cpu s':>6}  conforms  violations")
    for copies in args.copies:
        quads = scaled(base, copies)
        wall, cpu = time.perf_counter(), time.process_time()
        report = validate_quads(quads)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{len(quads):>8} {wall:>7.2f} {cpu:>6.2f}  {report.conforms!s:>8}  {len(report.violations):>10}")


if __name__ == "__main__":
    main()
