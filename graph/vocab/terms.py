"""Controlled values of chipgraph's vocabulary that code compares or checks against.

They live here, below every other layer, so that the loaders that check curated files, the RDF
writers that turn them into IRIs and the read model that filters by them share one spelling.
"""

from __future__ import annotations

import pyoxigraph as ox

__all__ = ["CONFIDENCE_LEVELS", "CONFIDENCE_RANK", "SOURCE_KINDS", "term_value"]

#: Confidence levels, weakest first; ``cg:LowConfidence``, ``cg:MediumConfidence``, ``cg:HighConfidence``.
CONFIDENCE_LEVELS = ("low", "medium", "high")
#: Order of the confidence levels, for "at least medium" comparisons.
CONFIDENCE_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}
#: Kinds of source a curated source may be (``cg:sourceKind``).
SOURCE_KINDS = ("primary", "news", "analysis", "dataset", "mirror")


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    """The lexical value of a term: an IRI's text, a blank node's id or a literal's lexical form.

    pyoxigraph types a triple's subject or a quad's graph name as a union that also holds quoted
    triples and the default graph, which have no lexical value: they raise TypeError.
    """
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term.value
    raise TypeError(f"{term!r} has no lexical value")
