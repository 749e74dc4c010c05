"""Find cycles in a relation such as ``is_type_of``, without recursion.

Both the ETO reader (``sequence.csv``) and the curated reader (``isTypeOf`` facts) refuse a
cycle; both use :func:`find_cycles`, which walks iteratively so that a chain of thousands of
links cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

__all__ = ["find_cycles"]

T = TypeVar("T")


def find_cycles(edges: Mapping[str, Sequence[tuple[str, T]]], roots: Iterable[str]) -> list[tuple[list[str], list[T]]]:
    """Every cycle a depth-first walk from ``roots`` closes, once each.

    ``edges`` maps a node to its ``(target, payload)`` links. Each result is the cycle's nodes
    (first == last) and the payloads of the links along it, so a caller can blame one of them
    (for example the one on the latest line).
    """
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    found: list[tuple[list[str], list[T]]] = []
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        links: list[T] = []  # links[i] leads from path[i] to path[i + 1]
        frames = [iter(edges.get(root, ()))]
        while frames:
            for target, payload in frames[-1]:
                if state.get(target) == 1:
                    start = path.index(target)
                    found.append(([*path[start:], target], [*links[start:], payload]))
                elif target not in state:
                    state[target] = 1
                    path.append(target)
                    links.append(payload)
                    frames.append(iter(edges.get(target, ())))
                    break
            else:
                frames.pop()
                state[path.pop()] = 2
                if links:
                    links.pop()
    return found
