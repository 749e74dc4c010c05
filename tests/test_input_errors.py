"""Bad curated input gets a clear error naming file, line and problem, exit 1, and no output change."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.paths import CURATED_DIR

SOURCES = """\
- id: test-source
  title: A test source
  publisher: Test publisher
  date: 2024-05-01
  url: https://example.org/test
  language: en
  kind: news
"""

GOOD_RECORD = """\
- id: test-firm
  type: [Organisation, ChipDesigner]
  label: {en: Test Firm}
  sources: [test-source]
  confidence: high
  facts:
    - {property: country, value: CHN, sources: [test-source], confidence: high}
"""

# name -> (file content, expected substrings of the error, expected line)
CASES = {
    "malformed yaml": ("- id: test-firm\n  type: [Organisation\n  label: x\n", ["malformed YAML"], 3),
    "unknown reference": (
        GOOD_RECORD.replace("value: CHN", "value: CHNA"),
        ["unknown id 'CHNA'", "did you mean CHN"],
        7,
    ),
    "duplicate id": (GOOD_RECORD + GOOD_RECORD.replace("Test Firm", "Other"), ["duplicate id 'test-firm'"], 8),
    "bad date": (
        GOOD_RECORD + "    - {property: foundedDate, value: 2021-13-45, sources: [test-source], confidence: high}\n",
        ["foundedDate", "not a date"],
        8,
    ),
    "share outside 0-100": (
        GOOD_RECORD
        + """\
- id: test-provision
  type: [Provision]
  label: {en: Test provision}
  sources: [test-source]
  confidence: high
  facts:
    - {property: provider, value: test-firm, sources: [test-source], confidence: high}
    - {property: sharePercent, value: 120, sources: [test-source], confidence: high}
""",
        ["sharePercent", "outside 0..100"],
        15,
    ),
    "fact without a source": (
        GOOD_RECORD + "    - {property: foundedDate, value: 2021, confidence: high}\n",
        ["has no source"],
        8,
    ),
    "unknown source id": (
        GOOD_RECORD.replace("sources: [test-source], confidence: high}", "sources: [test-sorce], confidence: high}"),
        ["unknown source 'test-sorce'", "did you mean test-source"],
        7,
    ),
    "unknown property": (
        GOOD_RECORD.replace("property: country", "property: contry"),
        ["unknown property 'contry'", "did you mean country"],
        7,
    ),
    "measure without effective date (SHACL)": (
        GOOD_RECORD
        + """\
- id: test-measure
  type: [ItemControl]
  label: {en: Test control}
  sources: [test-source]
  confidence: high
  facts:
    - {property: imposedBy, value: test-firm, sources: [test-source], confidence: high}
    - {property: jurisdiction, value: USA, sources: [test-source], confidence: high}
    - {property: legalCitation, value: "1 FR 1", sources: [test-source], confidence: high}
""",
        ["does not conform to the shapes", "cgid:test-measure", "cg:effectiveDate"],
        8,
    ),
    "record without english label": (
        GOOD_RECORD.replace("label: {en: Test Firm}", "label: {zh: 测试}"),
        ["needs an English label"],
        3,
    ),
}


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def curated_copy(tmp_path: Path) -> Path:
    target = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, target)
    (target / "sources_test.yaml").write_text(SOURCES, encoding="utf-8")
    return target


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_with_file_and_line(case: str, curated_copy: Path, built: Path, tmp_path: Path) -> None:
    content, expected, line = CASES[case]
    bad = curated_copy / "zz_test.yaml"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = _digest(out)
    result = CliRunner().invoke(cli, ["build", "-q", "--curated-dir", str(curated_copy), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert f"zz_test.yaml:{line}" in result.output, result.output
    for text in expected:
        assert text in result.output, result.output
    assert _digest(out) == before


def test_validate_reports_without_writing(curated_copy: Path) -> None:
    (curated_copy / "zz_test.yaml").write_text(CASES["unknown reference"][0], encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "-q", "--curated-dir", str(curated_copy)])
    assert result.exit_code == 1 and "unknown id 'CHNA'" in result.output


def test_good_extra_record_validates_and_is_in_the_dataset(curated_copy: Path) -> None:
    """A valid new file is accepted by `chipgraph validate`, and its record and fact reach the graph."""
    from graph.build import validate_only
    from graph.vocab.namespaces import CG, ID

    (curated_copy / "zz_test.yaml").write_text(GOOD_RECORD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "-q", "--curated-dir", str(curated_copy)])
    assert result.exit_code == 0, result.output
    triples = {
        (q.subject.value, q.predicate.value, q.object.value) for q in validate_only(curated_dir=curated_copy).quads
    }
    assert (ID + "test-firm", CG + "country", ID + "CHN") in triples


def test_malformed_ontology_names_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.paths import ontology_dir

    onto = tmp_path / "onto"
    shutil.copytree(ontology_dir(), onto)
    text = (onto / "chipgraph.ttl").read_text(encoding="utf-8")
    (onto / "chipgraph.ttl").write_text(
        text.replace("cg:ASIC a owl:Class ;", "cg:ASIC a owl:Class ;;; ]", 1), encoding="utf-8"
    )
    monkeypatch.setenv("CHIPGRAPH_ONTOLOGY_DIR", str(onto))
    result = CliRunner().invoke(cli, ["validate", "-q"])
    assert result.exit_code == 1
    assert "malformed ontology" in result.output and "chipgraph.ttl" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["show", 'hbm"'],
        ["show", "<>"],
        ["show", "\x1b[31mred"],
        ["query", "input-providers", "-p", "input", "hbm{"],
        ["query", "accelerators", "-p", "designed_by", "huawei\nFILTER(false)"],
        ["chokepoints", "a|b"],
        ["explain", "a^b", "hbm"],
        ["capacity", "a`b"],
    ],
)
def test_name_that_cannot_be_an_iri_is_a_clean_error(args: list[str], built: Path) -> None:
    """A name holding a character no IRI allows is "no such entity" (exit 1), not a ValueError
    reported as a bug, and a control character in it is shown escaped, never sent to the terminal."""
    result = CliRunner().invoke(cli, [*args, "--output-dir", str(built)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and "this is a bug" not in result.output
    assert "no entity is called" in result.output or "is not a valid IRI" in result.output
    assert "\x1b" not in result.output
    if args[:2] == ["show", 'hbm"']:
        assert "did you mean 'hbm'" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["serve", "--host", "0.0.0.0x"], "--host"),
        (["serve", "--host", ""], "--host"),
        (["serve", "--host", "999.1.1.1"], "--host"),
        (["serve", "--host", "evil.invalid"], "--host"),
        (["serve", "--timeout", "nan"], "--timeout"),
        (["push", "--endpoint", "http://127.0.0.1:1/sparql", "--timeout", "nan"], "--timeout"),
    ],
)
def test_bad_option_value_is_a_usage_error_naming_the_option(args: list[str], option: str) -> None:
    """Values waitress or the pool would choke on later (an unresolvable host, NaN seconds) are
    refused up front with exit 2, not reported as a bug or accepted (NaN passes a FloatRange)."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert f"Invalid value for '{option}'" in result.output and "this is a bug" not in result.output


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:9/sparql\r\nX: y", "space or control character"),
        ("http://127.0.0.1:99999/sparql", "Port out of range"),
    ],
)
def test_malformed_endpoint_url_is_a_clean_error(url: str, expect: str, tmp_path: Path) -> None:
    for args in (["push", "--endpoint", url], ["query", "--endpoint", url, "-e", "ASK {}"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: not an http(s) endpoint URL") and expect in result.output
        assert "this is a bug" not in result.output and "\r" not in result.output


def test_export_csv_onto_a_folder_writes_nothing(built: Path, tmp_path: Path) -> None:
    """-o st.csv writes st-nodes.csv and st-edges.csv; a folder at either name is refused first."""
    (tmp_path / "st-edges.csv").mkdir()
    result = CliRunner().invoke(cli, ["export-network", "--output-dir", str(built), "-o", str(tmp_path / "st.csv")])
    assert result.exit_code == 1, result.output
    assert "st-edges.csv: is a folder, not a file" in result.output and "this is a bug" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["st-edges.csv"]
