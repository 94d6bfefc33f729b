"""A small concurrent HTTP load generator (no wrk on this machine): processes of threads.

Each thread sends requests back to back on fresh connections (gunicorn's sync workers
close each one) for a fixed time; the figures are requests per second and latency
percentiles. Processes, not only threads, so the client's own Python is not the limit
for a fast server.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (method, path, body, headers) for the i-th request of a thread.
RequestMaker = Callable[[int, int], tuple[str, str, dict[str, Any] | None, dict[str, str]]]


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]
    statuses: tuple[int, ...]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")

    def __str__(self) -> str:
        return (f"{self.rate:8.1f} req/s  p50 {self.percentile(0.5) * 1000:6.1f} ms  "
                f"p95 {self.percentile(0.95) * 1000:6.1f} ms  ({self.requests} requests, "
                f"{self.errors} errors)")


def _thread(port: int, make: RequestMaker, seed: int, until: float, out: list) -> None:
    i = 0
    while time.perf_counter() < until:
        method, path, body, headers = make(seed, i)
        data = json.dumps(body).encode() if body is not None else None
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=data, headers={
                "Content-Type": "application/json", "Host": "127.0.0.1", **headers})
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            connection.close()
        out.append((time.perf_counter() - start, status))
        i += 1


def _process(port: int, make: RequestMaker, first_seed: int, threads: int, seconds: float,
             queue: Any) -> None:
    until = time.perf_counter() + seconds
    out: list[tuple[float, int]] = []
    workers = [threading.Thread(target=_thread, args=(port, make, first_seed + t, until, out))
               for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(out)


def drive(port: int, make: RequestMaker, *, seconds: float, processes: int = 2,
          threads: int = 2) -> Result:
    """Load ``port`` with ``processes * threads`` clients for ``seconds``.

    Forked processes (the request maker is inherited, never pickled); each reports its
    (latency, status) rows through a queue.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_process, args=(port, make, p * 1000, threads, seconds, queue))
                for p in range(processes)]
    for child in children:
        child.start()
    rows = [row for _ in children for row in queue.get(timeout=seconds + 120)]
    for child in children:
        child.join()
    ok = [latency for latency, status in rows if 200 <= status < 300]
    return Result(requests=len(ok), errors=len(rows) - len(ok), seconds=seconds,
                  latencies=tuple(ok), statuses=tuple(sorted({s for _, s in rows})))


def median_of(results: list[Result]) -> tuple[float, float]:
    """Median requests per second and median p50 (seconds) over rounds."""
    return (statistics.median(r.rate for r in results),
            statistics.median(r.percentile(0.5) for r in results))


def new_key() -> str:
    return str(uuid.uuid4())


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: str) -> tuple[str, int, float, float] | None:
    """(command name, parent pid, own CPU seconds, reaped children's CPU seconds) from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return None
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    own = (int(fields[11]) + int(fields[12])) / _TICKS
    reaped = (int(fields[13]) + int(fields[14])) / _TICKS
    return name, int(fields[1]), own, reaped


def cpu_seconds(root_pid: int) -> tuple[float, float]:
    """CPU used so far by the process tree of ``root_pid`` (with its exited workers, which
    its ``wait`` reaped into its own account) and by every PostgreSQL process on this host.
    Linux only: (0.0, 0.0) elsewhere."""
    if not os.path.isdir("/proc"):
        return 0.0, 0.0
    stats = {pid: stat for pid in os.listdir("/proc") if pid.isdigit()
             if (stat := _proc_stat(pid)) is not None}
    tree, postgres = 0.0, 0.0
    for pid, (name, parent, own, reaped) in stats.items():
        if int(pid) == root_pid:
            tree += own + reaped
        elif parent == root_pid:
            tree += own
        if name == "postgres":
            postgres += own + (reaped if stats.get(str(parent), ("",))[0] != "postgres" else 0.0)
    return tree, postgres
