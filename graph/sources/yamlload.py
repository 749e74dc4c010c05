"""Load YAML while keeping the line of every mapping, sequence and key.

The curated data is edited by hand, so every error must name the file and line. PyYAML's node
tree carries marks; this module turns it into plain Python values plus a side table of lines,
and refuses duplicate keys (which PyYAML would silently overwrite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InputError, Problem


class LineDict(dict):
    """A dict that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A list that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


@dataclass
class _Walker:
    path: Path
    loader: yaml.SafeLoader
    problems: list[Problem] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def convert(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            # An alias makes PyYAML reuse a node; expanding reuses would let a few lines
            # ("billion laughs") blow up to gigabytes, and the curated format needs none.
            if id(node) in self.seen:
                raise InputError(
                    Problem(
                        "YAML anchors and aliases (&name / *name) are not allowed",
                        self.path,
                        node.start_mark.line + 1,
                        hint="write the value out in full",
                    )
                )
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            out = LineDict()
            out.line = node.start_mark.line + 1
            out.key_lines = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node)
                if not isinstance(key, str | int | bool) and key is not None:
                    self.problems.append(
                        Problem("mapping keys must be plain words", self.path, key_node.start_mark.line + 1)
                    )
                    continue
                key = str(key)
                if key in out:
                    self.problems.append(
                        Problem(
                            f"duplicate key {key!r}",
                            self.path,
                            key_node.start_mark.line + 1,
                            hint=f"it is already set on line {out.key_lines[key]}",
                        )
                    )
                    continue
                out[key] = self.convert(value_node)
                out.key_lines[key] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            out_list = LineList(self.convert(item) for item in node.value)
            out_list.line = node.start_mark.line + 1
            out_list.item_lines = [item.start_mark.line + 1 for item in node.value]
            return out_list
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError:
            # e.g. a timestamp like 2021-13-45: keep the text, so the field's own check names it
            return node.value


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is allowed); name the line of the first undecodable byte."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            Problem(
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                path,
                line,
                hint="save the file as UTF-8",
            )
        ) from exc


def load_yaml(path: Path) -> Any:
    """Parse one YAML document into :class:`LineDict` / :class:`LineList` / scalars."""
    text = read_text(path)
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise InputError(
            Problem(
                f"malformed YAML: {exc.problem or exc.context}",
                path,
                line,
                column=column,
                hint="check indentation, quotes and colons",
            )
        ) from exc
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        raise InputError(
            Problem(
                f"malformed YAML: control character #x{exc.character:04x} is not allowed",
                path,
                line,
                hint="remove it; YAML files are plain text",
            )
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(Problem(f"malformed YAML: {exc}", path)) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return None
    walker = _Walker(path, loader)
    try:
        value = walker.convert(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise InputError(
            Problem(f"malformed YAML value: {exc.problem}", path, mark.line + 1 if mark else None)
        ) from exc
    if walker.problems:
        raise InputError(f"{path}: {len(walker.problems)} problem(s)", walker.problems)
    return value
