"""Gunicorn settings, shipped in the package: ``gunicorn -c python:clinic.gunicorn_conf``.

Every value can be changed by its environment variable (below) or by GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import os
from pathlib import Path

wsgi_app = "clinic.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]

# Sync workers: one request at a time each, so each worker's pool (DB_POOL_MAX) never waits
# on its own threads.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
# The app is imported once, in the master: a worker recycled by max_requests is a fork, not
# a fresh Django start (about 1 s of CPU each, which at 1,000 requests cost every request a
# millisecond). Importing the app opens no database connection (tests/ops), and post_fork
# below gives each worker its own pool even if something ever did.
preload_app = True
# A worker silent this long is restarted; above DB_POOL_TIMEOUT, so a database outage
# answers 503 instead of killing workers.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # behind a proxy that reuses connections
# Recycle workers now and then so slow memory growth cannot build up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
# Heartbeat files off a possibly slow disk (containers); gunicorn makes them with mkstemp.
SHM = "/dev/shm"  # noqa: S108
if Path(SHM).is_dir():
    worker_tmp_dir = SHM

# Only the proxy on this host may say a request came over https (X-Forwarded-Proto); list a
# remote proxy's address here, never "*", or any client could claim https.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The control socket (gunicorn >= 25) lets whoever can open it stop or reconfigure the
# server: off, unless GUNICORN_CONTROL_SOCKET names a path in a private directory.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
    control_socket_mode = 0o600

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"


def post_fork(server: object, worker: object) -> None:
    """A worker never uses a database pool (its sockets and threads) made in the master."""
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()
    for connection in connections.all(initialized_only=True):
        connection.connection = None  # the master's socket is left to the master
