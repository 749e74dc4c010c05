"""One rule for turning a value into the text of a CSV/TSV/table cell.

Three writers print rows of plain data: the CLI's row output (``graph.cli.output``),
``chokepoints.csv`` (``graph.chokepoints.outputs``) and the network export's CSV
(``graph.chokepoints.export``). They used to carry three copies of this function that disagreed
on floats and nested lists; this kernel module (no domain imports, so every layer may use it) is
the only copy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cell_text", "float_text"]


def float_text(value: float) -> str:
    """``value`` as short text: ``%g`` when that is exact (``50.0`` -> ``50``), else ``repr``.

    ``%g`` alone keeps 6 significant digits and would silently round ``12.3456789``; ``repr``
    alone writes ``50.0`` for a whole share. This is the shortest text that reads back as the
    same float.
    """
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def cell_text(value: Any, *, sort: bool = False) -> str:
    """``value`` as the text of one cell.

    ``None`` is empty; a list, tuple or set is its items joined with ``"; "`` (nested lists
    flattened the same way; sets are always sorted, lists and tuples only with ``sort=True``, so
    that a writer whose input order is not meaningful still writes the same bytes); a float goes
    through :func:`float_text`; booleans and everything else through ``str``.

    >>> cell_text(["b", "a", None, 0.5])
    'b; a; ; 0.5'
    >>> cell_text({"b", "a"}), cell_text(["b", "a"], sort=True), cell_text(50.0)
    ('a; b', 'a; b', '50')
    """
    if value is None:
        return ""
    if isinstance(value, (set, frozenset)):
        return "; ".join(sorted(cell_text(v, sort=sort) for v in value))
    if isinstance(value, (list, tuple)):
        parts = [cell_text(v, sort=sort) for v in value]
        return "; ".join(sorted(parts) if sort else parts)
    if isinstance(value, float) and not isinstance(value, bool):
        return float_text(value)
    return str(value)
