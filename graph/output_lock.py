"""One writer at a time per output folder, as a clear error: for ``build`` and ``render`` alike.

:func:`graph.atomic.build_lock` is the mechanism (an ``flock`` the kernel drops when its holder
dies); this module turns its failures into a :class:`graph.errors.ChipgraphError` that names the
folder and says what to do. It sits above both, which stay independent of each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from graph.atomic import BuildLocked, build_lock
from graph.errors import ChipgraphError, Problem

__all__ = ["locked_output"]


@contextlib.contextmanager
def locked_output(output_dir: Path, *, what: str = "build") -> Iterator[None]:
    """Hold ``output_dir``'s build lock for the body, or fail with "another build is running".

    ``what`` names the job in the error (``build``, ``render``): a render into a folder a build
    is committing to would mix the two jobs' files, so both take the same lock.
    """
    try:
        lock = build_lock(output_dir)
        lock.__enter__()
    except BuildLocked as exc:
        who = f" (pid {exc.pid})" if exc.pid else ""
        raise ChipgraphError(
            Problem(
                f"another build or render is running into this folder{who}",
                output_dir,
                hint=f"wait for it to finish, or {what} into another folder with -o",
            )
        ) from None
    except OSError as exc:
        raise ChipgraphError(Problem(f"cannot create the build lock: {exc.strerror or exc}", output_dir)) from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)
