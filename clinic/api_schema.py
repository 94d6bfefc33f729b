"""OpenAPI: every operation documents the errors it can answer, in the API's one error shape.

drf-spectacular documents only success answers by default. Here each operation also
lists 401 (no or bad credentials), 403 (visible but not allowed), 404 (not visible or
unknown: existence never leaks), 400 for operations with a body, and 409 where a
version or a state can conflict (declared on the view with ``extend_schema``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
# Messages keyed by field (or non_field_errors); a list field nests them by position, and a
# body that cannot be parsed answers {"detail": ...}.
FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"anyOf": [
        {"type": "array", "items": {}},
        {"type": "object"},
        {"type": "string"},
    ]},
    "example": {"started_at": ["The start time cannot be in the future."]},
}
CONFLICT = OpenApiResponse(ERROR, description="Conflict: a newer version or a state that forbids this.")

STANDARD_ERRORS: dict[int, OpenApiResponse] = {
    401: OpenApiResponse(ERROR, description="Not signed in, or the credentials are not valid."),
    403: OpenApiResponse(ERROR, description="Visible to you, but you may not do this."),
    404: OpenApiResponse(ERROR, description="Not found, or not visible to you."),
}
BAD_REQUEST = OpenApiResponse(FIELD_ERRORS, description="Invalid input: messages keyed by field.")


class ClinicTokenScheme(KnoxTokenScheme):
    """Our knox subclass (clinic.tokens) is documented as the same ``knoxApiToken`` scheme."""

    target_class = "clinic.tokens.TokenAuthentication"


class ClinicAutoSchema(AutoSchema):
    """AutoSchema plus the standard error answers of every operation."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        extra: dict[int, OpenApiResponse] = dict(STANDARD_ERRORS)
        if method in ("POST", "PUT", "PATCH"):
            extra[400] = BAD_REQUEST
        for code, response in extra.items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(response, str(code),
                                                                   direction=direction)
        return responses
