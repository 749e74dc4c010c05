"""Decide on the *parsed* query whether chipgraph may run it: no SERVICE, no update, bounded nesting.

A token scan over the text cannot be trusted for this: ``?o .SERVICE <...>`` and
``FILTER(1<'>'||true) SERVICE <...>`` fooled the old one (security review F1), and Oxigraph then
fetched the URL. pyoxigraph offers no parse-only call, so the decision is taken on the parse tree
of rdflib's SPARQL 1.1 parser (:func:`rdflib.plugins.sparql.parser.parseQuery`):

1. :func:`graph.sparql.lex.nesting_depth` (one linear pass) refuses text nested deeper than
   :data:`~graph.sparql.lex.MAX_NESTING` brackets. Both parsers are recursive: Oxigraph's
   crashed the process at 100,000 braces; rdflib's needs about 40 Python frames per level.
2. rdflib parses the text, in a thread with a large stack and a recursion limit sized for
   :data:`~graph.sparql.lex.MAX_NESTING` (a deeper text that the lexer missed ends in
   RecursionError, which is a refusal too). Any ``ServiceGraphPattern`` in the tree: 403. The
   outer form and whether the query has FROM / FROM NAMED come from the tree as well.
3. Text that is not a query but parses as an update (``parseUpdate``): 403 naming the operation.
4. Text neither parser reads: 400. Where the no-network sandbox is available
   (:mod:`graph.sparql.sandbox`), Oxigraph is asked, inside it and on an empty store, for its own
   message, which is the one the engine would give ("line L, column C: ..."); if Oxigraph accepts
   the text (its dialect is wider than SPARQL 1.1 in places), the 400 says that chipgraph's check
   cannot read it, rather than letting an unchecked query run.

Both parsers must read the same text, or the check decides on one query and the engine runs
another (security review, round 2: Oxigraph ends a ``#`` comment at a bare CR, rdflib only at
LF; rdflib expands ``\\u005c``-style codepoint escapes before it parses, Oxigraph does not). So the
check first makes the **canonical text** (:func:`canonical_text`): codepoint escapes expanded
once, as SPARQL 1.1 §19.2 and rdflib do, and every CR turned into LF; a text whose expansion
spells another escape is refused. The check decides on that text, and :attr:`Checked.text` is what
the callers run, never the text as received. Before any parser, :func:`graph.sparql.lex.excess_brackets`
bounds the number of brackets without lexing at all, so no lexer difference can hide a nesting
deep enough to crash a recursive parser.

rdflib's parser is slow (milliseconds for a named query, far more for a megabyte), so results
for short texts are cached, and the endpoint runs this check in its worker processes, inside each
query's time limit, never in an HTTP thread. The second, independent layer is the sandbox: the
engine runs where sockets cannot be opened.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from dataclasses import dataclass
from typing import Any

from graph.errors import InputError
from graph.sparql.lex import MAX_BRACKETS, MAX_NESTING, excess_brackets, nesting_depth

__all__ = ["Checked", "QueryRefused", "canonical_text", "check_query"]

FORBIDDEN = 403
MALFORMED = 400

_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
#: rdflib's update operation names, as the keyword a user wrote.
_UPDATES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
    "Modify": "DELETE/INSERT",
}
#: Python frames rdflib's parser may use: ~40 per nesting level (measured: 38.7 per level of
#: nested parentheses, the deepest kind) plus room for the rest of the call stack.
_RECURSION_LIMIT = MAX_NESTING * 50 + 3000
_CACHED_TEXT_CHARS = 16_384
_recursion_lock = threading.Lock()


@dataclass(frozen=True)
class Checked:
    """What the parse check learnt about a query it accepts."""

    form: str  #: SELECT, ASK, CONSTRUCT or DESCRIBE (the outer form)
    dataset: bool  #: the query names its own dataset (FROM or FROM NAMED)
    text: str = ""  #: the canonical text that was checked: the one to run


class QueryRefused(InputError):
    """A query chipgraph will not run; ``status`` is 403 (update, SERVICE) or 400 (malformed)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status
        self.message = message


SERVICE_REFUSED = "SERVICE (federated query) is refused: chipgraph never fetches from the network"


def check_query(text: str, source: str | None = None) -> Checked:
    """The form and dataset of ``text``, or :class:`QueryRefused` (see the module docstring).

    ``source`` (a file name, ``-e``) prefixes syntax messages.
    """
    shipped = shipped_verdicts().get(text_digest(text))
    if shipped is not None:  # a named query of the package, checked when it was written
        return Checked(form=shipped["form"], dataset=shipped["dataset"], text=text)
    outcome = _cached_check(text) if len(text) <= _CACHED_TEXT_CHARS else _check(text)
    if isinstance(outcome, Checked):
        return outcome
    status, message, where = outcome
    if where and source:
        message = message.replace("SPARQL syntax error ", f"SPARQL syntax error in {source} ", 1)
    raise QueryRefused(message, status)


#: The check's verdicts on the named queries shipped in ``ontology/queries`` (written by
#: ``scripts/gen_query_checks.py``; ``tests/test_queries.py`` asserts that each equals a fresh
#: check): the sha256 of a query's text -> its form and dataset. A one-shot ``chipgraph query
#: NAME`` then needs neither rdflib (0.2 s to import) nor its parse (0.3 s for the longest named
#: query). Only texts that are their own canonical form are listed, and an edited file has
#: another digest, so it is checked in full; the engine still runs every query in the sandbox.
VERDICTS_FILE = "checked.json"


def text_digest(text: str) -> str:
    """The key of a text in the shipped verdicts (sha256 of its UTF-8 bytes)."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@functools.lru_cache(maxsize=1)
def shipped_verdicts() -> dict[str, dict[str, Any]]:
    """The verdicts file of the named queries, or nothing when it is missing or unreadable."""
    import json

    from graph.paths import queries_dir

    try:
        doc = json.loads((queries_dir() / VERDICTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    verdicts = doc.get("verdicts") if isinstance(doc, dict) else None
    if not isinstance(verdicts, dict):
        return {}
    return {
        k: v
        for k, v in verdicts.items()
        if isinstance(v, dict) and isinstance(v.get("form"), str) and isinstance(v.get("dataset"), bool)
    }


def fresh_verdicts(texts: dict[str, str]) -> dict[str, Any]:
    """The verdicts file's content for named queries ``texts`` (name -> text), checked in full now."""
    verdicts: dict[str, dict[str, Any]] = {}
    for name, text in sorted(texts.items()):
        outcome = _check(text)
        if isinstance(outcome, Checked) and outcome.text == text:
            verdicts[text_digest(text)] = {"query": name, "form": outcome.form, "dataset": outcome.dataset}
    return {
        "about": "chipgraph's SPARQL check (graph.sparql.guard) on the named queries of this folder; "
        "written by scripts/gen_query_checks.py, verified by tests/test_queries.py",
        "verdicts": dict(sorted(verdicts.items(), key=lambda kv: str(kv[1]["query"]))),
    }


#: A UTF-16 surrogate on its own: what ``\\uD800`` expands to, and no Unicode character.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_text(text: str) -> str | tuple[int, str, bool]:
    """The text both parsers read alike, or a refusal (see the module docstring).

    Codepoint escapes (``\\uXXXX``, ``\\UXXXXXXXX``) are expanded once with rdflib's own function,
    so the check's parse of the result is the parse of the original; an expansion that leaves an
    escape (``\\u005cu0053`` spells ``\\u0053``) would be expanded again by rdflib but not by
    Oxigraph, so it is refused. Then CR LF and bare CR become LF, so that a comment ends at the same
    place for both (Oxigraph ends one at CR, rdflib at LF); in a long string, a CR becomes a LF.
    """
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes, expandUnicodeEscapes_re

    try:
        expanded = expandUnicodeEscapes(text)
    except ValueError as exc:
        return MALFORMED, f"SPARQL syntax error: {exc} (a \\u or \\U escape names no character)", True
    surrogate = _LONE_SURROGATE.search(expanded) if expanded != text else None
    if surrogate is not None:
        line = expanded.count("\n", 0, surrogate.start()) + 1  # an escape holds no line break: same line
        return (
            MALFORMED,
            f"SPARQL syntax error at line {line}: a \\u or \\U escape names U+{ord(surrogate.group()):04X}, "
            "a lone surrogate, which is no character; write the character itself",
            True,
        )
    if expanded != text and expandUnicodeEscapes_re.search(expanded):
        return (
            MALFORMED,
            "SPARQL syntax error: a \\u or \\U escape spells another escape once expanded, which "
            "parsers read differently; write the character itself",
            True,
        )
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


def _check(raw: str) -> Checked | tuple[int, str, bool]:
    """:class:`Checked`, or (status, message, message-is-a-syntax-error) for a refusal."""
    text = canonical_text(raw)
    if isinstance(text, tuple):
        return text
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n")):
        return MALFORMED, "SPARQL syntax error at line 1: the query is empty (only blanks and comments)", True
    nesting = nesting_depth(text)
    if nesting.line is not None:
        return (
            MALFORMED,
            f"SPARQL syntax error at line {nesting.line}, column {nesting.column}: brackets nested more "
            f"than {MAX_NESTING} levels deep (chipgraph's limit; real queries nest a few levels)",
            True,
        )
    brackets = excess_brackets(text)  # the bound no lexer difference can get round
    if brackets is not None:
        return (
            MALFORMED,
            f"SPARQL syntax error: the query has {brackets:,} brackets, more than chipgraph's limit of "
            f"{MAX_BRACKETS:,} (real queries have a few dozen)",
            True,
        )
    from graph.sparql.sandbox import run_without_network

    tree, error = run_without_network(_parse, text)[0]
    if tree is not None:
        return _inspect(tree, text)
    update = run_without_network(_parse_update, text)[0]
    if update is not None:
        return FORBIDDEN, f"SPARQL Update ({update}) is refused: chipgraph is read-only", False
    return MALFORMED, _syntax_message(text, error), True


_cached_check = functools.lru_cache(maxsize=512)(_check)


def _with_recursion_limit(fn: Any, *args: Any) -> Any:
    with _recursion_lock:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, _RECURSION_LIMIT))
        try:
            return fn(*args)
        finally:
            sys.setrecursionlimit(previous)


def _parse(text: str) -> tuple[Any, str | None]:
    """(rdflib parse tree, None), or (None, rdflib's message)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return _with_recursion_limit(parseQuery, text), None
    except ParseBaseException as exc:
        detail = exc.msg if len(exc.msg) <= 160 else exc.msg[:157] + "..."
        return None, f"at line {exc.lineno}, column {exc.col}: {detail}"
    except RecursionError:
        return None, f"nested too deeply for chipgraph's parse check (limit {MAX_NESTING} levels)"
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:  # rdflib's own bugs
        return None, f"chipgraph's parse check could not read it ({type(exc).__name__}: {exc})"


def _parse_update(text: str) -> str | None:
    """The first operation's keyword when ``text`` parses as a SPARQL Update, else None."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        tree = _with_recursion_limit(parseUpdate, text)
    except (ParseBaseException, RecursionError, ValueError, TypeError, AttributeError, KeyError, IndexError):
        return None
    for op in tree.get("request") or []:
        return _UPDATES.get(getattr(op, "name", ""), "update")
    return None


def _inspect(tree: Any, text: str) -> Checked | tuple[int, str, bool]:
    """Refuse SERVICE anywhere in the tree; read the outer form and dataset clause."""
    from rdflib.plugins.sparql.parserutils import CompValue

    query = tree[1]
    form = _FORMS.get(getattr(query, "name", ""), "UNKNOWN")
    stack: list[Any] = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return FORBIDDEN, SERVICE_REFUSED, False
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    # CompValue.get returns the key itself for a missing key, so test membership
    dataset = "datasetClause" in query and bool(dict.get(query, "datasetClause"))
    return Checked(form=form, dataset=dataset, text=text)


def _syntax_message(text: str, rdflib_message: str | None) -> str:
    """Oxigraph's own message for text rdflib cannot parse (asked in the sandbox), else rdflib's."""
    from graph.sparql.sandbox import available, run_without_network

    if available():
        verdict, sandboxed = run_without_network(_oxigraph_verdict, text)
        if sandboxed:
            if verdict is not None:
                return verdict
            return (
                "SPARQL syntax error: Oxigraph accepts this query but chipgraph's safety check (rdflib's "
                f"SPARQL 1.1 parser) cannot read it, so it is not run ({rdflib_message}); write it in "
                "standard SPARQL 1.1"
            )
    return f"SPARQL syntax error {rdflib_message}"


def _oxigraph_verdict(text: str) -> str | None:
    """Oxigraph's syntax message for ``text`` (on an empty store, results never read), or None."""
    import pyoxigraph as ox

    from graph.sparql.queries import syntax_error_message
    from graph.vocab.namespaces import PREFIXES

    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        return syntax_error_message(exc, None, text)
    except (OSError, RuntimeError, ValueError):
        return None
    return None
