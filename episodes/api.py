"""Episodes API: list, report, retrieve, assess without storing, attachments, mark in error.

Viewsets register on ``router``; clinic/api_urls.py mounts it under /api/v1/.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from clinic import audit
from clinic.access import Action, can, get_for, get_patient_for, not_allowed, require
from clinic.api_schema import ERROR
from clinic.fields import BoundedIsoDateTimeFilter
from clinic.models import AuditAction
from clinic.serializers import FieldsBuiltOnce
from episodes import messages, services
from episodes.downloads import serve_attachment
from episodes.models import (
    LEVEL_CHOICES,
    MAX_DURATION_SECONDS,
    Episode,
    EpisodeAttachment,
    validate_not_in_future,
)
from episodes.responses import ResponseStatus
from episodes.selectors import episodes_visible_to
from episodes.triage import BODY_PARTS, HELD_CHOICES, PATTERNS, SIGNS, STATES

router = SimpleRouter()


def _triage_out(triage: dict[str, Any]) -> dict[str, Any]:
    """The triage answer exactly as DESIGN.md defines it, in the request's language
    (LocaleMiddleware reads Accept-Language and answers with Content-Language)."""
    triage = messages.translated(triage)
    return {
        "level": triage.get("level"),
        "headline": triage.get("headline"),
        "advice": triage.get("advice"),
        "reasons": [
            {key: reason.get(key) for key in ("rule", "level", "explanation", "source")}
            for reason in triage.get("reasons", [])
        ],
        # Revision 2026-12: what the notes named that no answer says, and the family's plan.
        "notes_matched": [
            {"sign": match.get("sign"), "words": list(match.get("words") or [])}
            for match in triage.get("notes_matched", [])
        ],
        "seizure_plan": triage.get("seizure_plan", ""),
    }


class NoteMatchSerializer(serializers.Serializer):
    sign = serializers.CharField(help_text="A sign code, or `minutes` for a duration in minutes.")
    words = serializers.ListField(child=serializers.CharField())


class TriageSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=LEVEL_CHOICES)
    headline = serializers.CharField()
    advice = serializers.CharField()
    reasons = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    notes_matched = NoteMatchSerializer(many=True)
    seizure_plan = serializers.CharField(allow_blank=True)


class EpisodeReportSerializer(FieldsBuiltOnce, serializers.Serializer):
    """What a parent or clinician reports; shared by create and assess."""

    patient = serializers.UUIDField()
    client_id = serializers.UUIDField(required=False, allow_null=True)
    started_at = serializers.DateTimeField()
    duration_seconds = serializers.IntegerField(min_value=0, max_value=MAX_DURATION_SECONDS)
    body_parts = serializers.ListField(
        child=serializers.ChoiceField(choices=BODY_PARTS), allow_empty=False, max_length=len(BODY_PARTS)
    )
    state = serializers.ChoiceField(choices=STATES)
    pattern = serializers.ChoiceField(choices=PATTERNS)
    stops_when_held_or_woken = serializers.ChoiceField(choices=HELD_CHOICES)
    signs = serializers.ListField(
        child=serializers.ChoiceField(choices=SIGNS), required=False, max_length=len(SIGNS)
    )
    temperature_c = serializers.DecimalField(
        max_digits=3, decimal_places=1, min_value=Decimal("30.0"), max_value=Decimal("45.0"),
        required=False, allow_null=True,
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    source = serializers.ChoiceField(
        choices=[("parent", "parent"), ("phone", "phone"), ("clinic", "clinic")], required=False
    )

    def validate_started_at(self, value: Any) -> Any:
        try:
            validate_not_in_future(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def _unique(self, value: list[str], message: str) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(message)
        return value

    def validate_body_parts(self, value: list[str]) -> list[str]:
        return self._unique(value, _("Each body part may appear only once."))

    def validate_signs(self, value: list[str]) -> list[str]:
        return self._unique(value, _("Each sign may appear only once."))

    def report_fields(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        for key in ("patient", "client_id", "notes", "source"):
            data.pop(key, None)
        data.setdefault("signs", [])
        return data


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EpisodeAttachment
        fields = ["id", "kind", "content_type", "size", "uploaded_at", "download_url"]

    def get_download_url(self, attachment: EpisodeAttachment) -> str:
        return f"/api/v1/attachments/{attachment.uuid}/download/"


class ClinicResponseSerializer(serializers.Serializer):
    """The clinic's response the family sees (rules: episodes/responses.py)."""

    status = serializers.ChoiceField(
        choices=[(s.value, s.value) for s in ResponseStatus],
        help_text="`waiting`: no one at the clinic has looked at this episode yet; `seen`: a "
        "person has; `closed`: the clinic has finished with it.",
    )
    seen_at = serializers.DateTimeField(allow_null=True, help_text="When a person looked at it.")
    seen_by = serializers.CharField(
        allow_null=True, help_text="That person's display name (never a username or e-mail); "
        "null when no name is on file.")
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(
        allow_null=True, help_text="The clinic's line for the family on closing; null until "
        "closed (or when closed without one).")


class EpisodeSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    patient = serializers.UUIDField(source="patient.uuid", read_only=True)
    reporter = serializers.CharField(source="reporter.get_username", read_only=True)
    triage = serializers.SerializerMethodField()
    review_case = serializers.SerializerMethodField()
    clinic_response = serializers.SerializerMethodField(
        help_text="Null for a routine (typical) episode, which the clinic does not review."
    )
    entered_in_error_by = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Episode
        fields = [
            "id", "patient", "client_id", "reporter", "source", "started_at", "duration_seconds",
            "body_parts", "state", "pattern", "stops_when_held_or_woken", "signs",
            "temperature_c", "notes", "triage", "level", "rule_set_version", "review_case",
            "clinic_response", "status", "entered_in_error_by", "entered_in_error_reason",
            "entered_in_error_at", "attachments", "created_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema(responses=TriageSerializer)
    def get_triage(self, episode: Episode) -> dict[str, Any]:
        return _triage_out(episode.triage)

    def get_review_case(self, episode: Episode) -> str | None:
        return str(episode.review_case.uuid) if episode.review_case_id else None

    @extend_schema_field(ClinicResponseSerializer(allow_null=True))
    def get_clinic_response(self, episode: Episode) -> dict[str, Any] | None:
        response = episode.clinic_response
        return None if response is None else ClinicResponseSerializer(response.as_dict()).data

    def get_entered_in_error_by(self, episode: Episode) -> str | None:
        return episode.entered_in_error_by.get_username() if episode.entered_in_error_by_id else None


class MarkInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ConfirmSignSerializer(serializers.Serializer):
    sign = serializers.CharField(max_length=40, help_text="A sign code from the answer's notes_matched.")


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


class EpisodeFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient__uuid")
    level = django_filters.ChoiceFilter(choices=LEVEL_CHOICES)
    status = django_filters.ChoiceFilter(
        choices=[("active", "active"), ("entered_in_error", "entered_in_error")]
    )
    started_after = BoundedIsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = BoundedIsoDateTimeFilter(field_name="started_at", lookup_expr="lte")

    class Meta:
        model = Episode
        fields = ["patient", "level", "status", "started_after", "started_before"]


class EpisodeCursorPagination(CursorPagination):
    """Newest first, by an opaque cursor: page 10,000 costs what page 1 does.

    The cursor holds the last ``started_at`` seen (plus an offset for equal times), so
    each page is an index range scan on ``(-started_at, -id)``; there is no OFFSET and
    no ``COUNT(*)`` of the whole list. Follow ``next`` / ``previous``.
    """

    ordering = ("-started_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class EpisodeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Episodes of the patients the caller may see; report for those they may report on."""

    serializer_class = EpisodeSerializer
    filterset_class = EpisodeFilter
    pagination_class = EpisodeCursorPagination
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return episodes_visible_to(self.request.user).select_related("entered_in_error_by")

    def get_object(self) -> Episode:
        return get_for(self.request.user, self.get_queryset(), uuid=self.kwargs["id"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit.record_list(request, [e.patient for e in page], object_type="episode")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        episode = self.get_object()
        audit.record(request, AuditAction.READ, patient=episode.patient, obj=episode)
        return Response(self.get_serializer(episode).data)

    def _report(self, request: Request) -> tuple[EpisodeReportSerializer, Any]:
        """Valid input first (400), then the patient: invisible 404, not allowed 403."""
        report = EpisodeReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        patient = get_patient_for(request.user, report.validated_data["patient"], Action.REPORT)
        return report, patient

    @extend_schema(request=EpisodeReportSerializer, responses={
        201: OpenApiResponse(EpisodeSerializer, description="Stored, with its triage."),
        200: OpenApiResponse(EpisodeSerializer, description="A repeated client_id: the stored episode."),
        409: OpenApiResponse(ERROR, description="This client_id was used for a different report."),
    })
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report, patient = self._report(request)
        data = report.validated_data
        source = data.get("source") or "parent"
        if source != "parent" and not can(request.user, Action.CHART, patient):
            source = "parent"  # only clinic staff log phone or clinic reports
        try:
            episode, created = services.episode_create(
                patient=patient, reporter=request.user, client_id=data.get("client_id"),
                notes=data.get("notes", ""), source=source, **report.report_fields(),
                on_stored=lambda stored: audit.record(request, AuditAction.CREATE,
                                                      patient=patient, obj=stored),
            )
        except services.ClientIdConflict as exc:
            return Response({"client_id": [str(exc)]}, status=status.HTTP_409_CONFLICT)
        if not created:  # a repeated client_id answers with the stored episode: a read of it
            audit.record(request, AuditAction.READ, patient=patient, obj=episode)
        if created:
            # The row just stored is the answer (no re-read): nothing is attached to it yet.
            episode._prefetched_objects_cache = {"attachments": EpisodeAttachment.objects.none()}
        else:
            episode = self.get_queryset().get(pk=episode.pk)
        return Response(
            self.get_serializer(episode).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=EpisodeReportSerializer, responses={200: TriageSerializer})
    @action(detail=False, methods=["post"])
    def assess(self, request: Request) -> Response:
        """The triage answer for a report, without storing anything."""
        report, patient = self._report(request)
        result = services.episode_assess(patient=patient, notes=report.validated_data.get("notes", ""),
                                         **report.report_fields())
        audit.record(request, AuditAction.READ, patient=patient, object_type="episode_assessment",
                     object_id=str(patient.uuid))
        return Response({**_triage_out(result.as_dict()),
                         "rule_set_version": result.rule_set_version})

    @extend_schema(request=MarkInErrorSerializer, responses={200: EpisodeSerializer})
    @action(detail=True, methods=["post"], url_path="mark-in-error")
    def mark_in_error(self, request: Request, id: str) -> Response:  # noqa: A002
        episode = self.get_object()
        if not services.episode_can_mark_in_error(request.user, episode):
            raise not_allowed(episode.patient, episode, _("You may not change this report."))
        body = MarkInErrorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.episode_mark_in_error(episode=episode, by=request.user,
                                       reason=body.validated_data["reason"])
        audit.record(request, AuditAction.UPDATE, patient=episode.patient, obj=episode)
        return Response(self.get_serializer(self.get_object()).data)

    def _episode_to_add_to(self, refusal: str) -> Episode:
        """The URL's episode, if the caller may report on its patient (else 404 or 403)."""
        episode = self.get_object()
        require(self.request.user, Action.REPORT, episode.patient, obj=episode, message=refusal)
        return episode

    @extend_schema(request=ConfirmSignSerializer, responses={200: EpisodeSerializer})
    @action(detail=True, methods=["post"], url_path="confirm-sign")
    def confirm_sign(self, request: Request, id: str) -> Response:  # noqa: A002
        """Tick a sign the report's notes named; the triage runs again (CLINICAL.md 3a).

        The sign must be one of the stored answer's ``notes_matched``; a parent's tick
        never lowers the level they were told, a clinician's takes the new triage.
        """
        episode = self._episode_to_add_to(_("You may not add to this report."))
        body = ConfirmSignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            episode = services.episode_confirm_sign(episode=episode, by=request.user,
                                                    sign=body.validated_data["sign"])
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict")
                                  else {"sign": exc.messages}) from exc
        audit.record(request, AuditAction.UPDATE, patient=episode.patient, obj=episode)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer},
                   responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], url_path="attachments",
            parser_classes=[parsers.MultiPartParser, parsers.FormParser])
    def attachments(self, request: Request, id: str) -> Response:  # noqa: A002
        episode = self._episode_to_add_to(_("You may not add files to this report."))
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            attachment = services.attachment_add(
                episode=episode, upload=body.validated_data["file"], by=request.user
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        audit.record(request, AuditAction.CREATE, patient=episode.patient, obj=attachment)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentViewSet(viewsets.GenericViewSet):
    """Attachments are read only through ``download``, which checks access and supports Range."""

    serializer_class = AttachmentSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return EpisodeAttachment.objects.select_related("episode__patient")

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, id: str) -> HttpResponse:  # noqa: A002
        attachment = get_for(
            request.user, self.get_queryset(), patient_field="episode__patient", uuid=id
        )
        audit.record(request, AuditAction.READ, patient=attachment.episode.patient, obj=attachment)
        return serve_attachment(request, attachment)


router.register("episodes", EpisodeViewSet, basename="episode")
router.register("attachments", AttachmentViewSet, basename="attachment")
