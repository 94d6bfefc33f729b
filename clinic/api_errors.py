"""API error shape: Django's own exceptions become DRF answers, never a 500.

The database down answers 503 ``{"detail": ...}`` (see clinic/unavailable.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clinic import audit
from clinic.access import NotAllowed, NotVisible
from clinic.models import AppendOnlyError
from clinic.unavailable import DETAIL, RETRY_AFTER_SECONDS, is_database_unavailable, log_unavailable


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, NotVisible | NotAllowed) and request is not None:
        audit.record_denied(getattr(request, "_request", request), exc)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif is_database_unavailable(exc):
        log_unavailable(context["request"], exc)
        return Response({"detail": str(DETAIL)}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"})
    elif isinstance(exc, AppendOnlyError):
        return Response({"detail": str(exc)}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
    return drf_exception_handler(exc, context)
