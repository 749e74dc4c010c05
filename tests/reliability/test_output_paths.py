"""Where ``-o`` and standard output lead (the second red-team round's output-path cases).

A device, FIFO or socket is written through, never replaced by a regular file (as root, an
atomic rename over ``/dev/full`` replaced the device); a symbolic link is followed and stays a
link; a full standard output is an error, not a silent loss; a path that cannot be written is
refused with one ``Error:`` naming it. The cases run the real CLI on the session build. No test
writes to a real device node: a regression there would replace it on the machine running the
tests, so devices are stood in for by a FIFO, and ``/dev/full`` is only opened as stdout.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graph.atomic import write_text_atomic

REPO = Path(__file__).resolve().parents[2]


def chipgraph(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CHIPGRAPH_ENDPOINT"}
    return subprocess.run(
        [sys.executable, "-m", "graph", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def _clean_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("Error: ") == 1, proc.stderr  # notes may come first
    assert "Traceback" not in proc.stderr and "this is a bug" not in proc.stderr, proc.stderr
    return proc.stderr


def test_a_fifo_is_written_through_not_replaced(built: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = chipgraph("show", "huawei", "--json", "-o", str(fifo), "--output-dir", str(built))
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not a regular file
    assert json.loads(received[0])["id"] == "huawei"


def test_the_atomic_writer_writes_through_a_fifo(tmp_path: Path) -> None:
    """The mechanism lives in graph.atomic, so every writer (export-network, capacity, the
    build's own files) gets it, not only ``-o``."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_text_atomic(fifo, "data\n")
    reader.join(timeout=10)
    assert received == [b"data\n"] and stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_symbolic_link_is_followed_and_stays_a_link(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    proc = chipgraph("show", "huawei", "--json", "-o", str(link), "--output-dir", str(built))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["id"] == "huawei"


@pytest.mark.parametrize("command", [["show", "huawei", "--json"], ["chokepoints", "--ranking", "--csv"]])
def test_a_full_standard_output_is_an_error(built: Path, command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = chipgraph(*command, "--output-dir", str(built), stdout=full)
    assert "cannot write to standard output: No space left on device" in _clean_error(proc)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: "", "needs a path, not an empty value"),
        (lambda tmp: str(tmp / "missing" / "a.json"), "does not exist"),
        (lambda tmp: str(tmp / "file.txt" / "a.json"), "is not a folder"),
    ],
    ids=["empty", "missing-folder", "under-a-file"],
)
def test_an_output_path_that_cannot_be_written_is_refused(built: Path, tmp_path: Path, make, expected: str) -> None:
    (tmp_path / "file.txt").write_text("a file\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = chipgraph("show", "huawei", "--json", "-o", make(tmp_path), "--output-dir", str(built))
    assert expected in _clean_error(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no temp file left


def test_the_written_name_is_shown_exactly(built: Path, tmp_path: Path) -> None:
    """A newline or an ESC in the name is shown escaped and quoted, not obeyed or dropped."""
    name = tmp_path / "a\nb\x1b[31m.json"
    proc = chipgraph("show", "huawei", "--json", "-o", str(name), "--output-dir", str(built))
    assert proc.returncode == 0 and name.is_file()
    assert proc.stderr == f"wrote {json.dumps(str(name), ensure_ascii=False)}\n".replace("\x1b", "\\u001b")
    assert "\x1b" not in proc.stderr


def test_an_export_to_a_full_device_names_it(built: Path, tmp_path: Path) -> None:
    """export-network writes through graph.atomic; a write that fails names the path, and the
    path (a FIFO whose reader is gone stands in for a device that fails) is not replaced."""
    fifo = tmp_path / "net.ftm.json"
    os.mkfifo(fifo)
    reader = threading.Thread(target=lambda: open(fifo, "rb").close(), daemon=True)  # opens, reads nothing, closes
    reader.start()
    proc = chipgraph("export-network", "--format", "ftm", "-o", str(fifo), "--output-dir", str(built))
    reader.join(timeout=60)
    err = _clean_error(proc)
    assert str(fifo) in err and stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_damaged_store_is_an_error_with_the_remedy(built: Path, tmp_path: Path) -> None:
    """Bytes flipped in the store's table files: every reader says the store is damaged
    and to rebuild it, instead of a RuntimeError reported as a bug."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(built / "store", out / "store")
    shutil.copy(built / "manifest.json", out / "manifest.json")
    for table in (out / "store").glob("*.sst"):  # every table, so that whatever index a query reads is damaged
        data = bytearray(table.read_bytes())
        for i in range(len(data) // 4, min(len(data), len(data) // 4 + 4096)):
            data[i] ^= 0xFF
        table.write_bytes(bytes(data))
    for command in (["show", "huawei"], ["query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"], ["stats"]):
        proc = chipgraph(*command, "--output-dir", str(out))
        message = _clean_error(proc)
        assert proc.returncode == 1 and "damaged" in message and "build --force" in message, (command, message)
        assert "this is a bug" not in message


def test_success_messages_show_a_hostile_path_escaped(built: Path, tmp_path: Path) -> None:
    """The 'wrote …' line of export-network names the file as written, ESC shown as \\u001b."""
    target = tmp_path / "g\x1b[2J.graphml"
    proc = chipgraph("export-network", "-o", str(target), "--output-dir", str(built))
    assert proc.returncode == 0, proc.stderr
    assert target.is_file() and "\x1b" not in proc.stderr and "\\u001b[2J" in proc.stderr, proc.stderr
