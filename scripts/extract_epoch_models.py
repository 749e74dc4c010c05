"""Write the extract of Epoch AI's model database that chipgraph ships (graph/data/epoch/).

Epoch's snapshot ("All ML Systems - full view.csv", 2,052 models, 89 columns, 4 MB) is mostly
about models chipgraph does not cover. The extract keeps, unchanged, the values of the columns
the importer reads (:data:`graph.sources.epoch_models.MODEL_COLUMNS`) for every row whose
"Country (from Organization)" names China, in upstream order, so that the importer's scope
decisions (Chinese developers, language models, training hardware) stay visible and reproducible.

Usage::

    python scripts/extract_epoch_models.py "/path/to/All ML Systems - full view.csv" \
        graph/data/epoch/notable_models_china.csv
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

from graph.sources.epoch_models import MODEL_COLUMNS


def extract(source: Path, target: Path) -> int:
    """Write the extract; return the number of rows written."""
    raw = source.read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    kept = [r for r in rows if "China" in (c.strip() for c in r["Country (from Organization)"].split(","))]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MODEL_COLUMNS)
    for r in kept:
        writer.writerow([r[c] for c in MODEL_COLUMNS])
    target.write_bytes(out.getvalue().encode("utf-8"))
    print(f"{len(kept)} of {len(rows)} rows; upstream sha256 {hashlib.sha256(raw).hexdigest()}")
    return len(kept)


if __name__ == "__main__":
    extract(Path(sys.argv[1]), Path(sys.argv[2]))
