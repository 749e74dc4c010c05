"""IRIs of the chipgraph vocabulary, its data and its named graphs.

One module owns every IRI pattern so that identifiers stay deterministic: an entity's IRI is
derived from its slug, a claim graph's IRI from the claim's content, never from a counter.
"""

from __future__ import annotations

import hashlib
import re

from pyoxigraph import NamedNode

# Re-exported: the id patterns live with the other strict lexical checks (``\Z``, not ``$``).
from graph.lexical import COUNTRY_RE, MAX_ID_LENGTH, SLUG_RE  # noqa: F401

BASE = "https://w3id.org/chipgraph"
CG = BASE + "#"
ID = BASE + "/id/"
SOURCE = BASE + "/source/"
CLAIM = BASE + "/claim/"
GRAPH = BASE + "/graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
SOURCES_GRAPH = GRAPH + "sources"
PROVENANCE_GRAPH = GRAPH + "provenance"
ETO_GRAPH = GRAPH + "eto"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"

#: Prefixes used in serialisations and offered to SPARQL queries.
PREFIXES: dict[str, str] = {
    "cg": CG,
    "cgid": ID,
    "cgsrc": SOURCE,
    "cgclaim": CLAIM,
    "cggraph": GRAPH,
    "dcterms": DCTERMS,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
}


def slugify(text: str) -> str:
    """Turn a name into a lowercase ``[a-z0-9-]`` slug ("EUV lithography tools" -> "euv-lithography-tools")."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "x"


def cg(local: str) -> NamedNode:
    """A term of the chipgraph ontology by its local name."""
    return NamedNode(CG + local)


def entity_iri(entity_id: str) -> NamedNode:
    """The IRI of an entity: ``<ID><slug>``; countries use their upper-case ISO 3166 alpha-3 code."""
    return NamedNode(ID + entity_id)


def entity_id_of(iri: str) -> str | None:
    """Inverse of :func:`entity_iri`; None for IRIs outside the data namespace."""
    if not iri.startswith(ID):
        return None
    return iri[len(ID) :]


def source_iri(source_id: str) -> NamedNode:
    """The IRI of a source in the registry."""
    return NamedNode(SOURCE + source_id)


def claim_iri(subject_id: str, prop: str, value: str, sources: list[str]) -> NamedNode:
    """A deterministic, readable IRI for the named graph of one claim.

    The hash covers the value and the sources, so the same value stated by different sources
    in separate facts gets separate graphs, and re-running a build gives the same IRI.
    """
    digest = hashlib.sha1("\x1f".join([value, *sorted(sources)]).encode()).hexdigest()[:10]
    return NamedNode(f"{CLAIM}{subject_id}_{prop}_{digest}")
