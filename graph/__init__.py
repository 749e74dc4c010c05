"""chipgraph: a sourced knowledge graph of the supply chain behind China's AI accelerators.

Importing the package does no work; the modules are loaded by the commands that need them.
"""

__version__ = "0.1.0"
