"""The step log of long commands (build, import, push): the library's ``progress`` callback, shown.

The library stays free of UI code: ``build()``, ``push()`` and ``render_site()`` take a
``progress`` callable and call it with a short message before each step. :class:`StepProgress` is
that callable for the CLI. Every step prints one line, ``[  12.3s] message`` (the time since the
command started), to stderr. On a terminal, rich's status display also shows a spinner under the
lines with the step running, so a long step is visibly alive; it is transient (gone when the
command ends). Piped, in CI or in tests, only the plain lines are printed, as before.
"""

from __future__ import annotations

import atexit
import sys
import time
from typing import Any

import click

from graph.lexical import terminal_safe

__all__ = ["StepProgress"]


class StepProgress:
    """Prints each step with its elapsed time to stderr (quiet when ``enabled`` is False).

    ``console`` is the rich console to draw on; by default one on stderr is made, and only when
    stderr is a terminal (a test passes one with ``force_terminal=True``). The status display is
    stopped by :meth:`close`, by leaving a ``with`` block, or at exit, so the cursor always comes back.
    """

    def __init__(self, enabled: bool = True, *, console: Any = None):
        self.enabled = enabled
        self.started = time.monotonic()
        self.step = 0
        self._console = console
        self._status: Any = None

    def _rich_console(self) -> Any:
        if self._console is None and sys.stderr.isatty():
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False)
        return self._console

    def __call__(self, message: str) -> None:
        self.step += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        console = self._rich_console()
        if console is None:
            click.echo(terminal_safe(f"[{elapsed:6.1f}s] {message}"), err=True)
            sys.stderr.flush()
            return
        from rich.markup import escape
        from rich.text import Text

        console.print(Text(f"[{elapsed:6.1f}s] ", style="dim") + Text(message))
        text = f"{escape(message)} [dim](step {self.step})[/dim]"
        if self._status is None:
            self._status = console.status(text)
            self._status.start()
            atexit.register(self.close)
        else:
            self._status.update(text)

    def close(self) -> None:
        """Stop the status display (if any); safe to call twice."""
        if self._status is not None:
            self._status.stop()
            self._status = None
            atexit.unregister(self.close)

    def __enter__(self) -> StepProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
