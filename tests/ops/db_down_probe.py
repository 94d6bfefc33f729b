"""Run by test_database_down.py in a production-settings process whose database is down.

Prints one JSON object: for each probe, the status, content type, seconds taken, body, and
how many times the request asked the pool for a connection (each ask waits DB_POOL_TIMEOUT
while the database is down; the count is read, the pool is not replaced).
"""

from __future__ import annotations

import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.test import Client  # noqa: E402
from psycopg_pool import ConnectionPool  # noqa: E402

pool_asks = 0
_getconn = ConnectionPool.getconn


def counting_getconn(self, *args, **kwargs):
    global pool_asks
    pool_asks += 1
    return _getconn(self, *args, **kwargs)


ConnectionPool.getconn = counting_getconn

PROBES = {
    "live": {"path": "/health/live/"},
    "ready": {"path": "/health/ready/"},
    # A token makes the API look the caller up in the database.
    "api": {"path": "/api/v1/patients/", "headers": {"Authorization": "Token " + "a" * 40}},
    # A session cookie makes the page look the user up in the database.
    "page": {"path": "/patients/", "cookie": True},
    # A browser that is signed in sends its session cookie to every path, probes included.
    "live_signed_in": {"path": "/health/live/", "cookie": True},
    "ready_signed_in": {"path": "/health/ready/", "cookie": True},
    "api_signed_in": {"path": "/api/v1/me/", "cookie": True},
}

# Load the URLconf and views first, so the timings below are of the requests alone.
Client(HTTP_HOST="clinic.example.org").get("/health/live/", secure=True)

results = {}
for name, probe in PROBES.items():
    client = Client(HTTP_HOST="clinic.example.org", raise_request_exception=False)
    if probe.get("cookie"):
        client.cookies["sessionid"] = "s" * 32
    pool_asks = 0
    started = time.monotonic()
    response = client.get(probe["path"], headers=probe.get("headers"), secure=True)
    results[name] = {
        "status": response.status_code,
        "content_type": response.get("Content-Type", ""),
        "seconds": time.monotonic() - started,
        "body": response.content.decode(errors="replace"),
        "pool_asks": pool_asks,
    }
print(json.dumps(results))
