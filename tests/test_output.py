"""Row output: tables aligned in display columns (CJK titles), wrapping vs --wide, Markdown, cells.

Display columns are measured with wcwidth, independently of rich (which lays the tables out).
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth, wcwidth

from graph.cli import cli
from graph.cli.output import MAX_CELL, TableLayout, format_rows
from graph.textcells import cell_text

CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
COLUMNS = ["id", "title", "publisher", "date", "kind", "language", "url", "claims"]


def _slice(line: str, start: int, end: int | None) -> str:
    """The characters of ``line`` from display column ``start`` up to ``end`` (None: the end)."""
    out, col = [], 0
    for ch in line:
        if col >= start and (end is None or col < end):
            out.append(ch)
        col += max(wcwidth(ch), 0)
    return "".join(out)


def _starts(dash_line: str) -> list[int]:
    """Display columns where the header's dash runs start (the dash line is ASCII)."""
    return [m.start() for m in re.finditer(r"-+", dash_line)]


def _cells(line: str, starts: list[int]) -> list[str]:
    bounds = [*starts[1:], None]
    return [_slice(line, a, b).strip() for a, b in zip(starts, bounds)]


@pytest.fixture(scope="module")
def registry(built) -> list[dict]:
    result = CliRunner().invoke(cli, ["sources", "--json", "--output-dir", str(built)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _sources_table(built, *flags: str) -> list[str]:
    result = CliRunner().invoke(cli, ["sources", "-t", *flags, "--output-dir", str(built)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_cjk_rows_line_up_in_display_columns_with_wide(built, registry):
    lines = _sources_table(built, "--wide")
    header, dashes, body = lines[0], lines[1], lines[2:]
    starts = _starts(dashes)
    assert len(starts) == len(COLUMNS)
    assert _cells(header, starts) == COLUMNS
    assert len(body) == len(registry)  # --wide: one line per row
    cjk_rows = 0
    for line, row in zip(body, registry):
        cjk_rows += bool(CJK.search(line))
        # every column of every row starts at the header's display column, so slicing there gives the cells back
        assert _cells(line, starts) == [cell_text(row[c]) for c in COLUMNS], line
        for start in starts[1:]:
            assert _slice(line, start - 1, start) == " ", (start, line)
    assert cjk_rows >= 2, "the shipped registry has Chinese and Korean titles"


def test_default_table_wraps_long_cells_and_loses_nothing(built, registry):
    lines = _sources_table(built)
    starts = _starts(lines[1])
    rows: list[list[list[str]]] = []
    for line in lines[2:]:
        cells = _cells(line, starts)
        if cells[0]:
            rows.append([[c] for c in cells])
        else:  # a continuation line of the row above
            for parts, c in zip(rows[-1], cells):
                parts.append(c)
        for i, start in enumerate(starts[:-1]):
            assert wcswidth(_slice(line, start, starts[i + 1]).rstrip()) <= MAX_CELL
    assert len(rows) == len(registry)
    wrapped = 0
    for parts, row in zip(rows, registry):
        for c, pieces in zip(COLUMNS, parts):
            text = cell_text(row[c])
            wrapped += len([p for p in pieces if p]) > 1
            # wrapping only moves text to the next line: nothing is cut, nothing added
            assert "".join("".join(pieces).split()) == "".join(text.split()), (c, pieces, text)
            assert "…" not in "".join(pieces) or "…" in text
    assert wrapped, "some shipped titles are longer than one cell"


def test_wrap_fits_a_narrow_terminal_and_wide_does_not_wrap():
    rows = [{"name": "华为昇腾 910C 芯片 " * 6, "n": 1}, {"name": "딥시크 " * 3, "n": 22}]
    narrow = format_rows(rows, "table", layout=TableLayout(width=30)).splitlines()
    assert max(wcswidth(line) for line in narrow) <= 30
    assert "".join("".join(narrow[2:]).split()).count("华为昇腾") == 6
    wide = format_rows(rows, "table", layout=TableLayout(wide=True)).splitlines()
    assert len(wide) == 4 and wide[2].count("华为昇腾") == 6


def test_markdown_pipes_line_up_in_display_columns(built, registry):
    result = CliRunner().invoke(cli, ["sources", "--md", "--output-dir", str(built)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(registry) + 2
    pipes = None
    for line in lines:
        cols, found = 0, []
        for i, ch in enumerate(line):
            if ch == "|" and (i == 0 or line[i - 1] != "\\"):
                found.append(cols)
            cols += wcwidth(ch)
        assert pipes is None or found == pipes, line
        pipes = found
    assert len(pipes) == len(COLUMNS) + 1


def test_table_cells_are_text_not_markup():
    out = format_rows([{"a": "[bold]x[/bold] :smile: <b>"}], "table", layout=TableLayout())
    assert out.splitlines()[2] == "[bold]x[/bold] :smile: <b>"


def test_no_rows_still_prints_the_header():
    assert format_rows([], "table", ["a", "bb"], layout=TableLayout()).splitlines()[-1] == "(no rows)"


def test_cell_text_one_rule():
    assert cell_text(None) == ""
    assert cell_text(["b", "a", ["c", 1]]) == "b; a; c; 1"
    assert cell_text(("b", "a"), sort=True) == "a; b"
    assert cell_text({"z", "y"}) == "y; z"
    assert cell_text(50.0) == "50" and cell_text(1.4) == "1.4" and cell_text(12.3456789) == "12.3456789"
    assert cell_text(True) == "True" and cell_text(3) == "3"
