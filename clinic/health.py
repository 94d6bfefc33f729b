"""Health endpoints for load balancers and orchestrators.

Both need no session, no login and no patient data, so nothing is audited; answers are
never cached. Liveness touches nothing at all (a dead database must not get the app
restarted); readiness asks each configured database for ``SELECT 1`` and answers 503 when
one cannot be reached, so the balancer stops sending traffic here.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
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
