"""The bits of SPARQL lexing that chipgraph needs without a parser: hide strings, IRIs and comments.

Braces, keywords and variables inside a string literal, an IRI or a comment mean nothing, so
both the query catalogue (:mod:`graph.sparql.queries`: query form, forbidden operations, variables) and
the remote store (:mod:`graph.store.remote`: where to put PREFIX lines and bound values) first blank
those pieces out and then scan the rest. Standard library only, so importing it stays cheap.
"""

from __future__ import annotations

import re

__all__ = ["KEYWORD_RE", "OPAQUE_RE", "declared_prefixes", "strip_opaque"]

#: Lexical pieces of SPARQL that may hide keyword-like text: long and short strings, IRIs, comments.
OPAQUE_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n]*",
    re.S,
)
#: A bare keyword: not part of a variable (?x, $x), a prefixed name (p:x, x:), a language tag (@x)
#: or a blank-node label (_:x).
KEYWORD_RE = re.compile(r"(?<![\w:?$@.-])([A-Za-z]+)(?![\w:-])")
_PREFIX_DECL_RE = re.compile(r"(?i)(?<![\w:?$@.-])PREFIX\s+([A-Za-z][\w.-]*)?:")


def strip_opaque(text: str) -> str:
    """The query text with strings, IRIs and comments blanked out (same length, same lines)."""
    return OPAQUE_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def declared_prefixes(text: str) -> list[str]:
    """The prefixes a query declares itself with ``PREFIX p: <...>``, in order (``""`` is the empty one)."""
    return list(dict.fromkeys(m.group(1) or "" for m in _PREFIX_DECL_RE.finditer(strip_opaque(text))))
