"""Allow ``python -m graph`` to run the chipgraph CLI."""

from graph.cli import main

if __name__ == "__main__":
    main()
