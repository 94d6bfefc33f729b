"""The shipped gunicorn configuration: every name is one gunicorn knows, and safe defaults.

Gunicorn silently ignores a misspelt setting, so each name is checked against its own list.
CI also serves the installed wheel with it (.ci/wheel-smoke).
"""

from __future__ import annotations

import importlib
import sys

import pytest
from gunicorn.config import Config

SETTINGS = {"wsgi_app", "bind", "workers", "worker_class", "preload_app", "timeout",
            "graceful_timeout", "keepalive", "max_requests", "max_requests_jitter",
            "worker_tmp_dir", "forwarded_allow_ips", "control_socket_disable", "control_socket",
            "control_socket_mode", "accesslog", "errorlog"}


def load(monkeypatch: pytest.MonkeyPatch, **env: str):  # noqa: ANN201
    for key in ("GUNICORN_CONTROL_SOCKET", "FORWARDED_ALLOW_IPS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    sys.modules.pop("clinic.gunicorn_conf", None)
    module = importlib.import_module("clinic.gunicorn_conf")
    config = Config()
    names = {name for name in vars(module) if not name.startswith("_") and name.islower()
             and not callable(getattr(module, name)) and name not in {"annotations", "os"}}
    for name in names:
        config.set(name, getattr(module, name))  # raises on a value gunicorn rejects
    return module, names, config


def test_every_name_is_a_gunicorn_setting(monkeypatch):
    _, names, config = load(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/clinic/gunicorn.ctl")
    assert names <= set(config.settings), names - set(config.settings)
    assert names <= SETTINGS


def test_defaults_serve_the_app_with_the_control_socket_off(monkeypatch):
    module, _, config = load(monkeypatch)
    assert config.wsgi_app == "clinic.wsgi:application"
    assert config.workers == 3 and config.timeout > 3  # outlives DB_POOL_TIMEOUT
    assert config.control_socket_disable is True
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert module.preload_app is True  # recycled workers are forks of the loaded app


def test_a_control_socket_is_private_when_asked_for(monkeypatch):
    _, _, config = load(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/clinic/gunicorn.ctl")
    assert config.control_socket_disable is False
    assert config.control_socket == "/run/clinic/gunicorn.ctl"
    assert config.control_socket_mode == 0o600


def test_loading_the_app_loads_the_urls_and_catalogs_and_opens_no_database_connection(tmp_path):
    """Preloading is safe only if the master never connects: its pool would be shared.

    What a worker's first request would load (the URLconf with every view, both catalogs)
    is loaded in the master, so a recycled worker does not pay for it again.
    """
    import subprocess

    script = (
        "import sys\n"
        "import clinic.wsgi\n"
        "from django.db import connections\n"
        "from django.db.backends.postgresql.base import DatabaseWrapper\n"
        "from django.utils.translation import trans_real\n"
        "assert not DatabaseWrapper._connection_pools, DatabaseWrapper._connection_pools\n"
        "assert all(c.connection is None for c in connections.all(initialized_only=True))\n"
        "assert {'clinic.urls', 'clinic.api_urls', 'episodes.api'} <= set(sys.modules)\n"
        "assert {'en', 'es'} <= set(trans_real._translations), trans_real._translations\n"
        "print('no connection')\n"
    )
    env = {
        "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "clinic.settings", "DEBUG": "false",
        "SECRET_KEY": "load-" + "x" * 50, "ALLOWED_HOSTS": "localhost",
        # A closed port: any connection attempt at import would fail here, loudly.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing", "HOME": str(tmp_path),
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,  # noqa: S603
                          text=True, timeout=120, cwd=str(tmp_path), check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "no connection"


def test_a_forked_worker_drops_the_masters_pools(monkeypatch):
    from django.db.backends.postgresql.base import DatabaseWrapper

    module, _, _ = load(monkeypatch)
    monkeypatch.setattr(DatabaseWrapper, "_connection_pools", {"default": object()})
    module.post_fork(None, None)
    assert DatabaseWrapper._connection_pools == {}
