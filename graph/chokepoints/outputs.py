"""The chokepoint files of ``chipgraph build``: output/chokepoints.json and output/chokepoints.csv.

Deterministic for a given graph and date (sorted rows, sorted keys, no timestamps) and written
atomically. The JSON holds, per domestic accelerator, the summary and chokepoint rows, the
cross-accelerator ranking, per-input concentration, and the measures used with their citations.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from graph.textcells import cell_text

__all__ = ["write_chokepoint_outputs", "chokepoint_document", "CSV_COLUMNS", "ROW_COLUMNS"]

#: The columns of a chokepoint row in short listings (``chipgraph chokepoints``).
ROW_COLUMNS = [
    "accelerator",
    "order",
    "kind",
    "key",
    "items",
    "buyers",
    "providers",
    "importance",
    "countries",
    "measures",
    "servicing_cut_by",
    "domestic",
    "domestic_share",
    "reading",
]
#: The columns of chokepoints.csv: the row columns plus the accelerator's label and feasibility.
CSV_COLUMNS = [ROW_COLUMNS[0], "accelerator_label", "feasible", "feasible_with_stock", *ROW_COLUMNS[1:]]


def chokepoint_document(store: Any, as_of: Any = None, graph: Any = None) -> dict[str, Any]:
    """Everything the outputs hold, as plain data (``graph``: a dependency graph already projected).

    ``as_of`` defaults to the data date (:func:`graph.read.model.data_date`), as ``chipgraph build`` uses.
    """
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.measures import parse_date
    from graph.chokepoints.metrics import input_concentration, jurisdiction_exposure, ranking
    from graph.chokepoints.projection import dependency_graph
    from graph.read.model import date_or_data_date

    if graph is not None:
        G = graph
    else:
        G = dependency_graph(store, as_of=date_or_data_date(store, parse_date(as_of, "as_of")))
    results = all_chokepoints(G)
    for r in results:
        r["exposure"] = jurisdiction_exposure(G, r["accelerator"])
    used = sorted({m for r in results for row in r["chokepoints"] for m in row["measures"]})
    measures = G.graph["measures"]
    return {
        "as_of": G.graph["as_of"],
        "shares_release": G.graph.get("shares_release"),
        "min_confidence": G.graph["min_confidence"],
        "accelerators": results,
        "ranking": ranking(results),
        "ranking_with_fragile": ranking(results, robust_only=False),
        "input_concentration": input_concentration(G),
        "measures": [measures[m].as_dict() for m in sorted(measures)],
        "measures_cutting": used,
    }


def write_chokepoint_outputs(
    store: Any, output_dir: str | Path, as_of: Any = None, graph: Any = None, document: dict[str, Any] | None = None
) -> list[Path]:
    """Write chokepoints.json and chokepoints.csv under ``output_dir``; return their paths.

    ``graph`` is the dependency graph of ``store`` as of ``as_of`` when the caller has projected it
    already (``chipgraph build`` shares one with the site), so it is not projected twice;
    ``document``, the :func:`chokepoint_document` of that graph when the caller has it (the build
    hands its per-accelerator results on to the site).
    """
    from graph.atomic import write_text_atomic

    doc = document if document is not None else chokepoint_document(store, as_of, graph)
    out = Path(output_dir)
    jpath, cpath = out / "chokepoints.json", out / "chokepoints.csv"
    write_text_atomic(jpath, json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in doc["accelerators"]:
        for row in r["chokepoints"]:
            merged = {**row, "feasible": r["feasible"], "feasible_with_stock": r["feasible_with_stock"]}
            w.writerow([cell_text(merged.get(c)) for c in CSV_COLUMNS])
    write_text_atomic(cpath, buf.getvalue())
    return [jpath, cpath]
