"""Epoch AI's quarterly chip-sales estimates: the strict reader and the quarterly figure claims.

The claims are checked against the shipped CSV re-read with the csv module; the capacity model must
not take them for yearly figures (its published estimates stay the curated ``cap-epoch-*`` sums).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.paths import CURATED_DIR, ontology_file
from graph.rdf.epoch_sales_rdf import QUARTER_METRIC, SALES_FILE, load_epoch_sales
from graph.sources.curated import load_curated
from graph.sources.epoch_sales import SALES_COLUMNS, read_sales_quarterly
from graph.vocab.ontology import parse_ontology


@pytest.fixture(scope="module")
def records():
    return load_curated(CURATED_DIR, parse_ontology(ontology_file())).records


def _upstream() -> list[dict[str, str]]:
    with open(SALES_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _copy(tmp_path: Path, edit) -> Path:
    with open(SALES_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    path = tmp_path / "sales.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def test_every_row_is_read_with_its_percentiles():
    rows = read_sales_quarterly(SALES_FILE)
    upstream = _upstream()
    assert len(rows) == len(upstream) == 24
    for got, want in zip(rows, upstream, strict=True):
        assert got.name == want["Name"] and got.chip_type == want["Chip type"]
        assert (got.p5, got.median, got.p95) == tuple(
            int(want[f"Number of units ({p})"]) for p in ("5th percentile", "median", "95th percentile")
        )
        assert str(got.start) == want["Start date"] and str(got.end) == want["End date"]


def test_one_claim_per_accelerator_and_quarter(records):
    imp = load_epoch_sales(records)
    assert len(imp.claim_ids) == 24
    assert "epoch-sales-ascend-910c-2025-q4" in imp.claim_ids
    assert "epoch-sales-siyuan-590-2024-q1" in imp.claim_ids
    metrics = {q.object.value for q in imp.quads if q.predicate.value.endswith("#metric")}
    assert metrics == {QUARTER_METRIC}


def test_a_bad_unit_count_names_file_line_row_and_field(tmp_path):
    column = SALES_COLUMNS.index("Number of units (median)")

    def bad(rows):
        rows[23][column] = "150k"

    path = _copy(tmp_path, bad)
    with pytest.raises(InputError) as exc:
        read_sales_quarterly(path)
    p = exc.value.problems[0]
    assert (p.file, p.line, p.column) == (path, 24, column + 1)
    assert "'Huawei Ascend 910C Q4 2025'" in p.message and "Number of units (median)" in p.message
    assert "'150k'" in p.message


def test_a_wrong_header_or_quarter_is_refused(tmp_path):
    def rename(rows):
        rows[0][2] = "Chip"

    with pytest.raises(InputError) as exc:
        read_sales_quarterly(_copy(tmp_path, rename))
    assert exc.value.problems[0].line == 1 and "unknown: Chip" in exc.value.problems[0].message

    def shift(rows):
        rows[1][4] = "2024-04-30"

    with pytest.raises(InputError) as exc:
        read_sales_quarterly(_copy(tmp_path, shift))
    assert exc.value.problems[0].line == 2 and "not one calendar quarter" in exc.value.problems[0].message


def test_an_unreviewed_chip_type_fails_the_import(tmp_path, records):
    def rename(rows):
        rows[3][2] = "Siyuan 690"

    with pytest.raises(InputError) as exc:
        load_epoch_sales(records, sales_file=_copy(tmp_path, rename))
    p = exc.value.problems[0]
    assert p.line == 4 and "'Siyuan 690'" in p.message and "epoch_crosswalk.csv" in (p.hint or "")


def test_the_capacity_model_does_not_read_the_quarterly_claims(built):
    text = (built / "capacity.json").read_text(encoding="utf-8")
    assert "cap-epoch-ascend-910c-2025" in text
    assert "epoch-sales-" not in text
    assert json.loads(text)
