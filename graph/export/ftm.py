"""Build, validate and write the FollowTheMoney export: one FtM entity per line, for Aleph and yente.

:func:`ftm_lines` turns the records of :mod:`graph.export.ftm_records` into entities with the
``followthemoney`` package (``model.make_entity`` and ``proxy.add``, which cleans every value by
its property type: countries to ISO alpha-2 codes, dates to ISO prefixes, names and URLs
normalised; a value FtM cannot clean is dropped) and serialises them as an FtM entity stream
(line-based JSON, ``{"id", "schema", "properties"}`` per line, what the ``ftm`` commands read,
e.g. ``ftm validate -i FILE``, which passes the export through unchanged). The output is
deterministic: lines sorted by id, keys sorted, no timestamps.

:func:`validate_lines` checks what a consumer relies on, line by line: the JSON parses; the
schema exists and is not abstract; the entity round-trips unchanged through
``model.get_proxy(data, cleaned=False)`` (which re-cleans every value and drops unknown
properties, so a change means a value or a property FtM does not accept); ``Schema.validate``
passes; every required property is present; ids are unique; and every entity-valued property
points at an entity of the file whose schema is within the property's range (an ``Ownership``'s
asset is an ``Asset``). :func:`write_ftm` writes only an export that passes.

``followthemoney`` is an optional dependency (``pip install 'chipgraph[ftm]'``); without it these
functions raise :class:`MissingDependencyError`, which the CLI shows as an ``Error:`` with the
install command.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import ChipgraphError, Problem
from graph.export.ftm_records import FtmRecord, ftm_records
from graph.read.model import MIN_CONFIDENCE

__all__ = ["FtmExport", "MissingDependencyError", "ftm_lines", "followthemoney_model", "validate_lines", "write_ftm"]

INSTALL_HINT = "pip install 'chipgraph[ftm]' (in a checkout: .venv/bin/pip install -e '.[ftm]')"


class MissingDependencyError(ChipgraphError):
    """An optional package that a command needs is not installed."""


def followthemoney_model() -> Any:
    """FtM's schema model (``followthemoney.model``), or :class:`MissingDependencyError` with the remedy."""
    try:
        from followthemoney import model
    except ImportError as exc:
        raise MissingDependencyError(
            f"the FollowTheMoney export needs the followthemoney package, which is not installed: {INSTALL_HINT}"
        ) from exc
    return model


def _entity(model: Any, record: FtmRecord) -> dict[str, Any]:
    proxy = model.make_entity(record.schema)
    proxy.id = record.id
    for prop, values in record.properties.items():
        proxy.add(prop, values)  # cleaned by the property's type; values FtM rejects are dropped
    data: dict[str, Any] = proxy.to_dict()
    return data


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def ftm_lines(store: Any, min_confidence: str = MIN_CONFIDENCE) -> list[str]:
    """The export as FtM JSON lines (no line ends), sorted by entity id."""
    model = followthemoney_model()
    records = ftm_records(store, min_confidence)
    return [_line(_entity(model, r)) for r in records]


def validate_lines(lines: list[str]) -> list[str]:
    """Problems of an FtM JSON-lines export ("line N: ..."); an empty list means every line is valid."""
    from followthemoney.exc import InvalidData

    model = followthemoney_model()
    problems: list[str] = []
    entities: dict[str, tuple[int, Any, dict[str, Any]]] = {}
    for n, line in enumerate(lines, 1):
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not JSON ({exc.msg})")
            continue
        schema = model.get(data.get("schema") or "")
        if schema is None or schema.abstract:
            problems.append(f"line {n}: {data.get('schema')!r} is not a concrete FtM schema")
            continue
        if set(data) != {"id", "schema", "properties"}:
            problems.append(f"line {n}: keys {sorted(data)}, expected id, schema, properties")
        eid = data.get("id")
        if eid in entities:
            problems.append(f"line {n}: id {eid!r} is also on line {entities[eid][0]}")
        try:
            again = model.get_proxy(data, cleaned=False).to_dict()
        except InvalidData as exc:
            problems.append(f"line {n} ({eid}): {exc}")
            continue
        try:
            schema.validate(data)
        except InvalidData as exc:
            details = exc.errors.get("properties", {}) if isinstance(exc.errors, dict) else exc.errors
            problems.append(f"line {n} ({eid}): {exc}: {details}")
        if again != data:
            problems.append(f"line {n} ({eid}): changes when FtM cleans it again: {_line(again)}")
        unknown = sorted(set(data["properties"]) - set(schema.properties))
        if unknown:
            problems.append(f"line {n} ({eid}): {schema.name} has no property {', '.join(unknown)}")
        missing = sorted(p for p in schema.required if not data["properties"].get(p))
        if missing:
            problems.append(f"line {n} ({eid}): required {', '.join(missing)} missing")
        entities[eid] = (n, schema, data)
    for eid, (n, schema, data) in entities.items():
        for name, values in data["properties"].items():
            prop = schema.properties.get(name)
            if prop is None or prop.type.name != "entity":
                continue
            for value in values:
                target = entities.get(value)
                if target is None:
                    problems.append(f"line {n} ({eid}): {name} points at {value!r}, which is not in the export")
                elif prop.range is not None and not target[1].is_a(prop.range):
                    problems.append(f"line {n} ({eid}): {name} is a {target[1].name}, not a {prop.range.name}")
    return problems


@dataclass(frozen=True)
class FtmExport:
    """What :func:`write_ftm` wrote: the file and the number of entities per schema."""

    path: Path
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def write_ftm(store: Any, path: str | Path, min_confidence: str = MIN_CONFIDENCE) -> FtmExport:
    """Validate the export (:func:`validate_lines`) and write it atomically to ``path``.

    Raises :class:`~graph.errors.ChipgraphError` naming the first problems, and writes nothing, if
    any line fails; :class:`MissingDependencyError` without the followthemoney package.
    """
    from graph.atomic import write_text_atomic

    path = Path(path)
    lines = ftm_lines(store, min_confidence)
    problems = validate_lines(lines)
    if problems:
        raise ChipgraphError(
            f"the FollowTheMoney export fails {len(problems)} check(s); nothing written",
            [Problem(p, path) for p in problems[:20]],
        )
    write_text_atomic(path, "".join(line + "\n" for line in lines))
    counts = Counter(json.loads(line)["schema"] for line in lines)
    return FtmExport(path=path, counts=dict(sorted(counts.items())))
