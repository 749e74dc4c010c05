"""Keep rdflib's literal-conversion warning (with its traceback) out of stderr and the server log.

The parse check (:mod:`graph.sparql.guard`) parses every query with rdflib, and rdflib converts
each literal to a Python value as it builds the tree. For a lexical form it cannot convert (an
integer of more than 4,300 digits, which Python's int() refuses, or ``"x"^^xsd:integer``) it logs
``Failed to convert Literal lexical form to value`` at WARNING with a full traceback on the
``rdflib.term`` logger, although nothing is wrong: the literal keeps its text, the guard only
reads the tree's shape and Oxigraph runs the query. A user saw a traceback after a query that
succeeded. :class:`LiteralConversionFilter` drops exactly that record; every other rdflib
message still gets through.
"""

from __future__ import annotations

import logging

__all__ = ["LiteralConversionFilter", "quiet_literal_conversion"]

_MESSAGE = "Failed to convert Literal lexical form to value"


class LiteralConversionFilter(logging.Filter):
    """Refuses rdflib.term's "Failed to convert Literal lexical form to value" records."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "rdflib.term" and str(record.msg).startswith(_MESSAGE))


def quiet_literal_conversion() -> None:
    """Install the filter on the ``rdflib.term`` logger, once (idempotent)."""
    logger = logging.getLogger("rdflib.term")
    if not any(isinstance(f, LiteralConversionFilter) for f in logger.filters):
        logger.addFilter(LiteralConversionFilter())
