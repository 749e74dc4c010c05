"""Read-side reports over the built graph: one entity with its sourced facts, counts, the source
registry, and conflicting claims. Plain data out; the CLI formats it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from graph.read.model import compact
from graph.store.local import GraphStore, Term
from graph.vocab.namespaces import ID, SOURCE


def _v(term: Term | None) -> str:
    """The lexical value of a bound column ("" when unbound; a quoted triple as N-Triples)."""
    if term is None:
        return ""
    if isinstance(term, Triple):
        return str(term)
    return term.value


def _c(term: Term | None) -> str:
    """An IRI column compacted (:func:`graph.read.model.compact`)."""
    return compact(_v(term))


def term_text(term: Term | None) -> str | None:
    """A readable form of a term: literals by value, IRIs compacted."""
    if term is None:
        return None
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, NamedNode):
        return compact(term.value)
    return str(term)


LABELS_QUERY = """
SELECT ?e ?label ?kind WHERE {
  { ?e rdfs:label ?label . BIND("label" AS ?kind) } UNION { ?e skos:altLabel ?label . BIND("alias" AS ?kind) }
}"""

#: The types the data asserts (the superclasses in cggraph:inferred are left out).
TYPES_QUERY = (
    "SELECT DISTINCT ?e ?type WHERE { ?e a ?type FILTER NOT EXISTS { GRAPH cggraph:inferred { ?e a ?type } } }"
)

CLAIMS_OUT_QUERY = """
SELECT ?e ?g ?p ?o ?olabel ?conf ?src ?from ?until WHERE {
  GRAPH ?g { ?e ?p ?o }
  FILTER(?p NOT IN (rdf:type, rdfs:label, skos:altLabel))
  FILTER(?g NOT IN (cggraph:provenance, cggraph:ontology, cggraph:inferred))
  OPTIONAL { ?g cg:confidence ?c . ?c rdfs:label ?conf }
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?g cg:validFrom ?from }
  OPTIONAL { ?g cg:validUntil ?until }
  OPTIONAL { ?o rdfs:label ?olabel FILTER(LANG(?olabel) = "en") }
}"""

CLAIMS_IN_QUERY = """
SELECT ?e ?g ?s ?p ?slabel ?conf ?src WHERE {
  GRAPH ?g { ?s ?p ?e }
  FILTER(?g NOT IN (cggraph:provenance, cggraph:ontology, cggraph:inferred) && ?p != cg:providedInput)
  OPTIONAL { ?g cg:confidence ?c . ?c rdfs:label ?conf }
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?s rdfs:label ?slabel FILTER(LANG(?slabel) = "en") }
}"""

PROVIDERS_QUERY = """
SELECT ?e ?provider ?plabel ?iscountry ?clabel ?share ?year ?text ?src WHERE {
  GRAPH ?g { ?prov cg:providedInput ?e ; cg:provider ?provider . }
  OPTIONAL { ?prov cg:sharePercent ?share }
  OPTIONAL { ?prov cg:year ?year }
  OPTIONAL { ?prov cg:sourceText ?text }
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?provider rdfs:label ?plabel FILTER(LANG(?plabel) = "en") }
  OPTIONAL { ?provider cg:country ?country . ?country rdfs:label ?clabel FILTER(LANG(?clabel) = "en") }
  BIND(EXISTS { ?provider a ?jur . ?jur rdfs:subClassOf* cg:Jurisdiction } AS ?iscountry)
}"""

#: Every listing that names the entity, or an organisation whose parent it is, with its list,
#: dates, Federal Register events, footnotes and sources: curated cg:EntityListing measures and
#: imported cg:ListEntry entries alike.
LISTINGS_QUERY = """
SELECT ?e ?entry ?elabel ?kind ?list ?party ?plabel ?eff ?end
       (GROUP_CONCAT(DISTINCT ?cit; separator="; ") AS ?citations)
       (GROUP_CONCAT(DISTINCT STR(?fn); separator=" ") AS ?footnotes)
       (GROUP_CONCAT(DISTINCT ?legal; separator=" | ") AS ?legal_citation)
       (GROUP_CONCAT(DISTINCT STRAFTER(STR(?src), STR(cgsrc:)); separator=" ") AS ?sources)
WHERE {
  PARTY
  ?entry cg:listsParty ?party ; a ?cls . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?entry a ?cls } }
  VALUES (?cls ?kind) { (cg:ListEntry "list entry") (cg:EntityListing "curated listing") }
  GRAPH ?g { ?entry cg:listsParty ?party }
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?entry rdfs:label ?elabel FILTER(LANG(?elabel) = "en") }
  OPTIONAL { ?entry cg:onList/rdfs:label ?list FILTER(LANG(?list) = "en") }
  OPTIONAL { ?party rdfs:label ?plabel FILTER(LANG(?plabel) = "en") }
  OPTIONAL { ?entry cg:effectiveDate ?eff }
  OPTIONAL { ?entry cg:endDate ?end }
  OPTIONAL { ?entry cg:legalCitation ?legal }
  OPTIONAL { ?entry cg:footnote ?fn }
  OPTIONAL {
    ?entry cg:federalRegisterEvent ?fr . ?fr cg:frVolume ?vol ; cg:frPage ?page .
    OPTIONAL { ?fr cg:frPublicationDate ?frdate }
    BIND(CONCAT(STR(?vol), " FR ", STR(?page), IF(BOUND(?frdate), CONCAT(", ", STR(?frdate)), "")) AS ?cit)
  }
}
GROUP BY ?e ?entry ?elabel ?kind ?list ?party ?plabel ?eff ?end
ORDER BY ?eff ?list ?plabel ?entry"""

SOURCES_QUERY = """
SELECT ?src ?id ?title ?publisher ?date ?kind ?url ?lang (COUNT(DISTINCT ?g) AS ?claims) WHERE {
  ?src a cg:Source ; dcterms:identifier ?id ; dcterms:title ?title .
  OPTIONAL { ?src cg:publisher ?publisher }
  OPTIONAL { ?src dcterms:date ?date }
  OPTIONAL { ?src cg:sourceKind ?kind }
  OPTIONAL { ?src cg:url ?url }
  OPTIONAL { ?src dcterms:language ?lang }
  OPTIONAL { ?g cg:statedIn ?src }
} GROUP BY ?src ?id ?title ?publisher ?date ?kind ?url ?lang ORDER BY ?id"""

SOURCE_CLAIMS_QUERY = """
SELECT ?src ?g ?s ?slabel ?p ?o ?olabel ?conf WHERE {
  ?g cg:statedIn ?src .
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { ?g cg:confidence ?c . ?c rdfs:label ?conf }
  OPTIONAL { ?s rdfs:label ?slabel FILTER(LANG(?slabel) = "en") }
  OPTIONAL { ?o rdfs:label ?olabel FILTER(LANG(?olabel) = "en") }
} ORDER BY ?s ?p ?o"""

CLASS_COUNTS_QUERY = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(cg:))) FILTER NOT EXISTS { GRAPH cggraph:inferred { ?s a ?class } }
} GROUP BY ?class ORDER BY DESC(?n) ?class"""

MISSING_DATES_QUERY = """
SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  { ?s a/rdfs:subClassOf* cg:ExportControlMeasure . FILTER NOT EXISTS { ?s cg:effectiveDate ?d }
    BIND("measure without effectiveDate" AS ?kind) }
  UNION { ?s a cg:Deployment . FILTER NOT EXISTS { ?s cg:deploymentDate ?d }
    BIND("deployment without deploymentDate" AS ?kind) }
  UNION { ?s a/rdfs:subClassOf* cg:FigureClaim . FILTER NOT EXISTS { ?s cg:claimDate ?d }
    BIND("figure claim without claimDate" AS ?kind) }
  UNION { ?s a cg:Provision . FILTER NOT EXISTS { ?s cg:year ?d } BIND("provision without year" AS ?kind) }
} GROUP BY ?kind ORDER BY ?kind"""

CONFLICT_VALUES_QUERY = """
SELECT ?s ?slabel ?p ?o ?olabel ?g ?conf ?src WHERE {
  ?p cg:expectsSingleValue true .
  GRAPH ?g { ?s ?p ?o }
  FILTER EXISTS { GRAPH ?g2 { ?s ?p ?o2 } FILTER(?o2 != ?o && ?g2 != cggraph:inferred) }
  FILTER(?g != cggraph:inferred)
  OPTIONAL { ?g cg:confidence ?c . ?c rdfs:label ?conf }
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?s rdfs:label ?slabel FILTER(LANG(?slabel) = "en") }
  OPTIONAL { ?o rdfs:label ?olabel FILTER(LANG(?olabel) = "en") }
} ORDER BY ?s ?p ?o"""

#: The curators' note on each claim graph (``rdfs:comment`` on the graph, in the provenance graph).
NOTES_QUERY = """
SELECT ?g ?note WHERE {
  GRAPH cggraph:provenance { ?g a cg:Assertion ; rdfs:comment ?note }
} ORDER BY ?g ?note"""

#: The notes on the claim graphs that state something of one entity (``$e``), as subject or object:
#: what :func:`entity_report` shows, without reading the notes of every claim (0.07 s of ``show``).
ENTITY_NOTES_QUERY = """
SELECT ?e ?g ?note WHERE {
  { GRAPH ?g { ?e ?p ?o } } UNION { GRAPH ?g { ?s ?p ?e } }
  GRAPH cggraph:provenance { ?g a cg:Assertion ; rdfs:comment ?note }
} ORDER BY ?g ?note"""

CONTRADICTIONS_QUERY = """
SELECT ?g ?other ?s ?slabel ?p ?o ?olabel ?conf ?src WHERE {
  { ?g cg:contradicts ?other } UNION { ?other cg:contradicts ?g }
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { ?g cg:confidence ?c . ?c rdfs:label ?conf }
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?s rdfs:label ?slabel FILTER(LANG(?slabel) = "en") }
  OPTIONAL { ?o rdfs:label ?olabel FILTER(LANG(?olabel) = "en") }
} ORDER BY ?g"""


def _source_id(term: Term | None) -> str | None:
    if isinstance(term, NamedNode) and term.value.startswith(SOURCE):
        return term.value[len(SOURCE) :]
    return term_text(term)


def _value(term: Term | None, label: Term | None) -> str | None:
    if isinstance(term, NamedNode) and label is not None:
        return _v(label)
    return term_text(term)


def _agg(row: Any, name: str) -> str:
    """The text of an aggregated or optional column ("" when unbound)."""
    term = row[name]
    return term.value if term is not None else ""


def claim_notes(store: GraphStore, entity: NamedNode | None = None) -> dict[str, str]:
    """Compacted claim graph IRI (``cgclaim:...``) -> the curators' note on it (notes of one graph joined).

    With ``entity``, only the notes of claims that state something of it."""
    notes: dict[str, list[str]] = defaultdict(list)
    rows = store.select(NOTES_QUERY) if entity is None else store.select(ENTITY_NOTES_QUERY, {"e": entity})
    for row in rows:
        graph, note = row["g"], row["note"]
        if isinstance(graph, NamedNode) and isinstance(note, Literal) and note.value.strip():
            notes[compact(graph.value)].append(note.value.strip())
    return {g: " ".join(dict.fromkeys(texts)) for g, texts in notes.items()}


def _with_notes(rows: list[dict[str, Any]], notes: dict[str, str]) -> list[dict[str, Any]]:
    """Each row (which has a ``claim``) with the ``note`` of its claim graph, or None."""
    for row in rows:
        row["note"] = notes.get(row["claim"])
    return rows


def _group_claims(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Merge SPARQL rows of one claim graph (one row per source) into one dict with a source list."""
    merged: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        entry = merged.setdefault(key, {**{k: v for k, v in row.items() if k != "source"}, "sources": []})
        if row.get("source") and row["source"] not in entry["sources"]:
            entry["sources"].append(row["source"])
    out = list(merged.values())
    for entry in out:
        entry["sources"].sort()
    return out


def entity_report(store: GraphStore, iri: str) -> dict[str, Any]:
    """Everything the graph says about one entity, each claim with its sources and confidence."""
    e = {"e": NamedNode(iri)}
    labels: dict[str, list[str]] = defaultdict(list)
    aliases: list[str] = []
    for row in store.select(LABELS_QUERY, e):
        lit = row["label"]
        if not isinstance(lit, Literal):
            continue
        if _v(row["kind"]) == "alias":
            aliases.append(lit.value)
        else:
            labels[lit.language or ""].append(lit.value)
    types = sorted(_c(r["type"]) for r in store.select(TYPES_QUERY, e))
    facts = _group_claims(
        [
            {
                "property": _c(r["p"]),
                "value": _value(r["o"], r["olabel"]),
                "confidence": term_text(r["conf"]),
                "valid_from": term_text(r["from"]),
                "valid_until": term_text(r["until"]),
                "claim": _c(r["g"]),
                "source": _source_id(r["src"]),
            }
            for r in store.select(CLAIMS_OUT_QUERY, e)
        ],
        ("claim", "property", "value"),
    )
    facts.sort(key=lambda f: (f["property"], str(f["value"]), f["claim"]))
    referenced_by = _group_claims(
        [
            {
                "subject": _value(r["s"], r["slabel"]),
                "property": _c(r["p"]),
                "confidence": term_text(r["conf"]),
                "claim": _c(r["g"]),
                "source": _source_id(r["src"]),
            }
            for r in store.select(CLAIMS_IN_QUERY, e)
        ],
        ("claim", "subject", "property"),
    )
    referenced_by.sort(key=lambda f: (f["property"], str(f["subject"]), f["claim"]))
    providers = []
    for r in store.select(PROVIDERS_QUERY, e):
        providers.append(
            {
                "provider": _value(r["provider"], r["plabel"]),
                "kind": "country" if r["iscountry"] is not None and _v(r["iscountry"]) == "true" else "firm",
                "country": term_text(r["clabel"]),
                "share_percent": float(_v(r["share"])) if r["share"] is not None else None,
                "year": term_text(r["year"]),
                "source_text": term_text(r["text"]),
                "source": _source_id(r["src"]),
            }
        )
    notes = claim_notes(store, e["e"])
    _with_notes(facts, notes)
    _with_notes(referenced_by, notes)
    providers = [dict(t) for t in dict.fromkeys(tuple(p.items()) for p in providers)]
    providers.sort(key=lambda p: (str(p["kind"]), -float(p["share_percent"] or -1), str(p["provider"] or "")))
    listings = [
        {
            "listing": _c(r["entry"]),
            "label": term_text(r["elabel"]),
            "kind": _v(r["kind"]),
            "list": term_text(r["list"]),
            "party": _value(r["party"], r["plabel"]),
            "via": via or None,
            "effective": term_text(r["eff"]),
            "end": term_text(r["end"]),
            "federal_register": _agg(r, "citations").split("; ") if _agg(r, "citations") else [],
            "footnotes": [int(n) for n in _agg(r, "footnotes").split()] if _agg(r, "footnotes") else [],
            "legal_citation": term_text(r["legal_citation"]) or None,
            "sources": sorted(_agg(r, "sources").split()) if _agg(r, "sources") else [],
        }
        for via, pattern in (
            ("", "?entry cg:listsParty ?e . BIND(?e AS ?party)"),
            ("subsidiary", "?party cg:parentOrganisation ?e ."),
        )
        for r in store.select(LISTINGS_QUERY.replace("PARTY", pattern), e)
    ]
    return {
        "iri": iri,
        "id": iri[len(ID) :] if iri.startswith(ID) else iri,
        "listings": listings,
        "labels": {k: sorted(v) for k, v in sorted(labels.items())},
        "aliases": sorted(aliases),
        "types": types,
        "facts": facts,
        "referenced_by": referenced_by,
        "providers": providers,
    }


def class_counts(store: GraphStore) -> list[dict[str, Any]]:
    return [{"class": _c(r["class"]), "count": int(_v(r["n"]))} for r in store.select(CLASS_COUNTS_QUERY)]


def stats(store: GraphStore) -> dict[str, Any]:
    """Counts by class, of sources and claims, and facts lacking a date where one is required.

    ``triples`` and ``named_graphs`` count everything stored, the inferred graph included;
    ``inferred_triples`` says how much of it is entailed (cggraph:inferred), ``assertions`` counts
    the claim graphs only, and the class counts are of asserted types.
    """
    graphs = store.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    triples = store.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")[0]["n"]
    inferred = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH cggraph:inferred { ?s ?p ?o } }")[0]["n"]
    assertions = store.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a cg:Assertion }")[0]["n"]
    sources = store.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a cg:Source }")[0]["n"]
    missing = {_v(r["kind"]): int(_v(r["n"])) for r in store.select(MISSING_DATES_QUERY)}
    return {
        "triples": int(_v(triples)),
        "named_graphs": int(_v(graphs)),
        "inferred_triples": int(_v(inferred)),
        "assertions": int(_v(assertions)),
        "sources": int(_v(sources)),
        "classes": class_counts(store),
        "missing_dates": missing,
    }


def sources(store: GraphStore) -> list[dict[str, Any]]:
    """The source registry with the number of claims each source supports."""
    return [
        {
            "id": term_text(r["id"]),
            "title": term_text(r["title"]),
            "publisher": term_text(r["publisher"]),
            "date": term_text(r["date"]),
            "kind": term_text(r["kind"]),
            "language": term_text(r["lang"]),
            "url": term_text(r["url"]),
            "claims": int(_v(r["claims"])),
        }
        for r in store.select(SOURCES_QUERY)
    ]


def source_claims(store: GraphStore, source_id: str) -> list[dict[str, Any]]:
    """Every claim one source supports: subject, property, value, confidence, claim graph."""
    rows = store.select(SOURCE_CLAIMS_QUERY, {"src": NamedNode(SOURCE + source_id)})
    notes = claim_notes(store)
    return [
        {
            "subject": _value(r["s"], r["slabel"]),
            "property": _c(r["p"]),
            "value": _value(r["o"], r["olabel"]),
            "confidence": term_text(r["conf"]),
            "claim": _c(r["g"]),
            "note": notes.get(_c(r["g"])),
        }
        for r in rows
    ]


def conflicts(store: GraphStore) -> list[dict[str, Any]]:
    """Claims that disagree: two values of a single-valued property, or claims marked cg:contradicts.

    One row per claim; rows of one conflict share a ``conflict`` key.
    """
    rows = _group_claims(
        [
            {
                "conflict": f"{_c(r['s'])} {_c(r['p'])}",
                "kind": "different values",
                "subject": _value(r["s"], r["slabel"]),
                "property": _c(r["p"]),
                "value": _value(r["o"], r["olabel"]),
                "confidence": term_text(r["conf"]),
                "claim": _c(r["g"]),
                "source": _source_id(r["src"]),
            }
            for r in store.select(CONFLICT_VALUES_QUERY)
        ],
        ("claim",),
    )
    contra = _group_claims(
        [
            {
                "conflict": " vs ".join(sorted([_c(r["g"]), _c(r["other"])])),
                "kind": "contradicts",
                "subject": _value(r["s"], r["slabel"]),
                "property": _c(r["p"]),
                "value": _value(r["o"], r["olabel"]),
                "confidence": term_text(r["conf"]),
                "claim": _c(r["g"]),
                "source": _source_id(r["src"]),
            }
            for r in store.select(CONTRADICTIONS_QUERY)
        ],
        ("conflict", "claim"),
    )
    out = _with_notes(rows + contra, claim_notes(store))
    out.sort(key=lambda r: (r["kind"], r["conflict"], str(r["value"]), r["claim"]))
    return out


__all__ = ["entity_report", "stats", "sources", "source_claims", "conflicts", "claim_notes", "compact", "term_text"]
