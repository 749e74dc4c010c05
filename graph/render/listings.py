"""The listings page's data: every imported restricted-party list entry, read through SPARQL.

One row per list entry (``cg:ListEntry``, i.e. a listing with ``cg:onList``): the list, the
party's names in every language the graph has (``rdfs:label`` and ``skos:altLabel``), its
country, the date of listing (``cg:effectiveDate``), the legal citation and, where the party is a
curated organisation with a supply-chain role (a foundry, a chip designer, a provider...), the
role's class labels and links to the accelerator pages that name it. Rows come sorted by list,
date and name, so the page is the same bytes for the same store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from graph.vocab.namespaces import CG

__all__ = ["listing_rows", "search_text"]

_Q_ENTRIES = """SELECT ?entry ?list ?listLabel ?party ?eff ?end ?cite ?iso WHERE {
  ?entry cg:listsParty ?party ; cg:effectiveDate ?eff ; cg:onList ?list .
  OPTIONAL { ?entry cg:endDate ?end }
  OPTIONAL { ?list rdfs:label ?listLabel FILTER(LANGMATCHES(LANG(?listLabel), "en")) }
  OPTIONAL { ?entry cg:legalCitation ?cite }
  OPTIONAL { ?party cg:country ?c . ?c cg:iso3 ?iso }
}"""
_Q_NAMES = """SELECT DISTINCT ?party ?p ?name WHERE {
  ?entry cg:listsParty ?party ; cg:onList ?list .
  VALUES ?p { rdfs:label skos:altLabel } ?party ?p ?name }"""
# Asserted cg: classes of listed parties beyond the generic ones: the party's curated role.
_Q_ROLES = """SELECT DISTINCT ?party ?label WHERE {
  ?entry cg:listsParty ?party ; cg:onList ?list .
  ?party a ?t . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?party a ?t } }
  FILTER(STRSTARTS(STR(?t), STR(cg:)) && ?t NOT IN (cg:Party, cg:Organisation, cg:Person))
  ?t rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }"""
# Entities pointing at a listed party with a cg: property (an accelerator fabricatedBy a foundry).
_Q_LINKS = """SELECT DISTINCT ?party ?s ?p WHERE {
  ?entry cg:listsParty ?party ; cg:onList ?list .
  ?s ?p ?party . FILTER(STRSTARTS(STR(?p), STR(cg:)) && ?p != cg:listsParty) }"""

_LANG_ORDER = {"en": 0, "zh": 1, "": 9}


def _v(term: Any) -> str:
    return "" if term is None else str(term.value)


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def search_text(row: Mapping[str, Any]) -> str:
    """The lower-cased text the page's filter box searches: every name, the list and the country.

    >>> search_text({"name": "SMIC", "names": ["中芯国际"], "list": "Entity List", "country": "CHN"})
    'smic 中芯国际 entity list chn'
    """
    parts = [row["name"], *row["names"], row["list"], row["country"]]
    return " ".join(p for p in parts if p).lower()


def listing_rows(store: Any, pages: Mapping[str, str] | None = None, as_of: str | None = None) -> list[dict[str, Any]]:
    """One dict per list entry: list, name, names, country, date, end, citation, roles, links, search.

    Parameters
    ----------
    store : GraphStore
        The built graph, read through SPARQL only.
    pages : mapping of str to str, optional
        Entity IRI -> page file name (the site's accelerator pages); an entity with a page that
        names a listed party with a ``cg:`` property (e.g. ``cg:fabricatedBy``) becomes a link.
    as_of : str, optional
        ``YYYY-MM-DD``: leave out entries listed after this day. Entries removed by then
        (``cg:endDate``) stay, with ``end`` set, so the page can say so; ``end`` is "" otherwise.

    Returns
    -------
    list of dict
        Sorted by list label, date of listing, name (case-folded) and entry IRI. ``names`` holds
        the party's other names (other languages and aliases), ``roles`` its curated classes
        (``"Foundry"``), ``links`` dicts of ``label``, ``page`` and ``rel`` (the property's local name).
    """
    pages = pages or {}
    names: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for r in store.select(_Q_NAMES):
        term = r["name"]
        lang = getattr(term, "language", None) or ""
        kind = 0 if _v(r["p"]).endswith("label") else 1
        names[_v(r["party"])].append((kind * 10 + _LANG_ORDER.get(lang, 5), lang, _v(term)))
    roles: dict[str, set[str]] = defaultdict(set)
    for r in store.select(_Q_ROLES):
        roles[_v(r["party"])].add(_v(r["label"]))
    links: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in store.select(_Q_LINKS):
        s = _v(r["s"])
        if s in pages:
            links[_v(r["party"])].add((s, _v(r["p"]).removeprefix(CG)))
    labels = _labels(store, {s for pairs in links.values() for s, _ in pairs})

    entries: dict[str, dict[str, Any]] = {}
    for r in store.select(_Q_ENTRIES):
        iri = _v(r["entry"])
        if as_of is not None and _v(r["eff"]) > as_of:
            continue
        row = entries.get(iri)
        if row is None:
            party = _v(r["party"])
            ordered = [n for _, _, n in sorted(names.get(party, []))]
            unique = list(dict.fromkeys(ordered)) or [_local(party)]
            row = entries[iri] = {
                "entry": iri,
                "list": _v(r["listLabel"]) or _local(_v(r["list"])),
                "party": party,
                "name": unique[0],
                "names": unique[1:],
                "countries": set(),
                "date": _v(r["eff"]),
                "end": _v(r["end"]),
                "citations": set(),
                "roles": sorted(roles.get(party, set())),
                "links": [
                    {"label": labels.get(s, _local(s)), "page": pages[s], "rel": rel}
                    for s, rel in sorted(links.get(party, set()), key=lambda p: (labels.get(p[0], p[0]).lower(), p))
                ],
            }
        if r["iso"] is not None:
            row["countries"].add(_v(r["iso"]))
        if r["cite"] is not None:
            row["citations"].add(_v(r["cite"]))
    rows = []
    for row in entries.values():
        row["country"] = " ".join(sorted(row.pop("countries")))
        row["citation"] = "; ".join(sorted(row.pop("citations")))
        row["search"] = search_text(row)
        rows.append(row)
    rows.sort(key=lambda r: (r["list"].lower(), r["date"], r["name"].casefold(), r["entry"]))
    return rows


def _labels(store: Any, iris: set[str]) -> dict[str, str]:
    """English (else any) labels of ``iris``."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    out: dict[str, str] = {}
    q = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s rdfs:label ?l }} ORDER BY ?s ?l"
    for r in store.select(q):
        lang = getattr(r["l"], "language", None) or ""
        s = _v(r["s"])
        if lang == "en" or s not in out:
            out[s] = _v(r["l"])
    return out
