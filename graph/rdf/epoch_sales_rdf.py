"""Import Epoch AI's quarterly chip-sales estimates as figure claims, one per accelerator and quarter.

:func:`load_epoch_sales` reads ``graph/data/epoch/sales_quarterly_by_chip.csv``
(:mod:`graph.sources.epoch_sales`) and maps each row's chip type to a curated accelerator through
the ``sales`` rows of the reviewed crosswalk (``graph/data/epoch_crosswalk.csv``); a chip type with
no row fails the import, a row naming no chip type of the file is stale and fails it too.

Each row becomes a ``cg:FigureClaim`` ``id/epoch-sales-<accelerator>-<year>-q<n>``: metric
:data:`QUARTER_METRIC`, ``cg:figureValue`` Epoch's median, ``cg:figureLow`` its 5th and
``cg:figureHigh`` its 95th percentile, unit "units sold", ``cg:periodStart``/``cg:periodEnd`` the
quarter's first and last day, ``cg:figureYear`` its year, claimed by Epoch AI on the build date of
its staging tables, stated in the curated source :data:`SALES_SOURCE_ID` with medium confidence.
The metric is not the capacity model's yearly one (``output-units-per-year``), so the model never
reads these as yearly figures; the curated ``cap-epoch-*`` yearly sums stay what it compares with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from graph.errors import InputError, Problem
from graph.lexical import canonical_decimal
from graph.rdf.epoch_rdf import DEFAULT_CROSSWALK, EPOCH_DIR, ClaimWriter
from graph.rdf.provenance import date_literal
from graph.rdf.serialize import sorted_quads
from graph.sources.curated import Record
from graph.sources.epoch_models import read_epoch_crosswalk
from graph.sources.epoch_sales import read_sales_quarterly
from graph.vocab.namespaces import XSD, entity_iri

__all__ = ["CLAIM_DATE", "QUARTER_METRIC", "SALES_FILE", "SALES_SOURCE_ID", "EpochSalesImport", "load_epoch_sales"]

SALES_FILE = EPOCH_DIR / "sales_quarterly_by_chip.csv"
#: The curated source record of the file (graph/data/curated/sources_capacity.yaml).
SALES_SOURCE_ID = "epoch-ai-chip-counts-10c28e4"
QUARTER_METRIC = "output-units-per-quarter"
#: The build date of Epoch's staging tables (its manifest in data commit 10c28e4), as for the yearly sums.
CLAIM_DATE = "2026-09-24"
CLAIMANT = "epoch-ai"
UNIT = "units sold"
_KIND = "sales"


@dataclass(frozen=True)
class EpochSalesImport:
    quads: list[Quad]
    claim_ids: list[str]


def _decimal(n: int) -> Literal:
    return Literal(canonical_decimal(Decimal(n)), datatype=NamedNode(XSD + "decimal"))


def load_epoch_sales(
    records: Mapping[str, Record], *, sales_file: Path | None = None, crosswalk: Path | None = None
) -> EpochSalesImport:
    """Read, check and map Epoch's quarterly sales; raise :class:`InputError` (file, line, row) on any problem.

    Parameters
    ----------
    records:
        The curated records: each crosswalk target and the claimant must be among them.
    sales_file, crosswalk:
        Default: the shipped ``graph/data/epoch/sales_quarterly_by_chip.csv`` and crosswalk.
    """
    sales_file = Path(sales_file or SALES_FILE)
    crosswalk = Path(crosswalk or DEFAULT_CROSSWALK)
    rows = read_sales_quarterly(sales_file)
    mapped = {e.epoch_name: e for e in read_epoch_crosswalk(crosswalk) if e.kind == _KIND}
    problems: list[Problem] = []
    for e in mapped.values():
        if e.chipgraph_id and e.chipgraph_id not in records:
            problems.append(Problem(f"{e.chipgraph_id!r} is not an entity of the curated data", crosswalk, e.line))
        if not any(r.chip_type == e.epoch_name for r in rows):
            problems.append(
                Problem(
                    f"sales {e.epoch_name!r} is in no row of {sales_file.name}", crosswalk, e.line, hint="review it"
                )
            )
    w = ClaimWriter()
    ids: list[str] = []
    for r in rows:
        entry = mapped.get(r.chip_type)
        if entry is None:
            problems.append(
                Problem(
                    f"row {r.name!r}, Chip type: {r.chip_type!r} is not in the reviewed crosswalk",
                    sales_file,
                    r.line,
                    hint=f"add a sales row to {crosswalk.name} (with an empty chipgraph_id and a note if none)",
                )
            )
            continue
        acc = entry.chipgraph_id
        if not acc or acc not in records:
            continue
        cid = f"epoch-sales-{acc}-{r.year}-q{r.quarter}"
        if cid in records or cid in ids:
            problems.append(Problem(f"row {r.name!r}: its claim id {cid} is taken", sales_file, r.line))
            continue
        label = records[acc].labels.get("en", acc)
        w.identity(
            cid,
            ["FigureClaim"],
            f"Epoch AI (staging): {label} sales in Q{r.quarter} {r.year}, median {r.median:,}",
            SALES_SOURCE_ID,
        )
        note = (
            f"Epoch's row {r.name!r}, line {r.line} of sales_quarterly_by_chip.csv: units sold in the quarter, "
            "5th percentile, median and 95th percentile. A published estimate to compare against, never a model input."
        )
        for prop, obj in (
            ("aboutEntity", entity_iri(acc)),
            ("metric", Literal(QUARTER_METRIC)),
            ("figureValue", _decimal(r.median)),
            ("figureLow", _decimal(r.p5)),
            ("figureHigh", _decimal(r.p95)),
            ("unit", Literal(UNIT)),
            ("claimDate", date_literal(CLAIM_DATE)),
            ("figureYear", date_literal(str(r.year))),
            ("periodStart", date_literal(r.start.isoformat())),
            ("periodEnd", date_literal(r.end.isoformat())),
            ("claimedBy", entity_iri(CLAIMANT)),
        ):
            w.claim(cid, prop, obj, SALES_SOURCE_ID, note=note)
        ids.append(cid)
    if problems:
        raise InputError(
            problems[0] if len(problems) == 1 else f"the Epoch sales import fails {len(problems)} check(s)", problems
        )
    return EpochSalesImport(quads=sorted_quads(w.quads()), claim_ids=sorted(ids))


def input_files() -> list[Path]:
    """The file whose content determines the import besides the crosswalk (which the Epoch import lists)."""
    return [SALES_FILE] if SALES_FILE.exists() else []
