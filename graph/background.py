"""Run a pure step of a long job in a forked child process while the parent goes on.

A build spends most of its time in steps that only read data already in memory (SHACL
validation, the chokepoint history, half of the site's pages). On a machine with more than one
core, running such a step in a child made by ``fork`` lets the parent go on with the next step;
the child sees the parent's memory as it was (copy on write) and sends back its result, or the
exception it raised, through a pipe. Outputs stay byte-identical: each step is deterministic
and its result is used exactly where the serial code would use it.

The child must not touch what the parent holds open (an on-disk store): a step given to
:class:`Background` works on plain Python data. Where ``fork`` is not available, or one core is
all there is, or ``CHIPGRAPH_JOBS=1`` is set, the step runs in the calling process at once, as
the serial code did.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Background", "parallel_jobs"]

T = TypeVar("T")


def parallel_jobs() -> int:
    """How many processes a job may use: ``CHIPGRAPH_JOBS``, else the cores this process may run on."""
    raw = os.environ.get("CHIPGRAPH_JOBS", "").strip()
    if raw.isdigit() and int(raw) >= 1:
        return int(raw)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _child(conn: Any, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    """The child's body: run the step and send ``(True, result)`` or ``(False, exception)``."""
    try:
        outcome: tuple[bool, Any] = (True, fn(*args, **kwargs))
    except BaseException as exc:  # sent to the parent, which raises it where the step's result is used
        outcome = (False, exc)
    try:
        conn.send_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # an unpicklable result or exception: say so instead
        conn.send_bytes(pickle.dumps((False, RuntimeError(f"background step failed: {exc!r}"))))
    finally:
        conn.close()
        # leave at once: no atexit handlers or stream flushes of the parent's state, whose locks
        # another thread of the parent (a progress spinner) may have held at the fork
        os._exit(0)


class Background(Generic[T]):
    """``fn(*args, **kwargs)`` running in a forked child; :meth:`result` waits for it.

    :meth:`failed` tells, without waiting, whether the step has already ended in an exception,
    so that a caller can stop early (a build stops at its next step when validation failed).
    """

    def __init__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> None:
        self._call = (fn, args, kwargs)
        self._outcome: tuple[bool, Any] | None = None
        self._proc: Any = None
        if parallel_jobs() > 1 and _fork_available():
            ctx = multiprocessing.get_context("fork")
            self._conn, child_end = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_child, args=(child_end, fn, args, kwargs), daemon=True)
            self._proc.start()
            child_end.close()
        else:
            self._receive()  # serial: run it here, now

    def _receive(self) -> tuple[bool, Any]:
        if self._outcome is None:
            if self._proc is None:
                fn, args, kwargs = self._call
                try:
                    self._outcome = (True, fn(*args, **kwargs))
                except Exception as exc:
                    self._outcome = (False, exc)
            else:
                try:
                    self._outcome = pickle.loads(self._conn.recv_bytes())
                except EOFError:
                    self._proc.join()
                    self._outcome = (
                        False,
                        RuntimeError(f"a background step ended without an answer (exit code {self._proc.exitcode})"),
                    )
                finally:
                    self._conn.close()
                self._proc.join()
        return self._outcome

    def done(self) -> bool:
        """True when the step has ended (never waits)."""
        if self._outcome is None and self._proc is not None and self._conn.poll():
            self._receive()
        return self._outcome is not None

    def failed(self) -> bool:
        """True when the step has ended in an exception (never waits)."""
        return self.done() and self._outcome is not None and not self._outcome[0]

    def result(self) -> T:
        """The step's result; the step's exception is raised here."""
        ok, value = self._receive()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child if it still runs (the caller no longer needs its result)."""
        if self._proc is not None and self._outcome is None:
            self._proc.terminate()
            self._proc.join()
            self._conn.close()
            self._outcome = (False, RuntimeError("cancelled"))
