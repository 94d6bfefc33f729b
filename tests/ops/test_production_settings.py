"""Production settings read from the environment: HSTS preload is opt-in, data goes to DATA_DIR."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clinic.test_deploy import PRODUCTION_ENV, run_manage

PROBE = """
import json
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST="clinic.example.org").get("/health/live/", secure=True)
print(json.dumps({
    "hsts": response.get("Strict-Transport-Security", ""),
    "database": str(settings.DATABASES["default"]["NAME"]),
    "static_root": str(settings.STATIC_ROOT), "media_root": str(settings.MEDIA_ROOT),
}))
"""


def probe(**env: str) -> dict[str, str]:
    result = run_manage("shell", "-c", PROBE, env={**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hsts_is_sent_without_preload_unless_the_operator_opts_in():
    assert probe()["hsts"] == "max-age=31536000; includeSubDomains"
    assert probe(SECURE_HSTS_PRELOAD="true")["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_check_deploy_stays_clean_with_preload_on():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env={**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "true"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sqlite_default_static_and_media_go_to_data_dir(tmp_path: Path):
    seen = probe(DATA_DIR=str(tmp_path), DATABASE_URL="")  # empty: the SQLite default
    assert seen["database"] == str(tmp_path / "db.sqlite3")
    assert seen["static_root"] == str(tmp_path / "staticfiles")
    assert seen["media_root"] == str(tmp_path / "media")
