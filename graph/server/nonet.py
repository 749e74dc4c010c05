"""Install the no-network filter in the fork server, so that every query worker is born with it.

Why a module, run at import: the query workers are forked from a warm fork server that imports a
fixed list of modules (``graph.server.pool._context``), and importing is the only hook it offers.
The pool sets ``$CHIPGRAPH_SERVE_NONET_FOR`` to its own process id; this module, preloaded in the
fork server after every other, installs :func:`graph.sparql.sandbox.forbid_network` on the whole
process only when that id is its parent's, i.e. only in the fork server that pool started. Any
other process that imports it, or inherits the variable (the endpoint itself, which must keep
listening on its TCP port, a test process, a ``chipgraph serve`` started from one), is left alone.
A seccomp filter is inherited by every process forked afterwards and cannot be removed, so a worker
starts sandboxed without compiling and loading the filter itself (about 14 ms, paid again for
every cancelled query's replacement). The fork server needs no network: it talks to the endpoint
over a Unix socket, which the filter allows. Each worker still calls ``forbid_network`` at start,
which returns at once when the filter is already there and installs it when it is not (no variable,
no seccomp in the fork server), so the guarantee never rests on this module alone.
"""

from __future__ import annotations

import os

ENV = "CHIPGRAPH_SERVE_NONET_FOR"


def _install() -> None:
    if os.environ.get(ENV) != str(os.getppid()):
        return
    from graph.sparql.sandbox import forbid_network

    try:
        forbid_network(whole_process=True)
    except OSError:
        pass  # the workers install it themselves, and fail to start if they cannot


_install()
