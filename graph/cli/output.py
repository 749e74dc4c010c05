"""Output flags shared by every command that prints rows.

``-t/--table`` (the default on a terminal), ``--json`` (the default otherwise), ``--csv``,
``--tsv``, ``--nl`` (newline-delimited JSON) and ``--md`` (Markdown table), plus
``-o/--output`` to write to a file atomically instead of standard output, and ``--wide``.

Tables are laid out by rich, which measures every cell in display columns (a Chinese or Korean
character takes two), so rows stay aligned whatever the script. A cell longer than
:data:`MAX_CELL` columns (or than the terminal allows) wraps onto more lines; ``--wide`` prints
every cell whole on one line. Nothing is ever cut off. Markdown tables are padded the same way.
Cell text comes from :func:`graph.textcells.cell_text`, the rule the build's CSV files use too.
"""

from __future__ import annotations

import contextvars
import csv
import functools
import io
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from graph.cli.pathtype import PathArg
from graph.errors import ChipgraphError
from graph.textcells import cell_text

FORMATS = ("table", "json", "csv", "tsv", "nl", "md")
#: Widest a table cell is drawn (in display columns) before it wraps, unless ``--wide`` is given.
MAX_CELL = 60


@dataclass(frozen=True)
class TableLayout:
    """How ``-t`` tables are laid out: ``wide`` prints cells whole; ``width`` is the total
    width to fit (a terminal's), or None for no limit beyond :data:`MAX_CELL` per column."""

    wide: bool = False
    width: int | None = None


#: The layout the running command asked for (set by :func:`output_options` for the call).
_LAYOUT: contextvars.ContextVar[TableLayout | None] = contextvars.ContextVar("chipgraph_table_layout", default=None)


def output_options(func: Callable) -> Callable:
    """Add the row-output flags to a click command; the command receives ``fmt`` and ``output``.

    ``--wide`` does not reach the command: it applies to every table the command prints (through
    :data:`_LAYOUT`), so commands keep comparing ``fmt`` with ``"table"`` as before.
    """

    @click.option("-t", "--table", "fmt_table", is_flag=True, help="Aligned text table (default on a terminal).")
    @click.option("--json", "fmt_json", is_flag=True, help="JSON array of objects (default when piped).")
    @click.option("--csv", "fmt_csv", is_flag=True, help="Comma-separated values with a header row.")
    @click.option("--tsv", "fmt_tsv", is_flag=True, help="Tab-separated values with a header row.")
    @click.option("--nl", "fmt_nl", is_flag=True, help="Newline-delimited JSON, one object per line.")
    @click.option("--md", "fmt_md", is_flag=True, help="Markdown table.")
    @click.option(
        "--wide",
        is_flag=True,
        help=f"In a table, print long cells whole on one line (default: wrap them at {MAX_CELL} columns).",
    )
    @click.option(
        "-o",
        "--output",
        type=PathArg(dir_okay=False, path_type=Path),
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
        wide: bool,
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
        terminal = output is None and sys.stdout.isatty()
        if chosen:
            fmt = chosen[0]
        else:
            fmt = "table" if terminal else "json"
        width = shutil.get_terminal_size().columns if terminal and not wide else None
        token = _LAYOUT.set(TableLayout(wide=wide, width=width))
        try:
            return func(*args, fmt=fmt, output=output, **kwargs)
        finally:
            _LAYOUT.reset(token)

    return wrapper


def _one_line(value: Any) -> str:
    """A cell on one line, its control characters shown as escapes before rich lays it out (rich
    would drop some of them silently, so the reader would not see they were there)."""
    from graph.lexical import terminal_safe

    return terminal_safe(cell_text(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


#: A box with no borders and a line of dashes under the header; columns are two spaces apart.
_HEADER_DASHES = "    \n    \n -  \n    \n    \n    \n    \n    \n"


def _text_table(cols: Sequence[str], cells: list[list[str]], layout: TableLayout) -> str:
    """An aligned table measured in display columns (rich), wrapped or whole per ``layout``."""
    from rich.box import Box
    from rich.console import Console
    from rich.table import Column, Table
    from rich.text import Text

    columns = [
        Column(c, no_wrap=layout.wide, overflow="fold", max_width=None if layout.wide else MAX_CELL) for c in cols
    ]
    table = Table(
        *columns,
        box=Box(_HEADER_DASHES),
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="",
        highlight=False,
    )
    for row in cells:
        table.add_row(*(Text(v) for v in row))  # Text: no markup or emoji codes are read from the data
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=layout.width or 1_000_000,
        color_system=None,
        no_color=True,
        force_terminal=False,
        legacy_windows=False,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(table)
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


def _markdown_table(cols: Sequence[str], cells: list[list[str]]) -> str:
    """A Markdown table whose pipes line up in display columns (cells are never wrapped)."""
    from rich.cells import cell_len

    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    head = [esc(c) for c in cols]
    body = [[esc(v) for v in row] for row in cells]
    widths = [max([3, cell_len(h)] + [cell_len(row[i]) for row in body]) for i, h in enumerate(head)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v + " " * (w - cell_len(v)) for v, w in zip(values, widths)) + " |"

    lines = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += [line(row) for row in body]
    return "\n".join(lines) + "\n"


def format_rows(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    layout: TableLayout | None = None,
) -> str:
    """Render rows (dicts) in one of :data:`FORMATS`; columns default to the keys of the first row.

    ``layout`` applies to ``table`` (default: what the running command's flags asked for).
    """
    cols = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        # one row per line: as readable as an indented list for rows of flat values, and written by
        # the C encoder (indent= falls back to the pure-Python one: 0.09 s of a 0.5 s query)
        if not rows:
            return "[]\n"
        return (
            "[\n"
            + ",\n".join("  " + json.dumps({c: r.get(c) for c in cols}, ensure_ascii=False) for r in rows)
            + "\n]\n"
        )
    if fmt == "nl":
        return "".join(json.dumps({c: r.get(c) for c in cols}, ensure_ascii=False) + "\n" for r in rows)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([cell_text(r.get(c)) for c in cols])
        return buf.getvalue()
    if fmt == "md":
        return _markdown_table(cols, [[_one_line(r.get(c)) for c in cols] for r in rows])
    if fmt == "table":
        if not cols:
            return "(no rows)\n"
        cells = [[_one_line(r.get(c)) for c in cols] for r in rows]
        text = _text_table(cols, cells, layout or _LAYOUT.get() or TableLayout())
        return text + ("(no rows)\n" if not rows else "")
    raise ValueError(f"unknown format {fmt!r}")


def emit(text: str, output: Path | None) -> None:
    """Print text, or write it to ``output`` (see :func:`write_output`).

    Printed text passes :func:`graph.lexical.terminal_safe`, the one place where output meets
    the terminal: a control character in the data is shown as ``\\u001b``, never obeyed. A
    standard output that cannot take the text (a full disk, a closed pipe's reader gone with an
    error) is an error, not a silent loss.
    """
    from graph.lexical import terminal_safe

    if output is None:
        try:
            click.echo(terminal_safe(text), nl=False)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader left: graph.cli.common.handle_errors stops quietly
        except OSError as exc:
            raise ChipgraphError(
                f"cannot write to standard output: {exc.strerror or exc}; free space, or write to a file with -o FILE"
            ) from None
        return
    write_output(output, text)
    click.echo(f"wrote {terminal_safe(shown_path(output))}", err=True)


def shown_path(path: Path) -> str:
    """``path`` as printed in a message: as is, or quoted with escapes where it holds a newline,
    a control character or a quote, so that the name shown is the file's real name."""
    text = str(path)
    if text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def write_output(output: Path, text: str) -> None:
    """Write ``text`` to ``output`` with :func:`graph.atomic.write_text_atomic` (atomically to a
    regular file, through a device or pipe, following links), having checked the path first.

    The folder must exist (``-o`` creates no folders, so a typo is not silently honoured). Every
    failure is a :class:`ChipgraphError` naming the path.
    """
    import os

    from graph.atomic import write_text_atomic

    name = shown_path(output)
    if not str(output) or output == Path("."):
        raise ChipgraphError("-o needs a file name, not an empty path")
    target = Path(os.path.realpath(output))
    try:
        if target.is_dir():
            raise ChipgraphError(f"cannot write {name}: it is a folder; give a file name inside it")
        if not target.parent.is_dir():
            why = "is not a folder" if target.parent.exists() else "does not exist"
            raise ChipgraphError(
                f"cannot write {name}: {shown_path(target.parent)} {why}; create the folder first or pick another path"
            )
        write_text_atomic(target, text)
    except OSError as exc:
        raise ChipgraphError(f"cannot write {name}: {exc.strerror or exc}") from None


def emit_rows(
    rows: Iterable[dict[str, Any]], fmt: str, output: Path | None, columns: Sequence[str] | None = None
) -> None:
    """Format rows and print or write them."""
    emit(format_rows(list(rows), fmt, columns), output)
