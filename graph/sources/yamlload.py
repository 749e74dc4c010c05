"""Load YAML while keeping the line of every mapping, sequence and key.

The curated data is edited by hand, so every error must name the file and line. PyYAML's node
tree carries marks; this module turns it into plain Python values plus a side table of lines,
and refuses duplicate keys (which PyYAML would silently overwrite), anchors and aliases, values
nested deeper than :data:`MAX_DEPTH` (PyYAML's composer is recursive, so a value nested 20,000
levels deep would end in a RecursionError), and control characters or lone surrogates that
YAML's double-quoted escapes (``"\\e"``, ``"\\0"``, ``"\\ud800"``) produce after PyYAML's own
character check. Every YAML input (curated files, source registries, release.yaml, scenarios)
is read here, through the one decoder :func:`graph.lexical.read_text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InputError, Problem
from graph.lexical import read_text as _read_text
from graph.lexical import text_problem

#: Deepest nesting of mappings and lists a YAML input may have (chipgraph's formats need 4).
MAX_DEPTH = 50


#: libyaml's wording, where it says less than PyYAML's would.
_LIBYAML_WORDING = {
    "found invalid Unicode character escape code": (
        "an escape (\\uXXXX or \\UXXXXXXXX) that is a lone surrogate or not a Unicode character"
    ),
    # libyaml's own limit (1,000 levels), met inside one flow value before the composer's check
    "exceeded maximum nesting depth": f"a value nested more than {MAX_DEPTH} levels deep",
}


class _TooDeep(Exception):
    def __init__(self, mark: Any):  # a yaml.Mark, or libyaml's mark with the same line and column
        self.mark = mark


if yaml.__with_libyaml__:
    from yaml._yaml import CParser as _Parser  # libyaml's scanner and parser: ten times PyYAML's speed

    class _Base(yaml.composer.Composer, _Parser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml's events, composed into nodes by PyYAML's own (Python) composer.

        libyaml's C composer would be faster still; PyYAML's is kept so that :class:`_Loader` can
        refuse nesting deeper than :data:`MAX_DEPTH` before recursing into it (libyaml's parser
        stops at 1,000 levels on its own, with the wording of :data:`_LIBYAML_WORDING`).
        """

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover - PyYAML wheels ship libyaml
    _Base = yaml.SafeLoader  # type: ignore[misc,assignment]


class _Loader(_Base):
    """A safe loader that refuses nesting deeper than :data:`MAX_DEPTH` before recursing into it."""

    _depth = 0

    # ``index`` as types-PyYAML declares it; PyYAML also passes None or the key node for a mapping's
    # keys and values, which this override hands on untouched.
    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(getattr(self.peek_event(), "start_mark", None))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
    loader: Any  # a _Loader: its constructor turns scalar nodes into values
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
            value = self.loader.construct_object(node, deep=True)
        except ValueError:
            # e.g. a timestamp like 2021-13-45: keep the text, so the field's own check names it
            value = node.value
        if isinstance(value, str):
            bad = text_problem(value)
            if bad is not None:
                self.problems.append(
                    Problem(
                        bad,
                        self.path,
                        node.start_mark.line + 1,
                        column=node.start_mark.column + 1,
                        hint="remove it; YAML escapes such as \\e, \\a, \\0 and \\ud800 are refused too",
                    )
                )
        return value


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is allowed) through :func:`graph.lexical.read_text`."""
    return _read_text(path)


def load_yaml(path: Path) -> Any:
    """Parse one YAML document into :class:`LineDict` / :class:`LineList` / scalars."""
    text = read_text(path)
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except _TooDeep as exc:
        raise InputError(
            Problem(
                f"a value nested more than {MAX_DEPTH} levels deep",
                path,
                exc.mark.line + 1 if exc.mark else None,
                column=exc.mark.column + 1 if exc.mark else None,
                hint="chipgraph's YAML formats nest a few levels; check the brackets",
            )
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise InputError(
            Problem(
                f"malformed YAML: {_LIBYAML_WORDING.get(str(exc.problem), exc.problem) or exc.context}",
                path,
                line,
                column=column,
                hint="check indentation, quotes and colons",
            )
        ) from exc
    except yaml.reader.ReaderError as exc:
        # libyaml gives the offset in the UTF-8 bytes it read, PyYAML's reader in characters
        line = None
        if isinstance(exc.position, int):
            before = (
                text.encode("utf-8")[: exc.position].decode("utf-8", "replace")
                if yaml.__with_libyaml__
                else text[: exc.position]
            )
            line = before.count("\n") + 1
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
            Problem(
                f"malformed YAML value: {exc.problem}",
                path,
                mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                hint="write plain values: no tags (!name), no merge keys (<<:); repeat the fields instead",
            )
        ) from exc
    if walker.problems:
        raise InputError(f"{path}: {len(walker.problems)} problem(s)", walker.problems)
    return value
