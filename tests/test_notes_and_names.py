"""Notes shown wherever their claim is, and entities named any way they are known (issue 16).

Notes are the curators' ``rdfs:comment`` on a claim graph (in the provenance graph). ``show``,
``who-says``, ``conflicts`` and ``sources ID`` carry them; ``show`` accepts ``cgid:`` names and
IRIs; ``query -p`` accepts a label or alias in any language where an IRI is expected.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graph.cli import cli

#: The TSMC claim about the 910C and the start of its note in graph/data/curated/accelerators.yaml.
TSMC_CLAIM_NOTE = "TechInsights found TSMC 7nm dies in several 910C samples"


def run(built, *args: str):
    result = CliRunner().invoke(cli, [*args, "--output-dir", str(built)])
    return result


def test_show_json_gives_each_claim_its_note(built):
    report = json.loads(run(built, "show", "Ascend 910C", "--json").output)
    tsmc = [f for f in report["facts"] if f["property"] == "cg:fabricatedBy" and f["value"] == "TSMC"]
    assert len(tsmc) == 1 and tsmc[0]["note"].startswith(TSMC_CLAIM_NOTE)
    # every fact has the key, None where the curators wrote no note
    assert all("note" in f for f in report["facts"] + report["referenced_by"])
    assert any(f["note"] is None for f in report["facts"])


def test_show_table_numbers_the_notes_below(built):
    out = run(built, "show", "Ascend 910C", "-t", "--wide").output
    assert "Notes:" in out
    tsmc_line = next(line for line in out.splitlines() if line.startswith("cg:fabricatedBy") and "TSMC" in line)
    mark = tsmc_line.split()[-1]
    assert mark.startswith("[") and mark.endswith("]")
    notes = out.split("Notes:", 1)[1]
    assert f"  {mark} {TSMC_CLAIM_NOTE}" in notes


def test_who_says_has_the_note(built):
    rows = json.loads(
        run(built, "query", "who-says", "-p", "subject", "cgid:ascend-910c", "-p", "property", "cg:fabricatedBy").output
    )
    tsmc = [r for r in rows if r["value"].endswith("/tsmc")]
    assert tsmc and all(r["note"].startswith(TSMC_CLAIM_NOTE) for r in tsmc)


def test_conflicts_command_and_query_have_notes(built):
    rows = json.loads(run(built, "conflicts", "--json").output)
    tsmc = [r for r in rows if r["subject"] == "Ascend 910C" and r["value"] == "TSMC"]
    assert tsmc and tsmc[0]["note"].startswith(TSMC_CLAIM_NOTE)
    rows = json.loads(run(built, "query", "conflicts", "-p", "subject", "cgid:ascend-910c", "--json").output)
    fab = [r for r in rows if r["property"].endswith("#fabricatedBy")]
    assert fab and any(TSMC_CLAIM_NOTE in (r["note"] + r["otherNote"]) for r in fab)


def test_sources_id_lists_notes(built):
    rows = json.loads(run(built, "sources", "notebookcheck-2025-10-ascend-910c", "--json").output)
    assert rows and all("note" in r for r in rows)
    assert any((r["note"] or "").startswith(TSMC_CLAIM_NOTE) for r in rows)


@pytest.mark.parametrize(
    "name",
    [
        "cgid:ascend-910c",
        "https://w3id.org/chipgraph/id/ascend-910c",
        "<https://w3id.org/chipgraph/id/ascend-910c>",
        "ascend-910c",
        "昇腾910C",
        "huawei ascend 910c",
    ],
)
def test_show_accepts_ids_prefixed_names_iris_and_labels(built, name):
    result = run(built, "show", name, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["id"] == "ascend-910c"


def test_show_accepts_an_ontology_iri_and_refuses_an_unknown_one(built):
    result = run(built, "show", "cg:AIAccelerator", "-t")
    assert result.exit_code == 0 and result.output.startswith("AI accelerator")
    result = run(built, "show", "cg:NoSuchClass")
    assert result.exit_code == 1 and "says nothing about 'cg:NoSuchClass'" in result.output


def test_query_param_takes_a_label_in_any_language(built):
    def controls(firm: str) -> list:
        args = ["query", "controls-on-firm", "-p", "firm", firm, "-p", "as_of", "2024-12-31"]
        return json.loads(run(built, *args).output)

    by_id = controls("smic")
    for name in ("中芯国际", "SMIC", "cgid:smic"):
        rows = controls(name)
        assert rows == by_id and rows, name
    shown = run(built, "query", "who-says", "-p", "subject", "昇腾910C", "--show").output
    assert "# bound: ?subject = <https://w3id.org/chipgraph/id/ascend-910c>" in shown


def test_query_param_refuses_an_ambiguous_name_with_the_candidates(built):
    # two Chinese rare-earth measures share their Chinese title
    result = run(built, "query", "who-says", "-p", "subject", "关于对部分中重稀土相关物项实施出口管制的决定")
    assert result.exit_code == 1
    assert "names several entities" in result.output
    assert "cn-rare-earth-57-2025-11" in result.output and "cn-rare-earth-export-control-2025-04" in result.output


def test_query_param_unknown_name_suggests(built):
    result = run(built, "query", "who-says", "-p", "subject", "中芯")
    assert result.exit_code == 1 and "did you mean" in result.output and "中芯国际" in result.output


def test_the_name_index_kept_beside_the_store_is_the_one_computed_from_it(built, store):
    """``show`` and ``query -p`` read the index the build wrote beside the store: it must hold
    exactly what the store's labels and aliases give, in the same order."""
    from graph.read.lookup import NAME_INDEX_FILE, _kept_index, computed_name_index

    assert (built / "store" / NAME_INDEX_FILE).is_file()
    kept = _kept_index(built / "store")
    assert kept is not None and kept == computed_name_index(store)
    assert any(m.id == "huawei" for m in kept["华为"])


def test_a_name_index_of_other_inputs_is_not_used(built, tmp_path):
    """A copy whose input hash is not the store record's (a store swapped without it, an older
    build) is ignored, and the index is computed from the store."""
    import shutil

    from graph.read.lookup import NAME_INDEX_FILE, _kept_index, name_index
    from graph.store.local import open_store

    out = tmp_path / "out"
    shutil.copytree(built / "store", out / "store")
    shutil.copy(built / "manifest.json", out / "manifest.json")
    path = out / "store" / NAME_INDEX_FILE
    kept = json.loads(path.read_text(encoding="utf-8"))
    kept["input_hash"] = "another build"
    kept["names"] = {"huawei": [["smic", "huawei", "label"]]}
    path.write_text(json.dumps(kept), encoding="utf-8")
    assert _kept_index(out / "store") is None
    assert {m.id for m in name_index(open_store(out))["huawei"]} == {"huawei"}


def test_a_name_index_of_an_older_layout_is_not_read_and_the_build_rebuilds_the_store(built, tmp_path):
    """The list-of-rows layout of earlier builds (same inputs) is not misread: the index is
    computed from the store, and the next build rebuilds the store to write the present layout."""
    import shutil

    from graph.build import build
    from graph.read.lookup import NAME_INDEX_FILE, _kept_index, kept_index_current

    out = tmp_path / "out"
    build(out, analyses=False, site=False)
    path = out / "store" / NAME_INDEX_FILE
    kept = json.loads(path.read_text(encoding="utf-8"))
    older = {
        "input_hash": kept["input_hash"],
        "names": [["huawei", "https://w3id.org/chipgraph/id/huawei", "huawei", "Huawei", "label"]],
    }
    path.write_text(json.dumps(older), encoding="utf-8")
    assert _kept_index(out / "store") is None and not kept_index_current(out / "store")
    messages: list[str] = []
    build(out, analyses=False, site=False, progress=messages.append)
    assert not any("reusing the store" in m for m in messages), messages
    assert kept_index_current(out / "store")
    shutil.rmtree(out)
