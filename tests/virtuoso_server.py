"""A real OpenLink Virtuoso for the tests: started in a temporary folder on free loopback ports.

:func:`start_virtuoso` writes a minimal ``virtuoso.ini`` (database, log and transaction files in
the folder, SQL and HTTP listeners bound to 127.0.0.1 only, ``DirsAllowed`` limited to the folder,
no plugins; ``MaxQueryCostEstimationTime`` far above any named query's estimate, since Virtuoso's
estimates swing a thousandfold between runs and OpenLink advises leaving it unset, yet low enough
that a cross join is refused and the CLI's hint for that refusal can be tested),
runs ``virtuoso-t -f`` as a child process and waits until ``/sparql`` answers. A fresh database has the user ``dba``
with password ``dba``; writes go through the digest-protected ``/sparql-auth`` and
``/sparql-graph-crud-auth``, so nothing is granted to the anonymous ``SPARQL`` user. The server is
stopped (terminate, then kill) when the fixture ends.

The binary comes from the Debian package ``virtuoso-opensource`` (``scripts/test.sh`` installs
it). Tests skip, saying so, only when ``virtuoso-t`` cannot be found.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
AllowOSCalls = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 1000000
"""


@dataclass
class Virtuoso:
    """A running server: its URLs and the dba credentials of a fresh database."""

    http_port: int
    sql_port: int
    folder: Path
    user: str = "dba"
    password: str = "dba"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """Open query endpoint (read only for anonymous users)."""
        return self.base + "/sparql"

    @property
    def sparql_auth(self) -> str:
        """Digest-protected endpoint that accepts SPARQL Update."""
        return self.base + "/sparql-auth"

    @property
    def graph_store(self) -> str:
        """Digest-protected SPARQL 1.1 Graph Store HTTP Protocol endpoint."""
        return self.base + "/sparql-graph-crud-auth"


def find_virtuoso() -> str | None:
    """Path of ``virtuoso-t`` (PATH, then the Debian location), or None."""
    return shutil.which("virtuoso-t") or next(
        (p for p in ("/usr/bin/virtuoso-t", "/usr/local/bin/virtuoso-t") if os.access(p, os.X_OK)), None
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso server for the whole test session (skips only if virtuoso-t is not installed)."""
    binary = find_virtuoso()
    if binary is None:
        pytest.skip(
            "virtuoso-t not found: install the Debian package virtuoso-opensource "
            "(scripts/test.sh does so when run as root)"
        )
    folder = tmp_path_factory.mktemp("virtuoso")
    server = Virtuoso(http_port=free_port(), sql_port=free_port(), folder=folder)
    (folder / "virtuoso.ini").write_text(INI.format(d=folder, sql_port=server.sql_port, http_port=server.http_port))
    log = open(folder / "stdout.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [binary, "-f", "-c", str(folder / "virtuoso.ini")], cwd=folder, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        while not _answers(server.sparql):
            if proc.poll() is not None or time.monotonic() > deadline:
                output = (folder / "stdout.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"Virtuoso did not start (exit code {proc.poll()}):\n{output}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
