"""Atomic writes: write to a temporary file in the target's folder, fsync, then rename.

A reader never sees a half-written file and a crash leaves the previous version in place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with UTF-8 ``text`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def replace_dir_atomic(new_dir: Path, target: Path) -> None:
    """Swap a fully written directory into place.

    The old directory is renamed aside first and removed only after the new one is in place, so
    at every instant either the old or the new directory exists under ``target`` (or, between
    the two renames, the old one under its aside name, which :func:`recover_dir` restores).
    """
    aside = target.with_name(target.name + ".old")
    if aside.exists():
        shutil.rmtree(aside)
    if target.exists():
        os.replace(target, aside)
    os.replace(new_dir, target)
    if aside.exists():
        shutil.rmtree(aside)


def recover_dir(target: Path) -> None:
    """Restore ``target`` from its ``.old`` copy if a crash interrupted :func:`replace_dir_atomic`."""
    aside = target.with_name(target.name + ".old")
    if aside.exists() and not target.exists():
        os.replace(aside, target)
