"""The record for other systems: ``GET /api/v1/patients/{id}/fhir/`` (a FHIR R4 Bundle, paged)
and the clinic-wide FHIR Bulk Data ``$export`` (interop/bulk.py)."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from clinic import audit
from clinic.access import (
    Action,
    NotVisible,
    get_clinic_for_export,
    get_patient_for,
    may_fetch_bulk_export,
    patients_visible_to,
)
from clinic.db_routers import streamed_from_replica
from clinic.models import AuditAction
from interop import bulk, fhir

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
        raise serializers.ValidationError({"_cursor": [_("Not a cursor of this export.")]}) from exc
    if owner != patient_uuid or fhir.section_named(section) is None or not isinstance(pk, int):
        raise serializers.ValidationError({"_cursor": [_("Not a cursor of this export.")]})
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
            download_url=lambda attachment: request.build_absolute_uri(attachment.get_absolute_url()),
            user=request.user)
        # The rows are read through clinic.access, narrowed to this one exportable child.
        scope = patients_visible_to(request.user, Action.EXPORT).filter(pk=patient.pk)
        body = fhir.stream_patient_bundle(scope, ctx, count=count, after=after,
                                          self_url=request.build_absolute_uri(), next_url=next_url)
        return StreamingHttpResponse(streamed_from_replica(body), content_type="application/fhir+json")


# --- FHIR Bulk Data: a whole clinic, asynchronously ------------------------------------------

class BulkKickOffSerializer(serializers.Serializer):
    _outputFormat = serializers.CharField(required=False)  # noqa: N815 - FHIR's parameter name
    _type = serializers.CharField(required=False, max_length=500)
    _since = serializers.CharField(required=False)

    def validate__outputFormat(self, value: str) -> str:  # noqa: N802
        if value not in bulk.OUTPUT_FORMATS:
            raise serializers.ValidationError(_("Only NDJSON (application/fhir+ndjson) is written."))
        return value

    def validate__type(self, value: str) -> list[str]:
        types = [item.strip() for item in value.split(",") if item.strip()]
        unknown = sorted(set(types) - fhir.RESOURCE_TYPES)
        if unknown or not types:
            raise serializers.ValidationError(_("Not exported: %(types)s.")
                                              % {"types": ", ".join(unknown) or repr(value)})
        return types

    def validate__since(self, value: str) -> str:
        raise serializers.ValidationError(_("Not supported: every export is complete."))


def _bulk_job_for(request: Request, job_id: str) -> bulk.Job:
    job = bulk.load(job_id)
    if job is None or not may_fetch_bulk_export(request.user, clinic_id=job.clinic_id,
                                                requested_by_id=job.requested_by_id):
        raise NotVisible(_("Not found."), object_type="bulk_export", object_id=job_id)
    return job


class ClinicExportView(APIView):
    """Kick-off: clinicians and clinic admins of that clinic (Action.EXPORT)."""

    @extend_schema(
        summary="FHIR Bulk Data $export of the clinic (asynchronous, NDJSON)",
        parameters=[
            OpenApiParameter("Prefer", str, OpenApiParameter.HEADER, required=True,
                             description="must be `respond-async`"),
            OpenApiParameter("_type", str, description="comma-separated resource types"),
            OpenApiParameter("_outputFormat", str, description="application/fhir+ndjson"),
        ],
        responses={202: None},
        tags=["bulk export"],
    )
    def get(self, request: Request, id: str, *args: Any, **kwargs: Any) -> HttpResponse:  # noqa: A002
        clinic = get_clinic_for_export(request.user, id)
        if "respond-async" not in request.headers.get("Prefer", ""):
            raise serializers.ValidationError(
                {"Prefer": [_("Send Prefer: respond-async (the export is asynchronous).")]})
        params = BulkKickOffSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        job = bulk.start(clinic_id=clinic.pk, user_id=request.user.pk,
                         request_url=request.build_absolute_uri(),
                         base_url=request.build_absolute_uri("/"),
                         types=params.validated_data.get("_type"))
        audit.record(request, AuditAction.EXPORT, patient=None, object_type="fhir_bulk_export",
                     object_id=job.id)
        response = HttpResponse(status=202)
        response["Content-Location"] = request.build_absolute_uri(
            reverse("api:bulk-export-status", kwargs={"job": job.id}))
        return response


class BulkExportStatusView(APIView):
    """202 while the export runs, 200 with the manifest when done (the requester only)."""

    @extend_schema(summary="Status of a bulk export", responses={200: OpenApiTypes.OBJECT, 202: None},
                   tags=["bulk export"])
    def get(self, request: Request, job: str, *args: Any, **kwargs: Any) -> HttpResponse:
        found = _bulk_job_for(request, job)
        done = bulk.manifest(found)
        if done is not None:
            return JsonResponse(done)
        failed = bulk.failure(found)
        if failed is not None:
            return JsonResponse(failed, status=500, content_type="application/fhir+json")
        response = HttpResponse(status=202)
        response["X-Progress"] = "in progress"
        response["Retry-After"] = "5"
        return response


class BulkExportFileView(APIView):
    """One NDJSON output file of a finished export (the requester only), audited."""

    @extend_schema(summary="An output file of a bulk export",
                   responses={(200, "application/fhir+ndjson"): OpenApiTypes.STR}, tags=["bulk export"])
    def get(self, request: Request, job: str, resource_type: str, *args: Any, **kwargs: Any) -> HttpResponse:
        found = _bulk_job_for(request, job)
        handle = bulk.open_output(found, resource_type)
        if handle is None:
            raise NotVisible(_("Not found."), object_type="bulk_export_file",
                             object_id=f"{job}/{resource_type}")
        audit.record(request, AuditAction.EXPORT, patient=None, object_type="fhir_bulk_file",
                     object_id=f"{found.id}/{resource_type}"[:64])
        return FileResponse(handle, content_type="application/fhir+ndjson")
