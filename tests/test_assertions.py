"""The count assertions beside the data (graph/data/curated/assertions.yaml): the shipped data
meets them, a trimmed copy of it does not, and the failure names the assertion's line and the
count found."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from graph.build import assemble, build
from graph.errors import InputError
from graph.paths import CURATED_DIR
from graph.store.assertions import check_assertions, load_assertions, run_assertions

ASSERTIONS = CURATED_DIR / "assertions.yaml"


def line_of(assertion_id: str) -> int:
    lines = ASSERTIONS.read_text(encoding="utf-8").splitlines()
    return lines.index(f"- id: {assertion_id}") + 1


def test_the_file_holds_the_issue_13_floors():
    floors = {a.id: (a.min, a.max) for a in load_assertions()}
    assert floors["measures"] == (45, None)
    assert floors["chinese-measures"] == (6, None)
    assert floors["domestic-accelerators-without-foundry"] == (None, 0)
    assert floors["deployments-without-operator"] == (None, 0)


def test_shipped_data_meets_every_assertion(store):
    results = {r.assertion.id: r for r in run_assertions(store, load_assertions())}
    assert all(r.passed for r in results.values()), [(r.assertion.id, r.count, r.examples) for r in results.values()]
    # the counts are real: china_measures.yaml alone holds 17 measures of China's
    assert results["chinese-measures"].count >= 17
    assert results["measures"].count >= 56


def test_a_trimmed_copy_fails_with_the_line_and_the_count(tmp_path: Path):
    curated = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, curated)
    (curated / "china_measures.yaml").unlink()  # every Chinese measure goes
    dataset = assemble(curated_dir=curated)
    with pytest.raises(InputError) as info:
        check_assertions(dataset.quads, curated / "assertions.yaml")
    by_line = {p.line: p for p in info.value.problems}
    assert sorted(by_line) == [line_of("measures"), line_of("chinese-measures")]  # 56 - 17 = 39 < 45
    problem = by_line[line_of("chinese-measures")]
    assert problem.file == curated / "assertions.yaml"
    assert re.search(r"'chinese-measures' .* expects at least 6, found 0$", problem.message), problem.message


def test_an_unknown_foundry_must_be_said(tmp_path: Path):
    """Dropping the explicit unknown of one domestic chip is caught, and the chip is named."""
    curated = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, curated)
    path = curated / "accelerators.yaml"
    text = path.read_text(encoding="utf-8")
    record = re.search(r"^- id: hygon-dcu\n.*?(?=^- id: |^# |\Z)", text, flags=re.M | re.S)
    fact = re.search(r"^    - property: foundryUnknown\n(?:      .*\n)+", record.group(0), flags=re.M)
    assert fact, "hygon-dcu states its foundry as unknown"
    trimmed = record.group(0).replace(fact.group(0), "")
    path.write_text(text.replace(record.group(0), trimmed), encoding="utf-8")
    dataset = assemble(curated_dir=curated)
    with pytest.raises(InputError) as info:
        check_assertions(dataset.quads, curated / "assertions.yaml")
    [problem] = info.value.problems
    assert problem.line == line_of("domestic-accelerators-without-foundry")
    assert problem.message.endswith("found 1") and problem.hint == "e.g. hygon-dcu"


def test_build_refuses_data_below_the_floors(tmp_path: Path):
    curated = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, curated)
    text = (curated / "assertions.yaml").read_text(encoding="utf-8")
    (curated / "assertions.yaml").write_text(text.replace("  min: 45\n", "  min: 4500\n"), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"assertions\.yaml:\d+: assertion 'measures' .* at least 4500, found \d+"):
        build(out, curated_dir=curated, analyses=False, site=False)
    assert not out.exists()  # nothing written


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- id: x\n  query: 'SELECT (1 AS ?count) {}'\n", "needs min or max"),
        ("- id: x\n  min: -1\n  query: 'SELECT (1 AS ?count) {}'\n", "min must be a whole number"),
        ("- id: x\n  min: 1\n  query: 'SELECT ?n {}'\n", "binding ?count"),
        ("- id: x\n  min: 1\n  limit: 2\n  query: 'SELECT (1 AS ?count) {}'\n", "unknown assertion field 'limit'"),
    ],
)
def test_malformed_assertions_are_refused_with_their_line(tmp_path: Path, text: str, message: str):
    path = tmp_path / "assertions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_assertions(path)
    assert any(message in p.message and p.file == path and p.line for p in info.value.problems), info.value
