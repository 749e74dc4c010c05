"""Property-based tests: any input is either accepted as SHACL-valid data or refused with a ChipgraphError.

- Curated YAML: hypothesis writes records (ids, types, labels, facts with any property and any
  value, sources, confidences, dates), sometimes valid and sometimes not, sometimes with raw bytes
  spliced into the text. :func:`validate_curated` (what ``chipgraph validate`` runs: read, build
  quads, SHACL; only the ETO import is left out, so each example stays fast) must return or raise
  :class:`graph.errors.ChipgraphError`, never anything else. Records built only from valid choices
  must be accepted.
- ETO CSVs: hypothesis mutates the shipped release (a cell changed to any text, a row dropped or
  duplicated, bytes spliced in); ``load_eto`` must return or raise ChipgraphError; a smaller
  slow run also puts every accepted mutation through SHACL.
- Scenario files: the same property for the chokepoint scenario parser, once it exists.

Example counts stay modest (``max_examples`` = 30) so the default run stays fast.
"""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import ChipgraphError

REPO = Path(__file__).resolve().parent.parent
ETO = REPO / "graph" / "data" / "eto"
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SOURCES = [
    {
        "id": "src-a",
        "title": "Source A",
        "publisher": "Reuters",
        "date": "2024-01-02",
        "url": "https://example.org/a",
        "language": "en",
        "kind": "news",
    }
]
COUNTRY = [
    {
        "id": "CHN",
        "type": ["Country"],
        "label": {"en": "China"},
        "sources": ["src-a"],
        "confidence": "high",
        "facts": [{"property": "iso3", "value": "CHN", "sources": ["src-a"], "confidence": "high"}],
    }
]

CLASSES = [
    "Organisation",
    "ChipDesigner",
    "Foundry",
    "GPU",
    "NPU",
    "ASIC",
    "ProcessNode",
    "MemoryTechnology",
    "LanguageModel",
    "EntityListing",
    "Country",
    "Spaceship",
    "",
]
PROPS = [
    "country",
    "parentOrganisation",
    "founderName",
    "foundedDate",
    "designedBy",
    "fabricatedBy",
    "processNode",
    "nodeSizeNm",
    "nodeOperatedBy",
    "releaseDate",
    "effectiveDate",
    "sharePercent",
    "wikidataId",
    "label",
    "flavour",
    "statedIn",
    "",
]
slugs = st.sampled_from(["acme", "beta-chips", "gamma", "CHN", "USA", "src-a", "Bad Id", "", "x" * 300])
scalars = st.one_of(
    st.text(max_size=40),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.dates().map(str),
    slugs,
    st.sampled_from(["2024-02-30", "2024-13", "1e999", "nan", "-0", "100.5"]),
)


def fact_strategy(ids: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {"property": st.sampled_from(PROPS), "value": st.one_of(ids, scalars, st.lists(ids, max_size=3))},
        optional={
            "sources": st.one_of(st.just(["src-a"]), st.lists(slugs, max_size=2), scalars),
            "confidence": st.sampled_from(["high", "medium", "low", "sure", ""]),
            "valid_from": st.one_of(st.dates().map(str), scalars),
            "note": st.text(max_size=30),
        },
    )


#: Raw bytes spliced into the YAML text (NUL, control bytes, broken UTF-8...).
SPLICE = st.binary(min_size=1, max_size=4)

records = st.lists(
    st.fixed_dictionaries(
        {"id": slugs},
        optional={
            "type": st.one_of(st.lists(st.sampled_from(CLASSES), max_size=3), scalars),
            "label": st.one_of(
                st.fixed_dictionaries({"en": st.text(max_size=30)}, optional={"zh": st.text(max_size=10)}), scalars
            ),
            "aliases": st.lists(st.text(max_size=20), max_size=2),
            "sources": st.one_of(st.just(["src-a"]), st.lists(slugs, max_size=2)),
            "confidence": st.sampled_from(["high", "medium", "low", "certain"]),
            "facts": st.one_of(st.lists(fact_strategy(slugs), max_size=4), scalars),
        },
    ),
    max_size=4,
)

valid_orgs = st.lists(
    st.tuples(
        st.sampled_from(["acme", "beta-chips", "gamma", "delta-fab"]),
        st.sampled_from(["ChipDesigner", "Foundry", "EquipmentMaker", "MemoryMaker"]),
        st.text(alphabet=string.ascii_letters + " -", min_size=1, max_size=30).filter(
            lambda s: s.strip() == s and s.strip()
        ),
        st.sampled_from(["high", "medium", "low"]),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
)


def write_curated(directory: Path, recs: list, splice: tuple[int, bytes] | None = None) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / "sources.yaml").write_text(yaml.safe_dump(SOURCES, allow_unicode=True), encoding="utf-8")
    (directory / "countries.yaml").write_text(yaml.safe_dump(COUNTRY, allow_unicode=True), encoding="utf-8")
    data = yaml.safe_dump(recs, allow_unicode=True).encode("utf-8")
    if splice is not None:
        at = splice[0] % (len(data) + 1)
        data = data[:at] + splice[1] + data[at:]
    (directory / "records.yaml").write_bytes(data)


def validate_curated(directory: Path):
    """``graph.build.assemble`` + ``validate_dataset`` without the ETO import: ontology and curated quads,
    then SHACL. Returns the validated Dataset or raises ChipgraphError (a SHACL violation included)."""
    from graph.build import Dataset, validate_dataset
    from graph.paths import ontology_file
    from graph.rdf.curated_rdf import curated_quads
    from graph.sources.curated import load_curated
    from graph.vocab.ontology import parse_ontology

    onto = parse_ontology(ontology_file())
    data = load_curated(directory, onto)
    cur = curated_quads(data, onto, {})
    dataset = Dataset(quads=[*onto.quads, *cur.quads], locations=cur.locations)
    validate_dataset(dataset)
    return dataset


def accepted_or_refused(call) -> object | None:
    """Run ``call``; return its value, or None when it raised ChipgraphError. Anything else fails."""
    try:
        return call()
    except ChipgraphError as exc:
        assert str(exc).strip(), "a ChipgraphError without a message"
        return None


@SETTINGS
@given(recs=records, splice=st.one_of(st.none(), st.tuples(st.integers(0, 10**6), SPLICE)))
def test_curated_loader_accepts_valid_or_refuses_cleanly(tmp_path: Path, recs: list, splice) -> None:
    cur = tmp_path / "curated"
    write_curated(cur, recs, splice)
    accepted_or_refused(lambda: validate_curated(cur))


@SETTINGS
@given(orgs=valid_orgs)
def test_curated_loader_accepts_valid_records(tmp_path: Path, orgs: list) -> None:
    """Records made only of valid choices load and pass SHACL."""
    recs = [
        {
            "id": oid,
            "type": ["Organisation", role],
            "label": {"en": label},
            "sources": ["src-a"],
            "confidence": conf,
            "facts": [{"property": "country", "value": "CHN", "sources": ["src-a"], "confidence": conf}],
        }
        for oid, role, label, conf in orgs
    ]
    cur = tmp_path / "curated"
    write_curated(cur, recs)
    dataset = validate_curated(cur)
    subjects = {q.subject.value for q in dataset.quads}
    assert {f"https://w3id.org/chipgraph/id/{oid}" for oid, *_ in orgs} <= subjects


ETO_FILES = ["provision.csv", "inputs.csv", "sequence.csv", "providers.csv", "stages.csv"]
mutation = st.tuples(
    st.sampled_from(ETO_FILES),
    st.sampled_from(["cell", "drop", "dup", "splice"]),
    st.integers(0, 10**6),
    st.integers(0, 20),
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(["", "-1", "101", "1e309", "N0", "P1", "S9", "2025", "abc", '"', ",", "\n", "N99999"]),
    ),
    st.binary(min_size=1, max_size=3),
)


def mutate(directory: Path, mut: tuple) -> None:
    """Apply one mutation to a copy of the ETO release (rows are lines; cells split on commas)."""
    import csv
    import io

    name, kind, row, col, value, raw = mut
    path = directory / name
    data = path.read_bytes()
    if kind == "splice":
        at = row % (len(data) + 1)
        path.write_bytes(data[:at] + raw + data[at:])
        return
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    i = 1 + row % max(1, len(rows) - 1)
    if i >= len(rows):
        return
    if kind == "drop":
        del rows[i]
    elif kind == "dup":
        rows.insert(i, list(rows[i]))
    else:
        rows[i][col % len(rows[i])] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@SETTINGS
@given(mut=mutation)
def test_eto_importer_accepts_or_refuses_cleanly(tmp_path: Path, mut: tuple) -> None:
    from graph.rdf.eto_rdf import load_eto

    work = tmp_path / "eto"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(ETO, work)
    mutate(work, mut)
    accepted_or_refused(lambda: load_eto(work))


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mut=mutation)
def test_eto_importer_output_passes_shacl(tmp_path: Path, mut: tuple) -> None:
    """A mutated release the importer accepts must also pass the SHACL shapes."""
    from graph.build import validate_only
    from graph.rdf.eto_rdf import load_eto

    work = tmp_path / "eto"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(ETO, work)
    mutate(work, mut)
    if accepted_or_refused(lambda: load_eto(work)) is None:
        return
    cur = tmp_path / "curated"
    write_curated(cur, [])
    # No accepted_or_refused here: a SHACL refusal of what the importer accepted is the failure
    # this test exists to find, so any ChipgraphError propagates and fails it.
    validate_only(curated_dir=cur, eto_dir=work, lists=False)  # the lists' crosswalk needs the shipped curated data


def _scenario_item_keys() -> list[str]:
    from graph.chokepoints.scenarios import MEASURE_KEYS, PROVIDER_KEYS

    return sorted(MEASURE_KEYS | PROVIDER_KEYS) + ["bogus"]


def _scenario_keys() -> list[str]:
    from graph.chokepoints.scenarios import KEYS

    return sorted(KEYS) + ["bogus"]


#: Scenario documents: the parser's own keys (so that the list sections and their items are
#: reached, with measure and provider fields), an unknown key, and arbitrary text.
scenario_docs = st.one_of(
    st.text(max_size=200),
    st.dictionaries(
        st.sampled_from(_scenario_keys()),
        st.one_of(
            scalars,
            st.lists(
                st.one_of(scalars, st.dictionaries(st.sampled_from(_scenario_item_keys()), scalars, max_size=5)),
                max_size=3,
            ),
        ),
        max_size=5,
    ).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
)


@SETTINGS
@given(doc=scenario_docs)
def test_scenario_parser_accepts_or_refuses_cleanly(tmp_path: Path, doc: str) -> None:
    from graph.chokepoints.scenarios import load_scenario

    path = tmp_path / "scenario.yaml"
    path.write_text(doc, encoding="utf-8")
    accepted_or_refused(lambda: load_scenario(path))
