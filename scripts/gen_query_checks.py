"""Write ``ontology/queries/checked.json``: the SPARQL check's verdicts on the named queries.

``chipgraph query NAME`` looks a named query's text up there (by its sha256) instead of importing
rdflib and parsing it on every run (graph.sparql.guard.shipped_verdicts); a text not listed, such
as an edited file, is checked in full. Run this after adding or changing a named query;
``tests/test_queries.py`` fails while the file is out of date.

Usage::

    python scripts/gen_query_checks.py
"""

from __future__ import annotations

import json

from graph.atomic import write_text_atomic
from graph.paths import queries_dir
from graph.sparql.guard import VERDICTS_FILE, fresh_verdicts
from graph.sparql.queries import catalogue


def main() -> None:
    texts = {name: query.text for name, query in catalogue().items()}
    doc = fresh_verdicts(texts)
    target = queries_dir() / VERDICTS_FILE
    write_text_atomic(target, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(f"{target}: {len(doc['verdicts'])} of {len(texts)} named queries")


if __name__ == "__main__":
    main()
