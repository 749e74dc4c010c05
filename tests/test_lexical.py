"""The strict lexical checks every loader shares (graph.lexical), checked by hand-picked cases."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.lexical import (
    COUNTRY_RE,
    SLUG_RE,
    canonical_decimal,
    is_year,
    parse_decimal,
    parse_iso_date,
    read_text,
    terminal_safe,
    text_problem,
)


@pytest.mark.parametrize("text", ["0", "12", "-0.5", "+3", ".5", "5.", "100.00", "1" * 5000])
def test_decimal_lexical_forms_are_accepted(text: str) -> None:
    assert parse_decimal(text) == Decimal(text)


@pytest.mark.parametrize("text", ["1e0", "0_1", "１", "١", "NaN", "Infinity", " 1", "1\n", "", "1.2.3", "0x1F"])
def test_non_xsd_decimals_are_refused(text: str) -> None:
    assert parse_decimal(text) is None


@pytest.mark.parametrize(("text", "canonical"), [("50", "50.0"), ("12.50", "12.5"), ("0.000", "0.0"), (".5", "0.5")])
def test_canonical_decimal_keeps_every_digit(text: str, canonical: str) -> None:
    assert canonical_decimal(Decimal(text)) == canonical
    long = "9" * 60
    assert canonical_decimal(Decimal(long)) == long + ".0"  # normalize() would round to 28 digits


def test_years_are_four_ascii_digits() -> None:
    assert is_year("2025")
    assert not any(is_year(t) for t in ("٢٠٢٥", "２０２５", "2025\n", "225", "20255"))


@pytest.mark.parametrize("text", ["evil-firm\n", "a--b", "-a", "A", "ä"])
def test_slugs_are_strict(text: str) -> None:
    assert not SLUG_RE.match(text)
    assert SLUG_RE.match("huawei-ascend-910")


def test_country_codes_refuse_a_trailing_newline() -> None:
    assert COUNTRY_RE.match("CHN") and not COUNTRY_RE.match("CHN\n") and not COUNTRY_RE.match("CHNA")


def test_parse_iso_date_takes_only_yyyy_mm_dd() -> None:
    assert parse_iso_date("2024-12-02", "as_of") == dt.date(2024, 12, 2)
    assert parse_iso_date(dt.date(2024, 1, 1), "as_of") == dt.date(2024, 1, 1)
    for bad in ("20240101", "2024-W01-1", "2024-02-30", "2024-1-1", 20240101, "٢٠٢٤-01-01", "2024-01-01T00:00"):
        with pytest.raises(InputError, match="as_of") as info:
            parse_iso_date(bad, "as_of", file="s.yaml", line=3)
        assert str(info.value).startswith("s.yaml:3: as_of:")
    with pytest.raises(InputError):
        parse_iso_date(dt.datetime(2024, 1, 1), "as_of")


def test_text_problem_names_controls_and_surrogates() -> None:
    assert text_problem("tab\tand\nnewline, 名称, U+2028\u2028") is None
    assert "ESC" in text_problem("a\x1b[2J")
    assert "NUL" in text_problem("a\x00")
    assert "surrogate" in text_problem("a\ud800")
    assert "U+0085" in text_problem("a\x85")
    assert "bidi control character U+202E" in text_problem("Evil \u202eRED")
    assert "U+2066" in text_problem("a\u2066b") and text_problem("\u200f\u061c") is None  # marks are fine
    assert terminal_safe("a\u202eb") == "a\\u202eb"


def test_read_text_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"ok\nfine\nab\x00c\n")
    with pytest.raises(InputError, match=r"f\.csv:3:3: control character U\+0000"):
        read_text(path)
    path.write_bytes(b"ok\ncaf\xe9\n")
    with pytest.raises(InputError, match=r"f\.csv:2:4: not valid UTF-8"):
        read_text(path)
    path.write_bytes(b"\xef\xbb\xbfa\r\nb\r\n")
    assert read_text(path) == "a\r\nb\r\n"
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path / "d.yaml")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "missing")
    with pytest.raises(InputError, match="not a regular file"):
        read_text(tmp_path / "link.yaml")


def test_terminal_safe_shows_controls_and_keeps_json_valid() -> None:
    evil = "Evil\x1b]0;PWNED\x07\x1b[31mCorp\x00\r\x9b"
    safe = terminal_safe(evil)
    assert not any(ord(c) < 0x20 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in safe)
    assert "\\u001b]0;PWNED" in safe
    document = json.dumps({"label": evil}, ensure_ascii=False)
    assert json.loads(terminal_safe(document)) == {"label": evil}
    assert terminal_safe("plain 名称\ttext\n") == "plain 名称\ttext\n"


def test_query_json_writes_null_for_nan_and_infinity(built: Path) -> None:
    from click.testing import CliRunner

    from graph.cli import cli

    query = 'SELECT ("NaN"^^xsd:double AS ?x) ("INF"^^xsd:double AS ?y) ("1.5"^^xsd:double AS ?z) WHERE {}'
    result = CliRunner().invoke(cli, ["query", "--output-dir", str(built), "--json", "-e", query])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output, parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))
    assert rows == [{"x": None, "y": None, "z": 1.5}]


def test_table_output_never_emits_control_characters(built: Path) -> None:
    """A control character that reaches a row (here from the query itself) is shown, not obeyed."""
    from click.testing import CliRunner

    from graph.cli import cli

    query = 'SELECT ("Evil\\u001b]0;PWNED\\u0007Corp" AS ?label) WHERE {}'
    result = CliRunner().invoke(cli, ["query", "--output-dir", str(built), "-t", "-e", query])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Evil\\u001b]0;PWNED\\u0007Corp" in result.output


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\u200b", "invisible character U+200B"),
        ("\ufeff", "invisible character U+FEFF"),
        ("\u2060", "invisible character U+2060"),
        ("\uffff", "noncharacter U+FFFF"),
    ],
)
def test_invisible_and_noncharacters_are_refused_and_shown_escaped(char: str, named: str) -> None:
    """A name with a zero-width space looks like another name; U+FFFF is no XML text. Inputs
    refuse them, and a terminal is shown the escape, never the character."""
    from graph.lexical import terminal_safe, text_problem

    assert named in (text_problem(f"Acme{char}Corp") or "")
    assert terminal_safe(f"Acme{char}Corp") == f"Acme\\u{ord(char):04x}Corp"
    assert text_problem("华为 Huawei 화웨이") is None  # ordinary text in every script stays


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_bidi_marks_are_kept_in_data_but_shown_escaped_on_a_terminal(mark: str) -> None:
    from graph.lexical import terminal_safe, text_problem

    assert text_problem(f"name{mark}") is None
    assert terminal_safe(f"name{mark}") == f"name\\u{ord(mark):04x}"
