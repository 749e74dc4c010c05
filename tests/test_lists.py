"""The restricted-party lists import: strict reading, citations, crosswalk, counts, the built graph.

Counts are computed from the embedded files, never hard-coded; bad inputs are copies of the
embedded snapshot with one thing broken, and each error must name the file, the record and the
field.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.errors import InputError
from graph.rdf.lists_rdf import (
    CN_DIR,
    DEFAULT_CROSSWALK,
    LISTS_DIR,
    SCOPE,
    chinese_entity_list_as_of,
    curated_listed_ids,
    load_lists,
)
from graph.sources.restricted_lists import (
    MIN_1260H,
    MIN_CHINESE_ENTITY_LIST,
    MIN_NSCMIC,
    data_assertions,
    parse_citations,
    parse_footnotes,
    read_cn_sanctions,
    read_us_lists,
)
from graph.vocab.namespaces import ID


@pytest.fixture(scope="module")
def lists():
    return read_us_lists(LISTS_DIR)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the embedded US lists."""
    target = tmp_path / "lists"
    shutil.copytree(LISTS_DIR, target)
    for p in target.iterdir():
        p.chmod(0o644)
    return target


def _edit(path: Path, record: int, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["entities"][record - 1])
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def _error(directory: Path) -> str:
    with pytest.raises(InputError) as exc:
        read_us_lists(directory)
    return str(exc.value)


# -- citations and footnotes -------------------------------------------------------------------


def test_citations_are_parsed_into_volume_page_and_date():
    cits, err = parse_citations("88 FR 71992, 10/19/23")
    assert err is None and [(c.volume, c.page, c.date) for c in cits] == [(88, 71992, "2023-10-19")]
    cits, err = parse_citations("84 FR 29373, 6/24/19.\n87 FR 62202, 10/13/22")
    assert [(c.volume, c.page, c.date) for c in cits] == [(84, 29373, "2019-06-24"), (87, 62202, "2022-10-13")]
    cits, _ = parse_citations("91 FR 35189 (June 10, 2026)")
    assert cits[0].date == "2026-06-10"
    cits, _ = parse_citations("82 F.R. 16788, 16788 4/6/2017")
    assert (cits[0].volume, cits[0].page, cits[0].date) == (82, 16788, "2017-04-06")
    cits, err = parse_citations("83 FR 61541")
    assert err is None and cits[0].date is None  # the volume still gives the year


@pytest.mark.parametrize(
    "text, problem",
    [
        ("83 FR 61541, 11/13/19", "volume 83 is the year 2018, not 2019"),
        ("81 FR 61601 preview citation details, 9/7/16", "cannot read a citation"),
        ("88 FR 71992, 2/30/23", "has no such date"),
        ("0 FR 1, 1/1/35", "there is no volume 0 of the Federal Register"),
        ("77 FR 0, 4/27/12", "there is no page 0 of the Federal Register"),
    ],
)
def test_bad_citations_are_refused(text: str, problem: str):
    _, err = parse_citations(text)
    assert err is not None and problem in err


def test_footnotes_of_the_licence_requirement():
    assert parse_footnotes("For all items subject to the EAR, see §§ 734.9(e) 1 and 744.11 of the EAR 2") == (1, 2)
    assert parse_footnotes("For all items subject to the EAR. (See §§ 734.9(e)(2) and 744.11 of the EAR) 4") == (4,)
    assert parse_footnotes("For all items subject to the EAR. (See §§ 734.9(g),3 746.8(a)(3), and 744.11)") == (3,)
    assert parse_footnotes("For all items subject to the EAR. (See § 744.11 of the EAR)") == ()


# -- strict import -----------------------------------------------------------------------------


def test_unknown_field_names_file_record_and_field(copy: Path):
    _edit(copy / "bis_meu.json", 3, lambda e: e.update(remarks="x"))
    msg = _error(copy)
    assert "bis_meu.json" in msg and "record 3" in msg and "unexpected field 'remarks'" in msg


def test_unparseable_citation_names_file_line_record_and_field(copy: Path):
    _edit(copy / "bis_meu.json", 5, lambda e: e.update(federal_register="85 FR 83799, 12/32/2020"))
    msg = _error(copy)
    assert "bis_meu.json:" in msg and "record 5" in msg and "field federal_register" in msg and "no such date" in msg


def test_duplicate_entry_is_refused(copy: Path):
    path = copy / "bis_meu.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entities"].append(dict(data["entities"][0]))
    data["count"] += 1
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    msg = _error(copy)
    assert f"record {data['count']}" in msg and "duplicate entry (identical to record 1)" in msg


def test_bad_encoding_names_file_and_line(copy: Path):
    path = copy / "fcc_covered.json"
    path.write_bytes(path.read_bytes().replace(b"Huawei", b"Hu\xe4wei", 1))
    msg = _error(copy)
    assert "fcc_covered.json:" in msg and "not valid UTF-8 (byte 0xe4)" in msg


def test_unknown_country_is_refused(copy: Path):
    _edit(copy / "bis_meu.json", 2, lambda e: e.update(country="Atlantis"))
    msg = _error(copy)
    assert "record 2" in msg and "field country: unknown country 'Atlantis'" in msg and "countries.csv" in msg


def test_a_correction_that_no_longer_applies_is_refused(copy: Path):
    path = copy / "bis_entity_list.json"
    _edit(path, 806, lambda e: e.update(federal_register="86 FR 67319, 11/26/21"))  # upstream fixed it
    msg = _error(copy)
    assert "corrections.csv" in msg and "record 806" in msg and "no longer applies" in msg


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("A\x00B", "U+0000 (NUL)"),
        ("X \x1b]0;PWN\x07", "U+001B (ESC)"),
        ("Evil \u202eRED", "bidi control character U+202E"),
        ("\ud800Academy", "lone surrogate U+D800"),
    ],
)
def test_control_characters_in_a_name_are_refused_like_curated_text(copy: Path, name: str, problem: str):
    path = copy / "bis_meu.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entities"][1]["name"] = name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")  # \u escapes: a lone surrogate too
    msg = _error(copy)
    assert "bis_meu.json:" in msg and "record 2" in msg and "field name" in msg and problem in msg


@pytest.mark.parametrize(
    "edit, line, problem",
    [
        (lambda t: t.replace('"count": ', '"count": NaN, "x": ', 1), 5, "NaN is not a JSON value"),
        (lambda t: t.replace('"count": ', '"count": 1e999, "x": ', 1), 5, "the number 1e999 is beyond the range"),
        (lambda t: t.replace('"count": ', '"count": ' + "7" * 5000 + ', "x": ', 1), 5, "5,000 digits is beyond"),
        (lambda t: t.replace('"name": ', '"name": "twice",\n "name": ', 1), 9, "duplicate key 'name'"),
    ],
    ids=["nan", "huge-number", "huge-integer", "duplicate-key"],
)
def test_json_that_pythons_parser_accepts_but_json_does_not_is_refused_with_its_line(
    copy: Path, edit, line: int, problem: str
):
    """NaN, numbers beyond a float, integers beyond Python's conversion limit and repeated keys:
    json.loads accepts or half-reads them; the import
    refuses them, with the line, and without follow-on problems (the corrections that no
    longer apply because the file was not read)."""
    path = copy / "bis_meu.json"
    text = json.dumps(json.loads(path.read_text(encoding="utf-8")), indent=1, ensure_ascii=False)
    path.write_text(edit(text), encoding="utf-8")
    msg = _error(copy)
    assert f"bis_meu.json:{line}:" in msg and problem in msg and "problems" not in msg, msg


def test_control_characters_in_countries_csv_are_refused(copy: Path):
    path = copy / "countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",", ",\x1b]0;PWNED\x07", 1)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_us_lists(copy)
    assert "countries.csv:2:" in str(exc.value) and "U+001B (ESC)" in str(exc.value)


def test_deeply_nested_json_is_refused_naming_the_file(copy: Path):
    (copy / "bis_meu.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "bis_meu.json: not valid JSON here: nested too deeply" in _error(copy)


@pytest.mark.parametrize("count", ["70", True, 70.0])
def test_a_count_that_is_not_a_whole_number_is_refused_as_such(copy: Path, count):
    path = copy / "bis_meu.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["count"] = count
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    message = _error(copy)
    assert "field count must be a whole number" in message and "but entities holds" not in message


def test_list_descriptions_need_http_urls_and_distinct_ids(copy: Path):
    path = copy / "lists.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["lists"][0]["official_url"] = "javascript:alert(1)"
    data["lists"].append(dict(data["lists"][1]))
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    msg = _error(copy)
    assert "field official_url: 'javascript:alert(1)' is not an http(s) URL" in msg
    assert f"a second list with id {data['lists'][1]['id']!r}" in msg


@pytest.mark.parametrize("file", ["nosuch.json", "../../../etc/passwd"])
def test_a_correction_for_an_unknown_file_is_refused(copy: Path, file: str):
    with (copy / "corrections.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{file},1,x,name,replace,a,b,c\n")
    msg = _error(copy)
    assert "corrections.csv:" in msg and f"file {file!r} is not one of the list files" in msg


def test_citation_with_non_ascii_digits_is_refused(copy: Path):
    _edit(copy / "bis_meu.json", 1, lambda e: e.update(federal_register="\u0668\u0665 FR 83799, 12/23/20"))
    assert "field federal_register: cannot read a citation" in _error(copy)
    assert parse_citations("\u0668\u0665 FR 83799, 12/23/20")[1] is not None


def test_cn_rows_are_checked_field_by_field(tmp_path: Path, lists):
    target = tmp_path / "cn"
    shutil.copytree(CN_DIR, target)
    path = target / "sanctions.csv"
    path.chmod(0o644)
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[3][11] = "31.02.2024"  # Date
    rows[4][10] = "Secret List"  # List
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(InputError) as exc:
        read_cn_sanctions(target, lists.countries, LISTS_DIR / "corrections.csv")
    msg = str(exc.value)
    assert "sanctions.csv:4: record 3" in msg and "field Date: '31.02.2024' is not a date" in msg
    assert "sanctions.csv:5: record 4" in msg and "field List: list 'Secret List'" in msg


def test_cli_refuses_a_bad_snapshot_and_writes_nothing(copy: Path, tmp_path: Path):
    _edit(copy / "dow_1260h.json", 1, lambda e: e.update(federal_register="91 FR 35189 (Juni 10, 2026)"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["import", "lists", str(copy), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and "dow_1260h.json" in result.output and "record 1" in result.output
    assert "Traceback" not in result.output and not out.exists()


# -- counts ------------------------------------------------------------------------------------


def test_minimum_counts_hold_on_the_snapshot(lists):
    cn = read_cn_sanctions(CN_DIR, lists.countries, LISTS_DIR / "corrections.csv")
    assert data_assertions(lists, cn) == []
    raw = json.loads((LISTS_DIR / "bis_entity_list.json").read_text(encoding="utf-8"))["entities"]
    assert sum(1 for e in raw if e["country"] == "China") >= MIN_CHINESE_ENTITY_LIST
    assert len(lists.entries["ofac-nscmic"]) >= MIN_NSCMIC and len(lists.entries["dow-1260h"]) >= MIN_1260H


def test_minimum_counts_catch_a_truncated_list(copy: Path):
    path = copy / "dow_1260h.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entities"] = data["entities"][:10]
    data["count"] = 10
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    failed = data_assertions(read_us_lists(copy))
    assert [p.message for p in failed] == ["only 10 Section 1260H entries, a complete snapshot has at least 70"]


# -- crosswalk ---------------------------------------------------------------------------------


def _known():
    from graph.sources.curated import load_curated

    data = load_curated()
    return set(data.records), curated_listed_ids(data.records)


def test_crosswalk_matches_every_curated_listed_firm():
    known, listed = _known()
    rows = list(csv.DictReader(DEFAULT_CROSSWALK.open(encoding="utf-8")))
    assert listed <= {r["chipgraph_id"] for r in rows if r["chipgraph_id"]}
    load_lists(known_ids=known, curated_listed=listed)  # every row matches an entry; no error


def test_crosswalk_missing_a_curated_listed_firm_is_refused(tmp_path: Path):
    known, listed = _known()
    path = tmp_path / "crosswalk.csv"
    lines = DEFAULT_CROSSWALK.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",sophgo," not in line), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_lists(crosswalk=path, known_ids=known, curated_listed=listed)
    assert "lists sophgo on an entity listing, but the crosswalk neither matches it" in str(exc.value)


def test_crosswalk_row_for_a_missing_entry_is_refused(tmp_path: Path):
    path = tmp_path / "crosswalk.csv"
    text = DEFAULT_CROSSWALK.read_text(encoding="utf-8")
    path.write_text(text.replace("Sophgo Technologies Ltd.,China", "Sophgo Technology Ltd.,China"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_lists(crosswalk=path)
    msg = str(exc.value)
    assert "crosswalk.csv:" in msg and "no entry 'Sophgo Technology Ltd.' (China) on bis-entity-list" in msg


def test_near_matches_are_suggested_never_merged():
    result = CliRunner().invoke(cli, ["crosswalk", "--lists", "--unmatched", "--near", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    naura = [r for r in rows if r["entry_name"] == "Beijing Naura Microelectronics Equipment Co., Ltd."]
    assert naura and naura[0]["near_match_id"] == "naura"
    assert naura[0]["entity_id"].startswith("party-bis-entity-list-")  # kept apart


# -- determinism -------------------------------------------------------------------------------


def test_import_is_deterministic():
    a, b = load_lists(), load_lists()
    assert a.quads == b.quads


# -- the built graph ---------------------------------------------------------------------------


def _run(store, name: str, **params: str):
    from graph.paths import queries_dir
    from graph.sparql.queries import bind_params, load_query, run_query

    q = load_query(name, queries_dir())
    return run_query(store, q.text, bind_params(q, list(params.items())), source=name)


def test_listed_parties_as_of_returns_the_chinese_entity_list(store, lists):
    expected = chinese_entity_list_as_of(lists.entries["bis-entity-list"], "2024-12-31")
    only_el = _run(store, "listed-parties", as_of="2024-12-31", list="cgid:list-bis-entity-list", in_country="CHN")
    assert len(only_el.rows) == expected
    everything = {r["party"].value for r in _run(store, "listed-parties", as_of="2024-12-31").rows}
    assert {r["party"].value for r in only_el.rows} <= everything
    assert ID + "smic" in everything and ID + "sophgo" not in everything  # Sophgo: 2025-01-16


def test_the_full_dataset_conforms_to_every_shape():
    from graph.build import assemble
    from graph.rdf.shacl import validate_quads

    report = validate_quads(assemble().quads, full=True)
    assert report.conforms, [str(p) for p in report.violations[:5]]


def test_show_smic_lists_every_smic_entry_with_citations_and_dates(built: Path, lists):
    result = CliRunner().invoke(cli, ["show", "SMIC", "--output-dir", str(built), "--json"])
    assert result.exit_code == 0, result.output
    listings = json.loads(result.output)["listings"]
    direct = {(x["list"], x["effective"]): x for x in listings if x["kind"] == "list entry" and not x["via"]}
    rows = list(csv.DictReader(DEFAULT_CROSSWALK.open(encoding="utf-8")))
    smic_rows = [r for r in rows if r["chipgraph_id"] == "smic"]
    assert len(direct) == len(smic_rows)
    el = direct["Entity List", "2020-12-22"]
    assert el["federal_register"] == ["85 FR 83420, 2020-12-22"] and el["footnotes"] == [5]
    assert el["sources"] == ["list-bis-entity-list"]
    assert direct["Sec. 1260H List (Chinese Military Companies)", "2026-06-10"]["federal_register"] == [
        "91 FR 35189, 2026-06-10"
    ]
    subsidiaries = {x["party"] for x in listings if x["via"] == "subsidiary"}
    assert len(subsidiaries) == sum(1 for r in rows if r["parent_id"] == "smic")
    curated = [x for x in listings if x["kind"] == "curated listing"]
    # the US Entity List addition (curated with its exact date) and Taiwan's SHTC Entity List update
    assert [x["effective"] for x in curated] == ["2020-12-18", "2025-06-10"]
    table = CliRunner().invoke(cli, ["show", "SMIC", "--output-dir", str(built), "-t"]).output
    assert "Listings (" in table and "85 FR 83420, 2020-12-22" in table


def test_listing_check_confirms_and_contradicts(store):
    rows = _run(store, "listing-check").rows
    verdicts = {(r["party"].value.removeprefix(ID), r["verdict"].value) for r in rows}
    assert ("smic", "confirms") in verdicts and ("sophgo", "confirms") in verdicts
    assert ("naura", "not on the lists") in verdicts  # the list names NAURA's subsidiaries, not the group


def test_chinese_measures_carry_authority_dates_and_wikidata(store):
    q = """
    SELECT ?entry ?auth ?date ?qid WHERE {
      ?entry a cg:ListEntry ; cg:onList cgid:list-cn-uel ; cg:imposedBy ?auth ; cg:effectiveDate ?date ;
             cg:listsParty ?party .
      OPTIONAL { ?party cg:wikidataId ?qid }
    }"""
    rows = store.select(q)
    cn = read_cn_sanctions(CN_DIR, read_us_lists(LISTS_DIR).countries, LISTS_DIR / "corrections.csv")
    assert len(rows) == sum(1 for d in cn.designations if d.program == "CN-UEL")
    assert {r["auth"].value.removeprefix(ID) for r in rows} == {"cn-mofcom"}
    assert any(r["qid"] is not None for r in rows)


def test_scope_keeps_every_chinese_entry(lists):
    result = load_lists()
    chinese = sum(1 for e in lists.entries["bis-entity-list"] if e.country in SCOPE["bis-entity-list"])
    assert result.counts["chinese_entity_list"] == chinese


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda d: d.update(extracted="yesterday"), "field extracted must be the snapshot's date as YYYY-MM-DD"),
        (lambda d: d.update(extracted=20260709), "field extracted must be the snapshot's date as YYYY-MM-DD"),
        (
            lambda d: d["entities"][0].update(federal_register=None, effective_date=None),
            "no federal_register citation and no effective_date",
        ),
    ],
    ids=["extracted-text", "extracted-number", "no-date-at-all"],
)
def test_a_list_without_dates_it_can_read_is_refused_at_its_field(copy: Path, edit, problem: str):
    """Round 5 found a KeyError and a ValueError ('this is a bug') for these."""
    path = copy / "bis_meu.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    msg = _error(copy)
    assert "bis_meu.json" in msg and problem in msg and "bug" not in msg, msg
