"""Atomic writes: write to a temporary file in the target's folder, fsync, then rename.

A reader never sees a half-written file and a crash leaves the previous version in place. For a
build, which replaces many outputs, :func:`commit_outputs` swaps a whole prepared folder's
entries in under a journal that :func:`recover_outputs` completes after a crash, and
:func:`build_lock` keeps two builds out of one output folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically.

    A symbolic link is followed: the file it points at is replaced and the link stays. A path
    that is a device, FIFO or socket (``/dev/stdout``, ``/dev/null``, a named pipe) is written
    through, not replaced: a rename over ``/dev/full`` as root would put a regular file where
    the device was. A folder raises IsADirectoryError.
    """
    path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    if path.exists() and not path.is_file():
        try:
            with open(path, "wb") as stream:
                stream.write(data)
        except OSError as exc:  # the write's errors carry no file name: give it
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        return
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


# -- one build at a time, and all outputs swapped together -------------------------------------

LOCK_NAME = ".build.lock"
JOURNAL_NAME = ".commit.json"
STAGING_PREFIX = ".staging-"
ASIDE_PREFIX = ".previous-"


class BuildLocked(Exception):
    """Another process holds the build lock of an output folder (``pid`` when it wrote one)."""

    def __init__(self, lock_path: Path, pid: int | None):
        self.lock_path = lock_path
        self.pid = pid
        super().__init__(f"{lock_path} is held by pid {pid}")


@contextlib.contextmanager
def build_lock(output_dir: Path) -> Iterator[Path]:
    """Hold ``output_dir/.build.lock`` (an ``flock``) for the body; raise :class:`BuildLocked` if taken.

    Why flock: the kernel drops it when the holder dies, even by SIGKILL, so a stale lock file
    never blocks a later build; the file holds the holder's pid for the message only. The file
    is removed on release (while still locked), so a finished build leaves no trace; a process
    that locked a file which was removed meanwhile sees another inode at the path and retries.
    """
    path = Path(output_dir) / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise BuildLocked(path, int(text) if text.isdigit() else None) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder before us removed the file after we opened it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)  # closing drops the flock


def recover_if_idle(output_dir: Path) -> bool:
    """For readers: finish a killed build's commit when no build is running; True if one was finished.

    A reader that finds a journal cannot tell a commit in progress (milliseconds) from one a
    kill interrupted; the lock can: when it is free, the writer is gone and the commit is rolled
    forward under the lock. When a build holds it, nothing is touched.
    """
    output_dir = Path(output_dir)
    if not (output_dir / JOURNAL_NAME).exists():
        return False
    try:
        with build_lock(output_dir):
            return bool(recover_outputs(output_dir))
    except (BuildLocked, OSError):
        return False


def new_staging_dir(output_dir: Path) -> Path:
    """A fresh, hidden folder inside ``output_dir`` where a build prepares every output."""
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=output_dir))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def commit_outputs(staging: Path, output_dir: Path) -> list[Path]:
    """Move every entry of ``staging`` into ``output_dir`` as one step; return the new paths.

    Each existing output is first renamed into an aside folder, then the staged one renamed into
    place, entry by entry. A journal (``.commit.json``, written atomically before the first
    rename) lists the entries, so that a process killed half-way leaves a state that
    :func:`recover_outputs` completes (every staged output is whole before the journal exists).
    An error in this process instead rolls back: every previous output returns. Either way the
    output folder ends up all old or all new, never a mix. The caller holds :func:`build_lock`.
    """
    staging, output_dir = Path(staging), Path(output_dir)
    names = sorted(p.name for p in staging.iterdir())
    aside = Path(tempfile.mkdtemp(prefix=f"{ASIDE_PREFIX}{os.getpid()}-", dir=output_dir))
    journal = output_dir / JOURNAL_NAME
    write_text_atomic(journal, json.dumps({"staging": staging.name, "aside": aside.name, "names": names}) + "\n")
    try:
        for name in names:
            target = output_dir / name
            if target.exists() or target.is_symlink():
                os.replace(target, aside / name)
            os.replace(staging / name, target)
        _fsync_dir(output_dir)
    except BaseException:
        _roll_back(output_dir, staging, aside, names)
        journal.unlink(missing_ok=True)
        raise
    journal.unlink()
    _fsync_dir(output_dir)
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return [output_dir / name for name in names]


def _roll_back(output_dir: Path, staging: Path, aside: Path, names: list[str]) -> None:
    """Undo a partial :func:`commit_outputs`: staged entries back to staging, previous ones back in place."""
    for name in reversed(names):
        target, staged, old = output_dir / name, staging / name, aside / name
        if not (staged.exists() or staged.is_symlink()) and (target.exists() or target.is_symlink()):
            os.replace(target, staged)
        if old.exists() or old.is_symlink():
            os.replace(old, target)


def recover_outputs(output_dir: Path) -> list[str]:
    """Finish a commit that a killed build left half done, and remove its temporary folders.

    With a journal the commit is rolled forward (the staged outputs are complete); temporary
    ``.staging-*`` and ``.previous-*`` folders without a journal are left-overs of a build killed
    before or after its commit and are removed. Returns what was done, for progress messages.
    The caller holds :func:`build_lock`.
    """
    output_dir = Path(output_dir)
    done: list[str] = []
    journal = output_dir / JOURNAL_NAME
    if journal.exists():
        entry = json.loads(journal.read_text(encoding="utf-8"))
        staging, aside = output_dir / entry["staging"], output_dir / entry["aside"]
        for name in entry["names"]:
            target, staged, old = output_dir / name, staging / name, aside / name
            if not (staged.exists() or staged.is_symlink()):
                continue  # moved in before the kill
            if target.exists() or target.is_symlink():
                if old.exists() or old.is_symlink():
                    _remove(target)
                else:
                    aside.mkdir(exist_ok=True)
                    os.replace(target, old)
            os.replace(staged, target)
        _fsync_dir(output_dir)
        journal.unlink()
        done.append(f"completed the interrupted replacement of {', '.join(entry['names'])}")
    for leftover in sorted(output_dir.iterdir()):
        if leftover.is_dir() and leftover.name.startswith((STAGING_PREFIX, ASIDE_PREFIX)):
            shutil.rmtree(leftover, ignore_errors=True)
            done.append(f"removed {leftover.name}, left by an interrupted build")
    return done
