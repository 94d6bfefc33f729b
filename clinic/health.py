"""Health endpoints for load balancers and orchestrators.

Both need no session, no login and no patient data, so nothing is audited; answers are
never cached. Liveness touches nothing at all (a dead database must not get the app
restarted); readiness asks each configured database for ``SELECT 1`` and answers 503 when
one cannot be reached, so the balancer stops sending traffic here.

``ProbeMiddleware`` answers both before the middleware that reads the session and the user:
a signed-in browser sends its session cookie to these paths too, and looking it up would
make liveness depend on the database (and readiness wait for the pool twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic.unavailable import DETAIL

logger = logging.getLogger("clinic.health")


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as exc:
            logger.warning("readiness: database %r unavailable: %s", alias, exc)
            return JsonResponse({"status": "unavailable", "detail": str(DETAIL)}, status=503)
    return JsonResponse({"status": "ok"})


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/health/live/": live,
    "/health/ready/": ready,
}


class ProbeMiddleware:
    """Serve the health endpoints before sessions and authentication (settings.MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS still holds (DisallowedHost: 400), as for any page
        return probe(request)
