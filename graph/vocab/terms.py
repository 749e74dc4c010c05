"""Controlled values of chipgraph's vocabulary that code compares or checks against.

They live here, below every other layer, so that the loaders that check curated files, the RDF
writers that turn them into IRIs and the read model that filters by them share one spelling.
"""

from __future__ import annotations

__all__ = ["CONFIDENCE_LEVELS", "CONFIDENCE_RANK", "SOURCE_KINDS"]

#: Confidence levels, weakest first; ``cg:LowConfidence``, ``cg:MediumConfidence``, ``cg:HighConfidence``.
CONFIDENCE_LEVELS = ("low", "medium", "high")
#: Order of the confidence levels, for "at least medium" comparisons.
CONFIDENCE_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}
#: Kinds of source a curated source may be (``cg:sourceKind``).
SOURCE_KINDS = ("primary", "news", "analysis", "dataset", "mirror")
