"""The build pipeline: sources -> RDF -> validation -> files and store -> analyses -> site.

``build()`` is the library entry point behind ``chipgraph build``. Nothing under the output
folder changes until every input has been read and validated. Then, holding the folder's build
lock (:func:`graph.output_lock.locked_output`: a second build or a render is refused, not interleaved), the build
checks that every output it will replace can be replaced, prepares all of them (store, RDF
files, analyses, site, manifest) in a hidden staging folder beside them, and swaps them in
together (:func:`graph.atomic.commit_outputs`): a build that fails at any step leaves every
output as it was, and one killed during the swap is completed by the next build.

A build whose inputs have not changed reuses the store, but only a store whose own record
(``store/chipgraph-store.json``, written after the store was complete and before it was swapped
in) carries the same input hash: ``manifest.json`` describes the last finished build, not
necessarily the store beside it. The record also lists the size and sha256 of each of the
store's files; a store whose files differ (a bad disk, a hand edit) is rebuilt, not reused,
and readers refuse one whose files are missing or of another size
(:func:`graph.store.local.store_damage`).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import __version__
from graph.atomic import (
    commit_outputs,
    new_staging_dir,
    recover_dir,
    recover_outputs,
    write_bytes_atomic,
    write_text_atomic,
)
from graph.background import Background
from graph.errors import ChipgraphError, InputError, Problem
from graph.output_lock import locked_output
from graph.paths import CURATED_DIR, ETO_DIR, ontology_file, shapes_file
from graph.read.model import DATA_DATE_PROPERTIES, NO_DATA_DATE

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
    files += sorted(p for p in curated_dir.glob("*.yaml") if p.is_file())
    files += sorted(p for p in eto_dir.iterdir() if p.suffix in (".csv", ".yaml")) if eto_dir.is_dir() else []
    if eto_dir.resolve() == ETO_DIR.resolve():  # the shipped release brings its earlier releases
        from graph.rdf.eto_history import prior_release_dirs

        for prior in prior_release_dirs():
            files += sorted(p for p in prior.iterdir() if p.suffix in (".csv", ".yaml"))
    crosswalk = ETO_DIR.parent / "eto_crosswalk.csv"
    if crosswalk.exists():
        files.append(crosswalk)
    from graph.rdf.epoch_rdf import input_files as epoch_files
    from graph.rdf.lists_rdf import input_files as list_files

    files += list_files()
    files += epoch_files()
    from graph.rdf.epoch_sales_rdf import input_files as epoch_sales_files

    files += epoch_sales_files()
    return [f for f in files if f.is_file()]


def input_hash(files: list[Path]) -> str:
    """A digest of the inputs' names and bytes, plus the chipgraph version."""
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def assemble(
    *,
    curated_dir: Path | None = None,
    eto_dir: Path | None = None,
    progress: Progress = _noop,
    lists: bool = True,
) -> Dataset:
    """Read ontology, ETO data, restricted-party lists, Epoch's models and curated facts into one list of quads.

    No validation yet. ``lists=False`` leaves the bulk lists and Epoch's data out: their reviewed
    crosswalks name entities of the shipped curated data, so a different curated folder (a test's, a curator's
    draft) can be checked on its own.
    """
    from graph.rdf.curated_rdf import curated_quads
    from graph.rdf.eto_rdf import load_eto
    from graph.sources.curated import load_curated
    from graph.vocab.ontology import parse_ontology, parse_turtle

    curated_dir = Path(curated_dir or CURATED_DIR)
    eto_dir = Path(eto_dir or ETO_DIR)
    progress("reading the ontology")
    onto = parse_ontology(ontology_file())
    parse_turtle(shapes_file(), "shapes file")  # a syntax error here names its line; pySHACL's would not
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
    if eto_dir.resolve() == ETO_DIR.resolve():
        # the earlier releases map onto the shipped release's nodes; another --eto-dir stands alone
        from graph.rdf.eto_history import load_prior_releases

        progress("importing the earlier ETO releases")
        prior = load_prior_releases(eto)
        quads += prior.quads
        counts["eto_history"] = len(prior.quads)
    else:
        progress(
            f"note: {eto_dir} is not the embedded ETO release, so the earlier releases "
            "(graph/data/eto-history, 2024 shares) are left out and shares have no then-and-now"
        )
    if lists:
        from graph.rdf.lists_rdf import curated_listed_ids, load_lists

        progress("importing the restricted-party lists")
        bulk = load_lists(
            known_ids=set(data.records) | set(eto.entity_ids), curated_listed=curated_listed_ids(data.records)
        )
        quads += bulk.quads
        counts["lists"] = len(bulk.quads)
        from graph.rdf.epoch_rdf import load_epoch

        progress("importing Epoch AI's notable models and ML hardware")
        epoch = load_epoch(data.records)
        quads += epoch.quads
        counts["epoch"] = len(epoch.quads)
        c = epoch.counts
        progress(
            f"Epoch: {c['models_imported']} Chinese developers' models, {c['deployments']} training deployments; "
            f"{c['unmatched_hardware_names']} hardware names without a curated accelerator: "
            + ", ".join(epoch.unmatched_hardware)
        )
        from graph.rdf.epoch_sales_rdf import load_epoch_sales

        progress("importing Epoch AI's quarterly chip-sales estimates")
        sales = load_epoch_sales(data.records)
        quads += sales.quads
        counts["epoch_sales"] = len(sales.quads)
    cur = curated_quads(data, onto, eto.entity_ids)
    quads += cur.quads
    counts["curated"] = len(cur.quads)
    return Dataset(quads=quads, locations=cur.locations, counts=counts)


def _stopping_on(step: Background, progress: Progress) -> Progress:
    """``progress`` that first raises the exception ``step`` ended in, if it has."""

    def checked(message: str) -> None:
        if step.failed():
            step.result()
        progress(message)

    return checked


def validate_dataset(dataset: Dataset, progress: Progress = _noop) -> None:
    """Run the SHACL shapes over the union of all graphs; raise with each violation's file and line."""
    from graph.rdf.shacl import validate_quads

    problems = validate_quads(dataset.quads).violations
    for problem in problems:
        if problem.focus in dataset.locations and problem.file is None:
            problem.file, problem.line = dataset.locations[problem.focus]
    if problems:
        raise InputError(f"the data does not conform to the shapes ({len(problems)} violation(s))", problems)


def load_store(nquads: bytes, store_dir: Path, *, input_hash: str | None = None) -> None:
    """Load N-Quads into a fresh on-disk Oxigraph store at ``store_dir`` and close it.

    With ``input_hash``, the store's own record (:data:`graph.store.local.STORE_RECORD`) is
    written into the folder after the store is complete and closed, so that a store without one
    (a load that was killed) is never mistaken for a finished one.
    """
    from graph.store.local import STORE_RECORD, store_file_digests

    if store_dir.exists():
        shutil.rmtree(store_dir)
    store = ox.Store(str(store_dir))
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()  # bulk_load writes sorted files directly; a compaction (optimize) only added time
    if input_hash is not None:
        from graph.read.lookup import write_name_index
        from graph.store.local import OxigraphStore

        write_name_index(OxigraphStore(store, location=str(store_dir)), store_dir, input_hash)
    del store
    gc.collect()  # closed before its files are digested
    if input_hash is not None:
        # the digests let a later build refuse to reuse a damaged store, and readers check sizes
        record = {"chipgraph_version": __version__, "input_hash": input_hash, "files": store_file_digests(store_dir)}
        write_text_atomic(store_dir / STORE_RECORD, json.dumps(record, indent=2, sort_keys=True) + "\n")


def data_date(quads: list[ox.Quad]) -> str:
    """The date of the data: the latest source date or measure date it holds (never the clock).

    Analyses and the site written by ``build`` are evaluated as of this date, so the same inputs
    give the same outputs on any day, and every measure in the data is taken into account.
    """
    wanted = set(DATA_DATE_PROPERTIES)
    dates = [
        q.object.value
        for q in quads
        if q.predicate.value in wanted and isinstance(q.object, ox.Literal) and len(q.object.value) == 10
    ]
    return max(dates) if dates else NO_DATA_DATE.isoformat()


def read_manifest(output_dir: Path) -> dict:
    try:
        return json.loads((output_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _output_problem(output_dir: Path, message: str, hint: str | None = None) -> ChipgraphError:
    return ChipgraphError(Problem(message, output_dir, hint=hint))


def prepare_output_dir(output_dir: Path, inputs: list[Path]) -> Path:
    """Create the output folder if need be and check that a build may write there, before any work.

    Refused, each with the folder named: a path whose parent is not a folder (``/dev/null/x``), a
    path that is a file, a folder that is (or is inside) an input folder, and a folder this user
    cannot write into.
    """
    resolved = output_dir.resolve()
    for folder in inputs:
        folder = folder.resolve()
        if resolved == folder or folder in resolved.parents:
            raise _output_problem(
                output_dir, f"the output folder is inside the input folder {folder}", "choose another -o folder"
            )
    if output_dir.exists() and not output_dir.is_dir():
        raise _output_problem(output_dir, "the output path is not a folder", "give -o a folder (it is created)")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _output_problem(output_dir, "a part of the output path is a file, not a folder") from None
    except NotADirectoryError:
        raise _output_problem(output_dir, "a part of the output path is not a folder") from None
    except PermissionError:
        raise _output_problem(output_dir, "cannot create the output folder: permission denied") from None
    except OSError as exc:
        raise _output_problem(output_dir, f"cannot create the output folder: {exc.strerror or exc}") from None
    if not os.access(output_dir, os.W_OK | os.X_OK):
        raise _output_problem(
            output_dir, "cannot write into the output folder: permission denied", "choose a folder you can write to"
        )
    return output_dir


def check_replaceable(output_dir: Path, files: list[str], folders: list[str]) -> None:
    """Refuse, before anything is replaced, outputs that could not be replaced cleanly.

    An existing output of the wrong kind (a folder named ``chipgraph.trig``, a file named
    ``site``) may be someone's data, so it is never removed; an output folder holding a folder
    this user cannot write (a read-only ``site/``) could be swapped out but not deleted.
    """
    problems = []
    for name in files:
        path = output_dir / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            problems.append(Problem("is not a regular file; the build writes a file there", path, hint="move it away"))
    for name in folders:
        path = output_dir / name
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            problems.append(Problem("is not a folder; the build writes a folder there", path, hint="move it away"))
        elif path.is_dir():
            for folder, _, _ in os.walk(path):
                if not os.access(folder, os.W_OK | os.X_OK):
                    problems.append(
                        Problem(
                            "cannot replace it: permission denied",
                            Path(folder),
                            hint=f"make {path} writable (chmod -R u+w) or remove it",
                        )
                    )
                    break
    if problems:
        first = problems[0]
        raise ChipgraphError(first if len(problems) == 1 else "outputs cannot be replaced", problems)


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
    """Build the dataset, validate it, and replace every output together.

    Raises :class:`graph.errors.InputError` (with file and line for each problem) before
    touching ``output_dir`` when any input is bad, and :class:`graph.errors.ChipgraphError`
    when another build holds the folder or an output cannot be replaced. Whatever fails, the
    outputs stay as they were.
    """
    from graph.paths import default_output_dir, ontology_dir
    from graph.rdf.serialize import sorted_quads, to_jsonld, to_nquads, to_trig, to_turtle, union_triples
    from graph.store.local import read_store_record

    started = time.monotonic()
    progress = progress or _noop
    output_dir = Path(output_dir or default_output_dir())
    curated_dir = Path(curated_dir or CURATED_DIR)
    eto_dir = Path(eto_dir or ETO_DIR)

    dataset = assemble(curated_dir=curated_dir, eto_dir=eto_dir, progress=progress)
    # SHACL validation reads only the dataset in memory: a forked child runs it while this process
    # serialises and loads the store; the build stops at its next step if it fails, and nothing is
    # replaced before it has passed
    progress("validating with SHACL")
    validation = Background(validate_dataset, dataset)
    from graph.store.assertions import check_assertions  # minimum counts beside the data (assertions.yaml)

    check_assertions(dataset.quads, curated_dir / "assertions.yaml")
    progress = _stopping_on(validation, progress)

    progress("materialising the RDFS entailments")
    from graph.rdf.inference import inferred_quads  # into cggraph:inferred, after validation: not a claim

    inferred = inferred_quads(dataset.quads)
    dataset.counts["inferred"] = len(inferred)
    progress("serialising")
    quads = sorted_quads(dataset.quads + inferred)
    triples = union_triples(quads)
    nquads = to_nquads(quads)
    outputs = {
        "chipgraph.trig": to_trig(quads),
        "chipgraph.ttl": to_turtle(triples),
        "chipgraph.jsonld": to_jsonld(quads),
    }
    digest = input_hash(input_files(curated_dir, eto_dir))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    as_of = dt.date.fromisoformat(data_date(quads))
    manifest = {
        "chipgraph_version": __version__,
        "input_hash": digest,
        "quads": len(quads),
        "triples": len(triples),
        "graphs": len(graphs),
        "counts": dataset.counts,
        "data_date": as_of.isoformat(),
    }

    prepare_output_dir(output_dir, [curated_dir, eto_dir, ontology_dir()])
    from graph.read.lookup import kept_index_current
    from graph.store.local import store_damage

    with locked_output(output_dir):
        for message in recover_outputs(output_dir):
            progress(message)
        store_dir = output_dir / "store"
        recover_dir(store_dir)  # a swap of an older chipgraph
        shutil.rmtree(output_dir / ".store.tmp", ignore_errors=True)  # left by an older chipgraph
        record = read_store_record(store_dir)
        # a store of the same inputs is reused, unless its name index is of an older layout or its
        # files are not those its record lists (a damaged store would answer with errors, or less)
        rebuild_store = (
            force or record is None or record.get("input_hash") != digest or not kept_index_current(store_dir)
        )
        if not rebuild_store and record is not None and (damage := store_damage(store_dir, record)) is not None:
            progress(f"the store cannot be reused ({damage}): rebuilding it")
            rebuild_store = True
        analysis_files = ["chokepoints.json", "chokepoints.csv", "capacity.json", "capacity.csv"]
        files = list(outputs) + ["manifest.json"] + (analysis_files if analyses else [])
        check_replaceable(output_dir, files, (["store"] if rebuild_store else []) + (["site"] if site else []))
        try:
            staging = new_staging_dir(output_dir)
        except OSError as exc:
            raise _output_problem(output_dir, f"cannot write into the output folder: {exc.strerror or exc}") from None
        try:
            written = _prepare_outputs(
                staging, output_dir, outputs, manifest, nquads, quads, as_of, digest, rebuild_store,
                analyses=analyses, site=site, progress=progress,
            )  # fmt: skip
            if not validation.done():
                progress("waiting for the SHACL validation")
            validation.result()
            progress("replacing the outputs")
            commit_outputs(staging, output_dir)
        except OSError as exc:  # a full disk, a vanished folder: nothing was replaced
            where = Path(exc.filename) if exc.filename else output_dir
            if staging in where.parents or where == staging:
                where = output_dir / where.relative_to(staging)
            raise ChipgraphError(
                Problem(
                    f"cannot write the outputs: {exc.strerror or exc}",
                    where,
                    hint="every previous output was left as it was",
                )
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        output_dir=output_dir,
        files=[output_dir / path.relative_to(staging) for path in written],
        quad_count=len(quads),
        triple_count=len(triples),
        graph_count=len(graphs),
        store_rebuilt=rebuild_store,
        seconds=time.monotonic() - started,
    )


def _prepare_outputs(
    staging: Path,
    output_dir: Path,
    outputs: dict[str, bytes],
    manifest: dict,
    nquads: bytes,
    quads: list[ox.Quad],
    as_of: dt.date,
    digest: str,
    rebuild_store: bool,
    *,
    analyses: bool,
    site: bool,
    progress: Progress,
) -> list[Path]:
    """Write every output of a build into ``staging``; return the paths written (in ``staging``)."""
    files: list[Path] = []
    if rebuild_store:
        progress(f"loading {len(quads):,} quads into the store")
        load_store(nquads, staging / "store", input_hash=digest)
    else:
        progress("inputs unchanged: reusing the store")
    progress("writing " + ", ".join(outputs))
    for name, data in outputs.items():
        write_bytes_atomic(staging / name, data)
        files.append(staging / name)
    if analyses or site:
        from graph.chokepoints.projection import dependency_graph
        from graph.read.model import load_model
        from graph.store.local import memory_store

        # The analyses and the site read the quads just serialised from an in-memory store: it
        # holds what the on-disk one holds, and answers their scans about twice as fast.
        store = memory_store(quads)
        progress(f"projecting the dependency graph as of {as_of} (the data date)")
        model = load_model(store)  # read once: the projection and the site both start from it
        dependencies = dependency_graph(store, as_of=as_of, model=model)  # shared by the tables and the site
        if site:  # the site's chokepoint history reads only the dependency graph: a child computes it meanwhile
            from graph.chokepoints.history import history

            past = Background(history, dependencies, until=as_of)
        capacity = None
        analysed = None  # the chokepoints.json results, handed on to the site
        if analyses:
            from graph.capacity.report import build_results, write_capacity_outputs
            from graph.chokepoints import write_chokepoint_outputs
            from graph.chokepoints.outputs import chokepoint_document

            progress("analysing chokepoints")
            document = chokepoint_document(store, as_of, dependencies)
            analysed = document["accelerators"]
            files += write_chokepoint_outputs(store, staging, graph=dependencies, document=document)
            progress("estimating production capacity (100,000 draws per accelerator and year)")
            capacity = build_results(store)
            files += write_capacity_outputs(store, staging, results=capacity)
        if site:
            from graph.render import render_site
            from graph.render.analysis import run_analysis

            progress("rendering the site")
            render_site(
                store,
                staging,
                as_of=as_of,
                analyse=functools.partial(
                    run_analysis, graph=dependencies, history_events=past.result, results=analysed
                ),
                capacity=capacity,
                model=model,
                lock=False,  # this build holds the output folder's lock, and renders into staging
            )
            files.append(staging / "site")
        del store, dependencies
        gc.collect()  # close the store before its folder is renamed
    write_text_atomic(staging / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    files.append(staging / "manifest.json")
    return files


def validate_only(
    *,
    curated_dir: Path | None = None,
    eto_dir: Path | None = None,
    progress: Progress | None = None,
    lists: bool = True,
) -> Dataset:
    """Read and validate every input without writing anything; raise on problems (see :func:`assemble`)."""
    progress = progress or _noop
    dataset = assemble(curated_dir=curated_dir, eto_dir=eto_dir, progress=progress, lists=lists)
    progress("validating with SHACL")
    validate_dataset(dataset, progress)
    return dataset
