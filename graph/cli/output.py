"""Output flags shared by every command that prints rows.

``-t/--table`` (the default on a terminal), ``--json`` (the default otherwise), ``--csv``,
``--tsv``, ``--nl`` (newline-delimited JSON) and ``--md`` (Markdown table), plus
``-o/--output`` to write to a file atomically instead of standard output.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

FORMATS = ("table", "json", "csv", "tsv", "nl", "md")


def output_options(func: Callable) -> Callable:
    """Add the row-output flags to a click command; the command receives ``fmt`` and ``output``."""

    @click.option("-t", "--table", "fmt_table", is_flag=True, help="Aligned text table (default on a terminal).")
    @click.option("--json", "fmt_json", is_flag=True, help="JSON array of objects (default when piped).")
    @click.option("--csv", "fmt_csv", is_flag=True, help="Comma-separated values with a header row.")
    @click.option("--tsv", "fmt_tsv", is_flag=True, help="Tab-separated values with a header row.")
    @click.option("--nl", "fmt_nl", is_flag=True, help="Newline-delimited JSON, one object per line.")
    @click.option("--md", "fmt_md", is_flag=True, help="Markdown table.")
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to this file (atomically) instead of standard output.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        fmt_table: bool,
        fmt_json: bool,
        fmt_csv: bool,
        fmt_tsv: bool,
        fmt_nl: bool,
        fmt_md: bool,
        output: Path | None,
        **kwargs: Any,
    ) -> Any:
        chosen = [
            name
            for name, flag in (
                ("table", fmt_table),
                ("json", fmt_json),
                ("csv", fmt_csv),
                ("tsv", fmt_tsv),
                ("nl", fmt_nl),
                ("md", fmt_md),
            )
            if flag
        ]
        if len(chosen) > 1:
            raise click.UsageError("choose one output format, not " + " and ".join("--" + c for c in chosen))
        if chosen:
            fmt = chosen[0]
        else:
            fmt = "table" if output is None and sys.stdout.isatty() else "json"
        return func(*args, fmt=fmt, output=output, **kwargs)

    return wrapper


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def format_rows(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Render rows (dicts) in one of :data:`FORMATS`; columns default to the keys of the first row."""
    cols = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        return json.dumps([{c: r.get(c) for c in cols} for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "nl":
        return "".join(json.dumps({c: r.get(c) for c in cols}, ensure_ascii=False) + "\n" for r in rows)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in cols])
        return buf.getvalue()
    if fmt == "md":

        def esc(s: str) -> str:
            return s.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
        lines += ["| " + " | ".join(esc(_cell(r.get(c))) for c in cols) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        if not cols:
            return "(no rows)\n"
        cells = [[_cell(r.get(c)).replace("\n", " ") for c in cols] for r in rows]
        widths = [min(60, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(cols)]

        def clip(s: str, w: int) -> str:
            return s if len(s) <= w else s[: w - 1] + "…"

        out = [
            "  ".join(clip(c, w).ljust(w) for c, w in zip(cols, widths)).rstrip(),
            "  ".join("-" * w for w in widths),
        ]
        out += ["  ".join(clip(v, w).ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
        if not rows:
            out.append("(no rows)")
        return "\n".join(out) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def emit(text: str, output: Path | None) -> None:
    """Print text, or write it atomically to ``output``.

    Printed text passes :func:`graph.lexical.terminal_safe`, the one place where output meets
    the terminal: a control character in the data is shown as ``\\u001b``, never obeyed.
    """
    if output is None:
        from graph.lexical import terminal_safe

        click.echo(terminal_safe(text), nl=False)
        return
    from graph.atomic import write_text_atomic

    write_text_atomic(output, text)
    click.echo(f"wrote {output}", err=True)


def emit_rows(
    rows: Iterable[dict[str, Any]], fmt: str, output: Path | None, columns: Sequence[str] | None = None
) -> None:
    """Format rows and print or write them."""
    emit(format_rows(list(rows), fmt, columns), output)
