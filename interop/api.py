"""The record for other systems: ``GET /api/v1/patients/{id}/fhir/`` (a FHIR R4 Bundle, paged)."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from clinic import audit
from clinic.access import Action, get_patient_for, patients_visible_to
from clinic.db_routers import streamed_from_replica
from clinic.models import AuditAction
from interop import fhir

_CURSOR_SALT = "interop.fhir.page"


class PageSerializer(serializers.Serializer):
    """``_count`` entries per page and the opaque ``_cursor`` of a ``next`` link."""

    _count = serializers.IntegerField(min_value=1, max_value=fhir.MAX_COUNT, default=fhir.DEFAULT_COUNT)
    _cursor = serializers.CharField(required=False, max_length=200)


def cursor_token(patient_uuid: str, cursor: fhir.Cursor) -> str:
    # Signed and bound to the patient: a cursor is only ever read back for the same record.
    return signing.Signer(salt=_CURSOR_SALT).sign_object([patient_uuid, cursor.section, cursor.pk])


def read_cursor(patient_uuid: str, token: str) -> fhir.Cursor:
    try:
        owner, section, pk = signing.Signer(salt=_CURSOR_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise serializers.ValidationError({"_cursor": ["Not a cursor of this export."]}) from exc
    if owner != patient_uuid or fhir.section_named(section) is None or not isinstance(pk, int):
        raise serializers.ValidationError({"_cursor": ["Not a cursor of this export."]})
    return fhir.Cursor(section, pk)


class PatientFhirView(APIView):
    """Clinicians and clinic admins (Action.EXPORT); others who see the child get 403."""

    @extend_schema(
        summary="The patient's record as a FHIR R4 Bundle (searchset, paged by `next` links)",
        parameters=[
            OpenApiParameter("_count", int, description=f"entries per page (default {fhir.DEFAULT_COUNT}, "
                                                        f"at most {fhir.MAX_COUNT})"),
            OpenApiParameter("_cursor", str, description="from the previous page's `next` link"),
        ],
        responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT},
        tags=["patients"],
    )
    def get(self, request: Request, id: str, *args: Any, **kwargs: Any) -> StreamingHttpResponse:  # noqa: A002
        patient = get_patient_for(request.user, id, Action.EXPORT)
        page = PageSerializer(data=request.query_params)
        page.is_valid(raise_exception=True)
        count = page.validated_data["_count"]
        patient_uuid = str(patient.uuid)
        token = page.validated_data.get("_cursor")
        after = read_cursor(patient_uuid, token) if token else None
        audit.record(request, AuditAction.EXPORT, patient=patient, object_type="fhir_bundle")

        def next_url(cursor: fhir.Cursor) -> str:
            query = request.query_params.copy()
            query["_count"] = str(count)
            query["_cursor"] = cursor_token(patient_uuid, cursor)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        ctx = fhir.Context(
            download_url=lambda attachment: request.build_absolute_uri(attachment.get_absolute_url()))
        # The rows are read through clinic.access, narrowed to this one exportable child.
        scope = patients_visible_to(request.user, Action.EXPORT).filter(pk=patient.pk)
        body = fhir.stream_patient_bundle(scope, ctx, count=count, after=after,
                                          self_url=request.build_absolute_uri(), next_url=next_url)
        return StreamingHttpResponse(streamed_from_replica(body), content_type="application/fhir+json")
