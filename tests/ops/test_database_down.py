"""The database down: requests fail in seconds with a 503, never hang or answer a 500.

A process with production settings (DEBUG off, the psycopg pool on) is pointed at a closed
port on 127.0.0.1 and asked for the health endpoints, an API list and a page.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POOL_TIMEOUT = 1.5
# "Fails in seconds": well under the pool's default 30 s wait, with room for a loaded CI
# machine (a page once took 4.9 s there with both cores busy).
ANSWERS_WITHIN = POOL_TIMEOUT + 8


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("PYTEST") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **clean,
        "DEBUG": "false",
        "TESTING": "false",
        "SECRET_KEY": "a-production-secret-" + "x" * 50,
        "ALLOWED_HOSTS": "clinic.example.org",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/twitch_down",
        "DB_POOL_TIMEOUT": str(POOL_TIMEOUT),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture(scope="module")
def down(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("db-down")
    env = production_env(tmp)
    # Pages need the manifest of hashed static names that production serves from.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],  # noqa: S603
                   cwd=ROOT, env=env, check=True, timeout=120)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "tests" / "ops" / "db_down_probe.py")],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return {"probes": json.loads(result.stdout), "log": result.stderr}


@pytest.mark.parametrize("probe", ["live", "live_signed_in"])
def test_liveness_needs_no_database(down, probe):
    # Not even with a session cookie: the probe is answered before the session is read.
    live = down["probes"][probe]
    assert live["status"] == 200 and json.loads(live["body"]) == {"status": "ok"}
    assert live["pool_asks"] == 0
    assert live["seconds"] < POOL_TIMEOUT  # it never waited for the pool


@pytest.mark.parametrize("probe", ["ready", "ready_signed_in"])
def test_readiness_answers_503_within_the_pool_timeout(down, probe):
    ready = down["probes"][probe]
    assert ready["status"] == 503
    assert ready["content_type"].startswith("application/json")
    body = json.loads(ready["body"])
    assert body["status"] == "unavailable" and "database" in body["detail"]
    # It waited for the pool (the setting is honoured) and then gave up: no 30 s hang.
    assert POOL_TIMEOUT * 0.9 <= ready["seconds"] < ANSWERS_WITHIN


@pytest.mark.parametrize("probe", ["api", "api_signed_in"])
def test_api_answers_503_json_detail(down, probe):
    api = down["probes"][probe]
    assert api["status"] == 503
    assert api["content_type"].startswith("application/json")
    body = json.loads(api["body"])
    assert list(body) == ["detail"] and "database cannot be reached" in body["detail"]
    assert api["seconds"] < ANSWERS_WITHIN


def test_page_answers_a_plain_503_in_the_site_layout(down):
    page = down["probes"]["page"]
    assert page["status"] == 503
    assert page["content_type"].startswith("text/html")
    html = page["body"]
    assert "navbar-brand" in html and "vendor/bootstrap/css/bootstrap" in html  # the layout
    assert "unavailable for a moment" in html and "emergency number" in html
    assert "Traceback" not in html and "Server Error" not in html
    assert page["seconds"] < ANSWERS_WITHIN


@pytest.mark.parametrize("probe", ["ready", "ready_signed_in", "api", "api_signed_in", "page"])
def test_a_request_waits_for_the_pool_once(down, probe):
    # Once the user cannot be looked up, nothing on the way out asks again: a second ask
    # would wait DB_POOL_TIMEOUT a second time (a signed-in page took twice as long).
    assert down["probes"][probe]["pool_asks"] == 1


def test_no_traceback_is_logged(down):
    log = down["log"]
    assert "Traceback" not in log, log
    assert "database unavailable: GET /patients/" in log  # one line per failed request instead
