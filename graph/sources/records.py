"""The plain record of one source (title, publisher, date, URL...), shared by every loader.

Loaders of curated files and of datasets fill it; :mod:`graph.rdf.provenance` turns it into the
triples of the sources graph.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SourceRecord"]


@dataclass(frozen=True)
class SourceRecord:
    """One entry of the source registry."""

    id: str
    title: str
    publisher: str
    date: str
    url: str
    language: str
    kind: str
    note: str | None = None
    is_dataset: bool = False
    license: str | None = None
    release_commit: str | None = None
