"""Settings of the bare bench app: the app's own database settings, nothing else."""

from __future__ import annotations

from clinic.settings import DATABASES, SECRET_KEY  # noqa: F401 - same database, same pool

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.bench.bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
USE_TZ = True
TIME_ZONE = "UTC"
