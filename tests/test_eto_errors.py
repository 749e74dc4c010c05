"""The ETO importer refuses bad releases with file, line, column and a message (tests/fixtures/eto/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.errors import InputError
from graph.rdf.eto_rdf import load_eto
from graph.sources.crosswalk import read_crosswalk
from graph.sources.eto_release import read_release

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eto"


# (fixture folder, file, line, column, words the message contains)
CASES = [
    ("missing_column", "providers.csv", 1, None, "missing column 'country'"),
    ("unexpected_column", "inputs.csv", 1, 11, "unexpected column 'notes'"),
    ("unknown_provider", "provision.csv", 8, 2, "provider 'P2' is not defined in providers.csv"),
    ("unknown_input", "sequence.csv", 5, 4, "goes_into_id 'N98' is not defined in inputs.csv"),
    ("unknown_provided_input", "provision.csv", 9, 4, "provided_id 'N1' is not defined"),
    ("share_not_number", "provision.csv", 5, 5, "share 'about 5' is not a number"),
    ("share_out_of_range", "provision.csv", 8, 5, "share 151.0 is outside 0-100"),
    ("share_sum", "provision.csv", 5, 5, "shares of organisations for N19 add up to 110.1"),
    ("type_cycle", "sequence.csv", 6, 6, "is_type_of cycle: N19 -> N20 -> N19"),
    ("bad_encoding", "stages.csv", 2, 17, "not valid UTF-8 (byte 0xe9)"),
    ("empty_file", "sequence.csv", 1, None, "empty file"),
]


@pytest.mark.parametrize(("folder", "file", "line", "column", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_release_is_refused_with_its_location(
    folder: str, file: str, line: int, column: int | None, message: str
) -> None:
    with pytest.raises(InputError) as info:
        read_release(FIXTURES / folder)
    problems = info.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert Path(problem.file) == FIXTURES / folder / file
    assert (problem.line, problem.column) == (line, column)
    assert message in problem.message
    assert problem.hint  # every refusal says what to do


def test_load_eto_refuses_before_mapping() -> None:
    with pytest.raises(InputError, match="is_type_of cycle"):
        load_eto(FIXTURES / "type_cycle", crosswalk=FIXTURES / "crosswalk.csv", assertions=False)


def test_missing_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        read_release(tmp_path / "nowhere")
    for f in (FIXTURES / "valid").iterdir():
        if f.name != "stages.csv":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    with pytest.raises(InputError) as info:
        read_release(tmp_path)
    assert info.value.problems[0].message == "missing file"
    assert Path(info.value.problems[0].file).name == "stages.csv"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    for f in (FIXTURES / "valid").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    text = (tmp_path / "provision.csv").read_text(encoding="utf-8")
    text = text.replace("P88,EUV lithography tools,N20,100.0", "P88,EUV lithography tools,N20,-3")
    text = text.replace("USA,P1,Design,S1,51.0", "USA,P3,Design,S1,51.0")
    (tmp_path / "provision.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_release(tmp_path)
    assert [(p.line, p.column) for p in info.value.problems] == [(2, 5), (8, 2)]


def test_conflicting_repeat_of_a_provider_is_refused(tmp_path: Path) -> None:
    for f in (FIXTURES / "valid").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    with (tmp_path / "providers.csv").open("a", encoding="utf-8") as fh:
        fh.write("Canon,,P159,organization,USA\n")
    with pytest.raises(InputError) as info:
        read_release(tmp_path)
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == (9, 5)
    assert "repeated with country 'USA'" in problem.message


def test_an_id_too_long_to_be_one_is_refused_at_its_cell(tmp_path: Path) -> None:
    """Round 5: a provider id of 5,000 digits ended in Python's integer-conversion ValueError."""
    for f in (FIXTURES / "valid").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    with (tmp_path / "providers.csv").open("a", encoding="utf-8") as fh:
        fh.write("Foo Corp,,P" + "9" * 5000 + ",organization,USA\n")
    with pytest.raises(InputError) as info:
        read_release(tmp_path)
    problem = info.value.problems[0]
    assert problem.line == 9 and problem.column == 3 and "provider_id" in problem.message, problem


def test_provision_row_naming_its_provider_otherwise_is_refused(tmp_path: Path) -> None:
    """provision.csv's provider_name must be the name (or an alias) providers.csv gives that id."""
    for f in (FIXTURES / "valid").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    lines = (tmp_path / "provision.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    first = lines[1].split(",", 2)
    lines.append(",".join(["Not " + first[0], first[1], first[2]]))
    (tmp_path / "provision.csv").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_release(tmp_path)
    problem = next(p for p in info.value.problems if "is named" in p.message)
    assert (problem.file.name, problem.line, problem.column) == ("provision.csv", len(lines), 1)
    assert f"provider {first[1]} is named 'Not {first[0]}' here, but providers.csv line" in problem.message


def test_release_description_is_required(tmp_path: Path) -> None:
    for f in (FIXTURES / "valid").iterdir():
        if f.name != "release.yaml":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    with pytest.raises(InputError, match="missing release.yaml"):
        load_eto(tmp_path, crosswalk=FIXTURES / "crosswalk.csv", assertions=False)


def test_data_assertions_refuse_a_truncated_release() -> None:
    with pytest.raises(InputError) as info:
        load_eto(FIXTURES / "valid", crosswalk=FIXTURES / "crosswalk.csv")
    assert "data assertion" in str(info.value)
    assert any("a complete release has at least" in p.message for p in info.value.problems)


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("P88,ASML,asml,Q297879,\n", 1, "mapped twice"),
        ("P7,JPN,Japan,,\n", 3, "not a lowercase slug"),
        ("P1,USA,usa,297879,\n", 4, "not a Wikidata item id"),
        ("P1,USA,,,\n", 5, "needs a note"),
        ('P1,"US"A,usa,,\n', None, "cannot parse the row"),  # a stray quote: was a raw csv.Error
    ],
)
def test_bad_crosswalk_rows(tmp_path: Path, row: str, column: int | None, message: str) -> None:
    path = tmp_path / "crosswalk.csv"
    path.write_text((FIXTURES / "crosswalk.csv").read_text(encoding="utf-8") + row, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_crosswalk(path)
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == (4, column)
    assert message in problem.message


def test_crosswalk_must_match_the_release(tmp_path: Path) -> None:
    path = tmp_path / "crosswalk.csv"
    path.write_text(
        (FIXTURES / "crosswalk.csv").read_text(encoding="utf-8").replace("P88,ASML", "P88,ASM"), encoding="utf-8"
    )
    with pytest.raises(InputError, match="is 'ASML' in providers.csv, not 'ASM'"):
        load_eto(FIXTURES / "valid", crosswalk=path, assertions=False)


def test_cli_refuses_bad_release_and_leaves_outputs_untouched(tmp_path: Path) -> None:
    from graph.cli import cli

    out = tmp_path / "output"
    out.mkdir()
    (out / "chipgraph.trig").write_text("previous build\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "eto", str(FIXTURES / "share_sum"), "-o", str(out), "-q"])
    assert result.exit_code == 1
    assert "Error: " in result.output
    assert "provision.csv:5:5: shares of organisations for N19" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["chipgraph.trig"]
    assert (out / "chipgraph.trig").read_text(encoding="utf-8") == "previous build\n"


def test_cli_check_of_the_embedded_release() -> None:
    from graph.cli import cli

    result = CliRunner().invoke(cli, ["import", "eto", "--check"])
    assert result.exit_code == 0, result.output
    assert "valid: " in result.output
    assert "126 inputs" in result.output and "1300 provision rows" in result.output
