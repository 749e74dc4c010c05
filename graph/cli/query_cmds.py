"""``chipgraph queries`` and ``chipgraph query``: the named SPARQL queries and ad hoc SPARQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from graph.cli.common import handle_errors, open_from_options, store_options
from graph.cli.output import emit, emit_rows, output_options
from graph.errors import ChipgraphError

RDF_FORMATS = ("turtle", "ntriples", "jsonld", "trig", "rdfxml")


@click.command("queries")
@output_options
@handle_errors
def queries(fmt: str, output: Path | None) -> None:
    """List the named SPARQL queries: name, description and parameters.

    Example:

        chipgraph queries --md
    """
    from graph.sparql.queries import catalogue

    rows = []
    for q in catalogue().values():
        row = q.as_dict()  # emit_rows keeps only the columns below
        if fmt not in ("json", "nl"):
            row["params"] = "; ".join(p.describe() for p in q.params)
        rows.append(row)
    emit_rows(rows, fmt, output, columns=["name", "form", "description", "params"])


@click.command("query")
@click.argument("name_or_file", required=False)
@click.option("-e", "--expression", "text", metavar="TEXT", help="Run this SPARQL text instead of a named query.")
@click.option(
    "-p",
    "--param",
    "params",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="Bind a parameter (repeatable), typed by the query's header. Where an IRI is expected: cgid:huawei, "
    "<https://...>, or a label or alias in any language (华为, 'Ascend 910C'), looked up in the graph.",
)
@click.option(
    "--rdf-format",
    type=click.Choice(RDF_FORMATS),
    default="turtle",
    show_default=True,
    help="Serialisation of CONSTRUCT/DESCRIBE results.",
)
@click.option("--show", is_flag=True, help="Print the query text and its bindings instead of running it.")
@output_options
@store_options
@handle_errors
def query(
    name_or_file: str | None,
    text: str | None,
    params: tuple[tuple[str, str], ...],
    rdf_format: str,
    show: bool,
    fmt: str,
    output: Path | None,
    output_dir: Path | None,
    endpoint: str | None,
) -> None:
    """Run a named query (see `chipgraph queries`), a .rq file, or SPARQL text given with -e.

    Parameter values are bound by the query engine, never pasted into the query. SELECT and
    ASK print rows (table on a terminal, else JSON; --csv, --tsv, --nl, --md); CONSTRUCT and
    DESCRIBE print RDF (--rdf-format).

    Example:

        chipgraph query listed-firm-designs -p firm cgid:huawei

        chipgraph query controls-on-firm -p firm 中芯国际

        chipgraph query -e 'SELECT ?l WHERE { cgid:huawei rdfs:label ?l }' --csv
    """
    from graph.sparql.queries import bind_params, load_query, parse_named_query, run_query

    match name_or_file, text:
        case None, str():
            named = parse_named_query(text, default_name="expression")
            source = "-e"
        case str(), None:
            named = load_query(name_or_file)
            source = str(named.path) if named.path and name_or_file.endswith((".rq", ".sparql")) else named.name
        case _:
            raise click.UsageError("give a query NAME, a .rq FILE or -e TEXT (exactly one)")
    opened: list = []

    def store():  # opened once, and only when needed (a label to look up, or the query to run)
        if not opened:
            opened.append(open_from_options(output_dir, endpoint))
        return opened[0]

    def resolve(name: str) -> str:
        from graph.read.lookup import iri_resolver

        if len(opened) < 2:
            opened.append(iri_resolver(store()))
        return opened[1](name)

    def data_date() -> str | None:
        from graph.read.model import data_date as newest

        day = newest(store())
        return day.isoformat() if day else None

    bindings = bind_params(named, list(params), resolve=resolve, data_date=data_date)
    if show:
        lines = [named.text.rstrip("\n"), ""] + [f"# bound: ?{k} = {v}" for k, v in sorted(bindings.items())]
        emit("\n".join(lines) + "\n", output)
        return
    result = run_query(store(), named.text, bindings, source=source)
    if result.form == "ASK":
        if fmt in ("json", "nl"):
            emit(json.dumps({"boolean": result.boolean}) + "\n", output)
        else:
            emit_rows([{"boolean": "true" if result.boolean else "false"}], fmt, output)
        return
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        from graph.sparql.results import NotXmlText, serialize_triples

        try:
            body = serialize_triples(result.triples, rdf_format)
        except NotXmlText as exc:
            raise ChipgraphError(f"{exc}: use --rdf-format turtle, ntriples or jsonld") from None
        emit(body.decode("utf-8"), output)
        return
    from graph.sparql.queries import term_to_plain, term_to_text

    if fmt in ("json", "nl"):
        rows = [{k: term_to_plain(v) for k, v in row.items()} for row in result.rows]
    else:
        compact = fmt in ("table", "md")
        rows = [{k: term_to_text(v, compact=compact) for k, v in row.items()} for row in result.rows]
    emit_rows(rows, fmt, output, columns=result.variables)
    if fmt == "table" and output is None and sys.stdout.isatty():
        click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)
