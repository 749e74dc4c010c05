"""Regenerate the CLI reference in README.md from ``chipgraph --help`` (run after changing a command)."""

from pathlib import Path

from graph.cli.reference import reference_markdown, replace_section

README = Path(__file__).resolve().parent.parent / "README.md"

if __name__ == "__main__":
    README.write_text(replace_section(README.read_text(encoding="utf-8"), reference_markdown()), encoding="utf-8")
    print(f"updated {README}")
