"""Strict lexical forms, the one text decoder every input goes through, and the terminal edge.

Every loader (curated YAML, source registries, release.yaml, scenarios, ETO CSV files, the
crosswalk, the ontology, named queries) reads its file with :func:`read_text` and checks its
numbers, years, dates and ids with the functions here, so that one rule decides what is a
number or a date everywhere, and a value the graph would store as an ill-typed literal (``1e0``
as xsd:decimal, ``٢٠٢٥`` as xsd:gYear) is refused with its file and line instead.

Why a decoder of our own: Python's ``Decimal()``, ``int()``, ``\\d`` and ``date.fromisoformat``
accept much more than XSD does (exponents, underscores, any script's digits, ISO week dates), and
``$`` in a regular expression matches before a trailing newline. Control characters and lone
surrogates are refused after every decoding step (YAML escapes such as ``"\\e"`` produce them
after PyYAML's own check), and :func:`terminal_safe` strips them at the terminal edge too.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from graph.errors import InputError, Problem

__all__ = [
    "COUNTRY_RE",
    "LANG_RE",
    "MAX_ID_LENGTH",
    "SLUG_RE",
    "canonical_decimal",
    "is_year",
    "parse_decimal",
    "parse_iso_date",
    "read_text",
    "terminal_safe",
    "text_problem",
]

#: The longest id (characters): ids become file names of the site (``accelerator-<id>.html``),
#: which file systems cap at 255 bytes; the longest shipped id has 47.
MAX_ID_LENGTH = 100
#: A lowercase slug of at most :data:`MAX_ID_LENGTH` characters: ``a-z``, ``0-9`` and single
#: inner hyphens; ``\Z`` so no trailing newline.
SLUG_RE = re.compile(rf"^(?=.{{1,{MAX_ID_LENGTH}}}\Z)[a-z0-9]+(?:-[a-z0-9]+)*\Z")
#: An ISO 3166-1 alpha-3 code (upper-case ASCII letters only).
COUNTRY_RE = re.compile(r"^[A-Z]{3}\Z")
#: A BCP 47 language tag, as far as RDF literals need one (``en``, ``zh-Hans``, ``en-US``).
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")
#: The xsd:decimal lexical space: ASCII digits, an optional sign and point, no exponent.
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_YEAR_RE = re.compile(r"[0-9]{4}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Characters no input may hold once decoded: C0 controls but tab and newline, DEL, C1 controls,
#: lone surrogates (which YAML's "\ud800" escapes produce and UTF-8 cannot encode), and the bidi
#: embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069, which make a name
#: display as other text than it holds (a right-to-left override reverses what follows it).
#: Also the invisible U+200B, U+2060 and U+FEFF (a name that looks like another) and the
#: noncharacters U+FFFE and U+FFFF (not XML text). The bidi *marks* U+200E, U+200F and U+061C
#: are allowed: right-to-left names need them, and they reorder nothing by themselves; a
#: terminal is shown them escaped (:func:`terminal_safe`).
_BAD_VALUE_CHARS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\ufffe\uffff]"
)
#: In a raw file carriage returns are line ends too (CRLF files are fine).
_BAD_FILE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "backspace", 0x0D: "carriage return", 0x1B: "ESC", 0x7F: "DEL"}


def parse_decimal(text: str) -> Decimal | None:
    """``text`` as a Decimal when it is in the xsd:decimal lexical space (``12``, ``-0.5``, ``.5``), else None.

    Refuses what ``Decimal()`` would also take: exponents (``1e0``), underscores (``0_1``),
    non-ASCII digits (``１``, ``١``), ``NaN`` and ``Infinity``, surrounding white space.
    """
    if not isinstance(text, str) or not _DECIMAL_RE.fullmatch(text):
        return None
    return Decimal(text)


def canonical_decimal(number: Decimal) -> str:
    """The canonical xsd:decimal text of a finite number: exact digits, no exponent, at least one decimal.

    ``format(number, "f")`` keeps every digit (``Decimal.normalize()`` would round to the
    context's 28 digits and overflow on huge exponents); trailing fractional zeros go, and a
    whole number gets ``.0`` (``50`` -> ``50.0``, ``12.50`` -> ``12.5``).
    """
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + ".0" if "." not in text else text


def is_year(text: str) -> bool:
    """True when ``text`` is four ASCII digits other than 0000 (the form xsd:gYear takes in
    chipgraph's data; XML Schema 1.0, which RDF 1.1 uses, has no year zero)."""
    return isinstance(text, str) and _YEAR_RE.fullmatch(text) is not None and text != "0000"


def parse_iso_date(
    text: object,
    what: str,
    *,
    file: str | Path | None = None,
    line: int | None = None,
    column: int | None = None,
) -> dt.date:
    """A calendar date written exactly ``YYYY-MM-DD``; raise :class:`InputError` naming ``what`` otherwise.

    The one date parser of the command line (``--as-of``), scenarios (``as_of``, ``effective``,
    ``end``) and release descriptions. A ``datetime.date`` (what YAML makes of an unquoted date)
    is taken as it is; ``date.fromisoformat`` alone would also accept ``20240101`` and ISO week
    dates (``2024-W01-1``), which the documented format does not allow. ``file``, ``line`` and
    ``column`` say where the value was read, for the message.
    """
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        return text
    if isinstance(text, str) and _DATE_RE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            problem = f"{what}: {text!r} is not a calendar date"
    else:
        problem = f"{what}: {text!r} is not a date in the form YYYY-MM-DD"
    raise InputError(Problem(problem, file, line, column=column, hint="write YYYY-MM-DD, e.g. 2024-12-02"))


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X}"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0x200E, 0x200F, 0x061C):
        return f"bidi control character U+{code:04X}"
    if code in (0x200B, 0x2060, 0xFEFF):
        return f"invisible character U+{code:04X}"
    if code in (0xFFFE, 0xFFFF):
        return f"noncharacter U+{code:04X}"
    name = _CONTROL_NAMES.get(code)
    return f"control character U+{code:04X}" + (f" ({name})" if name else "")


def text_problem(text: str) -> str | None:
    """Why a decoded text value may not enter the graph (a control character, a surrogate), or None.

    Tab and newline are allowed (notes span lines); every other C0/C1 control, DEL and lone
    surrogates are not: they would reach terminals (``ESC ]0;...`` retitles one, ``ESC ]52``
    writes the clipboard) or fail later as a bare encoding error with no file and line.
    """
    bad = _BAD_VALUE_CHARS.search(text)
    if bad is None:
        return None
    return f"{_describe(bad.group())} at character {bad.start() + 1} is not allowed in a text value"


def read_text(path: str | Path) -> str:
    """Read one input file as UTF-8 (a BOM allowed), refusing anything else with file, line and column.

    The single decoder of every input: a path that is a folder, a device or a broken link, an
    unreadable file, a byte that is not UTF-8 (Latin-1, UTF-16) and a raw control character other
    than tab, newline and carriage return are each an :class:`InputError` naming the file (and
    the line and column of the bad byte or character).
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(Problem("is a folder, not a file", path, hint="rename or move the folder; inputs are files"))
    if not path.is_file():
        if path.exists() or path.is_symlink():
            raise InputError(Problem("is not a regular file (a device, a pipe or a broken link)", path))
        raise InputError(Problem("no such file", path))
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise InputError(Problem("cannot read the file: permission denied", path)) from exc
    except OSError as exc:
        raise InputError(Problem(f"cannot read the file: {exc.strerror or exc}", path)) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            Problem(
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                path,
                line,
                column=column,
                hint="save the file as UTF-8",
            )
        ) from exc
    bad = _BAD_FILE_CHARS.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise InputError(
            Problem(
                f"{_describe(bad.group())} is not allowed",
                path,
                line,
                column=column,
                hint="remove it; input files are plain text",
            )
        )
    return text


_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\u2060\ufeff\ufffe\uffff]"
)


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on written as a visible ``\\uXXXX`` escape.

    Tab and newline stay; carriage return, ESC, BEL, NUL, the other C0 and C1 controls, DEL, the
    bidi embedding/override/isolate controls and marks, invisible characters, noncharacters and
    lone surrogates become ``\\u001b`` and the like.
    The escape is JSON's own, so JSON text stays valid JSON with the same value, and a table
    shows the character instead of obeying it.
    The last line of defence for text printed to a terminal (``show -t``, tables): inputs
    already refuse control characters, but a remote endpoint or an older build may hold them.
    Pure; apply it once, where text leaves for standard output.
    """
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
