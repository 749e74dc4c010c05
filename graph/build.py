"""The build pipeline: sources -> RDF -> validation -> files and store -> analyses -> site.

``build()`` is the library entry point behind ``chipgraph build``. Nothing under the output
folder changes until every input has been read and validated; each output is then written to a
temporary name and renamed into place, and the persistent store is built in a fresh directory
and swapped in whole. A build whose inputs have not changed since the last one (same input
hash in ``manifest.json``) reuses the store instead of rebuilding it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import __version__
from graph.atomic import recover_dir, replace_dir_atomic, write_bytes_atomic, write_text_atomic
from graph.errors import InputError, Problem
from graph.paths import CURATED_DIR, ETO_DIR, ontology_file, shapes_file
from graph.vocab.namespaces import CG, DCTERMS

Progress = Callable[[str], None]

OUTPUT_FILES = ("chipgraph.trig", "chipgraph.ttl", "chipgraph.jsonld")


@dataclass
class Dataset:
    """All quads of one build, with where each curated IRI came from (for error messages)."""

    quads: list[ox.Quad]
    locations: dict[str, tuple[Path, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class BuildResult:
    """What a build did: the files it wrote and a few counts."""

    output_dir: Path
    files: list[Path]
    quad_count: int
    triple_count: int
    graph_count: int
    store_rebuilt: bool
    seconds: float


def _noop(_: str) -> None:
    pass


def input_files(curated_dir: Path, eto_dir: Path) -> list[Path]:
    """Every file whose content determines the build, in a stable order."""
    files = [ontology_file(), shapes_file()]
    files += sorted(p for p in curated_dir.glob("*.yaml"))
    files += sorted(p for p in eto_dir.iterdir() if p.suffix in (".csv", ".yaml")) if eto_dir.is_dir() else []
    crosswalk = ETO_DIR.parent / "eto_crosswalk.csv"
    if crosswalk.exists():
        files.append(crosswalk)
    from graph.rdf.lists_rdf import input_files as list_files

    files += list_files()
    return [f for f in files if f.exists()]


def input_hash(files: list[Path]) -> str:
    """A digest of the inputs' names and bytes, plus the chipgraph version."""
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def assemble(*, curated_dir: Path | None = None, eto_dir: Path | None = None, progress: Progress = _noop) -> Dataset:
    """Read ontology, ETO data and curated facts into one list of quads (no validation yet)."""
    from graph.rdf.curated_rdf import curated_quads
    from graph.rdf.eto_rdf import load_eto
    from graph.sources.curated import load_curated
    from graph.vocab.ontology import parse_ontology

    curated_dir = Path(curated_dir or CURATED_DIR)
    eto_dir = Path(eto_dir or ETO_DIR)
    progress("reading the ontology")
    onto = parse_ontology(ontology_file())
    quads = list(onto.quads)
    counts = {"ontology": len(onto.quads)}
    progress(f"reading the curated facts in {curated_dir}")
    data = load_curated(curated_dir, onto)
    if not eto_dir.is_dir():
        raise InputError(
            Problem(
                f"no ETO dataset folder at {eto_dir}",
                eto_dir,
                hint="give --eto-dir a folder with the ETO CSV files, or leave it out",
            )
        )
    progress(f"importing the ETO dataset from {eto_dir}")
    eto = load_eto(eto_dir, known_ids=set(data.records))
    quads += eto.quads
    counts["eto"] = len(eto.quads)
    from graph.rdf.lists_rdf import curated_listed_ids, load_lists

    progress("importing the restricted-party lists")
    lists = load_lists(
        known_ids=set(data.records) | set(eto.entity_ids), curated_listed=curated_listed_ids(data.records)
    )
    quads += lists.quads
    counts["lists"] = len(lists.quads)
    cur = curated_quads(data, onto, eto.entity_ids)
    quads += cur.quads
    counts["curated"] = len(cur.quads)
    return Dataset(quads=quads, locations=cur.locations, counts=counts)


def validate_dataset(dataset: Dataset, progress: Progress = _noop) -> None:
    """Run the SHACL shapes over the union of all graphs; raise with each violation's file and line."""
    from graph.rdf.shacl import validate_quads

    progress("validating with SHACL")
    problems = validate_quads(dataset.quads).violations
    for problem in problems:
        if problem.focus in dataset.locations and problem.file is None:
            problem.file, problem.line = dataset.locations[problem.focus]
    if problems:
        raise InputError(f"the data does not conform to the shapes ({len(problems)} violation(s))", problems)


def load_store(nquads: bytes, store_dir: Path) -> None:
    """Load N-Quads into a fresh on-disk Oxigraph store at ``store_dir`` and close it."""
    if store_dir.exists():
        shutil.rmtree(store_dir)
    store = ox.Store(str(store_dir))
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()  # bulk_load writes sorted files directly; a compaction (optimize) only added time
    del store


def data_date(quads: list[ox.Quad]) -> str:
    """The date of the data: the latest source date or measure date it holds (never the clock).

    Analyses and the site written by ``build`` are evaluated as of this date, so the same inputs
    give the same outputs on any day, and every measure in the data is taken into account.
    """
    wanted = {DCTERMS + "date", CG + "effectiveDate", CG + "endDate", CG + "claimDate", CG + "deploymentDate"}
    dates = [
        q.object.value
        for q in quads
        if q.predicate.value in wanted and isinstance(q.object, ox.Literal) and len(q.object.value) == 10
    ]
    return max(dates) if dates else "1970-01-01"


def read_manifest(output_dir: Path) -> dict:
    try:
        return json.loads((output_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def build(
    output_dir: Path | str | None = None,
    *,
    curated_dir: Path | None = None,
    eto_dir: Path | None = None,
    progress: Progress | None = None,
    force: bool = False,
    analyses: bool = True,
    site: bool = True,
) -> BuildResult:
    """Build the dataset, validate it, and write every output atomically.

    Raises :class:`graph.errors.InputError` (with file and line for each problem) before
    touching ``output_dir`` when any input is bad.
    """
    from graph.paths import default_output_dir
    from graph.rdf.serialize import sorted_quads, to_jsonld, to_nquads, to_trig, to_turtle, union_triples

    started = time.monotonic()
    progress = progress or _noop
    output_dir = Path(output_dir or default_output_dir())
    curated_dir = Path(curated_dir or CURATED_DIR)
    eto_dir = Path(eto_dir or ETO_DIR)

    dataset = assemble(curated_dir=curated_dir, eto_dir=eto_dir, progress=progress)
    validate_dataset(dataset, progress)

    progress("serialising")
    quads = sorted_quads(dataset.quads)
    triples = union_triples(quads)
    nquads = to_nquads(quads)
    outputs = {
        "chipgraph.trig": to_trig(quads),
        "chipgraph.ttl": to_turtle(triples),
        "chipgraph.jsonld": to_jsonld(quads),
    }
    output_dir.mkdir(parents=True, exist_ok=True)
    digest = input_hash(input_files(curated_dir, eto_dir))
    store_dir = output_dir / "store"
    recover_dir(store_dir)
    manifest = read_manifest(output_dir)
    rebuild_store = force or manifest.get("input_hash") != digest or not store_dir.exists()
    if rebuild_store:
        progress(f"loading {len(quads):,} quads into the store")
        tmp = output_dir / ".store.tmp"
        load_store(nquads, tmp)
        replace_dir_atomic(tmp, store_dir)
    else:
        progress("inputs unchanged: reusing the store")
    progress("writing " + ", ".join(outputs))
    files = []
    for name, data in outputs.items():
        write_bytes_atomic(output_dir / name, data)
        files.append(output_dir / name)
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    as_of = dt.date.fromisoformat(data_date(quads))
    if analyses or site:
        from graph.chokepoints.projection import dependency_graph
        from graph.store.local import open_store

        store = open_store(output_dir)
        progress(f"projecting the dependency graph as of {as_of} (the data date)")
        dependencies = dependency_graph(store, as_of=as_of)  # shared by the tables and the site
        if analyses:
            from graph.chokepoints import write_chokepoint_outputs

            progress("analysing chokepoints")
            files += write_chokepoint_outputs(store, output_dir, as_of=as_of, graph=dependencies)
        if site:
            from graph.render import render_site
            from graph.render.analysis import run_analysis

            progress("rendering the site")
            render_site(store, output_dir, as_of=as_of, analyse=functools.partial(run_analysis, graph=dependencies))
            files.append(output_dir / "site")
    write_text_atomic(
        output_dir / "manifest.json",
        json.dumps(
            {
                "chipgraph_version": __version__,
                "input_hash": digest,
                "quads": len(quads),
                "triples": len(triples),
                "graphs": len(graphs),
                "counts": dataset.counts,
                "data_date": as_of.isoformat(),
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
    )
    return BuildResult(
        output_dir=output_dir,
        files=files,
        quad_count=len(quads),
        triple_count=len(triples),
        graph_count=len(graphs),
        store_rebuilt=rebuild_store,
        seconds=time.monotonic() - started,
    )


def validate_only(
    *, curated_dir: Path | None = None, eto_dir: Path | None = None, progress: Progress | None = None
) -> Dataset:
    """Read and validate every input without writing anything; raise on problems."""
    progress = progress or _noop
    dataset = assemble(curated_dir=curated_dir, eto_dir=eto_dir, progress=progress)
    validate_dataset(dataset, progress)
    return dataset
