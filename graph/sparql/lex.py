"""The bits of SPARQL lexing that chipgraph needs without a parser: hide strings, IRIs and comments.

Braces, keywords and variables inside a string literal, an IRI or a comment mean nothing, so
both the query catalogue (:mod:`graph.sparql.queries`: query form, variables) and the remote store
(:mod:`graph.store.remote`: where to put PREFIX lines and bound values) first blank those pieces
out and then scan the rest. :func:`nesting_depth` bounds how deeply a query nests brackets before
any recursive parser sees it (:mod:`graph.sparql.guard`). Standard library only, so importing it
stays cheap.

Every pattern here runs in linear time, whatever the input: an unterminated string runs to the
end of its line (short strings) or of the text (long strings) instead of failing, so the scan
never restarts at each of a run of quotes (``"\\"\\"\\"...`` was quadratic: 60 KB took 7 s).
None of this decides whether a query may run: that is :mod:`graph.sparql.guard`'s parse check.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = [
    "KEYWORD_RE",
    "MAX_BRACKETS",
    "MAX_NESTING",
    "OPAQUE_RE",
    "Nesting",
    "declared_prefixes",
    "excess_brackets",
    "nesting_depth",
    "strip_opaque",
]

#: Lexical pieces of SPARQL that may hide keyword-like text: long and short strings, IRIs,
#: comments. Possessive repeats, and an unterminated string matches up to the end of its line
#: (short) or of the text (long), so each character is consumed once: linear time.
OPAQUE_RE = re.compile(
    r'"""(?:[^"\\]++|\\.|"(?!""))*+(?:"""|\Z)'
    r"|'''(?:[^'\\]++|\\.|'(?!''))*+(?:'''|\Z)"
    r'|"(?:[^"\\\n]++|\\.)*+"?'
    r"|'(?:[^'\\\n]++|\\.)*+'?"
    r"|<[^<>\"{}|^`\\\x00-\x20]*+>"
    r"|#[^\n]*+",
    re.S,
)
#: A bare keyword: not part of a variable (?x, $x), a prefixed name (p:x, x:), a language tag (@x)
#: or a blank-node label (_:x).
KEYWORD_RE = re.compile(r"(?<![\w:?$@.-])([A-Za-z]+)(?![\w:-])")
_PREFIX_DECL_RE = re.compile(r"(?i)(?<![\w:?$@.-])PREFIX\s+([A-Za-z][\w.-]*)?:")

#: The deepest bracket nesting (``{``, ``(``, ``[`` together) a query may have. Real queries
#: nest a handful of levels; Oxigraph's and rdflib's parsers are recursive and overflow their
#: stacks at some depth (Oxigraph crashed the process at 100,000 braces), so deeper text is
#: refused before either parser sees it.
MAX_NESTING = 100

#: The most opening brackets a query text may hold in all, counted everywhere (strings and
#: comments included). This bound needs no lexing, so no disagreement between a lexer here and
#: the engine's (a ``<`` read as an IRI by one and as less-than by the other, a comment ended by a
#: bare CR) can hide brackets from it: however the engine reads the text, it cannot nest deeper.
#: The engine runs on a stack that holds more than three times this depth
#: (:func:`graph.sparql.sandbox.run_on_large_stack`).
MAX_BRACKETS = 20_000

_OPENERS = frozenset("{([")
_CLOSERS = frozenset("})]")
#: Tokens for the nesting count: the opaque pieces above, then brackets, then runs of anything
#: else (one token per run, so the loop below runs once per token, not per character).
_NEST_TOKEN_RE = re.compile(OPAQUE_RE.pattern + r"|[{}()\[\]]|[^\"'<#{}()\[\]]++|.", re.S)


class Nesting(NamedTuple):
    """How deeply a text nests brackets, and where it first goes past a limit (1-based)."""

    depth: int
    line: int | None = None
    column: int | None = None


def nesting_depth(text: str, limit: int = MAX_NESTING) -> Nesting:
    """The deepest bracket nesting of ``text`` outside strings, IRIs and comments, in one pass.

    Stops at the first bracket that goes past ``limit`` and returns that depth with its line and
    column, so a 100,000-deep text costs no more than a shallow one of the same size.
    """
    depth = deepest = 0
    for m in _NEST_TOKEN_RE.finditer(text):
        ch = m.group(0)
        if ch in _OPENERS:
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > limit:
                    start = m.start()
                    line = text.count("\n", 0, start) + 1
                    column = start - (text.rfind("\n", 0, start) + 1) + 1
                    return Nesting(depth, line, column)
        elif ch in _CLOSERS and depth:
            depth -= 1
    return Nesting(deepest)


def excess_brackets(text: str, limit: int = MAX_BRACKETS) -> int | None:
    """The number of opening brackets of ``text`` when it is over ``limit``, else None (linear)."""
    count = text.count("{") + text.count("(") + text.count("[")
    return count if count > limit else None


def strip_opaque(text: str) -> str:
    """The query text with strings, IRIs and comments blanked out (same length, same lines)."""
    return OPAQUE_RE.sub(_blank, text)


def _blank(m: re.Match[str]) -> str:
    piece = m.group(0)
    if "\n" not in piece:
        return " " * len(piece)
    return "\n".join(" " * len(part) for part in piece.split("\n"))


def declared_prefixes(text: str) -> list[str]:
    """The prefixes a query declares itself with ``PREFIX p: <...>``, in order (``""`` is the empty one)."""
    return list(dict.fromkeys(m.group(1) or "" for m in _PREFIX_DECL_RE.finditer(strip_opaque(text))))
