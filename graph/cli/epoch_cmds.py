"""The Epoch half of ``chipgraph crosswalk``: a thin shell over graph.rdf.epoch_rdf."""

from __future__ import annotations

from pathlib import Path


def epoch_crosswalk_rows(
    names: dict[str, list[str]],
    curated_dir: Path,
    *,
    unmatched: bool,
    near_only: bool,
    crosswalk: Path | None,
) -> tuple[list[dict[str, object]], list[str]]:
    """Rows for ``chipgraph crosswalk --epoch``: the reviewed rows, or what no row maps, with near-matches.

    Unmatched are the training-hardware names of models in scope that were reviewed as having no
    curated accelerator (with the models trained on them; near-matches among the curated
    accelerators) and the organisations kept apart as ``epoch-org-*`` nodes (near-matches among the
    curated organisations), for a reviewer to confirm or map.
    """
    from graph.rdf.epoch_rdf import DEFAULT_CROSSWALK, load_epoch
    from graph.sources.crosswalk import near_matches
    from graph.sources.curated import load_curated
    from graph.sources.epoch_models import read_epoch_crosswalk
    from graph.vocab.ontology import parse_ontology

    crosswalk = crosswalk or DEFAULT_CROSSWALK
    if not unmatched:
        rows: list[dict[str, object]] = [
            {
                "kind": e.kind,
                "epoch_name": e.epoch_name,
                "chipgraph_id": e.chipgraph_id,
                "curated": bool(e.chipgraph_id),
                "note": e.note,
            }
            for e in read_epoch_crosswalk(crosswalk)
        ]
        return rows, ["kind", "epoch_name", "chipgraph_id", "curated", "note"]
    from graph.paths import ontology_file

    records = load_curated(curated_dir, parse_ontology(ontology_file())).records
    result = load_epoch(records, crosswalk=crosswalk)
    accelerators = {
        rid: [*rec.labels.values(), *rec.aliases]
        for rid, rec in records.items()
        if {"AIAccelerator", "GPU", "NPU", "ASIC", "AcceleratorSystem"} & set(rec.types)
    }
    hardware = near_matches(
        [
            {"kind": "hardware", "eto_name": name, "entity_id": "", "models": "; ".join(models)}
            for name, models in result.unmatched_hardware.items()
        ],
        accelerators,
    )
    organisations = near_matches(
        [
            {"kind": "organisation", "eto_name": name, "entity_id": oid, "models": ""}
            for oid, name in result.new_organisations.items()
        ],
        names,
    )
    out: list[dict[str, object]] = []
    for r in hardware + organisations:
        if near_only and not r["near_match_id"]:
            continue
        out.append(
            {
                "kind": r["kind"],
                "epoch_name": r["eto_name"],
                "entity_id": r["entity_id"],
                "models": r["models"],
                "near_match_id": r["near_match_id"],
                "near_match_name": r["near_match_name"],
                "similarity": r["similarity"],
            }
        )
    columns = ["kind", "epoch_name", "entity_id", "models", "near_match_id", "near_match_name", "similarity"]
    return out, columns
