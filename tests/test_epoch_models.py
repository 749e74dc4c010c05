"""Epoch AI's notable-models and hardware import: scope, crosswalk, strict reading, claims, determinism.

Expected counts are recomputed from the shipped files with the csv module, not hard-coded; bad
inputs are copies of the shipped files with one thing broken, and each error must name the file,
the line, the record and the field.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.paths import CURATED_DIR, ontology_file
from graph.rdf import epoch_rdf
from graph.rdf.epoch_rdf import DEFAULT_CROSSWALK, HARDWARE_FILE, MODELS_FILE, load_epoch
from graph.rdf.serialize import to_nquads
from graph.sources.curated import load_curated
from graph.sources.epoch_models import MODEL_COLUMNS, read_ml_hardware, read_notable_models
from graph.vocab.namespaces import CG, CLAIM, ID, RDFS, SOURCE
from graph.vocab.ontology import parse_ontology


@pytest.fixture(scope="module")
def records():
    return load_curated(CURATED_DIR, parse_ontology(ontology_file())).records


@pytest.fixture(scope="module")
def epoch(records):
    return load_epoch(records)


def _crosswalk() -> dict[tuple[str, str], str]:
    with open(DEFAULT_CROSSWALK, encoding="utf-8", newline="") as fh:
        return {(r["kind"], r["epoch_name"]): r["chipgraph_id"] for r in csv.DictReader(fh)}


def _expected_scope() -> list[dict[str, str]]:
    """The in-scope rows, recomputed with the csv module: only Chinese (or Hong Kong) developers,
    a language model, not excluded by Epoch, with training hardware."""
    with open(MODELS_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        tokens = {t.strip() for t in r["Country (from Organization)"].split(",")} - {"Multinational", ""}
        if tokens <= {"China", "Hong Kong"} and "China" in tokens:
            if "Language" in r["Domain"].split(",") and r["Exclude"] != "1" and r["Training hardware"]:
                out.append(r)
    return out


def test_counts_follow_from_the_files(epoch):
    xw = _crosswalk()
    scope = _expected_scope()
    mapped = [(r, [h.strip() for h in r["Training hardware"].split(",") if xw[("hardware", h.strip())]]) for r in scope]
    imported = [(r, hs) for r, hs in mapped if hs]
    assert epoch.counts["models_in_scope"] == len(scope) >= 30
    assert epoch.counts["models_imported"] == len(imported) >= 25
    assert epoch.counts["deployments"] == sum(len(hs) for _, hs in imported)
    assert epoch.models_without_accelerator == sorted(r["System"] for r, hs in mapped if not hs)
    unmatched = {h.strip() for r in scope for h in r["Training hardware"].split(",") if not xw[("hardware", h.strip())]}
    assert set(epoch.unmatched_hardware) == unmatched and "NVIDIA V100" in unmatched
    assert epoch.counts["unmatched_hardware_names"] == len(unmatched)
    # every hardware name of a model in scope is reviewed: none is dropped without a row
    assert all(("hardware", h.strip()) in xw for r in scope for h in r["Training hardware"].split(","))


def test_the_extract_is_the_upstream_rows_with_a_chinese_organisation():
    assert read_notable_models(MODELS_FILE)[0].name
    with open(MODELS_FILE, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert tuple(next(reader)) == MODEL_COLUMNS
        assert all("China" in row[3] for row in reader)
    assert len(read_ml_hardware(HARDWARE_FILE)) == 101


def test_pangu_alpha_deployment_in_its_epoch_claim_graphs(epoch):
    """PanGu-alpha (Huawei, 2021) trained on 2,048 Ascend 910, in a claim graph of Epoch's stated in its dataset."""
    dep = ID + "epoch-pangu-alpha-training-ascend-910"
    facts = {(q.predicate.value, q.object.value): q.graph_name.value for q in epoch.quads if q.subject.value == dep}
    graph = facts[(CG + "acceleratorCount", "2048")]
    assert graph.startswith(CLAIM + "epoch-pangu-alpha-training-ascend-910_epoch_")
    assert set(facts.values()) == {graph}  # everything the dataset says about the deployment, together
    about = {(q.predicate.value, q.object.value) for q in epoch.quads if q.subject.value == graph}
    assert (CG + "statedIn", SOURCE + "epoch-ai-models-ff656d2") in about
    assert (CG + "confidence", CG + "MediumConfidence") in about
    assert any(p == RDFS + "comment" and "hardware quantity 2048" in o for p, o in about)  # Epoch's raw values
    model = {
        (q.predicate.value, q.object.value) for q in epoch.quads if q.subject.value == ID + "epoch-model-pangu-alpha"
    }
    assert (CG + "developedBy", ID + "huawei") in model  # Huawei Noah's Ark Lab, through the crosswalk


def test_a_count_for_mixed_hardware_is_left_in_the_note(epoch):
    """ERNIE 3.0 Titan: 1,920 chips of Ascend 910 and V100 together, so no count on the Ascend run."""
    dep = ID + "epoch-ernie-3-0-titan-training-ascend-910"
    props = {q.predicate.value for q in epoch.quads if q.subject.value == dep}
    assert CG + "accelerator" in props and CG + "acceleratorCount" not in props
    assert "NVIDIA Tesla V100 DGXS 32 GB" in epoch.unmatched_hardware


def test_foundry_claims_beside_the_curated_ones(store):
    from graph.read.reports import conflicts

    rows = [r for r in conflicts(store) if r["conflict"] == "cgid:ascend-910b cg:fabricatedBy"]
    epoch = [r for r in rows if r["sources"] == ["epoch-ai-hardware-ff656d2"]]
    assert len(epoch) == 1 and epoch[0]["value"] == "SMIC" and "Huawei Ascend 910B" in epoch[0]["note"]
    assert any(r["value"] == "TSMC" and "bloomberg-2025-10-03-huawei-components" in r["sources"] for r in rows)


def test_process_sizes_are_compared_not_claimed(epoch):
    assert ("ascend-910b", 7, "smic-n-plus-1", "7") in epoch.node_sizes
    assert not any(q.predicate.value == CG + "processNode" for q in epoch.quads)


def test_same_files_give_identical_quads(records, epoch, tmp_path):
    again = load_epoch(records)
    assert to_nquads(again.quads) == to_nquads(epoch.quads)
    lines = DEFAULT_CROSSWALK.read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "xw.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    assert to_nquads(load_epoch(records, crosswalk=shuffled).quads) == to_nquads(epoch.quads)


# -- strict reading ---------------------------------------------------------------------------


def _copy_models(tmp_path: Path, edit) -> Path:
    path = tmp_path / "models.csv"
    with open(MODELS_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _line_of(name: str) -> int:
    with open(MODELS_FILE, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        start = 1
        for row in reader:
            if row and row[0] == name:
                return start
            start = reader.line_num + 1
    raise AssertionError(name)


def test_an_unknown_column_is_refused(tmp_path, records):
    def rename(rows):
        rows[0][2] = "Organisation"

    with pytest.raises(InputError) as exc:
        load_epoch(records, models_file=_copy_models(tmp_path, rename))
    p = exc.value.problems[0]
    assert p.file == tmp_path / "models.csv" and p.line == 1
    assert "unknown: Organisation" in p.message and "missing: Organization" in p.message


def test_a_bad_chip_count_names_file_line_model_and_field(tmp_path, records):
    def bad(rows):
        for row in rows:
            if row[0] == "PanGu-α":
                row[MODEL_COLUMNS.index("Hardware quantity")] = "2k"

    with pytest.raises(InputError) as exc:
        load_epoch(records, models_file=_copy_models(tmp_path, bad))
    p = exc.value.problems[0]
    assert p.line == _line_of("PanGu-α") and p.column == MODEL_COLUMNS.index("Hardware quantity") + 1
    assert "'PanGu-α'" in p.message and "Hardware quantity" in p.message and "'2k'" in p.message


def test_unreviewed_training_hardware_fails_the_import(tmp_path, records):
    def new_chip(rows):
        for row in rows:
            if row[0] == "DeepSeek-V2":
                row[MODEL_COLUMNS.index("Training hardware")] = "NVIDIA H20"

    with pytest.raises(InputError) as exc:
        load_epoch(records, models_file=_copy_models(tmp_path, new_chip))
    p = exc.value.problems[0]
    assert p.line == _line_of("DeepSeek-V2") and "'NVIDIA H20'" in p.message and "Training hardware" in p.message
    assert "epoch_crosswalk.csv" in (p.hint or "")


def test_a_crosswalk_target_must_be_curated(tmp_path, records):
    path = tmp_path / "xw.csv"
    path.write_text(
        DEFAULT_CROSSWALK.read_text(encoding="utf-8").replace(
            "hardware,NVIDIA A800,nvidia-a800,", "hardware,NVIDIA A800,a800,"
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_epoch(records, crosswalk=path)
    assert any("'a800' is not an entity" in p.message and p.file == path for p in exc.value.problems)


def test_a_broken_file_stops_the_build_before_anything_is_written(tmp_path, monkeypatch):
    from graph.build import build

    broken = tmp_path / "hw.csv"
    shutil.copy(HARDWARE_FILE, broken)
    text = broken.read_bytes().decode("utf-8-sig").replace("Process size (nm)", "Process (nm)", 1)
    broken.write_text(text, encoding="utf-8")
    monkeypatch.setattr(epoch_rdf, "HARDWARE_FILE", broken)
    out = tmp_path / "out"
    with pytest.raises(InputError) as exc:
        build(out, analyses=False, site=False)
    assert exc.value.problems[0].file == broken and exc.value.problems[0].line == 1
    assert not (out / "chipgraph.trig").exists()


def test_crosswalk_command_reports_the_unmatched_hardware():
    from click.testing import CliRunner

    from graph.cli import cli

    res = CliRunner().invoke(cli, ["crosswalk", "--epoch", "--unmatched", "--csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(res.output.splitlines()))
    v100 = [r for r in rows if r["kind"] == "hardware" and r["epoch_name"] == "NVIDIA V100"]
    assert len(v100) == 1 and "ERNIE 3.0" in v100[0]["models"].split("; ")
    assert {"kind": "organisation", "epoch_name": "Peking University"}.items() <= next(
        r for r in rows if r["entity_id"] == "epoch-org-peking-university"
    ).items()
    reviewed = CliRunner().invoke(cli, ["crosswalk", "--epoch", "--csv"])
    assert "hardware,NVIDIA H800,nvidia-h800,True," in reviewed.output
    both = CliRunner().invoke(cli, ["crosswalk", "--epoch", "--lists"])
    assert both.exit_code == 1 and "not --lists and --epoch" in both.output


def test_bad_encoding_and_duplicate_chips_are_refused(tmp_path, records):
    data = HARDWARE_FILE.read_bytes()
    bad = tmp_path / "hw.csv"
    bad.write_bytes(data.replace(b"Huawei Ascend 910B", b"Huawei Ascend 910B\xff", 1))
    with pytest.raises(InputError) as exc:
        load_epoch(records, hardware_file=bad)
    p = exc.value.problems[0]
    assert (
        p.file == bad
        and "not valid UTF-8" in p.message
        and p.line == data[: data.index(b"Huawei Ascend 910B")].count(b"\n") + 1
    )
    lines = data.decode("utf-8-sig").splitlines()
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_epoch(records, hardware_file=twice)
    assert "duplicate name (first at line 2)" in exc.value.problems[0].message
    assert exc.value.problems[0].line == len(lines) + 1
