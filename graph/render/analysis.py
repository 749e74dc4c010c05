"""Bridge from the chokepoint analysis (``graph.chokepoints``) to what the pages draw.

The site calls :func:`run_analysis` once per render; it returns, per domestic accelerator, the
chokepoint rows of the tables and the marks of the graphs, as plain data. When the analysis
package is not installed it returns None and the pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AcceleratorAnalysis", "run_analysis"]


@dataclass
class AcceleratorAnalysis:
    """The chokepoints of one accelerator, ready to render.

    ``rows``: one dict per chokepoint with ``items`` (labels), ``order``, ``measures``
    (``label``, ``date``, ``iri``), ``domestic`` (text), ``explanation`` (lines) and ``sources``
    (``title``, ``publisher``, ``date``, ``url``). ``chokepoint_items`` and ``cut_providers`` map
    IRIs to tooltip notes; ``cut_pairs`` maps (item, provider) edges to notes.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    chokepoint_items: dict[str, list[str]] = field(default_factory=dict)
    cut_providers: dict[str, list[str]] = field(default_factory=dict)
    cut_pairs: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    measures: set[str] = field(default_factory=set)


def run_analysis(store: Any, accelerators: list[str], as_of: str | None = None,
                 scenario: Any = None) -> dict[str, AcceleratorAnalysis] | None:
    """Chokepoints of every accelerator in ``accelerators``, or None without ``graph.chokepoints``."""
    try:
        from graph import chokepoints as cp
    except ImportError:
        return None
    if not (hasattr(cp, "dependency_graph") and hasattr(cp, "chokepoints")):
        return None  # the package is still being written
    return _normalise_all(cp, store, accelerators, as_of, scenario)


def _normalise_all(cp: Any, store: Any, accelerators: list[str], as_of: str | None,
                   scenario: Any) -> dict[str, AcceleratorAnalysis]:
    raise NotImplementedError
