"""Score the chokepoint ranking against chokepoints that published analyses name.

The reference (``graph/data/reference/expert-chokepoints.yaml``, see the README there) lists
chokepoints of China's advanced AI chips that analysts name (EUV, HBM, EDA, metrology...), each
with its sources and the finding keys, ETO input ids or provider ids that count as finding it,
and the review's artefacts (``not_chokepoints``) that an expert would not sign.

A ranked finding *matches* a reference entry when its key, one of its providers, or one of the
items it cuts off or would take away (in any accelerator) is among the entry's ``match`` ids; a
cut-off whose servicing is cut as well also matches ``servicing:<item>``. An artefact may be
given by its finding ``key`` alone (``providers:a+b`` then also matches the providers a and b).
Precision is the share of ranked findings that match some entry; recall the share of entries
that some ranked finding matches. Findings that match an artefact are listed apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InputError, Problem
from graph.paths import DATA_DIR

__all__ = ["ReferenceEntry", "load_reference", "score", "REFERENCE_FILE"]

REFERENCE_FILE = DATA_DIR / "reference" / "expert-chokepoints.yaml"


@dataclass(frozen=True)
class ReferenceEntry:
    """One chokepoint an analysis names (or, in ``not_chokepoints``, an artefact)."""

    id: str
    label: str
    match: frozenset[str]
    sources: tuple[str, ...]


def _entries(doc: Mapping[str, Any], section: str, path: Path) -> list[ReferenceEntry]:
    out = []
    for i, raw in enumerate(doc.get(section) or []):
        if not isinstance(raw, Mapping):
            raise InputError(Problem(f"{section}[{i}] must be a mapping", path))
        ident = raw.get("id") or raw.get("key")
        match = list(raw.get("match") or [])
        key = str(raw.get("key") or "")
        if key:  # a finding key names itself and, for providers:a+b, the providers a and b
            match += [key, *key.removeprefix("providers:").split("+")] if key.startswith("providers:") else [key]
        if not ident or not match:
            raise InputError(
                Problem(
                    f"{section}[{i}] needs an id and a match list (or a finding key)",
                    path,
                    hint="see graph/data/reference/README.md",
                )
            )
        urls = tuple(str(s.get("url", "")) if isinstance(s, Mapping) else str(s) for s in raw.get("sources") or [])
        label = str(raw.get("label", ident))
        out.append(ReferenceEntry(str(ident), label, frozenset(map(str, match)), urls))
    return out


def load_reference(path: str | Path = REFERENCE_FILE) -> tuple[list[ReferenceEntry], list[ReferenceEntry]]:
    """(chokepoints, not_chokepoints) of a reference file; InputError with the file on a bad entry."""
    from graph.sources.yamlload import load_yaml

    path = Path(path)
    doc = load_yaml(path)
    if not isinstance(doc, Mapping):
        raise InputError(Problem("a reference file is a mapping with 'chokepoints' and 'not_chokepoints'", path))
    chokepoints = _entries(doc, "chokepoints", path)
    if not chokepoints:
        raise InputError(Problem("the reference names no chokepoints", path))
    for e in chokepoints:
        if not e.sources:
            raise InputError(Problem(f"reference chokepoint {e.id!r} has no source", path))
    return chokepoints, _entries(doc, "not_chokepoints", path)


def _finding_ids(results: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Finding key -> the ids it is about: the key, its providers and the items it takes away."""
    ids: dict[str, set[str]] = defaultdict(set)
    for res in results:
        for row in res["chokepoints"]:
            ids[row["key"]] |= {row["key"], *row.get("providers", ()), *row.get("items", ())}
            if row.get("servicing_cut_by"):  # the installed base of these items decays
                ids[row["key"]] |= {f"servicing:{item}" for item in row.get("items", ())}
    return ids


def score(
    ranking: Iterable[Mapping[str, Any]],
    results: Iterable[Mapping[str, Any]],
    reference: tuple[list[ReferenceEntry], list[ReferenceEntry]],
) -> dict[str, Any]:
    """Precision and recall of ``ranking`` (rows of :func:`metrics.ranking`) against ``reference``.

    ``results`` are the per-accelerator results the ranking was made from (for the items each
    finding takes away). Returns precision, recall, and which rows and entries matched.
    """
    chokepoints, artefacts = reference
    about = _finding_ids(results)
    rows = list(ranking)
    matched_rows: dict[str, list[str]] = {}
    artefact_rows: dict[str, list[str]] = {}
    for row in rows:
        ids = about.get(row["key"], {row["key"]})
        matched_rows[row["key"]] = sorted(e.id for e in chokepoints if e.match & ids)
        artefact_rows[row["key"]] = sorted(e.id for e in artefacts if e.match & ids)
    found = sorted({e for es in matched_rows.values() for e in es})
    n = len(rows)
    return {
        "precision": round(sum(1 for v in matched_rows.values() if v) / n, 3) if n else 0.0,
        "recall": round(len(found) / len(chokepoints), 3),
        "findings": n,
        "matched": {k: v for k, v in matched_rows.items() if v},
        "unmatched": sorted(k for k, v in matched_rows.items() if not v),
        "artefacts": {k: v for k, v in artefact_rows.items() if v},
        "found": found,
        "missed": sorted(e.id for e in chokepoints if e.id not in found),
    }
