"""The record for other systems: ``GET /api/v1/patients/{id}/fhir/`` (a FHIR R4 Bundle)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from clinic import audit
from clinic.access import Action, get_patient_for
from clinic.models import AuditAction
from interop import fhir


class PatientFhirView(APIView):
    """Clinicians and clinic admins (Action.EXPORT); others who see the child get 403."""

    @extend_schema(
        summary="The patient's record as a FHIR R4 Bundle (collection)",
        responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT},
        tags=["patients"],
    )
    def get(self, request: Request, id: str, *args: Any, **kwargs: Any) -> HttpResponse:  # noqa: A002
        patient = get_patient_for(request.user, id, Action.EXPORT)
        bundle = fhir.patient_bundle(
            fhir.load_record(patient),
            download_url=lambda attachment: request.build_absolute_uri(attachment.get_absolute_url()),
        )
        audit.record(request, AuditAction.EXPORT, patient=patient, object_type="fhir_bundle")
        return HttpResponse(bundle.model_dump_json(exclude_none=True),
                            content_type="application/fhir+json")
