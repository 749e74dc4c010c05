"""``chipgraph show``, ``stats``, ``sources`` and ``conflicts``: read the built graph."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from graph.cli.common import handle_errors, open_from_options, store_options
from graph.cli.output import emit, emit_rows, format_rows, output_options


def _sources_text(sources: list[str]) -> str:
    return ", ".join(sources)


def _note_marks(notes: list[str], claims: list[dict[str, Any]]) -> list[str]:
    """``[n]`` for each claim with a note (numbered in order, one number per distinct note), else ""."""
    marks = []
    for claim in claims:
        note = claim.get("note")
        if not note:
            marks.append("")
            continue
        if note not in notes:
            notes.append(note)
        marks.append(f"[{notes.index(note) + 1}]")
    return marks


def _render_report(report: dict[str, Any]) -> str:
    """The human-readable form of ``chipgraph show``: claims in tables, their notes numbered below."""
    labels = "; ".join(f"{lang or '-'}: {' / '.join(v)}" for lang, v in report["labels"].items())
    lines = [
        f"{report['labels'].get('en', [report['id']])[0]}  ({report['id']})",
        f"  types:   {', '.join(report['types']) or '-'}",
        f"  labels:  {labels or '-'}",
    ]
    if report["aliases"]:
        lines.append(f"  aliases: {'; '.join(report['aliases'])}")
    lines.append("")
    notes: list[str] = []
    if report["facts"]:
        lines.append("Facts (each with the sources that state it; [n]: the curators' note n below):")
        rows = [
            {
                "property": f["property"],
                "value": f["value"],
                "confidence": f["confidence"],
                "valid": " to ".join(x for x in (f["valid_from"], f["valid_until"]) if x),
                "sources": _sources_text(f["sources"]),
                "note": mark,
            }
            for f, mark in zip(report["facts"], _note_marks(notes, report["facts"]))
        ]
        lines.append(format_rows(rows, "table").rstrip("\n"))
        lines.append("")
    if report["providers"]:
        for kind, title in (("country", "Providers by country"), ("firm", "Providers by firm")):
            rows = [
                {
                    "provider": p["provider"],
                    "country": p["country"],
                    "share %": p["share_percent"],
                    "year": p["year"],
                    "source": p["source_text"] or p["source"],
                }
                for p in report["providers"]
                if p["kind"] == kind
            ]
            if rows:
                if kind == "country":
                    for r in rows:
                        del r["country"]
                lines.append(f"{title} (share of the world market, year of the figure, source):")
                lines.append(format_rows(rows, "table").rstrip("\n"))
                lines.append("")
    if report.get("listings"):
        lines.append("Listings (curated listings and list entries naming it or a subsidiary; dates, citations):")
        rows = [
            {
                "since": x["effective"],
                "until": x["end"],
                "list": x["list"] or x["label"],
                "party": x["party"] + (" (subsidiary)" if x["via"] else ""),
                "federal register": "; ".join(x["federal_register"]) or x["legal_citation"],
                "fn": " ".join(str(n) for n in x["footnotes"]),
                "sources": _sources_text(x["sources"]),
            }
            for x in report["listings"]
        ]
        lines.append(format_rows(rows, "table").rstrip("\n"))
        lines.append("")
    if report["referenced_by"]:
        lines.append("Referred to by:")
        rows = [
            {
                "subject": f["subject"],
                "property": f["property"],
                "confidence": f["confidence"],
                "sources": _sources_text(f["sources"]),
                "note": mark,
            }
            for f, mark in zip(report["referenced_by"], _note_marks(notes, report["referenced_by"]))
        ]
        lines.append(format_rows(rows, "table").rstrip("\n"))
        lines.append("")
    if notes:
        lines.append("Notes:")
        for i, note in enumerate(notes, 1):
            mark = f"  [{i}] "
            lines += textwrap.wrap(note, width=100, initial_indent=mark, subsequent_indent=" " * len(mark))
    return "\n".join(lines).rstrip() + "\n"


@click.command()
@click.argument("name")
@store_options
@output_options
@handle_errors
def show(name: str, output_dir: Path | None, endpoint: str | None, fmt: str, output: Path | None) -> None:
    """Show an entity with every fact about it and the sources behind each.

    NAME is any label or alias in any language (case-insensitive), or the entity's id.
    For a supply-chain input, the providers are listed with their market shares by
    country and by firm. Unknown names get "did you mean" suggestions.

    Example:

        chipgraph show "Ascend 910C"

        chipgraph show 화웨이 --json
    """
    from graph.read.lookup import resolve_entity
    from graph.read.reports import entity_report

    store = open_from_options(output_dir, endpoint)
    match = resolve_entity(store, name)
    report = entity_report(store, match.iri)
    if fmt == "table":
        emit(_render_report(report), output)
    elif fmt == "json":
        emit(json.dumps(report, ensure_ascii=False, indent=2) + "\n", output)
    else:
        rows = [
            {
                "property": f["property"],
                "value": f["value"],
                "confidence": f["confidence"],
                "valid_from": f["valid_from"],
                "valid_until": f["valid_until"],
                "sources": f["sources"],
                "claim": f["claim"],
                "note": f["note"],
            }
            for f in report["facts"]
        ]
        columns = ["property", "value", "confidence", "valid_from", "valid_until", "sources", "claim", "note"]
        emit_rows(rows, fmt, output, columns)


@click.command()
@store_options
@output_options
@handle_errors
def stats(output_dir: Path | None, endpoint: str | None, fmt: str, output: Path | None) -> None:
    """Count what the graph holds: entities by class, sources, claims, and missing dates.

    "Missing dates" counts facts with a time dimension (measures, deployments, figure
    claims, provisions) that lack their date; the shapes make these zero in a valid build.
    "Newest" rows give the latest date of each kind of dated fact, so staleness shows.

    Example:

        chipgraph stats
    """
    from graph.read.freshness import newest_dates
    from graph.read.reports import stats as compute

    store = open_from_options(output_dir, endpoint)
    result = compute(store)
    result["newest_dates"] = newest_dates(store)  # staleness: the newest date per kind of dated fact
    if fmt == "json":
        emit(json.dumps(result, ensure_ascii=False, indent=2) + "\n", output)
        return
    rows = [
        {"what": k.replace("_", " "), "count": result[k]}
        for k in ("triples", "named_graphs", "inferred_triples", "assertions", "sources")
    ]
    rows += [{"what": f"class {c['class']}", "count": c["count"]} for c in result["classes"]]
    rows += [{"what": k, "count": v} for k, v in result["missing_dates"].items()]
    rows += [{"what": f"newest {d['kind']}", "count": d["newest"] or "-"} for d in result["newest_dates"]]
    emit_rows(rows, fmt, output, ["what", "count"])


@click.command()
@click.argument("source_id", required=False)
@store_options
@output_options
@handle_errors
def sources(
    source_id: str | None, output_dir: Path | None, endpoint: str | None, fmt: str, output: Path | None
) -> None:
    """List the source registry, or every claim one source supports.

    Without SOURCE_ID: each source with title, publisher, date, kind, URL and the number of
    claims it supports. With SOURCE_ID: those claims (subject, property, value, confidence).

    Example:

        chipgraph sources

        chipgraph sources kr-article-2025-02-17
    """
    from graph.errors import NotFoundError
    from graph.read.reports import source_claims
    from graph.read.reports import sources as registry

    store = open_from_options(output_dir, endpoint)
    if source_id is None:
        emit_rows(
            registry(store), fmt, output, ["id", "title", "publisher", "date", "kind", "language", "url", "claims"]
        )
        return
    known = [s["id"] for s in registry(store)]
    if source_id not in known:
        import difflib

        close = difflib.get_close_matches(source_id, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `chipgraph sources` lists them"
        raise NotFoundError(f"no source {source_id!r}{hint}")
    emit_rows(
        source_claims(store, source_id), fmt, output, ["subject", "property", "value", "confidence", "claim", "note"]
    )


@click.command()
@store_options
@output_options
@handle_errors
def conflicts(output_dir: Path | None, endpoint: str | None, fmt: str, output: Path | None) -> None:
    """List claims that disagree, each with its sources and confidence.

    Two kinds: two values of a property that expects one (cg:expectsSingleValue, e.g. which
    foundry made a chip, a founder's name), and claims the curators marked cg:contradicts.
    Both sides stay in the graph; this shows them side by side.

    Example:

        chipgraph conflicts
    """
    from graph.read.reports import conflicts as find

    emit_rows(
        find(open_from_options(output_dir, endpoint)),
        fmt,
        output,
        ["kind", "conflict", "subject", "property", "value", "confidence", "sources", "claim", "note"],
    )
