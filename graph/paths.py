"""Where chipgraph finds its shipped files and writes its outputs.

The ontology, shapes and named queries live in the top-level ``ontology/`` folder of the
repository and are installed as the package ``graph.ontology_data`` (see pyproject.toml), so
an installed copy finds them too. Curated facts and the ETO release live in ``graph/data/``.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
CURATED_DIR = DATA_DIR / "curated"
ETO_DIR = DATA_DIR / "eto"
SCENARIOS_DIR = DATA_DIR / "scenarios"
ASSETS_DIR = PACKAGE_DIR / "render" / "assets"
TEMPLATES_DIR = PACKAGE_DIR / "render" / "templates"


def ontology_dir() -> Path:
    """The folder holding chipgraph.ttl, shapes.ttl and queries/ (``$CHIPGRAPH_ONTOLOGY_DIR`` overrides)."""
    override = os.environ.get("CHIPGRAPH_ONTOLOGY_DIR")
    if override:
        return Path(override)
    repo_copy = PACKAGE_DIR.parent / "ontology"
    if (repo_copy / "chipgraph.ttl").exists():
        return repo_copy
    installed = PACKAGE_DIR / "ontology_data"
    if (installed / "chipgraph.ttl").exists():
        return installed
    raise FileNotFoundError("cannot find the chipgraph ontology (ontology/chipgraph.ttl)")


def ontology_file() -> Path:
    return ontology_dir() / "chipgraph.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def queries_dir() -> Path:
    return ontology_dir() / "queries"


def default_output_dir() -> Path:
    """``$CHIPGRAPH_OUTPUT`` if set, else ``./output``."""
    return Path(os.environ.get("CHIPGRAPH_OUTPUT", "output"))
