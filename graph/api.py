"""A small facade over chipgraph for notebooks: open the built graph, ask it, get plain rows back.

::

    import graph

    g = graph.open()                      # the build in ./output (or $CHIPGRAPH_OUTPUT)
    g = graph.open("path/to/output")      # another build folder
    g = graph.open("http://host:7878/sparql")  # a SPARQL endpoint (chipgraph serve, Fuseki, ...)

    g.queries()                                            # the named queries and their parameters
    g.query("controls-on-firm", firm="SMIC", as_of="2024-12-31")
    g.sparql("SELECT ?l WHERE { cgid:huawei rdfs:label ?l }")
    g.entity("华为")                                        # everything the graph says about Huawei
    g.chokepoints("Ascend 910C", as_of="2024-12-02")
    g.capacity("Ascend 910C", year=2025)

Every call returns :class:`Rows`: a list of dicts of plain Python values (``str``, ``int``,
``float``, ``bool``, ``datetime.date``, lists, ``None``), so the answers print, compare and go
into JSON as they are; ``rows.to_pandas()`` makes a ``pandas.DataFrame`` where pandas is installed
(``pip install 'chipgraph[notebook]'``; the command line never needs it). Parameters are keyword
arguments, bound by the query engine (never pasted into the query); where a query expects an
IRI, a label or alias in any language will do (``firm="中芯国际"``), and a name that several
entities carry is refused with the candidates. Errors are :class:`graph.errors.ChipgraphError`
with the message the command line would print.

Importing :mod:`graph` does no work: this module is loaded on the first ``graph.open``, and the
analyses (networkx, numpy) on their first call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Graph", "Rows", "open"]


class Rows(list):
    """The answer to a call: a list of dicts (one per row) of plain Python values.

    ``columns`` is the order of the columns: the given ones (a query's projection, kept also when
    there are no rows), then any other key the rows have.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]] = (), columns: Iterable[str] | None = None):
        super().__init__(dict(r) for r in rows)
        seen: dict[str, None] = dict.fromkeys(columns or ())
        for row in self:
            seen.update(dict.fromkeys(row))
        self.columns: list[str] = list(seen)

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (columns in order); needs pandas (the ``notebook`` extra)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            from graph.errors import ChipgraphError

            raise ChipgraphError(
                "to_pandas() needs pandas: pip install 'chipgraph[notebook]' (or pip install pandas)"
            ) from None
        return pd.DataFrame(list(self), columns=self.columns)

    def column(self, name: str) -> list[Any]:
        """The values of one column, in row order."""
        return [row.get(name) for row in self]

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows; columns: {', '.join(self.columns) or '-'})"


def _plain(term: Any) -> Any:
    """A query term as a plain value: compact IRIs (``cgid:huawei``), numbers, booleans, dates."""
    import pyoxigraph as ox

    from graph.sparql.queries import term_to_plain
    from graph.vocab.namespaces import XSD

    if isinstance(term, ox.Literal) and term.datatype is not None and term.datatype.value == XSD + "date":
        try:
            return dt.date.fromisoformat(term.value)
        except ValueError:
            return term.value
    return term_to_plain(term, compact=True)


def _param_text(value: Any) -> str:
    """A keyword argument as the string a query parameter takes (dates, numbers, booleans, names)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def _date(value: Any) -> dt.date | None:
    """``value`` as a date (``YYYY-MM-DD`` exactly), None for None."""
    if value is None:
        return None
    from graph.lexical import parse_iso_date

    return parse_iso_date(value, "as_of")


class Graph:
    """The built graph, opened for reading (see :func:`open`)."""

    def __init__(self, store: Any, location: str):
        self.store = store
        self.location = location
        self._resolver: Any = None

    def __repr__(self) -> str:
        return f"<chipgraph graph at {self.location}>"

    # -- names -------------------------------------------------------------------------------
    def _resolve(self, name: str) -> str:
        if self._resolver is None:
            from graph.read.lookup import iri_resolver

            self._resolver = iri_resolver(self.store)
        return self._resolver(name)

    def lookup(self, name: str) -> dict[str, str]:
        """The entity called ``name`` (a label or alias in any language, an id, ``cgid:`` name or IRI).

        Returns ``{"iri", "id", "name", "kind"}``, where ``kind`` says what matched ("label",
        "alias", "id" or "iri"). Raises :class:`graph.errors.NotFoundError` for an unknown name
        (with suggestions) or one that several entities carry (with the candidates).
        """
        from graph.read.lookup import resolve_entity

        m = resolve_entity(self.store, name)
        return {"iri": m.iri, "id": m.id, "name": m.name, "kind": m.kind}

    def entity(self, name: str) -> dict[str, Any]:
        """Everything the graph says about one entity, as ``chipgraph show NAME --json`` prints it:
        labels, aliases, types, ``facts`` (each with its sources, confidence, validity and note),
        ``referenced_by`` and, for a supply-chain input, ``providers`` with their shares."""
        from graph.read.reports import entity_report

        return entity_report(self.store, self.lookup(name)["iri"])

    # -- queries -----------------------------------------------------------------------------
    def queries(self) -> Rows:
        """The named queries: name, form, description and parameters (``name (type, default)``)."""
        from graph.sparql.queries import catalogue

        rows = [
            {
                "name": q.name,
                "form": q.form,
                "description": q.description,
                "params": "; ".join(p.describe() for p in q.params),
            }
            for q in catalogue().values()
        ]
        return Rows(rows, ["name", "form", "description", "params"])

    def query(self, name: str, /, **params: Any) -> Rows:
        """Run the named query ``name`` (see :meth:`queries`) with keyword parameters.

        >>> g.query("controls-on-firm", firm="中芯国际", as_of="2024-12-31")  # doctest: +SKIP
        """
        from graph.sparql.queries import load_query

        return self._run(load_query(name), params, name)

    def sparql(self, text: str, /, **params: Any) -> Rows:
        """Run SPARQL text (SELECT or ASK; the usual prefixes cg:, cgid:, rdfs: ... are declared).

        Keyword arguments bind the query's variables; ASK gives one row ``{"boolean": ...}``.
        """
        from graph.sparql.queries import parse_named_query

        return self._run(parse_named_query(text, default_name="expression"), params, "sparql")

    def _data_date(self) -> str | None:
        from graph.read.model import data_date

        day = data_date(self.store)
        return day.isoformat() if day else None

    def _run(self, named: Any, params: Mapping[str, Any], source: str) -> Rows:
        from graph.errors import InputError
        from graph.sparql.queries import bind_params, run_query

        given = [(k, _param_text(v)) for k, v in params.items() if v is not None]
        bindings = bind_params(named, given, resolve=self._resolve, data_date=self._data_date)
        result = run_query(self.store, named.text, bindings, source=source)
        if result.form == "ASK":
            return Rows([{"boolean": bool(result.boolean)}], ["boolean"])
        if result.form != "SELECT":
            raise InputError(f"{source}: a {result.form} query gives triples, not rows; use SELECT")
        return Rows(({k: _plain(v) for k, v in row.items()} for row in result.rows), result.variables)

    # -- analyses ----------------------------------------------------------------------------
    def _accelerators(self, names: Iterable[str], known: Iterable[str]) -> list[str]:
        from graph.errors import NotFoundError

        known = set(known)
        ids = []
        for name in names:
            found = self.lookup(name)
            if found["id"] not in known:
                raise NotFoundError(f"{name!r} ({found['id']}) is not an AI accelerator of the graph")
            ids.append(found["id"])
        return ids

    def chokepoints(self, *accelerators: str, as_of: Any = None, scenario: Any = None, max_order: int = 2) -> Rows:
        """Export-control chokepoints, one row each (as ``chipgraph chokepoints --json``).

        Without ``accelerators``: every domestic accelerator. Each row has the ``accelerator``,
        ``order`` (0: already cut off; 1 and 2: single providers or pairs whose loss would cut it
        off), ``kind``, ``items``, ``providers``, ``countries``, ``measures`` (ids) and whether a
        ``domestic`` provider is left. ``as_of`` is a date or ``YYYY-MM-DD`` (default: the data
        date); ``scenario`` a what-if YAML path.
        """
        from graph.chokepoints.analysis import all_chokepoints
        from graph.chokepoints.projection import dependency_graph
        from graph.read.model import date_or_data_date

        G = dependency_graph(self.store, as_of=date_or_data_date(self.store, _date(as_of)))
        ids = self._accelerators(accelerators, G.graph.get("accelerators", [])) if accelerators else None
        scen = None
        if scenario is not None:
            from graph.chokepoints.scenarios import load_scenario

            scen = load_scenario(Path(scenario))
        results = all_chokepoints(G, ids, scenario=scen, max_order=max_order)
        from graph.chokepoints.outputs import ROW_COLUMNS

        return Rows((row for res in results for row in res["chokepoints"]), ROW_COLUMNS)

    def capacity(
        self,
        *accelerators: str,
        year: int | Iterable[int] | None = None,
        as_of: Any = None,
        min_confidence: str = "medium",
        draws: int = 100_000,
        seed: int = 0,
        detail: bool = False,
    ) -> Rows:
        """Production capacity ranges (as ``chipgraph capacity``): one summary row per accelerator
        and year (``p10``, ``p50``, ``p90``, ``min``, ``max``, ``binding`` constraint, ...), or
        with ``detail=True`` the full results (inputs with their claims, sensitivity, published
        estimates, assumptions). Without ``accelerators``: every one a capacity claim names;
        ``year`` defaults to the year of ``as_of``, else of the latest claim.
        """
        from graph.capacity.assumptions import DEFAULT_ASSUMPTIONS, load_assumptions
        from graph.capacity.claims import read_claims
        from graph.capacity.report import SUMMARY_COLUMNS, capacity_results, summary_rows

        data = read_claims(self.store)
        ids = self._accelerators(accelerators, data.accelerators) if accelerators else None
        when = _date(as_of)
        if year is None:
            latest = max((c.claim_date for c in data.claims if c.claim_date), default=dt.date(2025, 1, 1))
            years: list[int] = [(when or latest).year]
        elif isinstance(year, int):
            years = [year]
        else:
            years = [int(y) for y in year]
        results = capacity_results(
            data,
            ids,
            years,
            assumptions=load_assumptions(DEFAULT_ASSUMPTIONS),
            as_of=when,
            min_confidence=min_confidence,
            draws=draws,
            seed=seed,
        )
        if detail:
            return Rows(results)
        return Rows(summary_rows(results), SUMMARY_COLUMNS)


def open(location: str | Path | None = None, *, endpoint: str | None = None) -> Graph:  # noqa: A001
    """Open a built graph for reading.

    Parameters
    ----------
    location : str or Path, optional
        A build folder (what ``chipgraph build`` wrote; default ``./output`` or
        ``$CHIPGRAPH_OUTPUT``), or the URL of a SPARQL 1.1 endpoint (``http(s)://...``).
    endpoint : str, optional
        The endpoint URL, said explicitly (the same as ``--endpoint`` on the command line).

    Returns
    -------
    Graph
        Ask it with :meth:`Graph.query`, :meth:`Graph.sparql`, :meth:`Graph.entity`,
        :meth:`Graph.chokepoints` and :meth:`Graph.capacity`.

    Raises
    ------
    graph.errors.ChipgraphError
        When there is no build at the folder (with the command that makes one).
    """
    from graph.store.local import open_store

    if endpoint is None and isinstance(location, str) and location.startswith(("http://", "https://")):
        endpoint, location = location, None
    store = open_store(Path(location) if location is not None else None, endpoint=endpoint)
    return Graph(store, endpoint or str(getattr(store, "location", location or "output")))
