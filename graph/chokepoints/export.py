"""Write the dependency graph for Gephi and Cytoscape: GraphML, GEXF, or CSV node and edge lists.

Lists become "; "-joined text and missing values empty text, because GraphML and GEXF attributes
are scalars. Nodes carry kind, gate, label, entity, country, basic and ``cut_off`` (an OR node all
of whose supply edges are cut on the graph's date); edges carry relation, share, sources,
candidate measures and the measures that cut them (``cut_by``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import InputError, Problem
from graph.textcells import cell_text

__all__ = ["export_network", "FORMATS"]

FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".csv": "csv"}
NODE_FIELDS = ["id", "kind", "gate", "label", "entity", "buyer", "country", "basic", "domestic", "cut_off"]
EDGE_FIELDS = [
    "source",
    "target",
    "relation",
    "item",
    "provider",
    "provider_country",
    "share",
    "confidence",
    "sources",
    "candidates",
    "cut_by",
]


def _scalar(value: Any) -> str | float | bool:
    """A GraphML/GEXF attribute: numbers and booleans stay typed, the rest is cell text."""
    if isinstance(value, (bool, float, int)):
        return value
    return cell_text(value, sort=True)


def plain_graph(G: nx.DiGraph) -> nx.DiGraph:
    """A copy with scalar attributes only and a ``cut_off`` flag on nodes."""
    H = nx.DiGraph()
    H.graph.update({"as_of": G.graph.get("as_of", ""), "scenario": G.graph.get("scenario") or ""})
    for node in sorted(G.nodes, key=str):
        data = G.nodes[node]
        edges = G.adj[node]
        cut_off = bool(data.get("gate") == "or" and edges and all(d.get("cut_by") for d in edges.values()))
        H.add_node(str(node), **{k: _scalar(data.get(k)) for k in NODE_FIELDS[1:] if k != "cut_off"}, cut_off=cut_off)
    for u, v in sorted(G.edges, key=lambda e: (str(e[0]), str(e[1]))):
        d = G.edges[u, v]
        H.add_edge(str(u), str(v), **{k: _scalar(d.get(k)) for k in EDGE_FIELDS[2:]})
    return H


def _csv(rows: list[dict[str, Any]], fields: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: r.get(k, "") for k in fields})
    return buf.getvalue()


def _refuse_folders(paths: list[Path]) -> None:
    """InputError when a file to write is a folder, checked for all before any is written.

    ``-o st.csv`` writes st-nodes.csv and st-edges.csv, names the CLI's own check never sees; a
    folder there made the atomic rename fail with IsADirectoryError after the other file was written.
    """
    for target in paths:
        if target.is_dir():
            raise InputError(
                Problem("is a folder, not a file", target, hint="move the folder or choose another -o name")
            )


def export_network(G: nx.DiGraph, path: str | Path) -> list[Path]:
    """Write ``G`` by the file extension (.graphml, .gexf, .csv -> <stem>-nodes.csv + <stem>-edges.csv)."""
    from graph.atomic import write_text_atomic

    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            Problem(f"cannot tell the format of {path.name}", path, hint="use a .graphml, .gexf or .csv file name")
        )
    H = plain_graph(G)
    if fmt == "csv":
        nodes = [{"id": n, **d} for n, d in H.nodes(data=True)]
        edges = [{"source": u, "target": v, **d} for u, v, d in H.edges(data=True)]
        npath = path.with_name(path.stem + "-nodes.csv")
        epath = path.with_name(path.stem + "-edges.csv")
        _refuse_folders([npath, epath])
        write_text_atomic(npath, _csv(nodes, NODE_FIELDS))
        write_text_atomic(epath, _csv(edges, EDGE_FIELDS))
        return [npath, epath]
    _refuse_folders([path])
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(H, buf, encoding="utf-8", prettyprint=True)
    else:
        nx.write_gexf(H, buf, encoding="utf-8", prettyprint=True)
    write_text_atomic(path, buf.getvalue().decode("utf-8"))
    return [path]
