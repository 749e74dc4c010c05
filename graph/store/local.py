"""Open the built graph for reading: the embedded Oxigraph store, or a remote SPARQL endpoint.

Every read command goes through :func:`open_store`, so the same code answers from the on-disk
store that ``chipgraph build`` writes under ``output/store`` or from a SPARQL 1.1 server named
by ``--endpoint`` / ``$CHIPGRAPH_ENDPOINT``. Queries see the union of all named graphs as their
default graph; ``GRAPH ?g { ... }`` reaches the individual claim graphs.

User values are passed as ``bindings`` and bound by the engine (Oxigraph's substitutions), never
pasted into the query text. Oxigraph only substitutes variables that the query projects, so a
SELECT query must list every bound variable in its projection (or use ``SELECT *``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from graph.errors import ChipgraphError, engine_error
from graph.paths import default_output_dir
from graph.vocab.namespaces import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = dict[str, Term | None]


class GraphStore(Protocol):
    """What the query, analysis and rendering layers need from a store."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Run a SELECT query and return its rows as dicts of variable name -> term (or None)."""

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """Run an ASK query."""

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the dataset."""


class OxigraphStore:
    """A :class:`GraphStore` over a pyoxigraph ``Store`` (on disk or in memory)."""

    def __init__(self, store: ox.Store, location: str = "memory", directory: Path | None = None):
        self.store = store
        self.location = location
        #: The folder of the on-disk store this reads (None in memory): where the build keeps
        #: files derived from the store beside it (see :func:`graph.read.lookup.name_index`).
        self.directory = directory

    def raw_query(
        self, query: str, bindings: Mapping[str, Term] | None = None, *, union: bool = True, **kwargs: Any
    ) -> Any:
        """Run any read query; returns pyoxigraph's result object.

        With ``union`` (the default) the default graph is the union of all graphs, which overrides
        a FROM / FROM NAMED of the query; pass ``union=False`` for a query that names its own
        dataset (see :func:`graph.sparql.queries.run_query`), so that its FROM is honoured.
        """
        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        if union:
            kwargs["use_default_graph_as_union"] = True
        try:
            return self.store.query(query, prefixes=PREFIXES, substitutions=subs or None, **kwargs)
        except SyntaxError as exc:
            raise ChipgraphError(f"SPARQL syntax error: {exc}") from exc
        except (RuntimeError, OSError, ValueError) as exc:
            raise engine_error(exc, self.location) from exc

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        result = self.raw_query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise ChipgraphError("expected a SELECT query")
        names = [v.value for v in result.variables]
        try:  # evaluation is lazy: reading the rows out can fail too
            return [{n: sol[n] for n in names} for sol in result]
        except (RuntimeError, OSError) as exc:
            raise engine_error(exc, self.location) from exc

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        return bool(self.raw_query(query, bindings))

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        result = self.raw_query(query, bindings)
        try:
            return list(result)
        except (RuntimeError, OSError) as exc:
            raise engine_error(exc, self.location) from exc

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.store)


#: The store's own record of the inputs it was built from, written by ``chipgraph build`` into
#: the store folder after the store is complete and closed, and before it is swapped in.
STORE_RECORD = "chipgraph-store.json"


def _engine_files(store_dir: Path) -> list[Path]:
    """The files of the store engine itself (RocksDB's tables, logs, manifest, options, identity).

    Left out: RocksDB's info ``LOG`` files and ``LOCK`` (written by opening, not data), and
    chipgraph's own files (the record, the name index), which are checked on their own.
    """
    return sorted(
        p for p in Path(store_dir).iterdir() if p.is_file() and not p.name.startswith(("LOG", "LOCK", "chipgraph-"))
    )


def store_file_digests(store_dir: Path) -> dict[str, list[Any]]:
    """Name -> [size, sha256] of every engine file: written into the record of a completed store."""
    return {p.name: [p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()] for p in _engine_files(store_dir)}


def store_damage(store_dir: Path, record: Mapping[str, Any], *, full: bool = True) -> str | None:
    """What differs between the store's files and its record, or None when they agree.

    ``full`` compares contents (sha256; about 0.05 s for the shipped store), as a build does
    before it reuses a store; otherwise only names and sizes, as every reader does on opening.
    A record without file digests (an older chipgraph) cannot be checked: "no file digests".
    """
    recorded = record.get("files")
    if not isinstance(recorded, dict):
        return "its record has no file digests (written by an older chipgraph)"
    try:
        present = {p.name: p for p in _engine_files(store_dir)}
        for name in sorted(set(recorded) | set(present)):
            if name not in present:
                return f"{name} is missing"
            if name not in recorded:
                return f"{name} is not in its record"
            size, digest = recorded[name]
            if present[name].stat().st_size != size:
                return f"{name} has changed size"
            if full and hashlib.sha256(present[name].read_bytes()).hexdigest() != digest:
                return f"{name} has changed"
    except (OSError, ValueError, TypeError) as exc:
        return f"its files cannot be checked: {exc}"
    return None


def read_store_record(store_dir: Path) -> dict | None:
    """The record a completed store carries (input hash, version), or None for a store without one."""
    try:
        record = json.loads((Path(store_dir) / STORE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("input_hash"), str) else None


def check_store(output_dir: Path) -> None:
    """Refuse a store that was not completed by a build, or that does not belong with ``manifest.json``.

    A store without its record was left by a killed load or an older chipgraph; a store whose
    record disagrees with the manifest beside it was swapped in by a build that did not finish.
    Either would answer queries with data the other outputs do not show.
    """
    path = store_path(output_dir)
    record = read_store_record(path)
    if record is None:
        raise ChipgraphError(
            f"the store at {path} has no record of the inputs it was built from (an interrupted build, or one "
            "by an older chipgraph); rebuild it with `chipgraph build --force`"
        )
    damage = store_damage(path, record, full=False) if "files" in record else None
    if damage is not None:
        raise ChipgraphError(
            f"the store at {path} is damaged ({damage} since the build that made it); rebuild it with `chipgraph build`"
        )
    try:
        manifest = json.loads((Path(output_dir) / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return  # a store being prepared (the build's staging folder) has no manifest yet
    except (OSError, ValueError) as exc:
        raise ChipgraphError(
            f"cannot read {Path(output_dir) / 'manifest.json'}: {exc}; rebuild with `chipgraph build`"
        ) from exc
    if isinstance(manifest, dict) and manifest.get("input_hash") != record["input_hash"]:
        raise ChipgraphError(
            f"the store at {path} was built from other inputs than {Path(output_dir) / 'manifest.json'} describes "
            "(a build was interrupted); rebuild with `chipgraph build`"
        )


def store_path(output_dir: str | Path | None = None) -> Path:
    """Where ``chipgraph build`` keeps the persistent store."""
    return Path(output_dir or default_output_dir()) / "store"


def open_store(
    output_dir: str | Path | None = None, endpoint: str | None = None, *, in_memory: bool = False
) -> GraphStore:
    """Open the graph for reading.

    ``endpoint`` (or ``$CHIPGRAPH_ENDPOINT``) selects a remote SPARQL server; otherwise the
    on-disk store under ``output_dir`` is opened read-only, so several commands and the
    endpoint can read it at once. ``in_memory=True`` copies it into an in-memory Oxigraph store
    instead (see :func:`memory_copy`): for a long-running session that sends many queries.
    """
    endpoint = endpoint or os.environ.get("CHIPGRAPH_ENDPOINT")
    if endpoint:
        from graph.store.remote import RemoteStore

        return RemoteStore(endpoint)
    from graph.atomic import recover_dir, recover_if_idle

    path = store_path(output_dir)
    recover_if_idle(path.parent)  # a build killed while it swapped the outputs in: finish it
    recover_dir(path)
    if not path.exists():
        raise ChipgraphError(f"no built graph at {path}; run `chipgraph build` first")
    check_store(path.parent)
    try:
        disk = ox.Store.read_only(str(path))
        return memory_copy(disk, str(path)) if in_memory else OxigraphStore(disk, location=str(path), directory=path)
    except OSError as exc:
        raise ChipgraphError(f"cannot open the store at {path}: {exc}; rebuild it with `chipgraph build`") from exc
    except RuntimeError as exc:  # RocksDB refuses a damaged store at opening ("Corruption: ...")
        raise engine_error(exc, str(path)) from exc


def memory_copy(disk: ox.Store, location: str = "store", *, parallel: bool = True) -> OxigraphStore:
    """An in-memory copy of an on-disk store.

    Why: Oxigraph answers from memory 4-7x faster than from its RocksDB files on queries that
    touch many terms (every string compared or returned is looked up on disk); measured at 10^6
    triples by ``scripts/bench_queries.py``. The cost is the copy (about 12 s and 0.7 GB per
    10^6 quads) and that the copy does not see a later build.
    """
    store = ox.Store()
    quads = disk.quads_for_pattern(None, None, None, None)
    if parallel:  # bulk_extend loads on several threads
        store.bulk_extend(quads)
    else:
        store.extend(quads)
    return OxigraphStore(store, location=f"memory copy of {location}")


def memory_store(quads: list[ox.Quad]) -> OxigraphStore:
    """An in-memory store holding ``quads`` (for tests and for analyses during a build)."""
    store = ox.Store()
    store.extend(quads)
    return OxigraphStore(store)


def rdflib_dataset(output_dir: Path | None = None):
    """The built graph as an ``rdflib.Dataset`` over the on-disk store, read-only, through oxrdflib.

    For users who prefer rdflib's API: ``ds.query(...)`` runs on Oxigraph's engine, and the
    dataset's default graph is the union of all named graphs, as in every chipgraph command.
    """
    import rdflib
    from oxrdflib import OxigraphStore as RdflibOxigraphStore

    path = store_path(output_dir)
    if not path.exists():
        raise ChipgraphError(f"no built graph at {path}; run `chipgraph build` first")
    return rdflib.Dataset(store=RdflibOxigraphStore(store=ox.Store.read_only(str(path))), default_union=True)
