"""Reads that may lag go to a PostgreSQL read replica when ``DATABASE_REPLICA_URL`` is set.

Only code that says so reads from the replica: dashboards, exports and lists wrap their
reads in ``replica_reads()`` (or ``@reads_from_replica`` on a view). Everything else, and
every write, uses ``default``. A read still stays on the primary when

- a transaction is open on ``default`` (its own uncommitted rows, and a consistent view);
- the request writes (any method but GET, HEAD, OPTIONS), or the browser wrote within the
  last ``REPLICA_PIN_SECONDS``: a write answers with a short-lived ``db_primary_until``
  cookie, so the page a form redirects to shows what was just saved even while the
  replica lags (read-your-writes). The cookie can only send reads to the primary, never
  widen what anyone sees, so it needs no signature.

Without the ``replica`` alias the router answers ``None`` and Django uses ``default``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "db_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_wanted: ContextVar[bool] = ContextVar("replica_wanted", default=False)
_pinned_to_primary: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica (when there is one and nothing pins them)."""
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


def streamed_from_replica(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A streamed body reads after the view and the middleware have returned: carry the
    request's pin along and read from the replica while it streams."""
    pinned = _pinned_to_primary.get()

    def stream() -> Iterator[bytes]:
        pin = _pinned_to_primary.set(pinned)
        try:
            with replica_reads():
                yield from chunks
        finally:
            _pinned_to_primary.reset(pin)

    return stream()


def _use_replica() -> bool:
    return (_replica_wanted.get() and not _pinned_to_primary.get() and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return REPLICA if _use_replica() else None

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two doors

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # the replica follows the primary by replication


class ReplicaPinMiddleware:
    """Keep a writing request, and the writer's next few seconds of reads, on the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        try:
            recent = float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
        except ValueError:
            recent = False
        token = _pinned_to_primary.set(writes or recent)
        try:
            response = self.get_response(request)
        finally:
            _pinned_to_primary.reset(token)
        if writes and replica_configured():
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, f"{time.time() + seconds:.0f}", max_age=seconds,
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response
