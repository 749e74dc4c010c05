"""How fresh the graph is: the newest date held for each kind of dated fact.

``chipgraph stats`` shows these so that staleness is visible: if the newest measure is months
older than the newest source, measures have not been kept up to date. Dates of mixed precision
(a day, a month or a year) are compared as ISO text, which orders them correctly except that a
bare year sorts before the days of that year.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph.store.local import GraphStore
from graph.vocab.namespaces import CG, DCTERMS

__all__ = ["DATED_FACTS", "newest_dates"]

#: Kinds of dated fact, in display order: (kind, property IRI).
DATED_FACTS: tuple[tuple[str, str], ...] = (
    ("measure announcements", CG + "announcementDate"),
    ("measure effective dates", CG + "effectiveDate"),
    ("measure end dates", CG + "endDate"),
    ("suspensions (start)", CG + "suspendedFrom"),
    ("suspensions (end)", CG + "suspendedUntil"),
    ("supply relationships (start)", CG + "supplyStartDate"),
    ("supply relationships (end)", CG + "supplyEndDate"),
    ("deployments", CG + "deploymentDate"),
    ("figure claims", CG + "claimDate"),
    ("product and model releases", CG + "releaseDate"),
    ("stock listings", CG + "listingDate"),
    ("sources", DCTERMS + "date"),
)
#: Entries of the imported restricted-party lists carry cg:effectiveDate too; they are counted on
#: their own row, so the curated measures' newest date stays visible beside the bulk lists'.
LIST_ENTRIES = ("restricted-party list entries", CG + "effectiveDate")

_QUERY = """
SELECT ?p (MAX(STR(?d)) AS ?newest) (COUNT(?d) AS ?count) WHERE {
  VALUES ?p { %s }
  ?s ?p ?d .
  FILTER NOT EXISTS { ?s a cg:ListEntry }
}
GROUP BY ?p
"""

_LIST_QUERY = """
SELECT (MAX(STR(?d)) AS ?newest) (COUNT(?d) AS ?count) WHERE { ?s a cg:ListEntry ; cg:effectiveDate ?d }
"""


def newest_dates(store: GraphStore) -> list[dict[str, Any]]:
    """The newest date and the number of dates of each kind in :data:`DATED_FACTS`.

    Returns one dict per kind, in display order: ``kind``, ``property`` (IRI), ``newest``
    (ISO text, or None when the graph holds no such date) and ``count``.

    Examples
    --------
    >>> from graph.store.local import memory_store
    >>> [r["newest"] for r in newest_dates(memory_store([]))][:2]
    [None, None]
    """
    rows = store.select(_QUERY % " ".join(f"<{iri}>" for _, iri in DATED_FACTS))
    found: dict[str, tuple[str | None, int]] = {}
    for row in rows:
        prop, newest, count = row.get("p"), row.get("newest"), row.get("count")
        if isinstance(prop, ox.NamedNode):
            found[prop.value] = (
                newest.value if isinstance(newest, ox.Literal) else None,
                int(count.value) if isinstance(count, ox.Literal) else 0,
            )
    out = []
    for kind, iri in DATED_FACTS:
        newest_text, number = found.get(iri, (None, 0))
        out.append({"kind": kind, "property": iri, "newest": newest_text, "count": number})
    [row] = store.select(_LIST_QUERY) or [{}]
    newest, count = row.get("newest"), row.get("count")
    if isinstance(count, ox.Literal) and int(count.value):
        kind, iri = LIST_ENTRIES
        text = newest.value if isinstance(newest, ox.Literal) else None
        out.append({"kind": kind, "property": iri, "newest": text, "count": int(count.value)})
    return out
