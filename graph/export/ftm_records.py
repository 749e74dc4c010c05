"""The graph's parties, listings, ownership and supply links as FollowTheMoney records (plain data).

This module decides *what* the FollowTheMoney (FtM) export says; :mod:`graph.export.ftm` builds,
cleans and validates the entities with the ``followthemoney`` package. Everything is read with
SPARQL from the store (local or remote), asserted statements only (never ``cggraph:inferred``),
and every record is plain data: an FtM id, an FtM schema name and raw property values.

The mapping, schema by schema (FtM 4.x, the schemata of the installed ``followthemoney`` package):

- **Parties** (everything typed ``cg:Party`` or a subclass): ``cg:Person`` -> ``Person``;
  ``cg:Authority`` -> ``PublicBody``; ``cg:ResearchInstitute`` -> ``Organization``; a firm role
  (``ChipDesigner``, ``Foundry``, ``MemoryMaker``, ``EquipmentMaker``, ``EDAVendor``,
  ``ModelDeveloper``, ``SecuritiesFirm``), or an organisation a source names as a subsidiary
  (``cg:parentOrganisation``), -> ``Company``; any other ``cg:Organisation`` -> ``Organization``;
  a bare ``cg:Party`` -> ``LegalEntity``, because the US lists do not say whether an entry is a
  person or an organisation, and ``LegalEntity`` is FtM's schema for exactly that (yente matches
  it against both). Names: the preferred label (:func:`graph.read.model.preferred_label`) is
  ``name``; every other label and ``skos:altLabel`` in every language is an ``alias``. Also
  ``country`` (ISO 3166 alpha-3, cleaned by FtM to its alpha-2 codes), ``address`` and
  ``wikidataId``.
- **Listings** (every asserted ``cg:EntityListing`` and ``cg:ListEntry``): one ``Sanction`` per
  listed party, with ``entity``, ``authority`` (the label of ``cg:imposedBy``), ``country`` (the
  jurisdiction), ``program`` (the list, else the listing's own label), ``reason`` (the legal
  citation as the list gives it, with its Federal Register citation, "85 FR 83420, 12/22/20";
  citations that are URLs, as China's notices are, go to ``sourceUrl`` instead), ``provisions``
  (the licence requirement), ``startDate`` (``cg:effectiveDate``), ``endDate``, ``listingDate``
  (the publication date: ``cg:publicationDate``, else the earliest cited Federal Register
  document's), ``summary`` (the entry's comment), ``description`` (the cited Federal Register
  pages with their dates, and the Entity List footnotes) and ``recordId`` (the chipgraph id).
  Measures that name a party but are no listing (an antitrust probe is a ``cg:ItemControl``) are
  not sanctions and are left out.
- **Ownership**: ``cg:parentOrganisation`` ("the organisation that owns or controls this one")
  becomes ``Ownership`` (``owner`` the parent, ``asset`` the subsidiary, ``role`` "parent
  organisation"), with the claim's ``cg:validFrom``/``cg:validUntil`` as start and end dates. FtM
  lets only an ``Asset`` be owned, which is why a subsidiary is a ``Company``; a subsidiary that
  cannot be one (a person, a public body) gets ``Control`` instead, FtM's link for control
  without ownership.
- **Supply links**: FtM has no supply schema. ``cg:SupplyRelationship`` (one organisation
  supplies another with wafer fabrication, packaging, memory or equipment, from a date until a
  date) becomes ``UnknownLink`` (``subject`` the supplier, ``object`` the customer, ``role``
  "foundry supplier", "memory supplier"...; ``summary`` the relationship's label,
  ``description`` the products and why it ended, ``startDate``/``endDate``). It is the only
  fitting schema: ``UnknownLink`` is FtM's link between two entities "whose nature is tbd", with
  a free ``role``; the other interval links each mean something that a supply is not
  (``Succession``: one legal entity succeeds another; ``Ownership``/``Control``: corporate
  control; ``Representation``: agent and client; ``Employment``, ``Membership``, ``Directorship``:
  people in organisations; ``ContractAward``: an award of a public ``Contract``, which no source
  here names). ETO's provisions (a firm's world market share of an input) link a firm to a
  market, not to a counterparty, and are not exported.

Every record carries the chipgraph sources of the statements it is made of: ``sourceUrl`` (their
URLs) and ``publisher``. Claims below the confidence floor (``min_confidence``, default the read
model's :data:`~graph.read.model.MIN_CONFIDENCE`) are left out, as the analyses leave them out;
types and names are identity, not claims, and are always read. Ids are ``chipgraph-`` + the
entity's id (``chipgraph-smic``), so they are stable across builds and readable in Aleph.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.read.model import MIN_CONFIDENCE, SOURCES_QUERY, SUBCLASS_QUERY, at_least, entity_id, preferred_label
from graph.vocab.namespaces import CG, RDFS, SKOS

__all__ = ["FtmRecord", "ftm_id", "ftm_records", "party_schema", "COMPANY_CLASSES", "ID_PREFIX"]

#: Every FtM id of the export starts with this.
ID_PREFIX = "chipgraph-"
#: FtM's limit on the length of an entity id (followthemoney.util.ENTITY_ID_LEN).
MAX_ID_LENGTH = 200
#: Ontology classes (local names) of parties that are firms: FtM ``Company``.
COMPANY_CLASSES = frozenset(
    {"ChipDesigner", "Foundry", "MemoryMaker", "EquipmentMaker", "EDAVendor", "ModelDeveloper", "SecuritiesFirm"}
)
#: FtM's longest address (followthemoney.types.AddressType.max_length).
MAX_ADDRESS_LENGTH = 250
#: How the lists join several addresses into one text, the surest separator first.
ADDRESS_SEPARATORS = ("; and ", ", and ", " and ")
LISTING_CLASSES = frozenset({"EntityListing", "ListEntry"})

_TYPES = """SELECT ?e ?t WHERE {
  GRAPH ?g { ?e a ?t } FILTER(?g != cggraph:inferred)
  FILTER(STRSTARTS(STR(?t), STR(cg:)) && STRSTARTS(STR(?e), STR(cgid:)))
}"""
_NAMES = """SELECT ?e ?p ?name ?g WHERE {
  VALUES ?p { rdfs:label skos:altLabel }
  GRAPH ?g { ?e ?p ?name } FILTER(?g != cggraph:inferred) FILTER(STRSTARTS(STR(?e), STR(cgid:)))
}"""
#: The properties the export reads, with the graph that states each value.
FACT_PROPERTIES = (
    "address",
    "country",
    "wikidataId",
    "iso3",
    "listsParty",
    "onList",
    "imposedBy",
    "jurisdiction",
    "legalCitation",
    "licenceRequirement",
    "footnote",
    "effectiveDate",
    "endDate",
    "publicationDate",
    "federalRegisterEvent",
    "frVolume",
    "frPage",
    "frPublicationDate",
    "parentOrganisation",
    "supplier",
    "customer",
    "suppliedProduct",
    "relationshipKind",
    "supplyStartDate",
    "supplyEndDate",
    "endReason",
)
_FACTS = """SELECT ?e ?p ?o ?g WHERE {
  VALUES ?p { PROPS rdfs:comment }
  GRAPH ?g { ?e ?p ?o } FILTER(?g != cggraph:inferred) FILTER(STRSTARTS(STR(?e), STR(cgid:)))
}""".replace("PROPS", " ".join(f"cg:{p}" for p in FACT_PROPERTIES))
#: Claim graphs: their confidence, sources and validity.
_CLAIMS = """SELECT ?g ?conf ?src ?from ?until WHERE {
  ?g cg:confidence ?conf .
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?g cg:validFrom ?from }
  OPTIONAL { ?g cg:validUntil ?until }
}"""


@dataclass(frozen=True)
class FtmRecord:
    """One FtM entity as plain data: id, schema name and raw property values (cleaned by FtM later)."""

    id: str
    schema: str
    properties: dict[str, list[str]]


def ftm_id(*parts: str) -> str:
    """The FtM id of a chipgraph entity (or of a link between entities), stable across builds.

    >>> ftm_id("smic"), ftm_id("ownership", "huawei", "hisilicon")
    ('chipgraph-smic', 'chipgraph-ownership.huawei.hisilicon')

    Entity ids are slugs (``[a-z0-9-]``) or ISO codes, which FtM's id pattern accepts; parts are
    joined with dots, which no slug contains. An id past FtM's 200 characters becomes a hash.
    """
    text = ID_PREFIX + ".".join(parts)
    if len(text) <= MAX_ID_LENGTH:
        return text
    return ID_PREFIX + hashlib.sha1(".".join(parts).encode("utf-8")).hexdigest()


def party_schema(classes: Iterable[str], owned: bool = False) -> str:
    """The FtM schema of a party with these ontology classes (asserted and their superclasses).

    >>> party_schema({"Person", "Party"}), party_schema({"Party"}), party_schema({"Party"}, owned=True)
    ('Person', 'LegalEntity', 'Company')
    >>> party_schema({"Organisation", "Authority"}), party_schema({"Organisation", "Foundry"})
    ('PublicBody', 'Company')
    """
    kinds = set(classes)
    if "Person" in kinds:
        return "Person"
    if "Authority" in kinds:
        return "PublicBody"
    if "ResearchInstitute" in kinds:
        return "Organization"
    if kinds & COMPANY_CLASSES or owned:
        return "Company"
    if "Organisation" in kinds:
        return "Organization"
    return "LegalEntity"


@dataclass
class _Claim:
    confidence: str = "low"
    sources: set[str] = field(default_factory=set)
    valid_from: str | None = None
    valid_until: str | None = None


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


class _Graph:
    """The statements the export needs, keyed by subject id, with the claim graphs that state them."""

    def __init__(self, store: Any, min_confidence: str):
        self.floor = min_confidence
        self.claims: dict[str, _Claim] = defaultdict(_Claim)
        for row in store.select(_CLAIMS):
            claim = self.claims[_text(row["g"])]
            claim.confidence = (entity_id(row["conf"]) or "low").removesuffix("Confidence").lower()
            if row.get("src") is not None:
                claim.sources.add(entity_id(row["src"]) or "")
            claim.valid_from = _text(row.get("from")) or claim.valid_from
            claim.valid_until = _text(row.get("until")) or claim.valid_until
        self.sources = {
            entity_id(r["src"]) or "": {k: _text(r.get(k)) for k in ("publisher", "url")}
            for r in store.select(SOURCES_QUERY)
        }
        superclasses: dict[str, set[str]] = defaultdict(set)
        for row in store.select(SUBCLASS_QUERY):
            superclasses[entity_id(row["c"]) or ""].add(entity_id(row["sup"]) or "")
        self.types: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_TYPES):
            cls = entity_id(row["t"]) or ""
            self.types[entity_id(row["e"]) or ""] |= {cls} | superclasses.get(cls, set())
        # subject -> "label"/"altLabel" -> text -> language tags ("" for none); and the graphs of the names
        self.names: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(lambda: defaultdict(dict))
        self.name_graphs: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_NAMES):
            e, p, name = entity_id(row["e"]) or "", _local(row["p"].value), row["name"]
            self.names[e][p].setdefault(name.value, set()).add(getattr(name, "language", None) or "")
            self.name_graphs[e].add(_text(row["g"]))
        # subject -> property -> value -> graphs (claims at the floor only)
        self.facts: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(lambda: defaultdict(dict))
        for row in store.select(_FACTS):
            g = _text(row["g"])
            stated = self.claims.get(g)
            if stated is None or not at_least(stated.confidence, self.floor):
                continue
            e, p, o = entity_id(row["e"]) or "", _local(row["p"].value), entity_id(row["o"]) or ""
            self.facts[e][p].setdefault(o, set()).add(g)

    def values(self, subject: str, prop: str) -> list[str]:
        return sorted(self.facts.get(subject, {}).get(prop, {}))

    def graphs(self, subject: str, props: Iterable[str] | None = None) -> set[str]:
        """The claim graphs of the subject's statements (of ``props``, else of every property read)."""
        out: set[str] = set()
        for prop, values in self.facts.get(subject, {}).items():
            if props is None or prop in props:
                for graphs in values.values():
                    out |= graphs
        return out

    def labels(self, subject: str) -> dict[str, str]:
        """Language tag -> label (the first in text order per language)."""
        out: dict[str, str] = {}
        for text in sorted(self.names.get(subject, {}).get("label", {})):
            for lang in sorted(self.names[subject]["label"][text]):
                out.setdefault(lang, text)
        return out

    def label(self, subject: str) -> str:
        return preferred_label(self.labels(subject), subject)

    def all_names(self, subject: str) -> set[str]:
        names = self.names.get(subject, {})
        return set(names.get("label", {})) | set(names.get("altLabel", {}))

    def provenance(self, graphs: Iterable[str]) -> dict[str, list[str]]:
        """``sourceUrl`` and ``publisher`` of the sources that state these graphs."""
        urls: set[str] = set()
        publishers: set[str] = set()
        for g in graphs:
            claim = self.claims.get(g)
            for sid in claim.sources if claim else ():
                source = self.sources.get(sid, {})
                if source.get("url"):
                    urls.add(source["url"])
                if source.get("publisher"):
                    publishers.add(source["publisher"])
        return {"sourceUrl": sorted(urls), "publisher": sorted(publishers)}


def _local(iri: str) -> str:
    for ns in (CG, RDFS, SKOS):
        if iri.startswith(ns):
            return iri[len(ns) :]
    return iri


def _props(**values: Iterable[str]) -> dict[str, list[str]]:
    """Property -> values, dropping empty values and properties (values keep their given order)."""
    out: dict[str, list[str]] = {}
    for prop, vals in values.items():
        kept = [v for v in dict.fromkeys(vals) if v]
        if kept:
            out[prop] = kept
    return out


def address_values(text: str, limit: int = MAX_ADDRESS_LENGTH) -> tuple[list[str], list[str]]:
    """A list's address text as FtM addresses: (addresses, texts too long to be one).

    The lists join several addresses into one text with "; and " (and, inside long texts, ", and "
    or " and "); FtM's address type holds at most 250 characters. A text that fits stays whole;
    one that does not is split at these separators, longest-first, until its parts fit, and a part
    that still does not fit is returned apart (it goes to ``notes``).

    >>> address_values("Room 1, A Road, Beijing, China; and No. 2 B Street, Shanghai, China.")
    (['Room 1, A Road, Beijing, China; and No. 2 B Street, Shanghai, China.'], [])
    >>> address_values("Room 1, A Road, Beijing; and No. 2, B Street, Shanghai, China", limit=40)
    (['Room 1, A Road, Beijing', 'No. 2, B Street, Shanghai, China'], [])
    """
    parts = [text.strip()]
    for separator in ADDRESS_SEPARATORS:
        parts = [piece.strip() for part in parts for piece in (part.split(separator) if len(part) > limit else [part])]
    return [p for p in parts if p and len(p) <= limit], [p for p in parts if len(p) > limit]


def _parties(g: _Graph) -> dict[str, FtmRecord]:
    owned = {child for child in g.facts if g.facts[child].get("parentOrganisation")}
    out: dict[str, FtmRecord] = {}
    for e in sorted(g.types):
        if "Party" not in g.types[e]:
            continue
        name = g.label(e)
        graphs = g.name_graphs.get(e, set()) | g.graphs(e, ("country", "address", "wikidataId"))
        addresses: list[str] = []
        too_long: list[str] = []
        for text in g.values(e, "address"):
            fits, rest = address_values(text)
            addresses += fits
            too_long += rest
        out[e] = FtmRecord(
            id=ftm_id(e),
            schema=party_schema(g.types[e], owned=e in owned),
            properties=_props(
                name=[name],
                alias=sorted(g.all_names(e) - {name}),
                country=g.values(e, "country"),
                address=addresses,
                notes=[f"Address as listed: {t}" for t in too_long],
                wikidataId=g.values(e, "wikidataId"),
                **g.provenance(graphs),
            ),
        )
    return out


def _fr_pages(g: _Graph, listing: str) -> tuple[list[str], list[str]]:
    """("85 FR 83420 (2020-12-22)", ...) and the publication dates of a listing's Federal Register events."""
    pages: list[tuple[str, int, int, str]] = []
    for fr in g.values(listing, "federalRegisterEvent"):
        vol, page = g.values(fr, "frVolume"), g.values(fr, "frPage")
        date = min(g.values(fr, "frPublicationDate"), default="")
        if vol and page:
            pages.append((date, int(vol[0]), int(page[0]), fr))
    pages.sort()
    texts = [f"{v} FR {p}" + (f" ({d})" if d else "") for d, v, p, _ in pages]
    return texts, [d for d, *_ in pages if d]


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _sanctions(g: _Graph, parties: dict[str, FtmRecord]) -> list[FtmRecord]:
    out: list[FtmRecord] = []
    for m in sorted(g.types):
        if not g.types[m] & LISTING_CLASSES:
            continue
        listed = [p for p in g.values(m, "listsParty") if p in parties]
        citations = g.values(m, "legalCitation")
        fr_texts, fr_dates = _fr_pages(g, m)
        footnotes = sorted(g.values(m, "footnote"), key=int)
        described = []
        if fr_texts:
            described.append("Federal Register: " + "; ".join(fr_texts) + ".")
        if footnotes:
            word = "footnote" if len(footnotes) == 1 else "footnotes"
            described.append(f"Entity List {word} {', '.join(footnotes)} (see the licence requirement).")
        graphs = g.graphs(m) | set().union(*(g.graphs(fr) for fr in g.values(m, "federalRegisterEvent")))
        provenance = g.provenance(graphs)
        lists = g.values(m, "onList")
        for party in listed:
            out.append(
                FtmRecord(
                    id=ftm_id(m) if len(listed) == 1 else ftm_id(m, party),
                    schema="Sanction",
                    properties=_props(
                        entity=[parties[party].id],
                        authority=[g.label(a) for a in g.values(m, "imposedBy")],
                        country=g.values(m, "jurisdiction"),
                        program=[g.label(x) for x in lists] or [g.label(m)],
                        reason=[c for c in citations if not _is_url(c)],
                        provisions=g.values(m, "licenceRequirement"),
                        startDate=g.values(m, "effectiveDate"),
                        endDate=g.values(m, "endDate"),
                        listingDate=g.values(m, "publicationDate") or fr_dates[:1],
                        summary=g.values(m, "comment"),
                        description=[" ".join(described)],
                        recordId=[m],
                        sourceUrl=sorted(set(provenance["sourceUrl"]) | {c for c in citations if _is_url(c)}),
                        publisher=provenance["publisher"],
                    ),
                )
            )
    return out


def _ownerships(g: _Graph, parties: dict[str, FtmRecord]) -> list[FtmRecord]:
    out: list[FtmRecord] = []
    for child in sorted(g.facts):
        for parent, graphs in sorted(g.facts[child].get("parentOrganisation", {}).items()):
            if child not in parties or parent not in parties:
                continue
            claims = [g.claims[x] for x in sorted(graphs)]
            dates = _props(
                startDate=sorted(c.valid_from for c in claims if c.valid_from),
                endDate=sorted(c.valid_until for c in claims if c.valid_until),
            )
            if parties[child].schema == "Company":
                record = FtmRecord(
                    id=ftm_id("ownership", parent, child),
                    schema="Ownership",
                    properties=_props(
                        owner=[parties[parent].id], asset=[parties[child].id], role=["parent organisation"]
                    ),
                )
            else:
                record = FtmRecord(
                    id=ftm_id("control", parent, child),
                    schema="Control",
                    properties=_props(
                        controller=[parties[parent].id], controlled=[parties[child].id], role=["parent organisation"]
                    ),
                )
            record.properties.update(dates)
            record.properties.update(_props(**g.provenance(graphs)))
            out.append(record)
    return out


def _supply_links(g: _Graph, parties: dict[str, FtmRecord]) -> list[FtmRecord]:
    out: list[FtmRecord] = []
    for r in sorted(g.types):
        if "SupplyRelationship" not in g.types[r]:
            continue
        suppliers = [parties[s].id for s in g.values(r, "supplier") if s in parties]
        customers = [parties[c].id for c in g.values(r, "customer") if c in parties]
        if not suppliers or not customers:
            continue
        kinds = g.values(r, "relationshipKind")
        described = []
        products = [g.label(p) for p in g.values(r, "suppliedProduct")]
        if products:
            described.append("Products: " + ", ".join(products) + ".")
        for reason in g.values(r, "endReason"):
            described.append("Ended: " + reason.rstrip(".") + ".")
        out.append(
            FtmRecord(
                id=ftm_id(r),
                schema="UnknownLink",
                properties=_props(
                    subject=suppliers,
                    object=customers,
                    role=[" and ".join(kinds) + " supplier" if kinds else "supplier"],
                    summary=[g.label(r)] if g.labels(r) else [],
                    description=[" ".join(described)],
                    startDate=g.values(r, "supplyStartDate"),
                    endDate=g.values(r, "supplyEndDate"),
                    recordId=[r],
                    **g.provenance(g.graphs(r) | g.name_graphs.get(r, set())),
                ),
            )
        )
    return out


def ftm_records(store: Any, min_confidence: str = MIN_CONFIDENCE) -> list[FtmRecord]:
    """Every party, listing, ownership and supply link of the graph as FtM records, sorted by id.

    Parameters
    ----------
    store : GraphStore
        The built graph (local store or remote endpoint), read through SPARQL only.
    min_confidence : str
        Claims below this confidence (``low``, ``medium``, ``high``) are left out.

    Returns
    -------
    list of FtmRecord
        Sorted by id. Links whose ends are not exported parties are left out.
    """
    g = _Graph(store, min_confidence)
    parties = _parties(g)
    records = [*parties.values(), *_sanctions(g, parties), *_ownerships(g, parties), *_supply_links(g, parties)]
    return sorted(records, key=lambda r: r.id)
