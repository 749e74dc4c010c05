"""Pieces every command shares: error translation, store options, progress, date parsing."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from graph.cli.pathtype import PathArg
from graph.errors import ChipgraphError
from graph.lexical import terminal_safe


class CommandError(click.ClickException):
    """``Error: ...`` on stderr, exit code 1.

    The message passes :func:`graph.lexical.terminal_safe`: it often quotes user text (a name, a
    path, a parser's complaint), and an ESC or other control character in it is shown as a
    ``\\u001b`` escape instead of being obeyed by the terminal.
    """

    def __init__(self, message: str):
        super().__init__(terminal_safe(message))


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that also refuses NaN (every comparison with NaN is false, so the bounds let it in)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


def handle_errors(func: Callable) -> Callable:
    """Turn library errors into ``Error: ...`` messages with exit code 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ChipgraphError as exc:
            raise CommandError(str(exc)) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"{exc.filename or ''}: file not found".lstrip(": ")) from exc
        except PermissionError as exc:
            raise CommandError(f"{exc.filename}: permission denied") from exc
        except BrokenPipeError as exc:
            if exc.filename is None:  # standard output's reader left (`| head`): stop quietly
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())  # so that the exit's flush does not fail again
                raise click.exceptions.Exit(1) from None
            raise CommandError(f"{exc.filename}: the reader of this pipe closed it before the end") from exc
        except OSError as exc:  # the machine's, not chipgraph's: a full disk, a name too long, a read-only folder
            where = f"{exc.filename}: " if exc.filename else ""
            hint = "check the path, the free space and the permissions"
            raise CommandError(f"{where}{exc.strerror or exc}; {hint}") from exc
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still no traceback unless asked for
            if os.environ.get("CHIPGRAPH_DEBUG"):
                raise
            raise CommandError(
                f"unexpected {type(exc).__name__}: {exc} (this is a bug in chipgraph; "
                "rerun with CHIPGRAPH_DEBUG=1 for the traceback and report it)"
            ) from exc

    return wrapper


def store_options(func: Callable) -> Callable:
    """``--output-dir`` (where the built store is) and ``--endpoint`` (a remote SPARQL server)."""

    @click.option(
        "--output-dir",
        type=PathArg(file_okay=False, path_type=Path),
        default=None,
        help="Folder of the built graph (default: ./output or $CHIPGRAPH_OUTPUT).",
    )
    @click.option(
        "--endpoint",
        envvar="CHIPGRAPH_ENDPOINT",
        default=None,
        metavar="URL",
        help="Read from this SPARQL 1.1 endpoint instead of the local store ($CHIPGRAPH_ENDPOINT).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def open_from_options(output_dir: Path | None, endpoint: str | None):
    """Open the store the options point at (raises ChipgraphError with a remedy)."""
    from graph.store.local import open_store

    return open_store(output_dir, endpoint=endpoint)


def parse_as_of(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> dt.date | None:
    """Click callback for ``--as-of YYYY-MM-DD`` (exactly that form: ``20240101`` is refused)."""
    if value is None:
        return None
    from graph.errors import InputError
    from graph.lexical import parse_iso_date

    try:
        return parse_iso_date(value, "--as-of")
    except InputError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD (e.g. 2024-12-02)") from None


def as_of_or_data_date(store: Any, as_of: dt.date | None, *fallbacks: dt.date | None) -> dt.date:
    """The date a command evaluates: ``--as-of``, else a scenario's date, else the data date."""
    from graph.read.model import date_or_data_date

    return date_or_data_date(store, as_of, *fallbacks)


#: What ``--as-of`` means when it is not given, for every command that takes it.
AS_OF_DEFAULT_HELP = "default: the data date, the newest full date of a source or dated fact, as build uses"

as_of_option = click.option(
    "--as-of",
    callback=parse_as_of,
    default=None,
    metavar="YYYY-MM-DD",
    help=f"Evaluate as of this date ({AS_OF_DEFAULT_HELP}).",
)


# The step log lives in graph.cli.progress; the commands import it from here.
from graph.cli.progress import StepProgress as StepProgress  # noqa: E402
