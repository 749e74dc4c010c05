"""chipgraph: a sourced knowledge graph of the supply chain behind China's AI accelerators.

Importing the package does no work; the modules are loaded by the commands that need them.
For notebooks, :mod:`graph.api` is a small facade, loaded on first use::

    import graph
    g = graph.open()                       # the build in ./output, a folder, or an endpoint URL
    g.query("controls-on-firm", firm="SMIC", as_of="2024-12-31").to_pandas()
"""

from typing import Any

__version__ = "0.1.0"

#: The notebook facade's names, imported from graph.api on first use.
_API = ("open", "Graph", "Rows")

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:  # by name, so that importing graph (as graph.build does for the version) loads no api
        import importlib

        return getattr(importlib.import_module("graph.api"), name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
