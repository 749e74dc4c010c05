"""Load test of ``chipgraph serve``: many concurrent clients on loopback, mixed good and bad requests.

Starts ``chipgraph serve`` on a free loopback port over a built output folder, then runs
``--clients`` threads for ``--duration`` seconds. Each client loops over a weighted mix:

- ``named``: a named query through ``/api/queries/NAME`` (default parameters: the same few
  texts again and again, as dashboards and the site's query page ask them, so the server's answer
  cache serves most of them);
- ``adhoc``: a cheap SELECT through ``GET /sparql``, made unique per request (a comment with a
  random number), so that none is answered from the cache;
- ``malformed``: a query with a syntax error (expects 400, found before the query takes a worker);
- ``expensive``: a three-way cross join that no engine finishes in time, unique per request like
  ``adhoc`` (so each one takes a worker: identical ones would share one run); expects the server
  to cut it at ``--timeout``: a 422 naming the time limit, within the limit plus ``CUT_MARGIN``;
- ``update``: a refused update (``update=`` form field, a sparql-update body, or ``DELETE`` in a
  query; expects 403).

The server's memory (its process plus its fork server and query workers) is sampled every half
second as summed RSS (shared pages counted once per process, an overcount) and summed PSS (each
page once, split among the processes sharing it); the bar is judged on PSS. The run passes when: no 5xx answer at
all, no connection error, every answer has its kind's expected status, every expensive query got
the time-limit status (422) within the limit plus ``CUT_MARGIN``, no cheap query was turned away
as busy (429), the server is alive at the end and still answers, and the peak summed PSS stays
under ``--max-rss-mb``. ``robust`` is the same but tolerates 429 (the server sheds load, as the client
is told to retry later, but never breaks). Prints p50/p99 latency per kind; writes JSON to
``output/bench/loadtest.json``, with the share of answers per kind that came from the server's
cache (``X-Chipgraph-Cache: hit``); ``--cache-mb 0`` measures the server with the cache off.
Exit status 0 = passed.

Usage::

    python scripts/loadtest.py [--output-dir output] [--clients 32] [--duration 60] [--timeout 2] [--workers N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CUT_MARGIN = 1.0  # seconds past the time limit within which a cut query must be answered
TIME_LIMIT_STATUS = 422
BUSY_STATUS = 429
MIX = [("named", 40), ("adhoc", 20), ("malformed", 15), ("expensive", 10), ("update", 15)]
ADHOC = [
    "SELECT ?s ?l WHERE { ?s a cg:AIAccelerator ; rdfs:label ?l } LIMIT 50",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s a cg:Organisation }",
    "SELECT ?g ?src WHERE { ?g cg:statedIn ?src } LIMIT 100",
]
MALFORMED = [
    "SELEC ?x WHERE { ?x ?p ?o }",
    "SELECT ?x WHERE { ?x ?p ",
    "SELECT * WHERE { nosuch:x ?p ?o }",
    "\x00\x01 garbage",
    "SELECT ?x WHERE { FILTER(?x = ) }",
]
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def unique(text: str, n: int) -> str:
    """``text`` with a comment naming ``n`` at its end: a new text (so no cached or shared answer)
    that costs the engine exactly the same (a filter would change the plan: a COUNT over every
    quad is answered from the store's size, the same COUNT with a FILTER reads every quad)."""
    return f"{text}\n# loadtest request {n}\n"


UPDATES = [
    ("form", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ("body", "DELETE WHERE { ?s ?p ?o }"),
    ("query", "DROP ALL"),
    ("query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_memory_mb(pid: int) -> tuple[float, float]:
    """(summed RSS, summed PSS) of the server process and all its children (fork server, query
    workers), in MiB.

    Summed RSS counts a page shared by N processes N times: the workers are forks of one fork
    server and share its pages (the in-memory store of ``--in-memory``, the interpreter, the
    preloaded modules) until they write them. PSS (proportional set size, from
    ``/proc/PID/smaps_rollup``) counts each shared page once in all, split among its sharers, so
    the summed PSS is the memory the server really takes; the bar is judged on it. Where PSS
    cannot be read (not Linux), RSS stands in for it.
    """
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    rss = pss = 0
    for p in procs:
        try:
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        except psutil.NoSuchProcess:
            pass
        except psutil.AccessDenied:
            rss += p.memory_info().rss
            pss += p.memory_info().rss
    return rss / 2**20, pss / 2**20


class Client(threading.Thread):
    """One client: a persistent HTTP/1.1 connection, reopened after errors or closes."""

    def __init__(self, port: int, stop_at: float, seed: int, named: list[str], results: list, lock):
        super().__init__(daemon=True)
        self.port, self.stop_at, self.rng = port, stop_at, random.Random(seed)
        self.named, self.results, self.lock = named, results, lock
        self.conn: http.client.HTTPConnection | None = None
        self.queued: float | None = None
        self.cached = False

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 120
    ) -> tuple[int, bytes]:
        """One request; the server's ``X-Chipgraph-Queued`` (seconds waiting for a worker) goes to
        ``self.queued`` (None when absent)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            data = resp.read()
            queued = resp.getheader("X-Chipgraph-Queued")
            self.queued = float(queued) if queued else None
            self.cached = resp.getheader("X-Chipgraph-Cache") == "hit"
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return resp.status, data
        except Exception:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            raise

    def one(self) -> tuple[str, int, bytes]:
        kinds, weights = zip(*MIX, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        if kind == "named" and not self.named:
            kind = "adhoc"
        if kind == "named":
            status, body = self.request("GET", "/api/queries/" + urllib.parse.quote(self.rng.choice(self.named)))
        elif kind in ("adhoc", "malformed", "expensive"):
            text = {
                "adhoc": lambda: unique(self.rng.choice(ADHOC), self.rng.getrandbits(48)),
                "malformed": lambda: self.rng.choice(MALFORMED),
                "expensive": lambda: unique(EXPENSIVE, self.rng.getrandbits(48)),
            }[kind]()
            status, body = self.request(
                "GET",
                "/sparql?" + urllib.parse.urlencode({"query": text}),
                headers={"Accept": "application/sparql-results+json"},
            )
        else:
            how, text = self.rng.choice(UPDATES)
            if how == "form":
                status, body = self.request(
                    "POST",
                    "/sparql",
                    urllib.parse.urlencode({"update": text}).encode(),
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
            elif how == "body":
                status, body = self.request(
                    "POST", "/sparql", text.encode(), {"Content-Type": "application/sparql-update"}
                )
            else:
                status, body = self.request("GET", "/sparql?" + urllib.parse.urlencode({"query": text}))
        return kind, status, body

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            start = time.monotonic()
            self.queued, self.cached = None, False
            try:
                kind, status, body = self.one()
                err = None
            except Exception as exc:  # noqa: BLE001 - every failure is a data point
                kind, status, body, err = "?", 0, b"", f"{type(exc).__name__}: {exc}"
            text = body[:300].decode("utf-8", "replace")
            rec = (kind, status, time.monotonic() - start, err, text, self.queued, self.cached)
            with self.lock:
                self.results.append(rec)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run(
    output_dir: Path,
    clients: int = 32,
    duration: float = 60,
    timeout: float = 2.0,
    workers: int | None = None,
    max_rss_mb: float = 2048,
    seed: int = 7,
    cache_mb: int | None = None,
    in_memory: bool = False,
) -> dict:
    """Run the load test; returns the report (``report["passed"]``). ``workers`` None = the server's default."""
    port = free_port()
    env = {**os.environ}
    env.pop("CHIPGRAPH_ENDPOINT", None)
    extra = ["--workers", str(workers)] if workers else []
    if cache_mb is not None:
        extra += ["--cache-mb", str(cache_mb)]
    if in_memory:
        extra.append("--in-memory")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graph",
            "serve",
            "--port",
            str(port),
            "--timeout",
            str(timeout),
            *extra,
            "--output-dir",
            str(output_dir),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60
        catalogue = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/queries")
                resp = conn.getresponse()
                body = resp.read()
                if resp.status == 200:
                    catalogue = json.loads(body)
                    break
            except OSError:
                time.sleep(0.2)
        if catalogue is None:
            _, err = server.communicate(timeout=10) if server.poll() is not None else (b"", b"")
            raise SystemExit(f"the server did not come up: {err.decode()[-1000:]}")
        entries = catalogue if isinstance(catalogue, list) else catalogue.get("queries", [])
        named = sorted(q["name"] for q in entries if not any(p.get("required") for p in q.get("params", [])))
        rss_samples: list[float] = []
        pss_samples: list[float] = []
        client_cpu = time.process_time()
        stop_at = time.monotonic() + duration
        results: list = []
        lock = threading.Lock()
        threads = [Client(port, stop_at, seed + i, named, results, lock) for i in range(clients)]
        for t in threads:
            t.start()
        while time.monotonic() < stop_at:
            rss, pss = server_memory_mb(server.pid)
            rss_samples.append(rss)
            pss_samples.append(pss)
            time.sleep(0.5)
        for t in threads:
            t.join(timeout=2 * timeout + 130)
        client_cpu = time.process_time() - client_cpu
        alive = server.poll() is None
        still_answers = False
        if alive:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2 * timeout + 10)
                conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
                still_answers = conn.getresponse().status == 200
            except OSError:
                still_answers = False
        rss, pss = server_memory_mb(server.pid)
        rss_samples.append(rss)
        pss_samples.append(pss)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    by_kind: dict[str, list] = defaultdict(list)
    for rec in results:
        by_kind[rec[0]].append(rec)
    expected = {"named": {200}, "adhoc": {200}, "malformed": {400}, "update": {403}, "expensive": {TIME_LIMIT_STATUS}}
    cut_limit = timeout + CUT_MARGIN
    report: dict = {
        "clients": clients,
        "duration_s": duration,
        "timeout_s": timeout,
        "workers": workers or "default",
        "cache_mb": "default" if cache_mb is None else cache_mb,
        "in_memory": in_memory,
        "requests": len(results),
        "throughput_rps": round(len(results) / duration, 1),
        "kinds": {},
    }
    bad_5xx, conn_errors, unexpected, slow_cuts, busy = [], [], [], [], 0
    for kind, recs in sorted(by_kind.items()):
        lat = [r[2] for r in recs]
        statuses: dict[int, int] = defaultdict(int)
        for r in recs:
            statuses[r[1]] += 1
            if r[1] == 0:
                conn_errors.append(r[3])
            elif r[1] >= 500:
                bad_5xx.append((kind, r[1], r[4][:200]))
            elif r[1] == BUSY_STATUS:
                busy += 1
            elif kind in expected and r[1] not in expected[kind]:
                unexpected.append((kind, r[1], r[4][:200]))
            if kind == "expensive" and (r[1] != TIME_LIMIT_STATUS or r[2] > cut_limit):
                slow_cuts.append((r[1], round(r[2], 2)))
        report["kinds"][kind] = {
            "n": len(recs),
            "statuses": dict(sorted(statuses.items())),
            "p50_ms": round(percentile(lat, 0.5) * 1000, 1),
            "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
            "max_ms": round(max(lat) * 1000, 1),
            "from_cache": sum(1 for r in recs if r[6]),
        }
        if kind == "expensive":  # cut while running, or cut having waited its whole limit for a worker
            report["kinds"][kind]["cut_waiting"] = sum(1 for r in recs if "waiting for a worker:" in r[4])
        queued = [r[5] for r in recs if r[5] is not None]
        if queued:  # answered queries: how much of their latency was waiting for a worker
            report["kinds"][kind]["queued_p50_ms"] = round(percentile(queued, 0.5) * 1000, 1)
            report["kinds"][kind]["queued_p99_ms"] = round(percentile(queued, 0.99) * 1000, 1)
    all_lat = [r[2] for r in results if r[0] != "expensive"]
    report.update(
        {
            "p50_ms_non_expensive": round(percentile(all_lat, 0.5) * 1000, 1),
            "p99_ms_non_expensive": round(percentile(all_lat, 0.99) * 1000, 1),
            "server_rss_mb": {  # summed RSS: shared pages counted once per process (an overcount)
                "start": round(rss_samples[0], 1) if rss_samples else None,
                "peak": round(max(rss_samples), 1) if rss_samples else None,
                "end": round(rss_samples[-1], 1) if rss_samples else None,
            },
            "server_pss_mb": {  # summed PSS: each page once in all; the memory bar is judged on it
                "start": round(pss_samples[0], 1) if pss_samples else None,
                "peak": round(max(pss_samples), 1) if pss_samples else None,
                "end": round(pss_samples[-1], 1) if pss_samples else None,
            },
            "load_generator_cpu_s": round(client_cpu, 1),  # this script's own CPU, on the same cores
            "server_alive": alive,
            "server_answers_after": still_answers,
            "bad_5xx": bad_5xx[:20],
            "n_bad_5xx": len(bad_5xx),
            "busy_429": busy,
            "connection_errors": conn_errors[:20],
            "n_connection_errors": len(conn_errors),
            "unexpected_status": unexpected[:20],
            "n_unexpected_status": len(unexpected),
            "expensive_not_cut_in_time": slow_cuts[:20],
            "n_expensive_not_cut_in_time": len(slow_cuts),
            "expensive_answered_200": report["kinds"].get("expensive", {}).get("statuses", {}).get(200, 0),
        }
    )
    # The bar: no 5xx at all, every expensive query cut at the time limit (a 4xx), memory
    # bounded. "passed" also refuses any 429 (load shed); "robust" tolerates them.
    robust = bool(
        alive
        and still_answers
        and not bad_5xx
        and not conn_errors
        and not unexpected
        and (report["server_pss_mb"]["peak"] or 0) < max_rss_mb
        and results
    )
    report["robust"] = robust
    report["passed"] = bool(robust and not busy and not slow_cuts)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Load test of chipgraph serve on loopback")
    ap.add_argument("--output-dir", type=Path, default=REPO / "output", help="a built output folder")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=2.0, help="the server's per-query time limit")
    ap.add_argument("--workers", type=int, default=None, help="fast-lane workers (default: the server's)")
    ap.add_argument("--max-rss-mb", type=float, default=2048, help="bar on the peak summed PSS (MiB)")
    ap.add_argument("--in-memory", action="store_true", help="serve with --in-memory")
    ap.add_argument("--cache-mb", type=int, default=None, help="the server's answer cache (default: the server's)")
    ap.add_argument("--report", type=Path, default=REPO / "output" / "bench" / "loadtest.json")
    args = ap.parse_args(argv)
    report = run(
        args.output_dir,
        args.clients,
        args.duration,
        args.timeout,
        args.workers,
        args.max_rss_mb,
        cache_mb=args.cache_mb,
        in_memory=args.in_memory,
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
