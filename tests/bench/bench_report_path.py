"""Two servers side by side: the report POST against a bare Django view that inserts one row.

Both run under the shipped gunicorn config with 2 sync workers, DEBUG off, on the same
PostgreSQL database and pool settings (the test database, committed rows). The load
alternates between them in rounds within one run and prints requests per second, p50
and the ratio report/bare; the target is at least a fifth. Reports are 9 routine to 1
urgent (which raises the child's review case and queues the clinic's notification in
django-tasks-db), by 150 parents with real API tokens for 8 children each, each report a
fresh client_id. The children are many so that each gets a few reports, as in a real
clinic: 40 children each given some 35 reports within seconds had their frequency rule
fire, and the bench measured escalated reports instead of the 9-to-1 mix. The level mix
actually stored is printed and checked.

    DATABASE_URL=postgres://... make bench-report

Skipped unless selected with ``-m bench`` (it takes about a minute) and on SQLite (one
file locked by every writer would measure SQLite, not the app).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from clinic.tokens import token_issue
from episodes.models import Episode
from tests.bench.load import Result, cpu_seconds, drive, median_of, new_key
from tests.episodes.helpers import ROUTINE, URGENT
from tests.factories import GuardianshipFactory, PatientFactory, UserFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PARENTS = 150
CHILDREN_PER_PARENT = 8
TARGET_RATIO = 0.2
BARE_TABLE = "bench_bare_row"


@pytest.fixture(autouse=True)
def _only_when_asked(request):
    if "bench" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("the two-server bench runs only with -m bench (make bench, make bench-report)")
    if connection.vendor != "postgresql":
        pytest.skip("the two-server bench needs PostgreSQL (DATABASE_URL=postgres://...)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    settings = connection.settings_dict  # the test database, which the servers must share
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{settings['NAME']}"


def _serve(app: str, settings_module: str, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": settings_module,
        "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "MFA_REQUIRED_FOR_STAFF": "false",
        "WEB_CONCURRENCY": "2", "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "/dev/null", "PYTHONPATH": str(ROOT),
    }
    handle = log.open("w")
    return subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:clinic.gunicorn_conf", app],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
    )


def _wait_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server on {port} exited:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start:\n{log.read_text()[-3000:]}")


class ReportMaker:
    """The i-th report of client ``seed``: one of the parents, a fresh key, 1 in 10 urgent."""

    def __init__(self, reporters: list[tuple[str, str]]) -> None:
        self.reporters = reporters
        self.started = (timezone.now() - timedelta(hours=2)).isoformat()

    def __call__(self, seed: int, i: int) -> tuple[str, str, dict[str, Any], dict[str, str]]:
        # Each client walks the children from its own offset: a few reports per child.
        token, patient = self.reporters[(seed * 7919 + i) % len(self.reporters)]
        kind = URGENT if i % 10 == 9 else ROUTINE
        body = {"patient": patient, "started_at": self.started, "client_id": new_key(), **kind}
        return "POST", "/api/v1/episodes/", body, {"Authorization": f"Token {token}"}


def bare_request(seed: int, i: int) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    return "POST", "/insert/", {"seed": seed, "i": i}, {}


@pytest.fixture
def bare_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} "
                       "(id bigserial PRIMARY KEY, at timestamptz NOT NULL, payload jsonb NOT NULL)")
    yield BARE_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")


def test_report_path_against_a_bare_insert(world, bare_table, tmp_path):
    reporters = []
    for n in range(PARENTS):
        parent = UserFactory(username=f"benchparent{n}")
        _, raw = token_issue(user=parent)
        for _ in range(CHILDREN_PER_PARENT):
            child = PatientFactory(clinic=world.clinic,
                                   date_of_birth=timezone.localdate() - timedelta(days=100))
            GuardianshipFactory(user=parent, patient=child)
            reporters.append((raw, str(child.uuid)))
    ports = {"report": _free_port(), "bare": _free_port()}
    servers = {
        "report": _serve("clinic.wsgi:application", "clinic.settings", ports["report"],
                         tmp_path / "report.log"),
        "bare": _serve("tests.bench.bare.wsgi:application", "tests.bench.bare.settings",
                       ports["bare"], tmp_path / "bare.log"),
    }
    makers = {"report": ReportMaker(reporters), "bare": bare_request}
    results: dict[str, list[Result]] = {"report": [], "bare": []}
    # CPU per request of each server's processes and of PostgreSQL, per round (Linux).
    cpu: dict[str, list[tuple[float, float]]] = {"report": [], "bare": []}
    try:
        for name, server in servers.items():
            _wait_up(ports[name], server, tmp_path / f"{name}.log")
            drive(ports[name], makers[name], seconds=1)  # warm both workers' pools and imports
        for round_number in range(ROUNDS):
            for name in ("bare", "report"):
                app_before, database_before = cpu_seconds(servers[name].pid)
                result = drive(ports[name], makers[name], seconds=SECONDS)
                app_after, database_after = cpu_seconds(servers[name].pid)
                per_request = ((app_after - app_before) / max(result.requests, 1),
                               (database_after - database_before) / max(result.requests, 1))
                cpu[name].append(per_request)
                print(f"\nround {round_number + 1} {name:6s} {result}  CPU per request: app "
                      f"{per_request[0] * 1000:.2f} ms, PostgreSQL {per_request[1] * 1000:.2f} ms")
                assert result.errors == 0, (name, result.statuses,
                                            (tmp_path / f"{name}.log").read_text()[-3000:])
                results[name].append(result)
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            server.wait(timeout=30)
    report_rate, report_p50 = median_of(results["report"])
    bare_rate, bare_p50 = median_of(results["bare"])
    ratio = report_rate / bare_rate
    print(f"\nmedian of {ROUNDS} rounds of {SECONDS:.0f} s, gunicorn 2 sync workers, 4 clients:")
    for label, name, rate, p50 in (("bare insert", "bare", bare_rate, bare_p50),
                                   ("report POST", "report", report_rate, report_p50)):
        app, database = (statistics.median(share) * 1000 for share in zip(*cpu[name], strict=True))
        print(f"  {label}   {rate:8.1f} req/s  p50 {p50 * 1000:6.1f} ms  "
              f"CPU per request: app {app:.2f} ms, PostgreSQL {database:.2f} ms")
    print(f"  ratio report/bare {ratio:.3f} (target >= {TARGET_RATIO})")
    levels = dict(Episode.objects.values_list("level").annotate(n=Count("id")).order_by())
    stored = sum(levels.values())
    print("  stored levels " + ", ".join(f"{level} {n / stored:.1%}" for level, n in sorted(levels.items())))
    assert stored >= sum(r.requests for r in results["report"])
    # The mix measured is the mix described (9 routine to 1 urgent), not escalated reports.
    assert levels.get("routine", 0) >= 0.85 * stored
    assert ratio >= TARGET_RATIO
