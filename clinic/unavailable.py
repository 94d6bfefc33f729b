"""Answers for when the database cannot be reached: 503, fast, without a traceback.

The pool gives up after DB_POOL_TIMEOUT seconds (settings); the error that follows becomes
a 503: JSON ``{"detail": ...}`` for the API, a plain page in the site's layout otherwise.
The page is rendered without the request, so no context processor asks the database for
the user. Every other error keeps Django's own handling.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults

logger = logging.getLogger("clinic.unavailable")

DETAIL = _("The service is temporarily unavailable: the database cannot be reached. "
           "Try again in a few minutes.")
RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exc: BaseException | None) -> bool:
    # OperationalError covers refused and timed-out connections and psycopg_pool's
    # PoolTimeout; InterfaceError a connection that went away mid-request.
    return isinstance(exc, OperationalError | InterfaceError)


def wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/") or request.headers.get(
        "Accept", "").startswith("application/json")


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def json_response() -> JsonResponse:
    return _no_store(JsonResponse({"detail": str(DETAIL)}, status=503))  # type: ignore[return-value]


def unavailable_response(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.models import AnonymousUser

    # Nobody can be looked up now: middleware on the way out that reads request.user
    # (PrivateResponseMiddleware) would otherwise ask the pool again and wait as long twice.
    request.user = AnonymousUser()
    if wants_json(request):
        return json_response()
    return _no_store(HttpResponse(render_to_string("503.html"), status=503))


def log_unavailable(request: HttpRequest, exc: BaseException) -> None:
    # One line, no traceback: the cause is outside the app and the log must stay readable.
    logger.warning("database unavailable: %s %s: %s", request.method, request.path,
                   str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


class DatabaseUnavailableMiddleware:
    """Turn a database connection failure raised by a view (or its template) into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        log_unavailable(request, exception)
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the same 503 when a middleware (not a view) met the database down."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_unavailable(exc):
        log_unavailable(request, exc)
        return unavailable_response(request)
    return defaults.server_error(request)


class DropDatabaseDownTraceback(logging.Filter):
    """On ``django.request``: a database that cannot be reached is logged in one line.

    Middleware that reads the user (idle timeout, second factor, time zone) meets the
    database before any view, so Django's handler logs the 503 with the exception; the
    cause is outside the app, and ``log_unavailable`` has already said it in one line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and is_database_unavailable(record.exc_info[1]):
            record.exc_info = None
            record.exc_text = None
        return True
