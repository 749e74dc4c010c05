"""Malformed inputs: each is refused with a clear error, and no previous output changes.

The corpus lives in ``tests/reliability/corpus/``; :data:`CASES` is its table: which file, where
it goes, which command runs on it and what the error must say. For every case:

- the command exits non-zero (1 for bad input, 2 for a usage error), without a traceback;
- the error starts with ``Error:``, is one paragraph (no blank line), names the file and the line
  when the input is a file, and states the problem (the expected substrings, case-insensitive);
- every file of the previous build's output folder is byte-identical afterwards.

The real data is built once into a temporary folder from copies of the curated and ETO folders;
each case then runs against fresh copies with the bad file added (or appended to a real file),
pointed at that same output folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.paths import ontology_dir

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
CURATED = REPO / "graph" / "data" / "curated"
ETO = REPO / "graph" / "data" / "eto"


@dataclass(frozen=True)
class Case:
    """One malformed input.

    ``kind``: ``curated`` (add ``file`` to a copy of the curated folder as ``target``), ``eto``
    (append ``file`` to ``target`` in a copy of the ETO folder, or replace it with ``replace``;
    run through ``chipgraph build`` and, as ``eto-import``, ``chipgraph import eto``),
    ``ontology`` (append ``file`` to ``target`` in a copy of the ontology folder, named by
    ``$CHIPGRAPH_ONTOLOGY_DIR``), ``curated-folder`` / ``eto-folder`` (a folder named ``target``
    in the curated or ETO folder; ``file`` is unused and may be empty),
    ``scenario`` (``chipgraph chokepoints --scenario FILE``), ``query`` (``chipgraph query FILE``)
    or ``query-e`` (``chipgraph query -e TEXT``). ``line`` is the line the error must name
    (``"appended"``: the appended row's line); ``expect`` are substrings the error must contain,
    each a tuple of alternatives. ``named=False``: the error need not name the file (a refusal
    that does not depend on where the text came from). ``isolate``: run in a subprocess with a
    time and memory limit, for inputs built to hang or exhaust memory.
    """

    file: str
    kind: str
    target: str = ""
    line: int | str | None = None
    expect: tuple[tuple[str, ...], ...] = ()
    replace: bool = False
    named: bool = True
    isolate: bool = False


def alt(*words: str) -> tuple[str, ...]:
    return words


CASES: list[Case] = [
    # -- curated YAML -------------------------------------------------------------------------
    Case("curated_yaml_syntax.yaml", "curated", "zz_syntax.yaml", 4, (alt("malformed YAML"),)),
    Case("curated_tab_indent.yaml", "curated", "zz_tab.yaml", 3, (alt("malformed YAML"), alt("tab"))),
    Case("curated_not_a_list.yaml", "curated", "zz_mapping.yaml", 1, (alt("list"),)),
    Case("curated_duplicate_id.yaml", "curated", "zz_dup.yaml", 1, (alt("duplicate"), alt("huawei"))),
    Case("curated_duplicate_key.yaml", "curated", "zz_dupkey.yaml", 4, (alt("duplicate"), alt("label"))),
    Case("curated_unknown_ref.yaml", "curated", "zz_ref.yaml", 12, (alt("unknown"), alt("no-such-parent-firm"))),
    Case("curated_unknown_property.yaml", "curated", "zz_prop.yaml", 7, (alt("unknown"), alt("flavourOfTheMonth"))),
    Case("curated_unknown_type.yaml", "curated", "zz_type.yaml", 2, (alt("unknown"), alt("Spaceship"))),
    Case("curated_bad_date.yaml", "curated", "zz_date.yaml", 12, (alt("date"), alt("2023-13-45"))),
    Case("curated_bad_valid_from.yaml", "curated", "zz_valid.yaml", 11, (alt("valid_from", "date"), alt("yesterday"))),
    Case("curated_bad_decimal.yaml", "curated", "zz_decimal.yaml", 12, (alt("seven"), alt("number", "decimal"))),
    Case(
        "curated_huge_number.yaml", "curated", "zz_huge.yaml", 12, (alt("nodeSizeNm"), alt("inf", "number", "finite"))
    ),
    Case("curated_huge_label.yaml", "curated", "zz_hugelabel.yaml", 8, (alt("NOWHERE"), alt("unknown")), isolate=True),
    Case("curated_alias_bomb.yaml", "curated", "zz_bomb.yaml", None, (alt("alias", "anchor"),), isolate=True),
    Case("curated_missing_sources.yaml", "curated", "zz_nosrc.yaml", 7, (alt("sources"),)),
    Case(
        "curated_unknown_source.yaml",
        "curated",
        "zz_ghost.yaml",
        1,
        (alt("unknown source"), alt("a-source-nobody-registered")),
    ),
    Case("curated_bad_confidence.yaml", "curated", "zz_conf.yaml", 5, (alt("confidence"), alt("absolutely-certain"))),
    Case("curated_bad_slug.yaml", "curated", "zz_slug.yaml", 1, (alt("slug", "id"),)),
    Case(
        "curated_long_id.yaml", "curated", "zz_longid.yaml", 3, (alt("at most 100 characters"), alt("303 characters"))
    ),
    Case("curated_facts_not_list.yaml", "curated", "zz_factsmap.yaml", 6, (alt("facts"), alt("list"))),
    Case("curated_missing_label.yaml", "curated", "zz_nolabel.yaml", 3, (alt("label"), alt("en", "English"))),
    Case(
        "curated_unknown_contradicts.yaml", "curated", "zz_contra.yaml", 7, (alt("contradicts"), alt("no-such-entity"))
    ),
    Case("curated_malicious_label_bad_ref.yaml", "curated", "zz_xss.yaml", 8, (alt("unknown"),)),
    Case("curated_latin1.yaml", "curated", "zz_latin1.yaml", 3, (alt("UTF-8"),)),
    Case("curated_utf16.yaml", "curated", "zz_utf16.yaml", 1, (alt("UTF-8"),)),
    Case("curated_bom_error.yaml", "curated", "zz_bom.yaml", 8, (alt("NOWHERE-LAND"),)),
    Case("curated_nul_label.yaml", "curated", "zz_nul.yaml", 3, (alt("character", "control", "special"),)),
    Case("sources_bad_date.yaml", "curated", "sources_zz_date.yaml", 4, (alt("date"), alt("2023-02-30"))),
    Case("sources_bad_url.yaml", "curated", "sources_zz_url.yaml", 5, (alt("url"),)),
    Case("sources_bad_license.yaml", "curated", "sources_zz_license.yaml", 8, (alt("license"), alt("CC BY 4.0"))),
    Case(
        "sources_duplicate.yaml", "curated", "sources_zz_dup.yaml", 1, (alt("duplicate"), alt("kr-article-2025-02-17"))
    ),
    Case("sources_unknown_field.yaml", "curated", "sources_zz_field.yaml", 6, (alt("langauge"),)),
    # -- ETO CSV (appended rows, or replaced files) --------------------------------------------
    Case("eto_provision_share_over_100.csv", "eto", "provision.csv", "appended", (alt("share"), alt("150"))),
    Case("eto_provision_share_negative.csv", "eto", "provision.csv", "appended", (alt("share"), alt("-5"))),
    Case("eto_provision_share_text.csv", "eto", "provision.csv", "appended", (alt("share"), alt("lots"))),
    Case("eto_provision_unknown_input.csv", "eto", "provision.csv", "appended", (alt("N99999"),)),
    Case("eto_provision_wrong_name.csv", "eto", "provision.csv", "appended", (alt("'Photoresists'"), alt("N17"))),
    Case("eto_sequence_wrong_name.csv", "eto", "sequence.csv", "appended", (alt("'Photolithography'"), alt("N16"))),
    Case("eto_provision_unknown_provider.csv", "eto", "provision.csv", "appended", (alt("P99999"),)),
    Case("eto_provision_bad_year.csv", "eto", "provision.csv", "appended", (alt("year"), alt("20x5"))),
    Case("eto_provision_unclosed_quote.csv", "eto", "provision.csv", "appended", (alt("quote", "CSV", "csv"),)),
    Case("eto_provision_ragged.csv", "eto", "provision.csv", "appended", (alt("column", "field"),)),
    Case("eto_inputs_duplicate_id.csv", "eto", "inputs.csv", "appended", (alt("duplicate", "twice"), alt("N0"))),
    Case("eto_inputs_unknown_type.csv", "eto", "inputs.csv", "appended", (alt("type"), alt("teleporter"))),
    Case("eto_inputs_missing_column.csv", "eto", "inputs.csv", 1, (alt("type"), alt("column")), replace=True),
    Case("eto_sequence_type_cycle.csv", "eto", "sequence.csv", "appended", (alt("N19"),)),
    Case("eto_providers_row_latin1.csv", "eto", "providers.csv", "appended", (alt("UTF-8"),)),
    Case("eto_stages_utf16.csv", "eto", "stages.csv", 1, (alt("UTF-8"),), replace=True),
    # -- SPARQL ---------------------------------------------------------------------------------
    Case("sparql_syntax.rq", "query", expect=(alt("syntax", "not a SPARQL query"),)),
    Case("sparql_unclosed.rq", "query", line=4, expect=(alt("syntax"),)),
    Case("sparql_update.rq", "query", expect=(alt("read-only", "update", "refused"),)),
    # red-team round 4: an empty query is no update; a \\uD800 escape names no character
    Case("sparql_empty.rq", "query", line=1, expect=(alt("empty"),)),
    Case("sparql_lone_surrogate.rq", "query", line=2, expect=(alt("surrogate"),)),
    Case("sparql_service.rq", "query", expect=(alt("SERVICE"),)),
    Case("sparql_unknown_prefix.rq", "query", line=1, expect=(alt("nosuchprefix", "prefix not found"),)),
    Case("sparql_bad_param_type.rq", "query", line=3, expect=(alt("widget"),)),
    Case("sparql_syntax.rq", "query-e", expect=(alt("syntax", "not a SPARQL query"),)),
    Case("sparql_update.rq", "query-e", expect=(alt("read-only", "update", "refused"),)),
    Case("sparql_service_dot.rq", "query", expect=(alt("SERVICE"),)),
    Case("sparql_service_quote_desync.rq", "query-e", expect=(alt("SERVICE"),)),
    Case("sparql_deep_nesting.rq", "query", line=3, expect=(alt("nested more than"),)),
    # -- scenarios ------------------------------------------------------------------------------
    Case("scenario_yaml_syntax.yaml", "scenario", line=4, expect=(alt("YAML", "yaml"),)),
    Case("scenario_unknown_entity.yaml", "scenario", line=2, expect=(alt("no-such-provider-anywhere"),)),
    Case("scenario_bad_date.yaml", "scenario", line=2, expect=(alt("2025-02-30"),)),
    Case("scenario_bad_share.yaml", "scenario", line=3, expect=(alt("share"), alt("250"))),
    Case("scenario_unknown_change.yaml", "scenario", line=2, expect=(alt("teleport_fab"),)),
    Case("scenario_lift_unknown_measure.yaml", "scenario", line=2, expect=(alt("no-such-measure-2099"),)),
    Case("scenario_measure_bad_id.yaml", "scenario", line=3, expect=(alt("not an id"),)),
    Case("scenario_measure_existing_id.yaml", "scenario", line=3, expect=(alt("already the id"),)),
    # -- the security review's input cases (F8-F22): each ends in one Error with file and line ----
    # text that YAML escapes turn into control characters or lone surrogates (F11, F12)
    Case("curated_lone_surrogate.yaml", "curated", "zz_surrogate.yaml", 3, (alt("surrogate"),)),
    Case("curated_surrogate_alias.yaml", "curated", "zz_surr_alias.yaml", 4, (alt("surrogate"),)),
    Case("curated_ansi_escapes.yaml", "curated", "zz_ansi.yaml", 3, (alt("control character"), alt("ESC"))),
    Case("curated_osc52_alias.yaml", "curated", "zz_osc52.yaml", 4, (alt("control character"),)),
    Case("scenario_control_escape.yaml", "scenario", line=2, expect=(alt("control character"),)),
    # ids with a trailing newline ($ matched before it), deep nesting, huge exponents (F12)
    Case("curated_trailing_newline_id.yaml", "curated", "zz_nlid.yaml", 1, (alt("slug"),)),
    Case("curated_trailing_newline_country.yaml", "curated", "zz_nlcc.yaml", 1, (alt("alpha-3", "slug"),)),
    Case("sources_id_newline.yaml", "curated", "sources_zz_nl.yaml", 1, (alt("source id"),)),
    Case("sources_title_list.yaml", "curated", "sources_zz_list.yaml", 2, (alt("title"), alt("single text"))),
    Case("curated_deep_nesting.yaml", "curated", "zz_deep.yaml", 7, (alt("nested"),)),
    Case("curated_figure_huge_exponent.yaml", "curated", "zz_exp.yaml", 12, (alt("figureValue"), alt("number"))),
    Case("curated_figure_fullwidth.yaml", "curated", "zz_fw.yaml", 12, (alt("figureValue"), alt("number"))),
    Case("curated_figure_underscore.yaml", "curated", "zz_us.yaml", 12, (alt("figureValue"), alt("number"))),
    Case("curated_date_arabic_digits.yaml", "curated", "zz_arabic_date.yaml", 8, (alt("foundedDate"), alt("date"))),
    # red-team round 4: a list where one word or one text belongs
    Case("curated_confidence_list.yaml", "curated", "zz_conf_list.yaml", 5, (alt("confidence"),)),
    Case("curated_note_list.yaml", "curated", "zz_note_list.yaml", 11, (alt("note"), alt("single text"))),
    Case("curated_placeholder_folder.txt", "curated-folder", "zz.yaml", None, (alt("folder"),)),
    # red-team round 5: YAML types that became Python text in the graph, or were dropped
    Case("curated_value_boolean.yaml", "curated", "zz_bool.yaml", 8, (alt("boolean"), alt("quote"))),
    Case("curated_value_binary.yaml", "curated", "zz_binary.yaml", 8, (alt("binary"),)),
    Case("curated_value_empty_list.yaml", "curated", "zz_empty.yaml", 7, (alt("has no value"),)),
    # curated logic the ETO path refuses too (F9, F19)
    Case("curated_share_sum.yaml", "curated", "zz_share.yaml", 9, (alt("shares"), alt("hbm"), alt("100"))),
    Case("curated_typeof_cycle.yaml", "curated", "zz_cycle.yaml", 14, (alt("isTypeOf cycle"),)),
    Case("curated_self_contradiction.yaml", "curated", "zz_selfcontra.yaml", 8, (alt("contradict itself"),)),
    # ETO values outside the XSD lexical forms, control bytes, unknown references (F8, F11, F14)
    Case("eto_provision_share_exponent.csv", "eto", "provision.csv", "appended", (alt("share"), alt("1e0"))),
    Case("eto_provision_share_underscore.csv", "eto", "provision.csv", "appended", (alt("share"), alt("0_1"))),
    Case("eto_provision_share_fullwidth.csv", "eto", "provision.csv", "appended", (alt("share"),)),
    Case("eto_provision_share_arabic.csv", "eto", "provision.csv", "appended", (alt("share"),)),
    Case("eto_provision_year_arabic.csv", "eto", "provision.csv", "appended", (alt("year"),)),
    Case("eto_providers_nul.csv", "eto", "providers.csv", "appended", (alt("control character"), alt("NUL"))),
    Case("eto_providers_country_unknown.csv", "eto", "providers.csv", "appended", (alt("XXX"),)),
    Case("eto_providers_arabic_digit_id.csv", "eto", "providers.csv", "appended", (alt("provider id"),)),
    # red-team round 4: what curated YAML refuses, the ETO tables refuse too
    Case("eto_providers_bidi.csv", "eto", "providers.csv", "appended", (alt("bidi"),)),
    Case("eto_provision_year_zero.csv", "eto", "provision.csv", "appended", (alt("year"), alt("0000"))),
    Case("curated_placeholder_folder.txt", "eto-folder", "notes.csv", None, (alt("regular file", "folder"),)),
    # release.yaml fields (F12, F13, F14)
    Case("eto_release_bad_date.yaml", "eto", "release.yaml", 9, (alt("date"), alt("2026-8-14")), replace=True),
    Case("eto_release_feb30.yaml", "eto", "release.yaml", 9, (alt("date"), alt("2026-02-30")), replace=True),
    Case("eto_release_bad_license.yaml", "eto", "release.yaml", 7, (alt("license"),), replace=True),
    Case("eto_release_bad_language.yaml", "eto", "release.yaml", 8, (alt("language"),), replace=True),
    Case("eto_release_url_list.yaml", "eto", "release.yaml", 5, (alt("url"),), replace=True),
    Case("eto_release_unknown_field.yaml", "eto", "release.yaml", 11, (alt("licence"),), replace=True),
    # scenario fields of the wrong type, unknown or wrong-kind entities, dead measures, dates (F12, F17, F18)
    Case("scenario_country_list.yaml", "scenario", line=3, expect=(alt("country"),)),
    Case("scenario_country_dict.yaml", "scenario", line=4, expect=(alt("country"),)),
    Case("scenario_country_unknown.yaml", "scenario", line=3, expect=(alt("ZZZ"),)),
    Case("scenario_provider_not_org.yaml", "scenario", line=3, expect=(alt("not an organisation"),)),
    Case("scenario_covers_a_firm.yaml", "scenario", line=3, expect=(alt("not an input or a product"), alt("smic"))),
    Case("scenario_party_is_an_input.yaml", "scenario", line=3, expect=(alt("not an organisation"), alt("'hbm'"))),
    Case("scenario_date_int.yaml", "scenario", line=2, expect=(alt("YYYY-MM-DD"), alt("20240101"))),
    Case("scenario_date_week.yaml", "scenario", line=2, expect=(alt("YYYY-MM-DD"), alt("2024-W01-1"))),
    Case("scenario_effective_null.yaml", "scenario", line=3, expect=(alt("effective"),)),
    Case("scenario_end_before_effective.yaml", "scenario", line=6, expect=(alt("never in force"),)),
    Case("scenario_label_list.yaml", "scenario", line=4, expect=(alt("label"), alt("single text"))),
    # named queries that are not UTF-8 (F12)
    Case("sparql_latin1.rq", "query", line=1, expect=(alt("UTF-8"),)),
    Case("sparql_utf16.rq", "query", line=1, expect=(alt("UTF-8"),)),
    # the ontology and the shapes: UTF-8 only, no blank nodes, no control characters, syntax (F12, F22)
    Case("ontology_latin1.ttl", "ontology", "chipgraph.ttl", "appended", (alt("UTF-8"),)),
    Case("ontology_blank_node.ttl", "ontology", "chipgraph.ttl", "appended", (alt("blank node"),)),
    Case("ontology_control_escape.ttl", "ontology", "chipgraph.ttl", "appended", (alt("control character"),)),
    Case("shapes_syntax.ttl", "ontology", "shapes.ttl", "appended", (alt("shapes"),)),
]


def tree_hash(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (relative path -> digest)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Copies of the real inputs, one full build of them, and the hashes of every output file."""
    root = tmp_path_factory.mktemp("reliability")
    curated, eto, out = root / "curated", root / "eto", root / "out"
    shutil.copytree(CURATED, curated)
    shutil.copytree(ETO, eto)
    from graph.build import build

    build(out, curated_dir=curated, eto_dir=eto)
    return {"root": root, "curated": curated, "eto": eto, "out": out, "hashes": tree_hash(out)}


def prepare(case: Case, base: dict, work: Path) -> tuple[list[str], Path | None, int | None]:
    """Lay out the case's inputs under ``work``; return (CLI args, file the error must name, line)."""
    src = CORPUS / case.file
    out = str(base["out"])
    curated, eto = work / "curated", work / "eto"
    shutil.copytree(base["curated"], curated)
    shutil.copytree(base["eto"], eto)
    build_args = ["build", "--curated-dir", str(curated), "--eto-dir", str(eto), "-o", out]
    line = case.line if isinstance(case.line, int) else None
    if case.kind == "curated":
        target = curated / case.target
        shutil.copy(src, target)
        return build_args, target, line
    if case.kind in ("eto", "eto-import"):
        target = eto / case.target
        if case.replace:
            shutil.copy(src, target)
        else:
            data = target.read_bytes()
            if not data.endswith(b"\n"):
                data += b"\n"
            line = data.count(b"\n") + 1
            target.write_bytes(data + src.read_bytes())
        if case.kind == "eto-import":
            return ["import", "eto", str(eto), "--curated-dir", str(curated), "-o", out], target, line
        return build_args, target, line
    if case.kind in ("curated-folder", "eto-folder"):
        target = (curated if case.kind == "curated-folder" else eto) / case.target
        target.mkdir()
        return build_args, target, None
    if case.kind == "ontology":
        onto = work / "ontology"
        shutil.copytree(ontology_dir(), onto)
        target = onto / case.target
        data = target.read_bytes()
        if not data.endswith(b"\n"):
            data += b"\n"
        # the first non-blank appended line is the one the error names
        appended = src.read_bytes()
        line = data.count(b"\n") + 1 + (len(appended) - len(appended.lstrip(b"\n")))
        target.write_bytes(data + appended)
        return build_args, target, line
    if case.kind == "scenario":
        return ["chokepoints", "--scenario", str(src)], src, line
    if case.kind == "query":
        return ["query", str(src)], src if case.named else None, line
    if case.kind == "query-e":
        return ["query", "-e", src.read_text(encoding="utf-8")], None, line
    raise AssertionError(case.kind)


ISOLATED_SECONDS = 120
ISOLATED_BYTES = 3 * 2**30


def _limits() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (ISOLATED_BYTES, ISOLATED_BYTES))


def run_isolated(args: list[str], out: Path) -> tuple[int, str]:
    """Run ``python -m graph ARGS`` with a time limit and a 3 GiB address-space limit."""
    env = {**os.environ, "CHIPGRAPH_OUTPUT": str(out)}
    env.pop("CHIPGRAPH_ENDPOINT", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "graph", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=ISOLATED_SECONDS,
            preexec_fn=_limits,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {ISOLATED_SECONDS} s (the input is meant to be refused quickly)")
    return proc.returncode, proc.stdout + proc.stderr


#: The ETO cases once more through ``chipgraph import eto DIR``.
IMPORT_CASES = [replace(c, kind="eto-import") for c in CASES if c.kind == "eto"]


def _param(case: Case):
    return pytest.param(case, id=f"{case.kind}-{Path(case.file).stem}")


def check_error(case: Case, exit_code: int, output: str, named: Path | None, line: int | None) -> None:
    """The assertions every case shares (exit code, no traceback, one clear paragraph)."""
    assert exit_code in (1, 2), f"exit code {exit_code}; output:\n{output[-2000:]}"
    assert "Traceback" not in output, output[-3000:]
    text = output.strip()
    assert "Error:" in text, text[-2000:]
    message = text[text.index("Error:") :]
    assert "\n\n" not in message, f"not one paragraph:\n{message[:2000]}"
    assert len(message) < 4000, f"error message is {len(message)} characters long"
    if named is not None:
        assert named.name in message, f"error does not name {named.name}:\n{message[:2000]}"
        if line is not None:
            # file:LINE: or file:LINE:COL: (then a space), or "file ... line LINE" (SPARQL parser)
            where = rf"{re.escape(named.name)}:{line}(:\d+)?: |{re.escape(named.name)}\S* at line {line}\b"
            assert re.search(where, message), f"error does not name line {line} cleanly:\n{message[:2000]}"
    low = message.lower()
    for alternatives in case.expect:
        assert any(a.lower() in low for a in alternatives), f"expected one of {alternatives} in:\n{message[:2000]}"


@pytest.mark.parametrize("case", [_param(c) for c in CASES + IMPORT_CASES])
def test_malformed_input_is_refused_and_outputs_unchanged(
    case: Case, baseline: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.cli import cli

    args, named, line = prepare(case, baseline, tmp_path)
    if case.kind == "ontology":
        monkeypatch.setenv("CHIPGRAPH_ONTOLOGY_DIR", str(tmp_path / "ontology"))
    if case.isolate:
        code, output = run_isolated(args, baseline["out"])
    else:
        env = {"CHIPGRAPH_OUTPUT": str(baseline["out"]), "CHIPGRAPH_ENDPOINT": ""}
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            tb = "".join(traceback.format_exception(result.exception))
            pytest.fail(f"uncaught {type(result.exception).__name__}:\n{tb[-3000:]}")
        code, output = result.exit_code, result.output
    check_error(case, code, output, named, line)
    assert tree_hash(baseline["out"]) == baseline["hashes"], "a previous output changed"


def test_corpus_is_complete() -> None:
    """Every corpus file is used by a case, and the corpus has at least 30 inputs."""
    used = {c.file for c in CASES}
    files = {p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".py"}
    assert files == used, f"unused: {sorted(files - used)}; missing: {sorted(used - files)}"
    assert len(files) >= 90


@pytest.mark.slow
def test_real_process_shows_no_traceback(baseline: dict, tmp_path: Path) -> None:
    """The same checks through a real ``python -m graph`` process for a few cases."""
    for case in [
        c for c in CASES if c.file in ("curated_latin1.yaml", "eto_provision_share_text.csv", "curated_alias_bomb.yaml")
    ]:
        work = tmp_path / Path(case.file).stem
        work.mkdir()
        args, named, line = prepare(case, baseline, work)
        env = {**os.environ, "CHIPGRAPH_OUTPUT": str(baseline["out"])}
        env.pop("CHIPGRAPH_ENDPOINT", None)
        proc = subprocess.run(
            [sys.executable, "-m", "graph", *args], capture_output=True, text=True, env=env, timeout=300
        )
        check_error(case, proc.returncode, proc.stdout + proc.stderr, named, line)
    assert tree_hash(baseline["out"]) == baseline["hashes"]
