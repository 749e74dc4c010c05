"""Import the US restricted-party lists and China's counter-measures into chipgraph quads.

:func:`load_lists` reads the list extracts (:func:`graph.sources.restricted_lists.read_us_lists`)
and OpenSanctions' China designations (:func:`~graph.sources.restricted_lists.read_cn_sanctions`),
resolves entries against the curated graph through the reviewed crosswalk
(:mod:`graph.sources.lists_crosswalk`) and maps them onto the ontology:

- each list -> ``cg:RestrictedPartyList`` ``id/list-<list id>`` with its legal basis;
- each entry -> a ``cg:ListEntry`` ``id/entry-<list id>-<name slug>`` (``-2``, ``-3``... for later
  entries of the same name, in file order) with ``cg:onList``, ``cg:listsParty``, ``cg:imposedBy``,
  ``cg:jurisdiction``, ``cg:legalCitation`` (the citation text as the list gives it),
  ``cg:federalRegisterEvent`` (one ``cg:FederalRegisterEvent`` ``id/fr-<volume>-<page>`` per cited
  page, with volume, page and publication date), ``cg:licenceRequirement`` and ``cg:footnote``;
- its party -> the curated entity the crosswalk maps it to, or a ``cg:Party`` ``id/party-<list
  id>-<slug>`` with names (``rdfs:label``, ``skos:altLabel``), ``cg:address`` and ``cg:country``;
  a parent named by the crosswalk gets ``cg:parentOrganisation`` in the graph of the list that
  says so;
- China's designations -> ``cg:ListEntry`` nodes on one ``cg:RestrictedPartyList`` per programme
  (Unreliable Entity List, counter-measures list, export-control lists...), with the authority,
  date, end date, legal basis, the notice URLs, and the target typed ``cg:Person`` or
  ``cg:Organisation`` with its Wikidata id.

"Listed as of D" is one pattern: ``?e a cg:ListEntry ; cg:effectiveDate ?d`` with ``?d <= D`` and
no ``cg:endDate <= D``. The effective date is the list's own date where it gives one (stated in
the list's graph) and otherwise the publication date of the earliest Federal Register event of
the entry: that one is a reading of the data, so it sits in the list's ``/inferred`` graph, with
medium confidence and a comment saying how it was derived.

Every statement sits in a named graph ``graph/lists/<list id>`` (or ``graph/lists/cn-sanctions``)
stated in that list's source; IRIs come from list ids and names only and the quads are sorted, so
the same snapshot gives the same quads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from graph.errors import InputError, Problem
from graph.paths import DATA_DIR
from graph.rdf.provenance import SourceRecord, assertion_quads, source_quads
from graph.rdf.serialize import sorted_quads
from graph.sources.lists_crosswalk import ListCrosswalkEntry, read_lists_crosswalk
from graph.sources.restricted_lists import (
    US_LIST_FILES,
    CnDesignation,
    CnSanctions,
    ListEntry,
    UsLists,
    data_assertions,
    read_cn_sanctions,
    read_us_lists,
)
from graph.vocab.namespaces import GRAPH, RDF, RDFS, SKOS, XSD, cg, entity_iri, slugify

__all__ = ["CN_SOURCE_ID", "LISTS_DIR", "CN_DIR", "DEFAULT_CROSSWALK", "ListsImport", "load_lists", "list_source_id"]

LISTS_DIR = DATA_DIR / "lists"
CN_DIR = DATA_DIR / "opensanctions-cn"
DEFAULT_CROSSWALK = DATA_DIR / "lists_crosswalk.csv"
CN_SOURCE_ID = "opensanctions-cn-sanctions"
CN_LIST = "cn-sanctions"

#: The authority that keeps each US list (curated ``us-bis`` for BIS; the others are defined here
#: unless the curated data defines the id).
US_AUTHORITIES = {
    "bis-entity-list": "us-bis",
    "bis-meu": "us-bis",
    "bis-dpl": "us-bis",
    "dow-1260h": "us-dow",
    "ofac-nscmic": "us-ofac",
    "dhs-uflpa": "us-dhs-fletf",
    "fcc-covered": "us-fcc",
}
AUTHORITY_LABELS = {
    "us-bis": "Bureau of Industry and Security",
    "us-dow": "US Department of War (Department of Defense)",
    "us-ofac": "Office of Foreign Assets Control (US Treasury)",
    "us-dhs-fletf": "Forced Labor Enforcement Task Force (US Department of Homeland Security)",
    "us-fcc": "Federal Communications Commission",
    "cn-mfa": "Ministry of Foreign Affairs of the People's Republic of China",
    "cn-mofcom": "Ministry of Commerce of the People's Republic of China",
    "cn-tao": "Taiwan Affairs Office of the State Council",
    "cn-cpc-taiwan-work-office": "Taiwan Work Office of the CPC Central Committee",
}
CN_BODIES = {
    "Ministry of Foreign Affairs": "cn-mfa",
    "Ministry of Commerce": "cn-mofcom",
    "Taiwan Affairs Office of the State Council": "cn-tao",
    "Taiwan Work Office of the CPC Central Committee": "cn-cpc-taiwan-work-office",
}
#: China's programmes (codes from cn_sanctions.yml's sanction.program lookup): id, label, legal basis.
CN_PROGRAMS = {
    "CN-UEL": ("cn-uel", "China: Unreliable Entity List", "Provisions on the Unreliable Entity List (MOFCOM)"),
    "CN-CML": (
        "cn-cml",
        "China: counter-measures list",
        "Anti-Foreign Sanctions Law of the PRC and earlier counter-measure decisions",
    ),
    "CN-ECL": ("cn-ecl", "China: export control list of end users", "Export Control Law of the PRC"),
    "CN-ECWL": ("cn-ecwl", "China: export control watch list", "Export Control Law of the PRC"),
    "CN-TAO-DIEHARD": (
        "cn-tao-diehard",
        'China: list of "diehard Taiwan independence" separatists',
        "Designations by the Taiwan Affairs Office",
    ),
    "CN-TAO-ACCOMP": (
        "cn-tao-accomp",
        'China: list of "henchmen and accomplices of Taiwan independence"',
        "Designations by the Taiwan Affairs Office",
    ),
    "": ("cn-mfa-countermeasures", "China: counter-sanctions (no list named)", "Counter-sanction announcements"),
}
_TOPIC_KIND = {
    "sanction.counter": "counter-sanction",
    "sanction": "counter-sanction",
    "export.control": "export-control",
}

#: Which entries become parties: the lists about China in full; of the worldwide lists only the
#: entries filed under China (which includes Hong Kong). Every record of every file is still read
#: and checked. The graph is about China's chip supply chain; 2,300 Russian, Iranian or Pakistani
#: entries would triple the build time without adding a node the analysis can reach.
SCOPE: dict[str, frozenset[str] | None] = {
    "bis-entity-list": frozenset({"China"}),
    "bis-meu": None,
    "bis-dpl": frozenset({"China"}),
    "dow-1260h": None,
    "ofac-nscmic": None,
    "dhs-uflpa": None,
    "fcc-covered": None,
}

_TYPE = NamedNode(RDF + "type")
_LABEL = NamedNode(RDFS + "label")
_ALT = NamedNode(SKOS + "altLabel")
_DEF = NamedNode(SKOS + "definition")
_COMMENT = NamedNode(RDFS + "comment")
_DATE = NamedNode(XSD + "date")
_INT = NamedNode(XSD + "integer")


def default_dirs(directory: Path | None = None, cn_directory: Path | None = None) -> tuple[Path, Path]:
    """The list folders to read: the arguments, else ``$CHIPGRAPH_LISTS_DIR`` / ``$CHIPGRAPH_CN_SANCTIONS_DIR``
    (set by ``chipgraph import lists`` for the build it runs), else the embedded snapshots."""
    import os

    lists = directory or os.environ.get("CHIPGRAPH_LISTS_DIR") or LISTS_DIR
    cn = cn_directory or os.environ.get("CHIPGRAPH_CN_SANCTIONS_DIR") or CN_DIR
    return Path(lists), Path(cn)


def _in_scope(list_id: str, entry: ListEntry) -> bool:
    """Whether an entry of a US list becomes a party (see :data:`SCOPE`)."""
    scope = SCOPE[list_id]
    return scope is None or entry.country in scope


def list_source_id(list_id: str) -> str:
    return f"list-{list_id}"


def list_graph(list_id: str, inferred: bool = False) -> NamedNode:
    return NamedNode(GRAPH + f"lists/{list_id}" + ("/inferred" if inferred else ""))


@dataclass
class ListsImport:
    """What an import yields: quads, counts, and entries not matched to a curated entity."""

    quads: list[Quad]
    counts: dict[str, int]
    unmatched: list[dict[str, str]] = field(default_factory=list)
    entity_ids: set[str] = field(default_factory=set)


def _en(text: str) -> Literal:
    return Literal(text, language="en")


class _Mapper:
    def __init__(self, known: set[str], crosswalk: list[ListCrosswalkEntry]):
        self.known = known
        self.quads: list[Quad] = []
        self.graphs: set[str] = set()
        self.defined: set[str] = set()  # entity ids given a label and type here
        self.matched: dict[tuple[str, str, str], ListCrosswalkEntry] = {e.key: e for e in crosswalk if e.entry_name}
        self.used: set[tuple[str, str, str]] = set()
        self.unmatched: list[dict[str, str]] = []

    def add(self, g: NamedNode, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, g))

    def country(self, g: NamedNode, iso3: str, label: str) -> NamedNode:
        node = entity_iri(iso3)
        if iso3 not in self.known and iso3 not in self.defined:
            self.defined.add(iso3)
            self.add(g, node, _TYPE, cg("Country"))
            self.add(g, node, _LABEL, _en(label))
            self.add(g, node, cg("iso3"), Literal(iso3))
        return node

    def authority(self, g: NamedNode, aid: str, country: str, country_label: str) -> NamedNode:
        node = entity_iri(aid)
        if aid not in self.known and aid not in self.defined:
            self.defined.add(aid)
            self.add(g, node, _TYPE, cg("Organisation"))
            self.add(g, node, _TYPE, cg("Authority"))
            self.add(g, node, _LABEL, _en(AUTHORITY_LABELS[aid]))
            self.add(g, node, cg("country"), self.country(g, country, country_label))
        return node

    def party(
        self,
        g: NamedNode,
        list_id: str,
        slug: str,
        name: str,
        country_text: str,
        entry_record: str,
        classes: tuple[str, ...] = ("Party",),
    ) -> tuple[NamedNode, bool]:
        """The party node of an entry (curated when the crosswalk maps it) and whether it is curated."""
        key = (list_id, name, country_text)
        xw = self.matched.get(key)
        if xw is not None:
            self.used.add(key)
        if xw is not None and xw.chipgraph_id:
            return entity_iri(xw.chipgraph_id), True
        pid = f"party-{list_id}-{slug}"
        node = entity_iri(pid)
        self.defined.add(pid)
        for c in classes:
            self.add(g, node, _TYPE, cg(c))
        self.add(g, node, _LABEL, _en(name))
        if xw is not None and xw.parent_id:
            self.add(list_graph(xw.parent_source), node, cg("parentOrganisation"), entity_iri(xw.parent_id))
        else:
            self.unmatched.append(
                {
                    "list_id": list_id,
                    "eto_name": name,
                    "country": country_text,
                    "entity_id": pid,
                    "record": entry_record,
                }
            )
        return node, False

    # -- US lists ---------------------------------------------------------------------------
    def us_list(self, lists: UsLists, list_id: str) -> None:
        meta = lists.meta[list_id]
        g = list_graph(list_id)
        gi = list_graph(list_id, inferred=True)
        self.graphs.add(g.value)
        lnode = entity_iri(f"list-{list_id}")
        self.add(g, lnode, _TYPE, cg("RestrictedPartyList"))
        self.add(g, lnode, _LABEL, _en(meta.short_name))
        self.add(g, lnode, _DEF, _en(meta.description))
        self.add(g, lnode, cg("legalBasis"), Literal(meta.authority))
        authority = self.authority(g, US_AUTHORITIES[list_id], "USA", "United States")
        usa = self.country(g, "USA", "United States")
        slugs: dict[str, int] = defaultdict(int)
        inferred = False
        for e in lists.entries[list_id]:
            if not _in_scope(list_id, e):
                continue
            base = slugify(e.name)[:80].strip("-")
            slugs[base] += 1
            slug = base if slugs[base] == 1 else f"{base}-{slugs[base]}"
            party, curated = self.party(g, list_id, slug, e.name, e.country or "", str(e.record))
            if curated:
                self.add(g, party, _ALT, Literal(e.name))
            for alias in e.aliases:
                self.add(g, party, _ALT, Literal(alias))
            if e.address:
                self.add(g, party, cg("address"), Literal(e.address))
            if e.iso3 and not curated:
                self.add(g, party, cg("country"), self.country(g, e.iso3, lists.countries[e.country or ""][1]))
            entry = entity_iri(f"entry-{list_id}-{slug}")
            self.add(g, entry, _TYPE, cg("ListEntry"))
            self.add(g, entry, _LABEL, _en(f"{meta.short_name}: {e.name}"))
            self.add(g, entry, cg("onList"), lnode)
            self.add(g, entry, cg("listsParty"), party)
            self.add(g, entry, cg("imposedBy"), authority)
            self.add(g, entry, cg("jurisdiction"), usa)
            self.add(g, entry, cg("legalCitation"), Literal(e.citation_text or meta.authority))
            if e.notes:
                prop = cg("licenceRequirement") if list_id in ("bis-entity-list", "bis-meu") else _COMMENT
                self.add(g, entry, prop, Literal(e.notes) if prop != _COMMENT else _en(e.notes))
            for n in e.footnotes:
                self.add(g, entry, cg("footnote"), Literal(str(n), datatype=_INT))
            for c in e.citations:
                fr = entity_iri(f"fr-{c.volume}-{c.page}")
                self.add(g, entry, cg("federalRegisterEvent"), fr)
                self.add(g, fr, _TYPE, cg("FederalRegisterEvent"))
                self.add(g, fr, _LABEL, _en(f"{c.volume} FR {c.page}"))
                self.add(g, fr, cg("frVolume"), Literal(str(c.volume), datatype=_INT))
                self.add(g, fr, cg("frPage"), Literal(str(c.page), datatype=_INT))
                if c.date:
                    self.add(g, fr, cg("frPublicationDate"), Literal(c.date, datatype=_DATE))
            if e.effective_date:
                self.add(g, entry, cg("effectiveDate"), Literal(e.effective_date, datatype=_DATE))
            else:
                first = min(c.date for c in e.citations if c.date)
                self.add(gi, entry, cg("effectiveDate"), Literal(first, datatype=_DATE))
                inferred = True
        if inferred:
            self.graphs.add(gi.value)

    # -- China ------------------------------------------------------------------------------
    def cn(self, cn: CnSanctions, countries: dict[str, tuple[str, str]]) -> None:
        g = list_graph(CN_LIST)
        self.graphs.add(g.value)
        chn = self.country(g, "CHN", "China")
        labels = {iso3: label for iso3, label in countries.values() if iso3}
        lists: dict[str, NamedNode] = {}
        parties: dict[str, NamedNode] = {}
        first_names: dict[str, str] = {}
        entry_slugs: dict[str, int] = defaultdict(int)
        for d in cn.designations:
            lid, llabel, basis = CN_PROGRAMS[d.program or ""]
            if lid not in lists:
                lnode = entity_iri(f"list-{lid}")
                lists[lid] = lnode
                self.add(g, lnode, _TYPE, cg("RestrictedPartyList"))
                self.add(g, lnode, _LABEL, _en(llabel))
                self.add(g, lnode, cg("legalBasis"), Literal(basis))
            # One target per name slug: rows spelling a name differently only in case, spaces or
            # punctuation ("Skydio Inc." / "Skydio, Inc.") are one party; later spellings are aliases.
            pslug = slugify(d.name)[:80].strip("-")
            party = parties.get(pslug)
            if party is None:
                classes = ("Person",) if d.type == "Person" else ("Organisation",)
                party, curated = self.party(g, CN_LIST, pslug, d.name, d.country, str(d.line), classes)
                parties[pslug] = party
                first_names[pslug] = d.name
                if curated:
                    self.add(g, party, _ALT, Literal(d.name))
            elif d.name != first_names[pslug]:
                self.add(g, party, _ALT, Literal(d.name))
            self._cn_names(g, party, d, labels)
            base = f"entry-{lid}-{slugify(d.name)[:60].strip('-')}-{d.date}"
            entry_slugs[base] += 1
            entry = entity_iri(base if entry_slugs[base] == 1 else f"{base}-{entry_slugs[base]}")
            self.add(g, entry, _TYPE, cg("ListEntry"))
            self.add(g, entry, _LABEL, _en(f"{llabel}: {d.name} ({d.date})"))
            self.add(g, entry, cg("onList"), lists[lid])
            self.add(g, entry, cg("listsParty"), party)
            self.add(g, entry, cg("imposedBy"), self.authority(g, CN_BODIES[d.body], "CHN", "China"))
            self.add(g, entry, cg("jurisdiction"), chn)
            self.add(g, entry, cg("effectiveDate"), Literal(d.date, datatype=_DATE))
            if d.end_date:
                self.add(g, entry, cg("endDate"), Literal(d.end_date, datatype=_DATE))
            self.add(g, entry, cg("legalBasis"), Literal(d.list or "(no list named)"))
            self.add(g, entry, cg("measureKind"), Literal(_TOPIC_KIND[d.topic]))
            for url in d.source_urls:
                self.add(g, entry, cg("legalCitation"), Literal(url))
            if d.summary:
                self.add(g, entry, _COMMENT, _en(d.summary))

    def _cn_names(self, g: NamedNode, party: NamedNode, d: CnDesignation, labels: dict[str, str]) -> None:
        for alias in d.aliases:
            self.add(g, party, _ALT, Literal(alias))
        if d.chinese_name:
            self.add(g, party, _ALT, Literal(d.chinese_name, language="zh"))
        if d.qid:
            self.add(g, party, cg("wikidataId"), Literal(d.qid))
        if d.address:
            self.add(g, party, cg("address"), Literal(d.address))
        if d.iso3:
            self.add(g, party, cg("country"), self.country(g, d.iso3, labels[d.iso3]))


def _us_source(lists: UsLists, list_id: str) -> SourceRecord:
    meta = lists.meta[list_id]
    return SourceRecord(
        id=list_source_id(list_id),
        title=meta.official_name,
        publisher=meta.agency,
        date=lists.extracted[list_id] or lists.generated,
        url=meta.official_url,
        language="en",
        kind="dataset",
        is_dataset=True,
        note=(
            f"Snapshot: {meta.snapshot}. Unofficial extract by the NSF Restricted Entities Guide "
            f"(github.com/phagehunter/nsfreg), file {US_LIST_FILES[list_id]}; a work of the US Government "
            "(public domain in the US). The official list stands where they differ."
        ),
        release_commit="02787e87e65d9452d34e1413859cbea1b0a94b00",
    )


CN_SOURCE = SourceRecord(
    id=CN_SOURCE_ID,
    title='China Sanctions Research ("cn_sanctions")',
    publisher="OpenSanctions",
    date="2026-08-07",
    url="https://www.opensanctions.org/datasets/cn_sanctions/",
    language="en",
    kind="dataset",
    is_dataset=True,
    license="https://creativecommons.org/licenses/by-nc/4.0/",
    release_commit="bb36fecf5d37e953139aed44362c900355989361",
    note=(
        "Data: OpenSanctions, China Sanctions Research (cn_sanctions), CC BY-NC 4.0; from "
        "github.com/opensanctions/opensanctions, datasets/cn/sanctions/sanctions.csv, commit bb36fec (2026-08-07). "
        "Not comprehensive (OpenSanctions: a research tool); each designation cites its official notice."
    ),
)


def _check_curated_listed(crosswalk: list[ListCrosswalkEntry], curated_listed: set[str], path: Path) -> list[Problem]:
    covered = {e.chipgraph_id for e in crosswalk if e.chipgraph_id}
    return [
        Problem(
            f"the curated data lists {eid} on an entity listing, but the crosswalk neither matches it to a list "
            "entry nor records it as reviewed and absent",
            path,
            hint="add a row mapping its entry, or a row with an empty entry_name and a note",
        )
        for eid in sorted(curated_listed - covered)
    ]


def load_lists(
    directory: Path | None = None,
    cn_directory: Path | None = None,
    crosswalk: Path | None = None,
    known_ids: set[str] | frozenset[str] = frozenset(),
    curated_listed: set[str] | frozenset[str] = frozenset(),
    *,
    assertions: bool = True,
) -> ListsImport:
    """Read, validate and map the lists; raise :class:`InputError` (file, line, record, field) on any problem.

    Parameters
    ----------
    directory, cn_directory:
        The US list extracts and the OpenSanctions folder; default: the embedded snapshots.
    crosswalk:
        The reviewed entry -> chipgraph id mapping; default ``graph/data/lists_crosswalk.csv``.
    known_ids:
        Entity ids defined elsewhere (curated, ETO): countries and authorities with these ids are
        not redefined, and crosswalk targets must be among them.
    curated_listed:
        Entity ids that curated entity listings name: each must be matched or reviewed as absent.
    assertions:
        Also run the minimum counts of a complete snapshot; tiny test fixtures turn this off.
    """
    directory, cn_directory = default_dirs(directory, cn_directory)
    crosswalk = Path(crosswalk) if crosswalk is not None else DEFAULT_CROSSWALK
    lists = read_us_lists(directory)
    cn = read_cn_sanctions(cn_directory, lists.countries, directory / "corrections.csv")
    problems = data_assertions(lists, cn) if assertions else []
    entries = read_lists_crosswalk(crosswalk, set(US_LIST_FILES) | {CN_LIST})
    known = set(known_ids)
    if known:
        for e in entries:
            for target in (e.chipgraph_id, e.parent_id):
                if target and target not in known:
                    problems.append(
                        Problem(
                            f"{target!r} is not an entity of the curated data", crosswalk, e.line, hint="fix the id"
                        )
                    )
    problems += _check_curated_listed(entries, set(curated_listed), crosswalk) if curated_listed else []
    mapper = _Mapper(known, entries)
    for list_id in US_LIST_FILES:
        mapper.us_list(lists, list_id)
    mapper.cn(cn, lists.countries)
    for e in entries:
        if e.entry_name and e.key not in mapper.used:
            problems.append(
                Problem(
                    f"no entry {e.entry_name!r} ({e.country or 'no country'}) on {e.list_id}",
                    crosswalk,
                    e.line,
                    column=2,
                    hint="the list renamed or dropped it: review the mapping",
                )
            )
    if problems:
        raise InputError(
            problems[0] if len(problems) == 1 else f"the restricted-party lists fail {len(problems)} check(s)",
            problems,
        )
    quads = sorted_quads(mapper.quads)
    for list_id in US_LIST_FILES:
        sid = list_source_id(list_id)
        quads += assertion_quads(list_graph(list_id), sources=[sid], confidence="high")
        if list_graph(list_id, inferred=True).value in mapper.graphs:
            quads += assertion_quads(
                list_graph(list_id, inferred=True),
                sources=[sid],
                confidence="medium",
                note="Effective dates of entries without a date of their own: the publication date of the earliest "
                "Federal Register document the entry cites (rules often take effect on that day, or on the day "
                "of public inspection a few days before). Derived by chipgraph from the list's citations.",
            )
        quads += source_quads(_us_source(lists, list_id))
    quads += assertion_quads(list_graph(CN_LIST), sources=[CN_SOURCE_ID], confidence="medium")
    quads += source_quads(CN_SOURCE)
    counts = {f"entries_{k}": len(v) for k, v in lists.entries.items()}
    counts["entries_imported"] = sum(1 for k, v in lists.entries.items() for e in v if _in_scope(k, e))
    counts["chinese_entity_list"] = sum(1 for e in lists.entries["bis-entity-list"] if e.iso3 == "CHN")
    counts["cn_designations"] = len(cn.designations)
    counts["crosswalk_matched"] = len([e for e in entries if e.chipgraph_id and e.entry_name])
    counts["quads"] = len(quads)
    return ListsImport(quads=quads, counts=counts, unmatched=mapper.unmatched, entity_ids=set(mapper.defined))


def chinese_entity_list_as_of(entries: list[ListEntry], as_of: str) -> int:
    """How many Chinese Entity List entries the snapshot has in force on ``as_of`` (for tests and checks)."""
    out = 0
    for e in entries:
        if e.iso3 != "CHN":
            continue
        first = e.effective_date or min(c.date for c in e.citations if c.date)
        if first <= as_of:
            out += 1
    return out


def curated_listed_ids(records: dict) -> set[str]:
    """Entity ids that curated entity listings name (``listsParty`` facts of EntityListing records)."""
    out: set[str] = set()
    for record in records.values():
        if "EntityListing" in record.types:
            for fact in record.facts:
                if fact.prop == "listsParty":
                    out.update(str(v) for v in fact.values)
    return out


def input_files(directory: Path | None = None, cn_directory: Path | None = None) -> list[Path]:
    """The files whose content determines the import, in a stable order (for the build's input hash)."""
    directory, cn_directory = default_dirs(directory, cn_directory)
    files = [directory / n for n in ("lists.json", *US_LIST_FILES.values(), "countries.csv", "corrections.csv")]
    files += [cn_directory / "sanctions.csv", cn_directory / "cn_sanctions.yml", DEFAULT_CROSSWALK]
    return [f for f in files if f.exists()]
