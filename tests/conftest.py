"""Shared fixtures: one real build of the embedded data per test session.

Tests that only read the graph use ``built`` (the output folder) or ``store`` (a read-only
store over it); tests that change inputs copy the data into ``tmp_path`` themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a full build of the shipped data (store, files, analyses, site)."""
    from graph.build import build

    out = tmp_path_factory.mktemp("build")
    build(out)
    return out


@pytest.fixture(scope="session")
def store(built: Path):
    """A read-only store over the session build."""
    from graph.store.local import open_store

    return open_store(built)
