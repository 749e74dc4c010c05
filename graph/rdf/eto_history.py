"""Import earlier ETO releases beside the current one, as "share then" facts.

ETO republishes its supply-chain dataset with new figures (the July 2025 release holds 2024
shares, the August 2026 one 2025 shares). :func:`load_prior_releases` reads each earlier release
folder (``graph/data/eto-history/<commit>/``, the layout of ``graph/data/eto/`` with its own
``release.yaml``), validates it as strictly as the current one, and maps its provision rows onto
the nodes the current release defined (ETO ids are stable across releases):

- every row becomes a ``cg:PriorProvision`` ``id/provision-<input>-<provider>-<commit>`` with
  ``cg:provider``, ``cg:priorInput``, ``cg:sharePercent``, ``cg:year``, ``cg:sourceText`` and
  ``cg:inRelease`` (the release's own ``cg:Dataset``, ``source/eto-chip-explorer-<commit>``, dated
  by its commit);
- the rows sit in one claim graph per release, ``graph/eto-<commit>``, stated in that release.

A prior provision is no ``cg:Provision`` and links its input with ``cg:priorInput``, not
``cg:providedInput``, so no query or analysis of the current supply counts it a second time; the
chokepoint projection reads it only for dates before the current release (see
:mod:`graph.chokepoints.releases`). Stages, inputs, the sequence and the providers stay those of
the current release: an earlier release must use the same ids for the same inputs and providers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from graph.errors import InputError, Problem
from graph.paths import DATA_DIR
from graph.rdf.eto_rdf import ETO_SOURCE_ID, EtoImport, release_source
from graph.rdf.provenance import SourceRecord, assertion_quads, source_quads
from graph.rdf.serialize import sorted_quads
from graph.sources.eto_release import EtoRelease, data_assertions, read_release
from graph.vocab.namespaces import GRAPH, RDF, RDFS, XSD, cg, entity_id_of, entity_iri, slugify, source_iri

__all__ = ["HISTORY_DIR", "PriorImport", "load_prior_releases", "prior_release_dirs"]

#: Where the shipped earlier releases live, one folder per upstream commit.
HISTORY_DIR = DATA_DIR / "eto-history"

_TYPE = NamedNode(RDF + "type")
_LABEL = NamedNode(RDFS + "label")


def prior_release_dirs(history: Path = HISTORY_DIR) -> list[Path]:
    """The release folders under ``history`` (those holding a release.yaml), in name order."""
    if not history.is_dir():
        return []
    return sorted(d for d in history.iterdir() if d.is_dir() and (d / "release.yaml").is_file())


class PriorImport:
    """The quads of the earlier releases, their registry entries and counts."""

    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self.releases: list[SourceRecord] = []
        self.counts: dict[str, int] = {}


def _check_same_ids(prior: EtoRelease, current: EtoImport, problems: list[Problem]) -> None:
    """Every provider and input a prior row names must be a node of the current release.

    Names may change between releases (P326 "Hanwha Precision Machinery" became "Hanwha
    Semitech"); a provider's kind may not, and an input id must name the same input.
    """
    path = prior.directory / "provision.csv"
    column = prior.columns.get("provision.csv", {})
    for row in prior.provision:
        for key, col in ((row.provider_id, "provider_id"), (row.provided_id, "provided_id")):
            if key not in current.eto_nodes:
                problems.append(
                    Problem(
                        f"{col} {key} of this earlier release is not in the current release",
                        path,
                        row.line,
                        column=column.get(col),
                        hint="an earlier release is read onto the current release's inputs and providers",
                    )
                )


def _check_inputs(prior: EtoRelease, current_names: dict[str, str], problems: list[Problem]) -> None:
    path = prior.directory / "inputs.csv"
    for nid, item in prior.inputs.items():
        if nid in current_names and current_names[nid] != item.name:
            problems.append(
                Problem(
                    f"input {nid} is {item.name!r} here but {current_names[nid]!r} in the current release",
                    path,
                    item.line,
                    hint="an ETO id must name the same input in every release",
                )
            )


def _release_quads(prior: EtoRelease, source: SourceRecord, current: EtoImport) -> list[Quad]:
    commit = source.release_commit or ""
    graph = NamedNode(GRAPH + f"eto-{commit}")
    release = source_iri(source.id)
    names = {**{k: s.name for k, s in prior.stages.items()}, **{k: i.name for k, i in prior.inputs.items()}}
    out: list[Quad] = []

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        out.append(Quad(s, p, o, graph))

    for row in prior.provision:
        provider, item = current.eto_nodes[row.provider_id], current.eto_nodes[row.provided_id]
        slug = f"provision-{entity_id_of(item.value)}-{slugify(entity_id_of(provider.value) or '')}-{commit}"
        s = entity_iri(slug)
        when = f"{row.year}, " if row.year else ""
        add(s, _TYPE, cg("PriorProvision"))
        name = prior.providers[row.provider_id].name
        add(s, _LABEL, Literal(f"{name} provides {names[row.provided_id]} ({when}ETO release {commit})", language="en"))
        add(s, cg("provider"), provider)
        add(s, cg("priorInput"), item)
        add(s, cg("inRelease"), release)
        if row.share is not None:
            add(s, cg("sharePercent"), Literal(format(row.share, "f"), datatype=NamedNode(XSD + "decimal")))
        if row.year:
            add(s, cg("year"), Literal(row.year, datatype=NamedNode(XSD + "gYear")))
        if row.source:
            add(s, cg("sourceText"), Literal(row.source))
    quads = sorted_quads(out)
    quads += assertion_quads(graph, sources=[source.id], confidence="high")
    quads += source_quads(source)
    return quads


def load_prior_releases(
    current: EtoImport, directories: Iterable[Path] | None = None, *, assertions: bool = True
) -> PriorImport:
    """Read, validate and map the earlier releases in ``directories`` (default: the shipped ones).

    Each needs a ``release.yaml`` with a ``commit`` (its ids: ``source/eto-chip-explorer-<commit>``,
    ``graph/eto-<commit>``) and a date before the current release's.

    Raises
    ------
    InputError
        With file, line and column of every problem; nothing is returned in part.
    """
    dirs = prior_release_dirs() if directories is None else sorted(Path(d) for d in directories)
    result = PriorImport()
    current_date = current.release.date if current.release else None
    for directory in dirs:
        prior = read_release(directory, skip_empty_dangling=True)
        problems: list[Problem] = []
        if assertions:
            problems += data_assertions(prior)
        meta = release_source(directory)  # validates release.yaml; the id comes from its commit
        yaml_path = directory / "release.yaml"
        if not meta.release_commit:
            problems.append(Problem("an earlier release needs its commit", yaml_path, hint="add commit: <hex>"))
        elif current_date and meta.date >= current_date:
            problems.append(
                Problem(
                    f"date {meta.date} is not before the current release's ({current_date})",
                    yaml_path,
                    hint="only earlier releases belong in eto-history/",
                )
            )
        _check_same_ids(prior, current, problems)
        _check_inputs(prior, current.input_names, problems)
        if problems:
            raise InputError(
                problems[0] if len(problems) == 1 else f"{len(problems)} problems in {directory}", problems
            )
        source = replace(meta, id=f"{ETO_SOURCE_ID}-{meta.release_commit}")
        result.quads += _release_quads(prior, source, current)
        result.releases.append(source)
        result.counts[f"prior_provision_{meta.release_commit}"] = len(prior.provision)
        result.counts[f"prior_provision_skipped_{meta.release_commit}"] = len(prior.skipped)
    return result
