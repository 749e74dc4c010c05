"""Import the ETO Advanced Semiconductor Supply Chain dataset into chipgraph quads.

:func:`load_eto` reads and validates a release folder (see :mod:`graph.sources.eto_release`), resolves its
providers against the curated graph through the reviewed crosswalk (see :mod:`graph.sources.crosswalk`), and
maps everything onto the ontology:

- stages -> ``cg:SupplyChainStage``; inputs -> ``cg:Process`` / ``cg:Tool`` / ``cg:Material`` /
  ``cg:DesignResource`` / ``cg:UltimateOutput`` with ``cg:inStage``; the sequence -> ``cg:goesInto``
  and ``cg:isTypeOf``;
- providers -> ``cg:Organisation`` (with ``cg:country``) or ``cg:Country`` (by ISO code) or
  ``cg:Jurisdiction`` (ETO's "EUR" and "Various countries"); a provider the crosswalk maps to a
  curated firm becomes that firm's node, so one firm is one node;
- provision rows -> ``cg:Provision`` nodes ``id/provision-<input>-<provider>`` with provider,
  input (or stage, for stage-wide shares), ``cg:sharePercent`` (xsd:decimal, the file's value in
  canonical form),
  ``cg:year`` (xsd:gYear) and ``cg:sourceText``.

Every statement sits in the named graph ``graph/eto``; that graph's provenance (a ``cg:Assertion``
stated in ``source/eto-chip-explorer``) goes to the provenance graph and the dataset's description
to the sources graph, both stamped by :mod:`graph.rdf.provenance`. No blank nodes; IRIs are derived from
names and ETO ids only, and the quads come out sorted, so the same release gives the same quads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from graph.errors import InputError, Problem, suggest
from graph.lexical import LANG_RE, parse_iso_date
from graph.paths import DATA_DIR, ETO_DIR
from graph.rdf.provenance import SourceRecord, assertion_quads, source_quads
from graph.rdf.serialize import sorted_quads
from graph.sources.crosswalk import CrosswalkEntry, check_crosswalk, read_crosswalk
from graph.sources.eto_release import EtoRelease, data_assertions, read_release
from graph.vocab.namespaces import COUNTRY_RE, ETO_GRAPH, GRAPH, RDF, RDFS, SKOS, XSD, cg, entity_iri, slugify

__all__ = ["ETO_SOURCE_ID", "EtoImport", "load_eto", "release_source"]

#: The source id of the dataset in the registry (curated facts may cite it).
ETO_SOURCE_ID = "eto-chip-explorer"
DEFAULT_CROSSWALK = DATA_DIR / "eto_crosswalk.csv"

INPUT_CLASSES = {
    "process": "Process",
    "tool_resource": "Tool",
    "material_resource": "Material",
    "design_resource": "DesignResource",
    "ultimate_output": "UltimateOutput",
}
#: ETO country providers whose code is not a country: typed cg:Jurisdiction, not cg:Country.
NOT_COUNTRIES = {"EUR"}

_G = NamedNode(ETO_GRAPH)
#: The crosswalk's Wikidata item ids, in their own graph: Wikidata says them, not ETO.
_WD = NamedNode(GRAPH + "wikidata")
WIKIDATA_SOURCE = SourceRecord(
    id="wikidata",
    title="Wikidata",
    publisher="Wikimedia Foundation",
    date="2026-11-25",
    url="https://www.wikidata.org/",
    language="en",
    kind="dataset",
    is_dataset=True,
    license="https://creativecommons.org/publicdomain/zero/1.0/",
    note="Item ids looked up when the ETO crosswalk (graph/data/eto_crosswalk.csv) was reviewed; the date is "
    "that review's.",
)
_TYPE = NamedNode(RDF + "type")
_LABEL = NamedNode(RDFS + "label")
_ALT = NamedNode(SKOS + "altLabel")
_DEF = NamedNode(SKOS + "definition")


@dataclass
class EtoImport:
    """What an import yields: quads, the entity ids it defines, counts, and unmatched providers."""

    quads: list[Quad]
    entity_ids: dict[str, NamedNode]
    counts: dict[str, int]
    unmatched_providers: list[dict[str, str]] = field(default_factory=list)
    #: ETO id (S/N/P...) -> the IRI it became, so an earlier release can point at the same nodes
    eto_nodes: dict[str, NamedNode] = field(default_factory=dict)
    #: the release itself, as its registry entry (its date and commit)
    release: SourceRecord | None = None
    #: ETO input id -> its name in this release
    input_names: dict[str, str] = field(default_factory=dict)


#: The fields of release.yaml; ``repository`` and ``commit`` are optional.
RELEASE_KEYS = ("title", "publisher", "url", "repository", "license", "language", "date", "commit")
_URL_RE = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_COMMIT_RE = re.compile(r"[0-9a-f]{7,40}")


def release_source(directory: Path, source_id: str = ETO_SOURCE_ID) -> SourceRecord:
    """The registry entry of the dataset, from ``directory/release.yaml``, with the id ``source_id``.

    Every field is checked here, with its line, before it becomes a literal or an IRI: texts are
    single texts, ``url``/``repository``/``license`` are absolute http(s) IRIs without spaces,
    ``date`` is YYYY-MM-DD (:func:`graph.lexical.parse_iso_date`), ``language`` a BCP 47 tag and
    ``commit`` a hexadecimal git commit.
    """
    path = directory / "release.yaml"
    meta, lines = _read_release_yaml(directory)
    problems: list[Problem] = []

    def bad(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(f"{key}: {message}", path, lines.get(key, 1), hint=hint))

    for key in sorted(set(meta) - set(RELEASE_KEYS)):
        bad(key, "unknown field", suggest(key, RELEASE_KEYS) or "allowed: " + ", ".join(RELEASE_KEYS))
    missing = [k for k in ("title", "publisher", "url", "license", "date") if meta.get(k) in (None, "")]
    if missing:
        problems.append(
            Problem(
                f"release description lacks {', '.join(missing)}",
                path,
                hint="copy graph/data/eto/release.yaml and give this release's date and commit",
            )
        )
    for key in RELEASE_KEYS:
        value = meta.get(key)
        if value is None or key == "date":
            continue
        if not isinstance(value, str):
            bad(key, f"{value!r} is not a single text", "write one value on the line, quoted if need be")
        elif key in ("url", "repository", "license") and not _URL_RE.fullmatch(value):
            bad(
                key,
                f"{value!r} is not an absolute http(s) IRI",
                "write e.g. https://creativecommons.org/licenses/by/4.0/",
            )
        elif key == "language" and not LANG_RE.match(value):
            bad(key, f"{value!r} is not a language tag", "use a BCP 47 tag such as en")
        elif key == "commit" and not _COMMIT_RE.fullmatch(value):
            bad(key, f"{value!r} is not a git commit", "7 to 40 lowercase hexadecimal digits")
        elif not value.strip():
            bad(key, "is empty")
    date = None
    if meta.get("date") not in (None, ""):
        try:
            date = parse_iso_date(meta["date"], "date", file=path, line=lines.get("date"))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}", problems)
    assert date is not None
    note = f"Release of {meta['repository']}" if meta.get("repository") else None
    return SourceRecord(
        id=source_id,
        title=meta["title"],
        publisher=meta["publisher"],
        date=date.isoformat(),
        url=meta["url"],
        language=meta.get("language", "en"),
        kind="dataset",
        note=note,
        is_dataset=True,
        license=meta["license"],
        release_commit=meta.get("commit"),
    )


def _read_release_yaml(directory: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """release.yaml through the project's YAML loader (line numbers, no aliases, no control characters)."""
    from graph.sources.yamlload import LineDict, load_yaml

    path = directory / "release.yaml"
    if not path.exists() and not path.is_symlink():
        raise InputError(
            Problem(
                "missing release.yaml (title, publisher, url, license, date, commit)",
                path,
                hint="copy graph/data/eto/release.yaml into the folder and give this release's date and commit",
            )
        )
    data = load_yaml(path)
    if not isinstance(data, LineDict):
        raise InputError(Problem("release.yaml must be a mapping of fields", path, 1))
    return dict(data), dict(data.key_lines)


def _lit(text: str) -> Literal:
    return Literal(text, language="en")


def _assign_ids(names: dict[str, str], taken: set[str]) -> dict[str, str]:
    """ETO id -> slug of its name; slugs that collide with each other or with ``taken`` get the ETO id."""
    by_slug: dict[str, list[str]] = {}
    for eto_id, name in names.items():
        by_slug.setdefault(slugify(name), []).append(eto_id)
    out: dict[str, str] = {}
    for slug, ids in by_slug.items():
        clash = len(ids) > 1 or slug in taken
        for eto_id in ids:
            out[eto_id] = f"{slug}-{eto_id.lower()}" if clash else slug
    return out


class _Mapper:
    """Builds the quads of one release."""

    def __init__(self, release: EtoRelease, crosswalk: dict[str, CrosswalkEntry], known_ids: set[str]):
        self.r = release
        self.crosswalk = crosswalk
        self.known = known_ids
        self.quads: list[Quad] = []
        self.ids: dict[str, NamedNode] = {}  # entity id -> IRI
        self.node: dict[str, NamedNode] = {}  # ETO id -> IRI
        self.slug: dict[str, str] = {}  # ETO id -> entity id
        self.unmatched: list[dict[str, str]] = []
        self.wikidata: list[Quad] = []  # crosswalk item ids, in the Wikidata graph

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, _G))

    def define(self, eto_id: str, entity_id: str) -> NamedNode:
        iri = entity_iri(entity_id)
        self.ids[entity_id] = iri
        self.node[eto_id] = iri
        self.slug[eto_id] = entity_id
        return iri

    def market(self, s: NamedNode, size: str, caption: str, source: str, year: str = "") -> None:
        if size:
            self.add(s, cg("marketSize"), Literal(size))
        if caption:
            self.add(s, cg("marketChartCaption"), Literal(caption))
        if source:
            self.add(s, cg("marketDataSource"), Literal(source))
        if year:
            self.add(s, cg("year"), Literal(year, datatype=NamedNode(XSD + "gYear")))

    def stages_and_inputs(self) -> None:
        names = {sid: st.name for sid, st in self.r.stages.items()}
        names.update({nid: item.name for nid, item in self.r.inputs.items()})
        for eto_id, entity_id in sorted(_assign_ids(names, self.known).items()):
            self.define(eto_id, entity_id)
        for sid, st in self.r.stages.items():
            s = self.node[sid]
            self.add(s, _TYPE, cg("SupplyChainStage"))
            self.add(s, _LABEL, _lit(st.name))
            self.add(s, cg("etoId"), Literal(sid))
            if st.description:
                self.add(s, _DEF, _lit(st.description))
            self.market(s, st.market_size, st.caption, st.market_source)
        for nid, item in self.r.inputs.items():
            s = self.node[nid]
            self.add(s, _TYPE, cg(INPUT_CLASSES[item.type]))
            self.add(s, _LABEL, _lit(item.name))
            self.add(s, cg("etoId"), Literal(nid))
            if item.description:
                self.add(s, _DEF, _lit(item.description))
            if item.stage_id:
                self.add(s, cg("inStage"), self.node[item.stage_id])
            self.market(s, item.market_size, item.caption, item.market_source, item.year)
        for link in self.r.sequence:
            prop = "goesInto" if link.relation == "goes_into" else "isTypeOf"
            self.add(self.node[link.source], cg(prop), self.node[link.target])

    def providers(self) -> None:
        taken = self.known | set(self.ids)
        countries = {pid: p for pid, p in self.r.providers.items() if p.type == "country" and COUNTRY_RE.match(p.name)}
        by_name = {p.name: pid for pid, p in self.r.providers.items() if p.type == "country"}
        for pid in countries:
            self.define(pid, countries[pid].name)
        others = {
            pid: p.name for pid, p in self.r.providers.items() if pid not in countries and pid not in self.crosswalk
        }
        for pid, entity_id in sorted(_assign_ids(others, taken).items()):
            self.define(pid, entity_id)
        for pid, mapped in self.crosswalk.items():
            self.define(pid, mapped.chipgraph_id)

        for pid, p in self.r.providers.items():
            s = self.node[pid]
            entry = self.crosswalk.get(pid)
            curated = self.slug[pid] in self.known  # the curated record owns the label and types
            self.add(s, cg("etoId"), Literal(pid))
            if p.type == "country":
                is_country = pid in countries and p.name not in NOT_COUNTRIES
                self.add(s, _TYPE, cg("Country" if is_country else "Jurisdiction"))
                label = p.aliases[0] if p.aliases else p.name
                if is_country:
                    self.add(s, cg("iso3"), Literal(p.name))
                if not curated:
                    self.add(s, _LABEL, _lit(label))
                for alias in p.aliases[1:]:
                    self.add(s, _ALT, Literal(alias))
                continue
            self.add(s, _TYPE, cg("Organisation"))
            if curated:
                self.add(s, _ALT, Literal(p.name))
            else:
                self.add(s, _LABEL, _lit(p.name))
            for alias in p.aliases:
                self.add(s, _ALT, Literal(alias))
            if entry is not None and entry.wikidata_qid:
                self.wikidata.append(Quad(s, cg("wikidataId"), Literal(entry.wikidata_qid), _WD))
            if p.country and p.country not in NOT_COUNTRIES:
                country_pid = by_name.get(p.country)
                if country_pid in countries:
                    self.add(s, cg("country"), self.node[country_pid])
                elif country_pid is None and COUNTRY_RE.match(p.country):
                    self.add(s, cg("country"), entity_iri(p.country))
            if entry is None:
                self.unmatched.append(
                    {"eto_provider_id": pid, "eto_name": p.name, "country": p.country, "entity_id": self.slug[pid]}
                )

    def crosswalk_notes(self, entries: dict[str, CrosswalkEntry]) -> None:
        """Carry the reviewer's note on a deliberately unmatched provider into the unmatched list."""
        for row in self.unmatched:
            entry = entries.get(row["eto_provider_id"])
            row["note"] = entry.note if entry is not None else ""

    def provision(self) -> None:
        names = {
            **{sid: st.name for sid, st in self.r.stages.items()},
            **{nid: item.name for nid, item in self.r.inputs.items()},
        }
        for row in self.r.provision:
            provider = self.r.providers[row.provider_id]
            iri = entity_iri(f"provision-{self.slug[row.provided_id]}-{slugify(self.slug[row.provider_id])}")
            self.add(iri, _TYPE, cg("Provision"))
            self.add(iri, _LABEL, _lit(f"{provider.name} provides {names[row.provided_id]}"))
            self.add(iri, cg("provider"), self.node[row.provider_id])
            self.add(iri, cg("providedInput"), self.node[row.provided_id])
            if row.share is not None:
                # the canonical text ("+5", "5." and ".5" are valid but odd spellings); the release's own is the same
                share = format(row.share, "f")
                self.add(iri, cg("sharePercent"), Literal(share, datatype=NamedNode(XSD + "decimal")))
            if row.year:
                self.add(iri, cg("year"), Literal(row.year, datatype=NamedNode(XSD + "gYear")))
            if row.source:
                self.add(iri, cg("sourceText"), Literal(row.source))


def _check_countries(release: EtoRelease, known_ids: set[str]) -> None:
    """An organisation's country must be a country provider of the release or a curated entity.

    The reader accepts any ISO-like code; only here, with the curated ids at hand, can ``XXX`` be
    refused with its line (SHACL would refuse it too, but naming only the IRI).
    """
    by_name = {p.name for p in release.providers.values() if p.type == "country"}
    path = release.directory / "providers.csv"
    column = release.columns.get("providers.csv", {}).get("country")
    problems = [
        Problem(
            f"country {p.country!r} of provider {p.eto_id} is neither a country provider in providers.csv "
            "nor a country of the curated data",
            path,
            p.line,
            column=column,
            hint="use an ISO 3166-1 alpha-3 code of a defined country",
        )
        for p in release.providers.values()
        if p.type == "organization"
        and p.country
        and p.country not in NOT_COUNTRIES
        and p.country not in by_name
        and p.country not in known_ids
    ]
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else f"{len(problems)} problems in {path}", problems)


def load_eto(
    directory: Path | None = None,
    crosswalk: Path | None = None,
    known_ids: set[str] | frozenset[str] = frozenset(),
    *,
    assertions: bool = True,
) -> EtoImport:
    """Read, validate and map one ETO release.

    Parameters
    ----------
    directory:
        A folder in the layout of ``eto-chip-explorer/data`` plus ``release.yaml``; default: the
        release embedded in the package.
    crosswalk:
        The reviewed ETO provider -> chipgraph id mapping (CSV); default ``graph/data/eto_crosswalk.csv``.
    known_ids:
        Entity ids the curated data defines. ETO names whose slug equals one of them get the ETO id
        as a suffix, so that only the crosswalk can merge an ETO provider with a curated entity.
    assertions:
        Also run :func:`graph.sources.eto_release.data_assertions` (minimum counts, reachability); tiny test
        releases turn this off.

    Raises
    ------
    InputError
        With file, line and column of every problem; nothing has been written when it is raised.
    """
    directory = Path(directory) if directory is not None else ETO_DIR
    crosswalk = Path(crosswalk) if crosswalk is not None else DEFAULT_CROSSWALK
    rel = read_release(directory)
    if assertions:
        failed = data_assertions(rel)
        if failed:
            raise InputError(f"the ETO release in {directory} fails {len(failed)} data assertion(s)", failed)
    source = release_source(directory)
    if known_ids:
        _check_countries(rel, set(known_ids))
    entries = read_crosswalk(crosswalk)
    check_crosswalk(entries, rel, crosswalk)
    matched = {pid: e for pid, e in entries.items() if e.chipgraph_id}

    mapper = _Mapper(rel, matched, set(known_ids))
    mapper.stages_and_inputs()
    mapper.providers()
    mapper.provision()
    mapper.crosswalk_notes(entries)
    quads = sorted_quads(mapper.quads)
    quads += assertion_quads(_G, sources=[ETO_SOURCE_ID], confidence="high")
    quads += source_quads(source)
    if mapper.wikidata:
        quads += sorted_quads(mapper.wikidata)
        quads += assertion_quads(_WD, sources=[WIKIDATA_SOURCE.id], confidence="high")
        quads += source_quads(WIKIDATA_SOURCE)
    counts = {
        "stages": len(rel.stages),
        "inputs": len(rel.inputs),
        "sequence_links": len(rel.sequence),
        "providers": len(rel.providers),
        "countries": sum(1 for p in rel.providers.values() if p.type == "country"),
        "organisations": sum(1 for p in rel.providers.values() if p.type == "organization"),
        "provision": len(rel.provision),
        "provision_with_share": sum(1 for p in rel.provision if p.share is not None),
        "crosswalk_matched": len(matched),
        "quads": len(quads),
    }
    return EtoImport(
        quads=quads,
        entity_ids=dict(sorted(mapper.ids.items())),
        counts=counts,
        unmatched_providers=sorted(mapper.unmatched, key=lambda r: int(r["eto_provider_id"][1:])),
        eto_nodes=dict(sorted(mapper.node.items())),
        release=source,
        input_names={nid: item.name for nid, item in rel.inputs.items()},
    )
