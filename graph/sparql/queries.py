"""The catalogue of named SPARQL queries, and running a query with engine-bound parameters.

Named queries are the ``ontology/queries/*.rq`` files. Each opens with a header of comments::

    # name: accelerators
    # description: Accelerators with designer, foundry, node and memory, with sources
    # param: designer (iri, default: none) Only accelerators designed by this organisation
    # param: as_of (date, default: data-date) The day on which measures must be in force

A parameter is a variable of the query (``?designer``). Its value is bound by Oxigraph's
substitutions (SEP-0007), never pasted into the query text, so a value cannot change the query's
shape. ``default: none`` leaves the variable free: a free ``?designer`` in a triple pattern
matches every designer, which is how optional filters are written. ``required`` makes the caller
supply a value. ``default: data-date`` (for a ``date``) is the data date of the graph the query
runs on, the newest full date of a source or dated fact (:func:`graph.read.model.data_date`), the
same day every command takes when ``--as-of`` is not given. Types: ``iri``, ``string``, ``date``,
``gyear``, ``integer``, ``decimal``, ``boolean``.

Values given on the command line are strings; :func:`parse_value` turns them into RDF terms:
the declared type decides (for an ``iri`` parameter, a value that is not written as an IRI, such
as ``华为`` or ``Ascend 910C``, goes to the ``resolve`` function the caller gives, which looks the
entity up by its labels and aliases: :func:`graph.read.lookup.iri_resolver`); for a variable with
no declaration (ad hoc ``-e`` queries) a value that looks like an IRI or a prefixed name
(``cgid:huawei``) becomes an IRI, an ISO date an ``xsd:date``, a number an ``xsd:integer`` or
``xsd:decimal``, and anything else a plain string.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.errors import ChipgraphError, InputError, NotFoundError, Problem, suggest
from graph.lexical import read_text
from graph.paths import queries_dir
from graph.sparql.lex import KEYWORD_RE, declared_prefixes, strip_opaque
from graph.vocab.namespaces import PREFIXES, XSD

__all__ = [
    "NamedQuery",
    "Param",
    "QueryResult",
    "bind_params",
    "catalogue",
    "compact_iri",
    "forbidden_operation",
    "load_query",
    "named_query",
    "parse_named_query",
    "parse_value",
    "query_form",
    "run_query",
    "syntax_error_message",
    "term_to_plain",
    "term_to_text",
    "variables_in",
]

PARAM_TYPES = ("iri", "string", "date", "gyear", "integer", "decimal", "boolean")

_HEADER_RE = re.compile(r"^#\s*(name|description|param)\s*:\s*(.*?)\s*$")
_PARAM_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*(.*)$")
_NAME_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

_VARIABLE_RE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_SYNTAX_RE = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_PREFIXED_RE = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s<>\"]*)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The declared default that stands for the data date of the graph queried.
DATA_DATE_DEFAULT = "data-date"
_INT_RE = re.compile(r"^[+-]?\d+$")
_DEC_RE = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str = "string"
    default: str | None = None
    required: bool = False
    description: str = ""

    def describe(self) -> str:
        """``name (type, default: x)`` as shown by ``chipgraph queries``."""
        default = self.default if self.default is not None else "none"
        extra = "required" if self.required else f"default: {default}"
        return f"{self.name} ({self.type}, {extra})"


@dataclass(frozen=True)
class NamedQuery:
    """A query with its name, description and declared parameters."""

    name: str
    text: str
    description: str = ""
    params: tuple[Param, ...] = ()
    path: Path | None = None

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        return query_form(self.text)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for listings (JSON output, the query page)."""
        return {
            "name": self.name,
            "description": self.description,
            "form": self.form,
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "required": p.required,
                    "description": p.description,
                }
                for p in self.params
            ],
            "text": self.text,
        }


@dataclass
class QueryResult:
    """The outcome of a query: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def _suggest_close(word: str, choices: list[str]) -> str | None:
    return suggest(word, choices, cutoff=0.5)


# --------------------------------------------------------------------------------------------
# Lexical helpers


#: Texts up to this length have their keyword scan cached (named and repeated queries are short;
#: a cache of arbitrary endpoint bodies up to 1 MB each could hold hundreds of MB).
_CACHED_TEXT_CHARS = 16_384


def _keyword_tuple(text: str) -> tuple[str, ...]:
    """Upper-cased bare keywords of a query, in order, ignoring strings, IRIs, comments and names;
    cached for short texts: the scan costs ~50 µs on a named query,
    as much as answering one, and :func:`run_query` needs it for the form and the refusal check."""
    return _cached_keywords(text) if len(text) <= _CACHED_TEXT_CHARS else _scan_keywords(text)


def _scan_keywords(text: str) -> tuple[str, ...]:
    return tuple(m.group(1).upper() for m in KEYWORD_RE.finditer(strip_opaque(text)))


_cached_keywords = functools.lru_cache(maxsize=512)(_scan_keywords)


def query_form(text: str) -> str:
    """The query form of ``text``: the first of SELECT/ASK/CONSTRUCT/DESCRIBE outside strings.

    Sub-selects come after the outer form's keyword, so the first one found is the outer form.
    Returns ``"UNKNOWN"`` when there is none (an update, or not SPARQL at all).
    """
    return _form_of(_keyword_tuple(text))


def _form_of(words: tuple[str, ...]) -> str:
    for word in words:
        if word in _FORMS:
            return word
    return "UNKNOWN"


def forbidden_operation(text: str) -> str | None:
    """Why chipgraph must refuse ``text`` (SERVICE or an update), or None when it may run.

    Decided on the parsed query by :func:`graph.sparql.guard.check_query`, never by a scan of
    the text; a malformed query is not forbidden (None): running it gives its syntax error.
    """
    from graph.sparql.guard import FORBIDDEN, QueryRefused, check_query

    try:
        check_query(text)
    except QueryRefused as exc:
        return exc.message if exc.status == FORBIDDEN else None
    return None


def variables_in(text: str) -> list[str]:
    """The distinct variable names of a query, in order of appearance."""
    seen: dict[str, None] = {}
    for m in _VARIABLE_RE.finditer(strip_opaque(text)):
        seen.setdefault(m.group(1), None)
    return list(seen)


def syntax_error_message(exc: BaseException, source: str | None = None, query: str | None = None) -> str:
    """Oxigraph's ``error at L:C: msg`` as ``line L, column C: msg`` (prefixed with the source).

    An undeclared prefix makes Oxigraph list every character class it would have accepted; that
    becomes ``unknown prefix 'foo:'; declared prefixes are cg:, cgid:, ...`` (the name is read
    from ``query`` at the error position, when the query text is given).
    """
    text = str(exc)
    m = _SYNTAX_RE.search(text)
    if m:
        line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3).strip()
        if "Prefix not found" in detail:
            detail = _unknown_prefix_message(query, line, column)
        text = f"at line {line}, column {column}: {detail}"
    where = f" in {source}" if source else ""
    return f"SPARQL syntax error{where} {text}"


_PREFIXED_NAME_RE = re.compile(r"(?<![\w?$:/#<])([A-Za-z][\w.-]*)?:[\w.%:-]*")


def _unknown_prefix_message(query: str | None, line: int, column: int) -> str:
    """``unknown prefix 'foo:'; declared prefixes are ...`` for Oxigraph's error at ``line:column``.

    Oxigraph reports the position just after the prefixed name (1-based line and column), so the
    name is the last one on that line ending at or before it.
    """
    declared = dict.fromkeys(PREFIXES)
    name = None
    if query is not None:
        declared.update(dict.fromkeys(declared_prefixes(query)))
        lines = query.split("\n")
        if 0 < line <= len(lines):
            before = [hit for hit in _PREFIXED_NAME_RE.finditer(lines[line - 1]) if hit.end() <= column - 1]
            if before and (before[-1].group(1) or "") not in declared:
                name = before[-1].group(1) or ""
    listed = ", ".join(f"{p}:" for p in declared)
    what = f"unknown prefix '{name}:'" if name is not None else "unknown prefix"
    return f"{what}; declared prefixes are {listed} (declare others with PREFIX p: <IRI>)"


# --------------------------------------------------------------------------------------------
# The catalogue


def parse_named_query(text: str, path: Path | None = None, default_name: str | None = None) -> NamedQuery:
    """Read the header comments of a query file into a :class:`NamedQuery`.

    The header is the run of ``#`` lines at the top. ``name`` defaults to the file's stem.
    A malformed ``param`` line is an :class:`InputError` naming the file and line.
    """
    name = default_name or (path.stem if path else "query")
    description = ""
    params: list[Param] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _HEADER_RE.match(stripped)
        if not m:
            continue
        key, value = m.groups()
        if key == "name":
            name = value
        elif key == "description":
            description = value
        else:
            params.append(_parse_param(value, path, lineno))
    if not _NAME_RE.match(name):
        raise InputError(Problem(f"query name {name!r} is not a lowercase slug", file=path))
    dupes = {p.name for p in params if sum(q.name == p.name for q in params) > 1}
    if dupes:
        raise InputError(Problem(f"parameter declared twice: {', '.join(sorted(dupes))}", file=path))
    return NamedQuery(name=name, text=text, description=description, params=tuple(params), path=path)


def _parse_param(spec: str, path: Path | None, lineno: int) -> Param:
    m = _PARAM_RE.match(spec)
    hint = "write `# param: NAME (TYPE, default: VALUE) description` or `(TYPE, required)`"
    if not m:
        raise InputError(Problem(f"malformed parameter declaration {spec!r}", file=path, line=lineno, hint=hint))
    pname, inside, description = m.groups()
    parts = [p.strip() for p in inside.split(",", 1)]
    ptype = parts[0].lower()
    if ptype not in PARAM_TYPES:
        raise InputError(
            Problem(
                f"unknown parameter type {ptype!r} for {pname}",
                file=path,
                line=lineno,
                hint="types: " + ", ".join(PARAM_TYPES),
            )
        )
    default: str | None = None
    required = False
    if len(parts) > 1:
        rest = parts[1]
        if rest.lower() == "required":
            required = True
        elif rest.lower().startswith("default:"):
            value = rest.split(":", 1)[1].strip()
            default = None if value.lower() == "none" else value
        else:
            raise InputError(Problem(f"malformed parameter declaration {spec!r}", file=path, line=lineno, hint=hint))
    if default is not None and default != DATA_DATE_DEFAULT:
        try:  # a default that cannot be bound is the file's mistake: say where, not only at run time
            parse_value(default, ptype, pname)
        except InputError as exc:
            first = exc.problems[0]
            raise InputError(
                Problem(f"the default of {first.message}", file=path, line=lineno, hint=first.hint)
            ) from None
    return Param(name=pname, type=ptype, default=default, required=required, description=description)


def catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query of ``directory`` (default: the shipped ``ontology/queries``), by name."""
    directory = directory or queries_dir()
    found: dict[str, NamedQuery] = {}
    for path in sorted(directory.glob("*.rq")):
        query = parse_named_query(read_text(path), path)  # strict UTF-8, line and column of a bad byte
        if query.name in found:
            raise InputError(
                Problem(f"query name {query.name!r} is used twice", file=path, hint=f"also in {found[query.name].path}")
            )
        found[query.name] = query
    return found


def load_query(name_or_file: str, directory: Path | None = None) -> NamedQuery:
    """A named query by name, or a query file by path (anything ending in .rq/.sparql or existing)."""
    path = Path(name_or_file)
    if path.suffix in (".rq", ".sparql") or (path.exists() and path.is_file()):
        if not path.is_file():
            raise NotFoundError(Problem(f"no such query file: {path}"))
        return parse_named_query(read_text(path), path)  # strict UTF-8, line and column of a bad byte
    return named_query(name_or_file, catalogue(directory))


def named_query(name: str, known: Mapping[str, NamedQuery]) -> NamedQuery:
    """The query called ``name`` in ``known`` (a :func:`catalogue`), or NotFoundError with suggestions.

    Never touches the file system, so the endpoint can look up names taken from a URL.
    """
    if name in known:
        return known[name]
    hint = _suggest_close(name, sorted(known)) or "run `chipgraph queries` for the list"
    raise NotFoundError(Problem(f"no named query {name!r}", hint=hint))


# --------------------------------------------------------------------------------------------
# Parameters


def expand_iri(value: str) -> str:
    """``<iri>``, ``http://...``, ``cgid:huawei`` or a bare entity slug ``huawei`` -> a full IRI."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return _http_iri(value[1:-1])
    m = _PREFIXED_RE.match(value)
    if m:
        prefix, local = m.group(1) or "", m.group(2)
        if prefix in PREFIXES:
            return PREFIXES[prefix] + local
        if "://" in value or value.startswith(("urn:", "mailto:")):
            return _http_iri(value)
        raise InputError(
            Problem(
                f"unknown prefix {prefix!r} in {value!r}",
                hint=_suggest_close(prefix, sorted(PREFIXES)) or "known: " + ", ".join(PREFIXES),
            )
        )
    if re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", value) or re.match(r"^[A-Z]{3}$", value):
        from graph.vocab.namespaces import entity_iri

        return entity_iri(value).value
    raise InputError(
        Problem(
            f"{value!r} is not an IRI",
            hint="give <https://...>, a prefixed name such as cgid:huawei, or an entity id such as huawei",
        )
    )


#: The schemes of the IRIs a parameter may name: every entity, source and term of the graph is
#: an https IRI; urn: names appear in imported data. ``javascript:``, ``file:``, ``data:`` and
#: the like name nothing in the graph and are refused rather than bound.
IRI_SCHEMES = ("http", "https", "urn")


def _http_iri(iri: str) -> str:
    scheme = iri.split(":", 1)[0].lower() if ":" in iri else ""
    if scheme not in IRI_SCHEMES:
        raise InputError(
            Problem(
                f"{iri!r} is not an http(s) or urn: IRI",
                hint="give <https://...>, a prefixed name such as cgid:huawei, or an entity id such as huawei",
            )
        )
    return iri


def looks_like_iri(value: str) -> bool:
    """True for ``<...>``, absolute IRIs and prefixed names with a known prefix."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return True
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", value):
        return True
    m = _PREFIXED_RE.match(value)
    return bool(m and (m.group(1) or "") in PREFIXES and " " not in value)


def parse_value(
    value: str, ptype: str | None = None, name: str = "value", *, resolve: Callable[[str], str] | None = None
) -> ox.NamedNode | ox.Literal:
    """Turn a command-line string into an RDF term of the declared type (or a guessed one).

    For an ``iri`` parameter, ``resolve`` (when given) turns a value that is not written as an
    IRI (a label or alias in any language, or a bare id) into the IRI of the entity it names; it
    raises for an unknown or ambiguous name. Without it, a bare id becomes a ``cgid:`` IRI.
    """
    if ptype == "iri" and resolve is not None and not looks_like_iri(value):
        return ox.NamedNode(resolve(value))
    try:
        if ptype == "iri" or (ptype is None and looks_like_iri(value)):
            return ox.NamedNode(expand_iri(value))
        if ptype is None:
            if _DATE_RE.match(value):
                ptype = "date"
            elif _INT_RE.match(value):
                ptype = "integer"
            elif _DEC_RE.match(value):
                ptype = "decimal"
            else:
                ptype = "string"
        if ptype == "string":
            return ox.Literal(value)
        if ptype == "date":
            import datetime

            datetime.date.fromisoformat(value)
            if not _DATE_RE.match(value):
                raise ValueError
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
        if ptype == "gyear":
            if not re.match(r"^\d{4}$", value):
                raise ValueError
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
        if ptype == "integer":
            if not _INT_RE.match(value):
                raise ValueError
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if ptype == "decimal":
            if not (_INT_RE.match(value) or _DEC_RE.match(value)):
                raise ValueError
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))
        if ptype == "boolean":
            low = value.lower()
            if low not in ("true", "false", "1", "0"):
                raise ValueError
            word = "true" if low in ("true", "1") else "false"
            return ox.Literal(word, datatype=ox.NamedNode(XSD + "boolean"))
    except ValueError:
        examples = {
            "date": "2025-02-17",
            "gyear": "2024",
            "integer": "10",
            "decimal": "12.5",
            "boolean": "true",
            "iri": "<https://w3id.org/chipgraph/id/huawei>, cgid:huawei or huawei (no spaces, quotes or braces)",
        }
        raise InputError(
            Problem(
                f"parameter {name}: {value!r} is not a valid {ptype}",
                hint=f"for example {examples.get(ptype or '', '')}",
            )
        ) from None
    raise InputError(Problem(f"parameter {name}: unknown type {ptype!r}"))


def bind_params(
    query: NamedQuery,
    given: Mapping[str, str] | Sequence[tuple[str, str]],
    *,
    resolve: Callable[[str], str] | None = None,
    data_date: Callable[[], str | None] | None = None,
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Bindings for a query: declared defaults, overridden by ``given`` (name -> string value).

    Declared queries accept only their declared parameters; a query without declarations (an ad
    hoc one) accepts any variable it mentions. Unknown names get suggestions. ``resolve`` looks up
    the entity named by an ``iri`` parameter's value (see :func:`parse_value`). ``data_date``
    gives the data date (``YYYY-MM-DD``) for a ``default: data-date`` parameter the caller did not
    give; it is called only then, and without it such a parameter must be given.
    """
    pairs = list(given.items()) if isinstance(given, Mapping) else list(given)
    declared = {p.name: p for p in query.params}
    allowed = list(declared) if declared else variables_in(query.text)
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    for p in query.params:
        if p.default is not None and p.default != DATA_DATE_DEFAULT:
            bindings[p.name] = parse_value(p.default, p.type, p.name)
    supplied: set[str] = set()
    for name, value in pairs:
        name = name.lstrip("?$")
        if name not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            hint = _suggest_close(name, allowed) or f"parameters of {query.name}: {known}"
            raise InputError(Problem(f"unknown parameter {name!r} for query {query.name}", hint=hint))
        if name in supplied:
            raise InputError(Problem(f"parameter {name!r} given twice"))
        supplied.add(name)
        param = declared.get(name)
        bindings[name] = parse_value(value, param.type if param else None, name, resolve=resolve)
    missing = [p.name for p in query.params if p.required and p.name not in supplied]
    if missing:
        raise InputError(
            Problem(f"query {query.name} needs parameter(s): {', '.join(missing)}", hint="give them with -p NAME VALUE")
        )
    for p in query.params:
        if p.default == DATA_DATE_DEFAULT and p.name not in supplied:
            day = data_date() if data_date is not None else None
            if day is None:
                raise InputError(
                    Problem(
                        f"query {query.name}: parameter {p.name} defaults to the data date, which is not known here",
                        hint=f"give it with -p {p.name} YYYY-MM-DD",
                    )
                )
            bindings[p.name] = parse_value(day, p.type, p.name)
    return bindings


# --------------------------------------------------------------------------------------------
# Running


def run_query(
    store: Any, text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None, *, source: str | None = None
) -> QueryResult:
    """Run ``text`` on a :class:`graph.store.local.GraphStore` with engine-bound ``bindings``.

    The query is checked first on its parse tree (:func:`graph.sparql.guard.check_query`): an
    update or a SERVICE is refused, and so is text the check cannot read. On the embedded store
    (anything with ``raw_query``) it then runs in a thread that cannot open network sockets
    (:func:`graph.sparql.sandbox.run_without_network`), the second guard against SERVICE, and
    FROM / FROM NAMED are honoured: the union default graph applies only to a query that names no
    dataset of its own. SELECT rows keep the engine's variable order there; a remote store gives
    the order of the first row.
    """
    from graph.sparql.guard import QueryRefused, check_query

    try:
        checked = check_query(text, source)
    except QueryRefused as exc:
        prefix = f"{source}: " if source and not exc.message.startswith("SPARQL syntax error") else ""
        raise InputError(prefix + exc.message) from None
    form, text = checked.form, checked.text  # run the text that was checked (canonical form)
    if form not in _FORMS:
        raise InputError(
            f"not a SPARQL query{' in ' + source if source else ''}: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
        )
    try:
        if hasattr(store, "raw_query"):
            from graph.sparql.sandbox import run_without_network

            try:
                return run_without_network(_run_embedded, store, text, bindings, form, checked.dataset)[0]
            except PermissionError:  # the no-network filter's refusal: a SERVICE got past the parse check
                raise InputError(
                    f"{source + ': ' if source else ''}the query tried to open a network connection, "
                    "which chipgraph never does"
                ) from None
        if form == "SELECT":
            rows = store.select(text, bindings)
            variables = list(rows[0]) if rows else _projection(text)
            return QueryResult(form=form, variables=variables, rows=rows)
        if form == "ASK":
            return QueryResult(form=form, boolean=store.ask(text, bindings))
        return QueryResult(form=form, triples=store.construct(text, bindings))
    except SyntaxError as exc:
        raise InputError(syntax_error_message(exc, source, text)) from exc
    except ChipgraphError as exc:
        cause = exc.__cause__
        if isinstance(cause, SyntaxError):
            raise InputError(syntax_error_message(cause, source, text)) from cause
        raise


def _run_embedded(
    store: Any, text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None, form: str, dataset: bool
) -> QueryResult:
    """Run and read out the whole answer (evaluation is lazy: it must finish inside the sandbox)."""
    from graph.errors import engine_error

    result = store.raw_query(text, bindings, union=not dataset)
    try:  # evaluation is lazy: reading the answer out can fail too (a damaged store)
        if form == "SELECT":
            variables = [v.value for v in result.variables]
            return QueryResult(form=form, variables=variables, rows=[{n: sol[n] for n in variables} for sol in result])
        if form == "ASK":
            return QueryResult(form=form, boolean=bool(result))
        return QueryResult(form=form, triples=list(result))
    except (RuntimeError, OSError) as exc:
        raise engine_error(exc, getattr(store, "location", "")) from exc


def _projection(text: str) -> list[str]:
    m = re.search(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:WHERE|FROM|\{)", strip_opaque(text), re.I | re.S)
    return _VARIABLE_RE.findall(m.group(1)) if m else []


# --------------------------------------------------------------------------------------------
# Terms as plain data


def compact_iri(iri: str) -> str:
    """``https://w3id.org/chipgraph/id/huawei`` -> ``cgid:huawei`` (longest matching prefix)."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns) :]
            if re.match(r"^[\w.-]*$", local) and not local.endswith("."):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


_NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}


def term_to_plain(term: Any, *, compact: bool = False) -> Any:
    """A term as JSON-ready data: IRIs as strings, numbers as numbers, other literals as text."""
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        try:
            if dt in _NUMERIC:
                return int(term.value)
            if dt in _FLOATS:
                if dt == XSD + "decimal" and _INT_RE.match(term.value):
                    return int(term.value)
                number = float(term.value)
                return number if math.isfinite(number) else None  # JSON has no NaN or Infinity
        except ValueError:
            return term.value
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
    return term_to_text(term, compact=compact)


def term_to_text(term: Any, *, compact: bool = False) -> str | None:
    """A term as text for tables and CSV: IRIs (compacted on request), literals by their lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value) if compact else term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)
