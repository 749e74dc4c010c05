"""A :class:`graph.store.local.GraphStore` over a remote SPARQL 1.1 server (Protocol + Update), urllib only.

``--endpoint URL`` / ``$CHIPGRAPH_ENDPOINT`` make every read command use :class:`RemoteStore`
instead of the embedded store, so a team can share one graph on OpenLink Virtuoso, Apache Jena
Fuseki, GraphDB or QLever. Only the standard protocols are used: queries are POSTed as
``application/x-www-form-urlencoded`` ``query=...`` and answered as SPARQL JSON results (SELECT,
ASK, parsed by :func:`pyoxigraph.parse_query_results`) or N-Triples (CONSTRUCT, DESCRIBE);
updates are POSTed as ``application/sparql-update``. Every request carries a timeout, and every
failure becomes a :class:`~graph.errors.ChipgraphError` that says which URL failed and why.

Binding user values
    The SPARQL protocol has no parameter binding, so values must travel inside the query text.
    They are never pasted as raw text: each value is an RDF term (``pyoxigraph.NamedNode`` or
    ``Literal``, which validate IRIs and language tags) serialised in N-Triples syntax by
    pyoxigraph (``str(term)``), which escapes quotes, backslashes and line breaks, so a value is
    always exactly one closed token. The terms go in a ``VALUES (?a ?b) { (<...> "...") }`` block
    inserted at the start of the query's top-level ``WHERE`` group. That is the same semantics as
    Oxigraph's substitutions used by the embedded store (an initial binding: FILTERs and BINDs of
    the group see the value), which a trailing ``VALUES`` after the query would not give (it is
    joined after filtering and aggregation). The insertion point is found by a small lexer that
    skips strings, IRIs and comments (:mod:`graph.sparql.lex`). Rewriting through rdflib's
    algebra was rejected: it is heavy to import, and ``translateAlgebra`` does not round-trip
    every query faithfully.

Default graph
    chipgraph's embedded store queries the union of all named graphs as the default graph.
    Virtuoso does the same for a query without ``FROM``. Jena Fuseki needs
    ``tdb2:unionDefaultGraph true`` (or ``tdb:unionDefaultGraph``) on its dataset; GraphDB's
    default graph is already the union of all graphs. On a server that also holds other data,
    its graphs (for Virtuoso, its system graphs) are part of that union; chipgraph's queries
    name chipgraph's own terms, so they are not disturbed, and :meth:`RemoteStore.quads` returns
    only chipgraph's graphs.

Predeclared prefixes (``cg:``, ``cgid:``, ...) are prepended as ``PREFIX`` lines unless the
query declares them itself.
"""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from graph.errors import ChipgraphError, InputError
from graph.sparql.lex import KEYWORD_RE, declared_prefixes, strip_opaque
from graph.vocab.namespaces import BASE, PREFIXES

__all__ = ["RemoteStore", "bind_values", "checked_url", "chipgraph_graph_filter", "with_prefixes"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = dict[str, Term | None]

DEFAULT_TIMEOUT = 60.0
#: chipgraph's graphs are those whose IRI starts with this (ontology, sources, provenance, claims, eto).
GRAPH_PREFIX = BASE + "/"

JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"

_VAR_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def with_prefixes(query: str) -> str:
    """Prepend ``PREFIX`` lines for chipgraph's prefixes that ``query`` does not declare itself."""
    declared = declared_prefixes(query)
    lines = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if p not in declared]
    return "\n".join([*lines, query]) if lines else query


def _where_brace(blanked: str) -> tuple[int, int | None]:
    """Offset of the ``{`` opening the top-level WHERE group of a (blanked) query.

    The second value is the offset of the ``WHERE`` keyword when the query is the short form
    ``CONSTRUCT WHERE { ... }`` (whose group is also its template), else None.
    """
    depth_brace = depth_paren = 0
    where_at: int | None = None
    seen_group = False
    words = {m.start(): m.group(1).upper() for m in KEYWORD_RE.finditer(blanked)}
    form = next((w for w in words.values() if w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), "")
    for i, ch in enumerate(blanked):
        if depth_brace == 0 and depth_paren == 0 and words.get(i) == "WHERE":
            where_at = i
        if ch == "(":
            depth_paren += 1
        elif ch == ")":
            depth_paren -= 1
        elif ch == "{":
            if depth_brace == 0 and depth_paren == 0:
                if where_at is not None or form != "CONSTRUCT":
                    short = form == "CONSTRUCT" and not seen_group
                    return i, (where_at if short else None)
                seen_group = True
            depth_brace += 1
        elif ch == "}":
            depth_brace -= 1
    raise InputError("cannot bind parameters: the query has no WHERE group")


def bind_values(query: str, bindings: Mapping[str, Term] | None) -> str:
    """``query`` with ``bindings`` as a ``VALUES`` block opening its top-level WHERE group.

    Each value is serialised by pyoxigraph in N-Triples syntax (escaped, one closed token), so
    no value can change the shape of the query. Raises InputError for a bad variable name or a
    value that is not an RDF term.
    """
    if not bindings:
        return query
    names: list[str] = []
    terms: list[str] = []
    for name, term in sorted(bindings.items()):
        if not _VAR_NAME_RE.match(name):
            raise InputError(f"not a SPARQL variable name: {name!r}")
        if not isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
            raise InputError(f"the value of ?{name} must be an IRI or a literal, not {type(term).__name__}")
        if isinstance(term, ox.BlankNode):
            raise InputError(f"the value of ?{name} cannot be a blank node on a remote endpoint")
        names.append("?" + name)
        terms.append(str(term))
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    blanked = strip_opaque(query)
    if "{" not in blanked and re.search(r"(?i)(?<![\w:?$@.-])DESCRIBE\b", blanked):
        return query.rstrip() + " WHERE {" + block + "}"  # DESCRIBE ?x  ->  DESCRIBE ?x WHERE { VALUES ... }
    at, short_where = _where_brace(blanked)
    rest = blanked[at + 1 :].lstrip()
    if short_where is not None:
        # CONSTRUCT WHERE { P }  ==  CONSTRUCT { P } WHERE { VALUES ... P }
        end = _matching_brace(blanked, at)
        body = query[at + 1 : end]
        return query[:short_where] + "{" + body + "} WHERE {" + block + body + "}" + query[end + 1 :]
    if re.match(r"(?i)SELECT\b", rest):
        # WHERE { SELECT ... }: a group whose body is a sub-select cannot take VALUES beside it.
        end = _matching_brace(blanked, at)
        return query[: at + 1] + block + "{" + query[at + 1 : end] + "}" + query[end:]
    return query[: at + 1] + block + query[at + 1 :]


def _matching_brace(blanked: str, at: int) -> int:
    depth = 0
    for i in range(at, len(blanked)):
        if blanked[i] == "{":
            depth += 1
        elif blanked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise InputError("unbalanced braces in the query")


def chipgraph_graph_filter(var: str = "g") -> str:
    """A FILTER keeping the graphs whose IRI starts with chipgraph's base (constant, escaped)."""
    return f"FILTER(STRSTARTS(STR(?{var}), {ox.Literal(GRAPH_PREFIX)}))"


#: Virtuoso refuses a query *before* running it when its cost model guesses it would run longer
#: than ``MaxQueryCostEstimationTime``; the guess is known to be erratic (it can swing a
#: thousandfold between runs on the same data, notably after graphs were deleted and reloaded),
#: and OpenLink's maintainers advise leaving the setting unset outside debugging
#: (openlink/virtuoso-opensource#535, #1395). ``MaxQueryExecutionTime`` bounds real run time.
_COST_ESTIMATE_REFUSAL = re.compile(r"estimated execution time -?\d+ \(sec\) exceeds the limit")


def _hint_for(body: str, status: int | None) -> str:
    """A sentence telling the user what to do about a known server refusal, or ""."""
    if _COST_ESTIMATE_REFUSAL.search(body):
        return (
            " (Virtuoso refused the query on a cost *estimate*, which is often far off: retry, "
            "or ask the operator to comment out MaxQueryCostEstimationTime in the [SPARQL] section "
            "of virtuoso.ini, as OpenLink advises, keeping MaxQueryExecutionTime as the real limit; "
            "or run the query on the embedded store, without --endpoint)"
        )
    if "SR186" in body or "No permission" in body or status in (401, 403):
        return (
            " (updates need credentials: for Virtuoso use the digest-protected endpoint "
            "http://HOST:8890/sparql-auth with --user dba --password ...)"
        )
    return ""


def checked_url(url: str) -> str:
    """``url`` when it is a usable http(s) URL; InputError naming it otherwise.

    Refuses what urllib would reject later with ValueError or InvalidURL (reported as a bug):
    a white space or control character anywhere (a CR/LF would split the request line), an
    unclosed ``[`` IPv6 host, a port that is not a number in 0..65535, a scheme other than
    http(s) or no host.
    """
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        raise InputError(f"not an http(s) endpoint URL: {url!r} holds a space or control character")
    try:
        parsed = urllib.parse.urlsplit(url)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise InputError(f"not an http(s) endpoint URL: {url!r} ({exc})") from exc
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"not an http(s) endpoint URL: {url!r}")
    return url


class RemoteRow(dict):
    """One row of a remote answer: a variable the endpoint left out of its results is a clear
    error naming the endpoint, not a KeyError deep in a report (a foreign server may answer with
    other variables than the query asked for)."""

    def __init__(self, endpoint: str, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.endpoint = endpoint

    def __missing__(self, key: str) -> Any:
        raise ChipgraphError(
            f"endpoint {self.endpoint} sent results without the variable ?{key} that the query selects; "
            "is it a SPARQL 1.1 endpoint answering this query?"
        )


class RemoteStore:
    """A SPARQL 1.1 server as a :class:`graph.store.local.GraphStore`, plus updates for ``chipgraph push``.

    ``endpoint`` answers queries; ``update_endpoint`` (default: ``endpoint``) takes SPARQL Update;
    ``user``/``password`` are sent with HTTP digest or basic authentication, whichever the server
    asks for. ``timeout`` (seconds) applies to every request.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        self.endpoint = checked_url(endpoint)
        self.update_endpoint = checked_url(update_endpoint) if update_endpoint else endpoint
        self.timeout = timeout
        self.location = endpoint
        self.user = user
        handlers: list[Any] = []
        if user is not None:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, endpoint, user, password or "")
            manager.add_password(None, self.update_endpoint, user, password or "")
            self._manager = manager
            self._digest = urllib.request.HTTPDigestAuthHandler(manager)
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(manager)]
        self._opener = urllib.request.build_opener(*handlers)
        self._credentials = (user, password or "") if user is not None else None
        self._challenges: dict[str, str] = {}
        #: The ``Server`` header of the last answer ("Virtuoso/07.20.3229 ..."), for server quirks.
        self.server = ""

    # -- HTTP ---------------------------------------------------------------------------------

    def add_url(self, url: str) -> None:
        """Let the credentials be sent to another URL of the same server (a Graph Store endpoint)."""
        checked_url(url)
        if self._credentials is not None:
            self._manager.add_password(None, url, *self._credentials)

    def request(
        self,
        url: str,
        *,
        data: bytes | None = None,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> tuple[int, dict, bytes]:
        """One HTTP request; returns (status, headers, body) or raises ChipgraphError with the reason."""
        req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if data is not None and self._credentials is not None:
            self._authorize(req, timeout or self.timeout)
        try:
            with self._opener.open(req, timeout=timeout or self.timeout) as resp:
                self.server = resp.headers.get("Server", "") or ""
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            first = next((line.strip() for line in body.splitlines() if line.strip()), exc.reason)
            message = f"endpoint {url} answered HTTP {exc.code}: {first}{_hint_for(body, exc.code)}"
            if exc.code == 400:
                raise InputError(message) from None
            raise ChipgraphError(message) from None
        except TimeoutError:
            raise ChipgraphError(f"endpoint {url} did not answer within {timeout or self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise ChipgraphError(f"endpoint {url} did not answer within {timeout or self.timeout:g} s") from None
            raise ChipgraphError(f"cannot reach endpoint {url}: {reason}") from None
        except (ConnectionError, OSError) as exc:
            raise ChipgraphError(f"cannot reach endpoint {url}: {exc}") from None

    def _authorize(self, req: urllib.request.Request, timeout: float) -> None:
        """Send credentials with the first try of a request that has a body.

        urllib answers a 401 challenge by sending the request again, but a server may close the
        connection on the 401 before reading a large body (Virtuoso does: "Broken pipe"). So the
        challenge is fetched once per URL with a body-less HEAD, and the Authorization header is
        computed up front. A later 401 (stale nonce) still goes through urllib's handlers.
        """
        url = req.full_url.split("?")[0]
        challenge = self._challenges.get(url)
        if challenge is None:
            probe = urllib.request.Request(url, method="HEAD")
            try:
                with urllib.request.urlopen(probe, timeout=timeout):
                    challenge = ""
            except urllib.error.HTTPError as exc:
                challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
            except (urllib.error.URLError, OSError):
                challenge = ""  # the real request will report the problem
            self._challenges[url] = challenge
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() == "digest":
            chal = urllib.request.parse_keqv_list([part for part in urllib.request.parse_http_list(rest) if part])
            auth = self._digest.get_authorization(req, chal)
            if auth:
                req.add_unredirected_header("Authorization", "Digest " + auth)
        elif scheme.lower() == "basic":
            token = base64.b64encode(":".join(self._credentials or ("", "")).encode()).decode()
            req.add_unredirected_header("Authorization", "Basic " + token)

    def _query(self, query: str, bindings: Mapping[str, Term] | None, accept: str) -> tuple[dict, bytes]:
        text = with_prefixes(bind_values(query, bindings))
        data = urllib.parse.urlencode({"query": text}).encode("utf-8")
        _, headers, body = self.request(
            self.endpoint,
            data=data,
            method="POST",
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        if any(k.lower() == "x-chipgraph-truncated" and v.strip() == "true" for k, v in headers.items()):
            # a part of an answer would give a wrong count or report without a word: refuse it
            raise ChipgraphError(
                f"{self.endpoint} cut its answer at its row cap, so this command would read part of it; "
                "start that server with a higher `chipgraph serve --max-rows`, or read the local store "
                "(drop --endpoint)"
            )
        return headers, body

    def _results(self, query: str, bindings: Mapping[str, Term] | None) -> Any:
        headers, body = self._query(query, bindings, JSON_RESULTS)
        ctype = headers.get("Content-Type", "")
        fmt = ox.QueryResultsFormat.XML if "xml" in ctype else ox.QueryResultsFormat.JSON
        try:
            return ox.parse_query_results(body, fmt)
        except (SyntaxError, ValueError) as exc:
            raise ChipgraphError(
                f"endpoint {self.endpoint} sent results that are not SPARQL JSON ({ctype or 'no content type'}): {exc}"
            ) from None

    # -- GraphStore -----------------------------------------------------------------------------

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        result = self._results(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise ChipgraphError("expected a SELECT query")
        names = [v.value for v in result.variables]
        try:  # pyoxigraph parses the bindings as they are read: a bad one fails here
            return [RemoteRow(self.endpoint, {n: sol[n] for n in names}) for sol in result]
        except (SyntaxError, ValueError) as exc:
            raise ChipgraphError(f"endpoint {self.endpoint} sent results that are not SPARQL JSON: {exc}") from None

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self._results(query, bindings)
        if isinstance(result, ox.QuerySolutions):
            raise ChipgraphError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        headers, body = self._query(query, bindings, f"{NTRIPLES}, text/turtle;q=0.9")
        ctype = headers.get("Content-Type", "").split(";")[0].strip()
        fmt = ox.RdfFormat.TURTLE if ctype == "text/turtle" else ox.RdfFormat.N_TRIPLES
        try:
            return [q.triple for q in ox.parse(body, fmt)]
        except SyntaxError as exc:
            raise ChipgraphError(f"endpoint {self.endpoint} sent unreadable {ctype or 'RDF'}: {exc}") from None

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad in chipgraph's graphs on the server (other graphs are not chipgraph's).

        Servers may cap result sizes silently (Virtuoso's ``ResultSetMaxRows``, 10,000 by
        default), so the number of rows is checked against the server's own count.
        """
        expected = sum(self.graph_counts().values())
        rows = self.select(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {chipgraph_graph_filter()} }}")
        if len(rows) != expected:
            raise ChipgraphError(
                f"endpoint {self.endpoint} returned {len(rows):,} of {expected:,} quads: it caps "
                "result sizes (Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of "
                "virtuoso.ini)"
            )
        return iter([ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows])  # type: ignore[arg-type]

    # -- Push support -------------------------------------------------------------------------

    def update(self, text: str, timeout: float | None = None) -> None:
        """Send one SPARQL Update request (all its operations in one HTTP request)."""
        self.request(
            self.update_endpoint,
            data=text.encode("utf-8"),
            method="POST",
            timeout=timeout,
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def graph_counts(self) -> dict[str, int]:
        """Triples per chipgraph graph on the server (graphs whose IRI starts with the base)."""
        rows = self.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {chipgraph_graph_filter()} }} GROUP BY ?g"
        )
        return {row["g"].value: int(row["n"].value) for row in rows if row["g"] is not None}  # type: ignore[union-attr]
