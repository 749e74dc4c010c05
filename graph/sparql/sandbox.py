"""Run queries where no network connection can be opened: the second, independent guard against SERVICE.

pyoxigraph is built with an HTTP client: a ``SERVICE <http://...>`` pattern that reaches the
engine makes it fetch from the network (server-side request forgery when the query came from a
web page through the endpoint). :mod:`graph.sparql.guard` refuses SERVICE on the parsed query; this
module makes sure that even a query that slipped past the parse check (a parser differential,
a bug) cannot open a connection.

How: a seccomp filter (Linux, through libseccomp via ``pyseccomp``) makes ``socket()`` fail with
EACCES for every address family except ``AF_UNIX`` (which the query workers' pipes to the server
use), and ``io_uring_setup`` fail too (io_uring can create sockets without ``socket()``).
Oxigraph's HTTP client then fails with "Permission denied" before any packet leaves. Filters
apply to the thread that installs them and to the threads it starts later, never to others, and
cannot be removed:

* :func:`forbid_network` with ``whole_process=True`` is for the endpoint's query worker processes:
  installed once for all their threads, in the fork server they are forked from
  (:mod:`graph.server.nonet`), so that each new worker inherits it instead of compiling and
  loading it again (about 14 ms of a worker's start).
* :func:`run_without_network` runs one function in a new short-lived thread that installs the
  filter on itself first, so ``chipgraph query`` (and a library caller, a test process) gets the
  same guarantee for the query while the rest of the process keeps its network (a remote store,
  a test server).

Why not a network namespace: creating one needs root or unprivileged user namespaces, which many
machines disable; seccomp needs no privilege. Where seccomp is not available (not Linux, no
libseccomp), :func:`available` is False, the functions run the query anyway and say so through
their return value, and the parse check is the only guard; ``chipgraph serve`` warns at start.
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["available", "forbid_network", "run_on_large_stack", "run_without_network", "unavailable_reason"]

T = TypeVar("T")

#: Stack of the thread that runs a query: rdflib's parser needs about 40 Python frames per nesting
#: level (see :mod:`graph.sparql.guard`), more than a default thread stack holds at its limit.
STACK_BYTES = 256 * 2**20

_reason: str | None = None
_probed = False
#: The filter is on every thread of this process (a fork inherits both the filter and this flag).
_process_filtered = False
_lock = threading.Lock()


def _library() -> Any:
    """The ``pyseccomp`` module, or None (the reason goes to :func:`unavailable_reason`)."""
    global _reason, _probed
    if _probed:
        return None if _reason else sys.modules.get("pyseccomp")
    _probed = True
    if not sys.platform.startswith("linux"):
        _reason = f"seccomp exists only on Linux (this is {sys.platform})"
        return None
    try:
        import pyseccomp
    except (ImportError, OSError) as exc:  # not installed, or libseccomp.so.2 missing
        _reason = f"pyseccomp/libseccomp is not usable ({exc}); install libseccomp2"
        return None
    return pyseccomp


def available() -> bool:
    """True where a no-network filter can be installed (Linux with libseccomp)."""
    return _library() is not None


def unavailable_reason() -> str | None:
    """Why :func:`available` is False (None when it is True)."""
    _library()
    return _reason


def forbid_network(*, whole_process: bool = False) -> bool:
    """Install the no-network filter on the calling thread (and all threads with ``whole_process``).

    Returns False, changing nothing, where seccomp is not available. Irreversible: call it only in
    a thread or process that exists to run queries.
    """
    global _process_filtered
    if _process_filtered:  # this process, or the fork server it was forked from, installed it for all threads
        return True
    sc = _library()
    if sc is None:
        return False
    flt = sc.SyscallFilter(sc.ALLOW)
    flt.add_rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    try:
        flt.add_rule(sc.ERRNO(errno.ENOSYS), "io_uring_setup")
    except (OSError, ValueError):  # a libseccomp too old to know the call: it cannot be used then
        pass
    if whole_process:
        flt.set_attr(sc.Attr.CTL_TSYNC, 1)
    flt.load()
    _process_filtered = whole_process
    return True


def run_without_network(fn: Callable[..., T], *args: Any) -> tuple[T, bool]:
    """``fn(*args)`` run in a fresh thread that cannot open network sockets; (result, sandboxed).

    The thread also has a large stack (:data:`STACK_BYTES`), for the recursive parsers.
    Exceptions of ``fn`` are raised here. ``sandboxed`` is False where seccomp is not available.
    """

    def guarded() -> tuple[T, bool]:
        sandboxed = forbid_network()
        return fn(*args), sandboxed

    return run_on_large_stack(guarded)


def run_on_large_stack(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` run in a fresh thread with a :data:`STACK_BYTES` stack; its exception raised here.

    Oxigraph's parser and evaluator recurse once per bracket of nesting, about 2 KB of stack each:
    a process's main thread (8 MB) crashes between 2,000 and 5,000 levels, this stack holds more
    than 60,000, so with :data:`graph.sparql.lex.MAX_BRACKETS` no query text can crash it.
    """
    outcome: dict[str, Any] = {}

    def body() -> None:
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = exc

    with _lock:  # stack_size is process-wide state: set it only for this thread's creation
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=body, name="chipgraph-query", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
