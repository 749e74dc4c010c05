"""Import Epoch AI's notable-models and ML hardware data: training runs of Chinese developers' models.

:func:`load_epoch` reads the files (:mod:`graph.sources.epoch_models`), keeps the models in scope
and maps them onto the ontology through the reviewed crosswalk (``graph/data/epoch_crosswalk.csv``):

- **Scope.** A model of a *Chinese developer*: every organisation Epoch names for it is in China
  (Epoch's "Country (from Organization)" lists only China or "Hong Kong,China"; "Multinational",
  Epoch's value for a firm it files under no one country, is ignored), with "Language" among its
  domains (the graph's class is ``cg:LanguageModel``), not marked ``Exclude`` by Epoch, and with
  training hardware. Each hardware name must be reviewed in the crosswalk: mapped to a curated
  accelerator, or recorded as having none (reported as unmatched, never dropped silently; an
  unreviewed name fails the import). Domestic and foreign chips alike: a Chinese developer's run on
  an NVIDIA A100 or H800 answers "which models were trained on restricted chips".
- **Models** -> the curated ``cg:LanguageModel`` where the crosswalk maps the name (GLM-130B), else a
  ``cg:LanguageModel`` ``id/epoch-model-<slug>`` with its label, release date (Epoch's publication
  date) and developers; a developer is the curated organisation the crosswalk names, else a
  ``cg:Organisation`` ``id/epoch-org-<slug>`` with the country Epoch gives it.
- **Deployments** -> one ``cg:Deployment`` (kind Training) per model and mapped accelerator, with
  ``cg:acceleratorCount`` where Epoch gives a hardware quantity for a single kind of hardware. Where
  the curated data already records that model's training on that accelerator, Epoch's claims are
  added to the curated deployment (its date stays the curated one).
- **Chips** -> ``cg:fabricatedBy`` for each mapped accelerator whose row in Epoch's hardware table
  names a foundry. ``fabricatedBy`` expects one value, so where the curated claims name another
  foundry, ``chipgraph conflicts`` lists both sides; nothing is overwritten. Epoch's process size is
  a nanometre class that names no single curated node (TSMC's 7 nm class is N7 or N7+, SMIC's N+1 or
  N+2), so no ``cg:processNode`` claim is made from it: it is compared with the size of the curated
  nodes instead (:attr:`EpochImport.node_sizes`).

Epoch's statements sit in claim graphs of their own, apart from the curated ones: one per entity
and dataset, ``cgclaim:<entity>_epoch_<hash>``, stated in the Epoch dataset (medium confidence: a
secondary compilation), with Epoch's raw values in the claim's note. IRIs come from names only, so
the same files give the same quads.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from graph.errors import InputError, Problem
from graph.paths import DATA_DIR
from graph.rdf.provenance import assertion_quads, date_literal, source_quads
from graph.rdf.serialize import sorted_quads
from graph.sources.curated import Record
from graph.sources.epoch_models import (
    EpochChip,
    EpochCrosswalkEntry,
    EpochModel,
    read_epoch_crosswalk,
    read_ml_hardware,
    read_notable_models,
)
from graph.sources.records import SourceRecord
from graph.vocab.namespaces import RDF, RDFS, XSD, cg, claim_iri, entity_iri, slugify

__all__ = [
    "ClaimWriter",
    "DEFAULT_CROSSWALK",
    "EpochImport",
    "HARDWARE_FILE",
    "HARDWARE_SOURCE_ID",
    "MODELS_FILE",
    "MODELS_SOURCE_ID",
    "input_files",
    "load_epoch",
    "scope",
]

EPOCH_DIR = DATA_DIR / "epoch"
MODELS_FILE = EPOCH_DIR / "notable_models_china.csv"
HARDWARE_FILE = EPOCH_DIR / "ml_hardware.csv"
DEFAULT_CROSSWALK = DATA_DIR / "epoch_crosswalk.csv"
MODELS_SOURCE_ID = "epoch-ai-models-ff656d2"
HARDWARE_SOURCE_ID = "epoch-ai-hardware-ff656d2"
CONFIDENCE = "medium"

#: Epoch's country names of the developers in scope -> chipgraph country ids.
CHINESE_COUNTRIES = {"China": "CHN", "Hong Kong,China": "HKG"}
_NEUTRAL = "Multinational"

_COMMIT = "ff656d27f42969810540b8c2ed60fbdc7aa7a4ce"
_ATTRIBUTION = (
    "Epoch AI, CC BY 4.0; snapshot of 2024-11-14 from github.com/epoch-research/china-ai-trends, commit ff656d2. "
)
MODELS_SOURCE = SourceRecord(
    id=MODELS_SOURCE_ID,
    title="Data on AI Models (snapshot of 2024-11-14, china-ai-trends repository)",
    publisher="Epoch AI",
    date="2024-11-14",
    url="https://epoch.ai/data/notable-ai-models",
    language="en",
    kind="dataset",
    is_dataset=True,
    license="https://creativecommons.org/licenses/by/4.0/",
    release_commit=_COMMIT,
    note=_ATTRIBUTION + "Changes: chipgraph ships the rows of models with a Chinese organisation and the eleven "
    "columns it reads (graph/data/epoch/notable_models_china.csv, values unchanged).",
)
HARDWARE_SOURCE = SourceRecord(
    id=HARDWARE_SOURCE_ID,
    title="Data on Machine Learning Hardware (snapshot of 2024-11-14, china-ai-trends repository)",
    publisher="Epoch AI",
    date="2024-11-14",
    url="https://epoch.ai/data/machine-learning-hardware",
    language="en",
    kind="dataset",
    is_dataset=True,
    license="https://creativecommons.org/licenses/by/4.0/",
    release_commit=_COMMIT,
    note=_ATTRIBUTION
    + "File graph/data/epoch/ml_hardware.csv, a byte-exact copy of data/Chip dataset-ML Hardware.csv.",
)

_DEPLOYMENT_DATE = "The deployment date is Epoch's publication date of the model."
_NO_OPERATOR = "Epoch's fields Training cloud compute vendor and Training data center are empty for this model."
_TYPE = NamedNode(RDF + "type")
_LABEL = NamedNode(RDFS + "label")
_ACCELERATOR_TYPES = {"AIAccelerator", "GPU", "NPU", "ASIC", "AcceleratorSystem"}


@dataclass
class EpochImport:
    """What an import yields: quads, counts, and what could not be matched or compared."""

    quads: list[Quad]
    counts: dict[str, int]
    #: Hardware names reviewed as having no curated accelerator -> the in-scope models trained on them.
    unmatched_hardware: dict[str, list[str]] = field(default_factory=dict)
    #: In-scope models none of whose hardware maps to a curated accelerator (not imported).
    models_without_accelerator: list[str] = field(default_factory=list)
    #: (accelerator id, Epoch's process size in nm, curated node id, its nodeSizeNm) for every
    #: mapped chip whose curated claims name a process node.
    node_sizes: list[tuple[str, int, str, str]] = field(default_factory=list)
    #: Organisations of Epoch's that no crosswalk row maps, kept apart: id -> Epoch's name.
    new_organisations: dict[str, str] = field(default_factory=dict)
    entity_ids: set[str] = field(default_factory=set)


def scope(model: EpochModel) -> str | None:
    """Why a model of the extract is out of scope, or None when it is in (see the module docstring)."""
    countries = set(model.countries) - {_NEUTRAL}
    if not countries or not countries <= set(CHINESE_COUNTRIES):
        return "not only Chinese developers"
    if "Language" not in model.domains:
        return "not a language model"
    if model.excluded:
        return "marked Exclude by Epoch"
    if not model.hardware:
        return "no training hardware"
    return None


def _slug(name: str) -> str:
    """A slug that keeps Greek letters by name ("PanGu-α" -> "pangu-alpha", "PanGu-Σ" -> "pangu-sigma")."""
    spelled = []
    for ch in name:
        uname = unicodedata.name(ch, "")
        spelled.append(f"-{uname.split()[-1].lower()}-" if uname.startswith("GREEK") else ch)
    return slugify("".join(spelled))[:80].strip("-")


def _en(text: str) -> Literal:
    return Literal(text, language="en")


class ClaimWriter:
    """Collects Epoch's statements into one claim graph per entity and dataset.

    ``cgclaim:<entity>_epoch_<hash>`` holds everything one Epoch dataset says about one entity (for a
    new entity its type and label too), stamped once with the dataset, the confidence and the notes
    of its statements. One graph per statement, as curated facts have, would triple the quads for
    nothing: Epoch's statements about an entity share their source, confidence and row.
    """

    def __init__(self) -> None:
        self.statements: dict[tuple[str, str], dict[tuple[str, str], Quad]] = {}
        self.notes: dict[tuple[str, str], list[str]] = {}

    def _add(self, subject_id: str, source: str, predicate: NamedNode, obj: NamedNode | Literal, note: str | None):
        key = (subject_id, source)
        graph = claim_iri(subject_id, "epoch", "", [source])
        held = self.statements.setdefault(key, {})
        held.setdefault((predicate.value, str(obj)), Quad(entity_iri(subject_id), predicate, obj, graph))
        notes = self.notes.setdefault(key, [])
        if note and note not in notes:
            notes.append(note)

    def claim(
        self, subject_id: str, prop: str, obj: NamedNode | Literal, source: str, *, note: str | None = None
    ) -> None:
        self._add(subject_id, source, cg(prop), obj, note)

    def identity(self, subject_id: str, types: list[str], label: str, source: str) -> None:
        for t in types:
            self._add(subject_id, source, _TYPE, cg(t), None)
        self._add(subject_id, source, _LABEL, _en(label), None)

    def quads(self) -> list[Quad]:
        out: list[Quad] = []
        for (subject_id, source), held in self.statements.items():
            graph = claim_iri(subject_id, "epoch", "", [source])
            out += held.values()
            note = " ".join(self.notes[subject_id, source]) or None
            out += assertion_quads(
                graph, sources=[source], confidence=CONFIDENCE, subject=entity_iri(subject_id), note=note
            )
        return out

    @property
    def graphs(self) -> int:
        return len(self.statements)


def _names(records: Mapping[str, Record]) -> dict[str, set[str]]:
    """Every curated label and alias, case-folded -> the ids that carry it."""
    out: dict[str, set[str]] = defaultdict(set)
    for rid, rec in records.items():
        for text in [*rec.labels.values(), *rec.aliases]:
            out[str(text).casefold()].add(rid)
    return out


def _fact_values(rec: Record, prop: str) -> list[str]:
    return [str(v) for f in rec.facts if f.prop == prop for v in f.values]


def _curated_training(records: Mapping[str, Record]) -> dict[tuple[str, str], str]:
    """(model id, accelerator id) -> the curated Training deployment that records it."""
    out: dict[tuple[str, str], str] = {}
    for rid in sorted(records):
        rec = records[rid]
        if "Deployment" in rec.types and "Training" in _fact_values(rec, "deploymentKind"):
            for m in _fact_values(rec, "model"):
                for a in _fact_values(rec, "accelerator"):
                    out.setdefault((m, a), rid)
    return out


def _raw_note(model: EpochModel, hardware: str) -> str:
    parts = [f'Epoch: training hardware "{", ".join(model.hardware)}"']
    if model.hardware_quantity is not None:
        parts.append(f"hardware quantity {model.hardware_quantity}")
    if model.training_hours:
        parts.append(f"training time {model.training_hours} hours")
    text = "; ".join(parts) + f'. Epoch row "{model.name}", line {model.line} of notable_models_china.csv.'
    if len(model.hardware) > 1 and model.hardware_quantity is not None:
        text += (
            " The quantity counts all the hardware listed together, so no chip count is stated for " + hardware + "."
        )
    return text


def load_epoch(
    records: Mapping[str, Record],
    *,
    models_file: Path | None = None,
    hardware_file: Path | None = None,
    crosswalk: Path | None = None,
) -> EpochImport:
    """Read, check and map Epoch's data; raise :class:`InputError` (file, line, record, field) on any problem.

    Parameters
    ----------
    records:
        The curated records: crosswalk targets must be among them, curated deployments receive
        Epoch's claims, and an Epoch name equal to a curated label or alias must be reviewed.
    models_file, hardware_file, crosswalk:
        Default: the shipped files in ``graph/data/epoch/`` and ``graph/data/epoch_crosswalk.csv``.
    """
    models_file = Path(models_file or MODELS_FILE)
    hardware_file = Path(hardware_file or HARDWARE_FILE)
    crosswalk = Path(crosswalk or DEFAULT_CROSSWALK)
    models = read_notable_models(models_file)
    chips = read_ml_hardware(hardware_file)
    entries = read_epoch_crosswalk(crosswalk)
    xw: dict[tuple[str, str], EpochCrosswalkEntry] = {(e.kind, e.epoch_name): e for e in entries}
    problems: list[Problem] = []
    for e in entries:
        if e.chipgraph_id and e.chipgraph_id not in records:
            problems.append(
                Problem(
                    f"{e.chipgraph_id!r} is not an entity of the curated data", crosswalk, e.line, hint="fix the id"
                )
            )
    if problems:  # the mapping below looks targets up in the curated records
        raise InputError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {crosswalk}", problems)

    in_scope = [m for m in models if scope(m) is None]
    used: set[tuple[str, str]] = set()
    curated_names = _names(records)

    def reviewed(kind: str, name: str, where: Path, line: int, what: str, *, required: bool = False) -> str | None:
        """The curated id of a name ("" when reviewed as having none, None when not in the crosswalk).

        A name not in the crosswalk is a problem when ``required`` or when it is a curated label or
        alias (a likely duplicate that nobody reviewed).
        """
        e = xw.get((kind, name))
        if e is not None:
            used.add((kind, name))
            return e.chipgraph_id
        same = sorted(curated_names.get(name.casefold(), ()))
        if same or required:
            hint = f"the curated data has {', '.join(same)} by that name; " if same else ""
            problems.append(
                Problem(
                    f"{what} {name!r} is not in the reviewed crosswalk",
                    where,
                    line,
                    hint=hint + f"add a {kind} row to {crosswalk.name} (with an empty chipgraph_id and a note if none)",
                )
            )
        return None

    w = ClaimWriter()
    counts: dict[str, int] = defaultdict(int)
    unmatched: dict[str, list[str]] = defaultdict(list)
    without: list[str] = []
    defined: set[str] = set()
    org_countries: dict[str, set[str]] = defaultdict(set)
    org_lines: dict[str, tuple[str, int]] = {}
    curated_runs = _curated_training(records)
    model_ids: dict[str, str] = {}

    for m in in_scope:
        accelerators: list[tuple[str, str]] = []
        for hw in m.hardware:
            acc = reviewed("hardware", hw, models_file, m.line, f"model {m.name!r}, Training hardware:", required=True)
            if acc:
                accelerators.append((hw, acc))
            elif acc == "":
                unmatched[hw].append(m.name)
        if not accelerators:
            without.append(m.name)
            continue
        if m.publication_date is None:
            problems.append(
                Problem(
                    f"model {m.name!r}, Publication date: empty", models_file, m.line, hint="a deployment needs a date"
                )
            )
            continue
        if m.operator:
            problems.append(
                Problem(
                    f"model {m.name!r}: Epoch names who ran the training ({m.operator}); the importer maps no operator",
                    models_file,
                    m.line,
                    hint="map the operator (cg:operator) before importing this model",
                )
            )
            continue
        mid = reviewed("model", m.name, models_file, m.line, "model")
        if mid is None or mid == "":
            mid = f"epoch-model-{_slug(m.name)}"
            if mid in model_ids.values() or mid in records:
                problems.append(Problem(f"model {m.name!r}: its id {mid} is taken", models_file, m.line))
                continue
            defined.add(mid)
            counts["models_new"] += 1
            w.identity(mid, ["LanguageModel"], m.name, MODELS_SOURCE_ID)
            w.claim(
                mid,
                "releaseDate",
                date_literal(m.publication_date),
                MODELS_SOURCE_ID,
                note="The release date is Epoch's publication date.",
            )
            countries = [c for c in m.countries if c != _NEUTRAL]
            aligned = len(countries) == len(m.organisations)
            for i, org in enumerate(m.organisations):
                oid = reviewed("organisation", org, models_file, m.line, f"model {m.name!r}, Organization:")
                if not oid:
                    oid = f"epoch-org-{_slug(org)}"
                    if oid in records:
                        problems.append(Problem(f"organisation {org!r}: its id {oid} is taken", models_file, m.line))
                        continue
                    defined.add(oid)
                    w.identity(oid, ["Organisation", "ModelDeveloper"], org, MODELS_SOURCE_ID)
                    org_lines.setdefault(oid, (org, m.line))
                    if aligned:
                        org_countries[oid].add(CHINESE_COUNTRIES[countries[i]])
                w.claim(mid, "developedBy", entity_iri(oid), MODELS_SOURCE_ID)
        model_ids[m.name] = mid
        counts["models_imported"] += 1
        for hw, acc in accelerators:
            run = curated_runs.get((mid, acc))
            did = run or f"epoch-{mid.removeprefix('epoch-model-')}-training-{acc}"
            note = _raw_note(m, hw)
            if run is None:
                acc_label = records[acc].labels.get("en", acc)
                w.identity(did, ["Deployment"], f"{m.name} trained on {acc_label}", MODELS_SOURCE_ID)
                day = Literal(m.publication_date, datatype=NamedNode(XSD + "date"))
                w.claim(did, "deploymentDate", day, MODELS_SOURCE_ID, note=_DEPLOYMENT_DATE)
                defined.add(did)
            else:
                counts["deployments_on_curated"] += 1
            w.claim(did, "model", entity_iri(mid), MODELS_SOURCE_ID)
            w.claim(did, "accelerator", entity_iri(acc), MODELS_SOURCE_ID, note=note)
            w.claim(did, "deploymentKind", cg("Training"), MODELS_SOURCE_ID)
            if run is None:
                unknown = Literal("true", datatype=NamedNode(XSD + "boolean"))
                w.claim(did, "operatorUnknown", unknown, MODELS_SOURCE_ID, note=_NO_OPERATOR)
            if m.hardware_quantity is not None and len(m.hardware) == 1:
                count = Literal(str(m.hardware_quantity), datatype=NamedNode(XSD + "integer"))
                w.claim(did, "acceleratorCount", count, MODELS_SOURCE_ID, note=note)
                counts["deployments_with_chip_count"] += 1
            counts["deployments"] += 1
    for oid, found in sorted(org_countries.items()):
        if len(found) == 1:
            w.claim(oid, "country", entity_iri(next(iter(found))), MODELS_SOURCE_ID)
    for oid, (org, line) in sorted(org_lines.items()):
        if len(org_countries.get(oid, ())) != 1:
            problems.append(
                Problem(
                    f"organisation {org!r}: Epoch's country list does not give it one country",
                    models_file,
                    line,
                    hint=f"map it to a curated organisation in {crosswalk.name}",
                )
            )

    node_sizes = _chip_claims(w, chips, records, reviewed, hardware_file, counts)
    for e in entries:
        if e.kind != "sales" and (e.kind, e.epoch_name) not in used and not _named(e, models, chips):
            problems.append(
                Problem(
                    f"{e.kind} {e.epoch_name!r} is in no Epoch file",
                    crosswalk,
                    e.line,
                    hint="Epoch renamed or dropped it: review the row",
                )
            )
    if problems:
        raise InputError(
            problems[0] if len(problems) == 1 else f"the Epoch import fails {len(problems)} check(s)", problems
        )

    quads = sorted_quads(w.quads())
    quads += source_quads(MODELS_SOURCE) + source_quads(HARDWARE_SOURCE)
    counts["models_in_extract"] = len(models)
    counts["models_in_scope"] = len(in_scope)
    counts["models_without_accelerator"] = len(without)
    counts["unmatched_hardware_names"] = len(unmatched)
    counts["quads"] = len(quads)
    counts["claim_graphs"] = w.graphs
    return EpochImport(
        quads=quads,
        counts=dict(sorted(counts.items())),
        unmatched_hardware={k: sorted(v) for k, v in sorted(unmatched.items())},
        models_without_accelerator=sorted(without),
        node_sizes=node_sizes,
        new_organisations={oid: name for oid, (name, _) in sorted(org_lines.items())},
        entity_ids=defined,
    )


def _named(e: EpochCrosswalkEntry, models: list[EpochModel], chips: list[EpochChip]) -> bool:
    """Whether a crosswalk row names something in the Epoch files (a row for a name no file has is stale)."""
    if e.kind == "hardware":
        return any(c.name == e.epoch_name for c in chips) or any(e.epoch_name in m.hardware for m in models)
    if e.kind == "model":
        return any(m.name == e.epoch_name for m in models)
    if e.kind == "organisation":
        return any(e.epoch_name in m.organisations for m in models)
    return any(c.foundry == e.epoch_name for c in chips)


def _chip_claims(
    w: ClaimWriter,
    chips: list[EpochChip],
    records: Mapping[str, Record],
    reviewed: Callable[..., str | None],
    where: Path,
    counts: dict[str, int],
) -> list[tuple[str, int, str, str]]:
    """Foundry claims for the mapped chips of Epoch's hardware table; their process sizes beside the curated nodes.

    A chip needs a crosswalk row only when its name is a curated accelerator's label or alias; the
    others (V100s, TPUs...) are simply not in the graph.
    """
    by_foundry: dict[tuple[str, str], list[EpochChip]] = defaultdict(list)
    sizes: set[tuple[str, int, str, str]] = set()
    names = _names(records)
    for chip in chips:
        curated = any(_ACCELERATOR_TYPES & set(records[r].types) for r in names.get(chip.name.casefold(), ()))
        acc = reviewed("hardware", chip.name, where, chip.line, "hardware", required=curated)
        if not acc:
            continue
        if chip.foundry:
            foundry = reviewed(
                "foundry", chip.foundry, where, chip.line, f"hardware {chip.name!r}, Foundry:", required=True
            )
            if foundry:
                by_foundry[acc, foundry].append(chip)
        if chip.process_nm:
            for node in _fact_values(records[acc], "processNode"):
                for size in _fact_values(records[node], "nodeSizeNm") if node in records else []:
                    sizes.add((acc, int(chip.process_nm), node, size))
    for (acc, foundry), rows in sorted(by_foundry.items()):
        described = "; ".join(
            f'"{c.name}" (Foundry {c.foundry}' + (f", process size {c.process_nm} nm" if c.process_nm else "") + ")"
            for c in rows
        )
        lines = ", ".join(str(c.line) for c in rows)
        note = f"Epoch's hardware table: {described}; line(s) {lines} of ml_hardware.csv."
        w.claim(acc, "fabricatedBy", entity_iri(foundry), HARDWARE_SOURCE_ID, note=note)
        counts["chip_foundry_claims"] += 1
    return sorted(sizes)


def input_files() -> list[Path]:
    """The files whose content determines the import, in a stable order (for the build's input hash)."""
    return [f for f in (MODELS_FILE, HARDWARE_FILE, DEFAULT_CROSSWALK) if f.exists()]
