"""Find an entity by any of its names: a label or alias in any language, or its id.

Matching is case-insensitive and ignores surrounding spaces; unknown names raise
:class:`NotFoundError` with "did you mean" suggestions drawn from every label and alias.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from graph.errors import NotFoundError
from graph.store.local import GraphStore
from graph.vocab.namespaces import ID, entity_id_of

NAMES_QUERY = """
SELECT ?entity ?name ?kind WHERE {
  { ?entity rdfs:label ?name . BIND("label" AS ?kind) }
  UNION
  { ?entity skos:altLabel ?name . BIND("alias" AS ?kind) }
  FILTER(STRSTARTS(STR(?entity), STR(cgid:)))
}
"""


@dataclass(frozen=True)
class Match:
    """An entity found by name."""

    iri: str
    id: str
    name: str
    kind: str  # "id", "label" or "alias"


def normalise(name: str) -> str:
    """Case- and width-insensitive form of a name (NFKC, casefold, single spaces)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_index(store: GraphStore) -> dict[str, list[Match]]:
    """Every normalised name -> the entities that carry it (labels first, then aliases)."""
    index: dict[str, list[Match]] = {}
    seen: set[str] = set()
    for row in store.select(NAMES_QUERY):
        iri = row["entity"].value
        match = Match(iri=iri, id=entity_id_of(iri) or iri, name=row["name"].value, kind=row["kind"].value)
        index.setdefault(normalise(match.name), []).append(match)
        if iri not in seen:
            seen.add(iri)
            index.setdefault(normalise(match.id), []).append(Match(iri, match.id, match.id, "id"))
    return index


def resolve_entity(store: GraphStore, name: str, *, index: dict[str, list[Match]] | None = None) -> Match:
    """The one entity called ``name``; raise NotFoundError (with suggestions) or on ambiguity."""
    index = index if index is not None else name_index(store)
    key = normalise(name)
    if key.startswith(normalise(ID)):
        key = normalise(key[len(ID) :])
    found = index.get(key, [])
    by_iri: dict[str, Match] = {}
    for m in sorted(found, key=lambda m: ("id", "label", "alias").index(m.kind)):
        by_iri.setdefault(m.iri, m)
    if len(by_iri) == 1:
        return next(iter(by_iri.values()))
    if len(by_iri) > 1:
        strongest = min(("id", "label", "alias").index(m.kind) for m in by_iri.values())
        best = [m for m in by_iri.values() if ("id", "label", "alias").index(m.kind) == strongest]
        if len(best) == 1:
            return best[0]
        options = ", ".join(sorted(m.id for m in best))
        raise NotFoundError(f"{name!r} names several entities: {options}; use the id instead")
    close = difflib.get_close_matches(key, list(index), n=5, cutoff=0.6)
    if not close:
        close = sorted(k for k in index if key and key in k)[:5]
    hint = ""
    if close:
        names = []
        for k in close:
            m = index[k][0]
            names.append(m.name if m.kind != "id" else m.id)
        hint = "; did you mean " + ", ".join(repr(n) for n in dict.fromkeys(names)) + "?"
    raise NotFoundError(f"no entity is called {name!r}{hint}")
