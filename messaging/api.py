"""Messages API: a child's thread (list, send), read receipts, sent in error, files.

``GET/POST /api/v1/patients/{id}/messages/``, ``POST /api/v1/messages/{id}/read/``,
``POST /api/v1/messages/{id}/sent-in-error/``, ``GET /api/v1/message-attachments/{id}/download/``.
Viewsets register on ``router``; clinic/api_urls.py mounts it under /api/v1/.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from clinic import audit
from clinic.access import (
    FAMILY_SIDE,
    can_mark_message_in_error,
    get_thread_patient_for,
    message_side,
    not_allowed,
    not_visible,
)
from clinic.models import AuditAction
from clinic.parsers import JSONParser
from episodes.downloads import serve_attachment
from messaging import selectors, services
from messaging.models import MAX_BODY, Message, MessageAttachment

router = SimpleRouter()


class MessageAttachmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MessageAttachment
        fields = ["id", "kind", "content_type", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: MessageAttachment) -> str:
        return f"/api/v1/message-attachments/{attachment.uuid}/download/"


class MessageSerializer(serializers.ModelSerializer):
    """A message as its reader may see it: a withdrawn one shows the family no text."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    patient = serializers.UUIDField(source="thread.patient.uuid", read_only=True)
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    episode = serializers.SerializerMethodField()
    review_case = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "patient", "side", "author", "body", "created_at", "episode",
                  "review_case", "read_at", "sent_in_error", "sent_in_error_at",
                  "sent_in_error_reason", "attachments"]
        read_only_fields = fields

    def _hidden(self, message: Message) -> bool:
        return message.sent_in_error and self.context.get("side") == FAMILY_SIDE

    def get_author(self, message: Message) -> str:
        return message.author.get_full_name() or message.author.get_username()

    @extend_schema_field(serializers.CharField(allow_null=True,
                                               help_text="null when withdrawn (sent in error) "
                                                         "and read by the family"))
    def get_body(self, message: Message) -> str | None:
        return None if self._hidden(message) else message.body

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_episode(self, message: Message) -> str | None:
        return str(message.episode.uuid) if message.episode_id else None

    @extend_schema_field(serializers.UUIDField(allow_null=True,
                                               help_text="Shown to the clinic only"))
    def get_review_case(self, message: Message) -> str | None:
        if message.review_case_id is None or self.context.get("side") == FAMILY_SIDE:
            return None  # the case is the clinic's working note
        return str(message.review_case.uuid)

    @extend_schema_field(MessageAttachmentSerializer(many=True))
    def get_attachments(self, message: Message) -> list[dict[str, Any]]:
        if self._hidden(message):
            return []
        return MessageAttachmentSerializer(message.attachments.all(), many=True).data


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY)
    episode = serializers.UUIDField(required=False, allow_null=True,
                                    help_text="The child's episode this message is about.")
    review_case = serializers.UUIDField(required=False, allow_null=True,
                                        help_text="The case a clinic message is written from.")
    attachment = serializers.FileField(required=False, allow_empty_file=True,
                                       help_text="A video or photo (multipart only).")


class SentInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


PATIENT_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH,
                              description="The child's id")


def _bad(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else
                           {"non_field_errors": exc.messages})


@extend_schema_view(list=extend_schema(parameters=[PATIENT_ID]),
                    create=extend_schema(parameters=[PATIENT_ID]))
class PatientMessageViewSet(viewsets.GenericViewSet):
    """The child's thread: its guardians and the clinic's clinicians and reviewers."""

    serializer_class = MessageSerializer
    parser_classes = [JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def _patient_and_side(self) -> tuple[Any, str]:
        patient = get_thread_patient_for(self.request.user, self.kwargs["id"])
        side = message_side(self.request.user, patient)
        if side is None:
            raise not_allowed(patient)
        return patient, side

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Message.objects.none()  # each action names its child; see list()

    @extend_schema(summary="The child's messages, oldest first", tags=["messages"])
    def list(self, request: Request, id: str) -> Response:  # noqa: A002
        patient, side = self._patient_and_side()
        page = self.paginate_queryset(selectors.thread_messages(patient))
        audit.record(request, AuditAction.READ, patient=patient, object_type="message_thread",
                     object_id=str(patient.uuid))
        data = MessageSerializer(page, many=True, context={"side": side}).data
        return self.get_paginated_response(data)

    @extend_schema(summary="Send a message in the child's thread", tags=["messages"],
                   request={"application/json": MessageCreateSerializer,
                            "multipart/form-data": MessageCreateSerializer},
                   responses={201: MessageSerializer})
    def create(self, request: Request, id: str) -> Response:  # noqa: A002
        patient, side = self._patient_and_side()
        body = MessageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        episode = selectors.linkable_episode(request.user, patient, data.get("episode"))
        case = selectors.linkable_case(request.user, patient, data.get("review_case"))
        if data.get("episode") and episode is None:
            raise ValidationError({"episode": [_("No such report of this child.")]})
        if data.get("review_case") and case is None:
            raise ValidationError({"review_case": [_("No such case of this child.")]})
        try:
            message = services.message_send(
                patient=patient, author=request.user, side=side, body=data["body"],
                episode=episode, review_case=case, upload=data.get("attachment"))
        except DjangoValidationError as exc:
            raise _bad(exc) from exc
        audit.record(request, AuditAction.CREATE, patient=patient, obj=message)
        for attachment in message.attachments.all():
            audit.record(request, AuditAction.CREATE, patient=patient, obj=attachment)
        message = selectors.thread_messages(patient).get(pk=message.pk)
        return Response(MessageSerializer(message, context={"side": side}).data,
                        status=status.HTTP_201_CREATED)


class MessageViewSet(viewsets.GenericViewSet):
    """One message: mark it read (a receipt for the other side) or sent in error."""

    serializer_class = MessageSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Message.objects.none()  # looked up through selectors.message_for

    def _message_and_side(self, id: str) -> tuple[Message, str]:  # noqa: A002
        message = selectors.message_for(self.request.user, id)
        side = message_side(self.request.user, message.thread.patient)
        if side is None:
            raise not_allowed(message.thread.patient, message)
        return message, side

    @extend_schema(request=None, responses={200: MessageSerializer}, tags=["messages"],
                   summary="Mark a message of the other side read (own messages: unchanged)")
    @action(detail=True, methods=["post"])
    def read(self, request: Request, id: str) -> Response:  # noqa: A002
        message, side = self._message_and_side(id)
        message = services.message_mark_read(message=message, side=side, by=request.user)
        audit.record(request, AuditAction.READ, patient=message.thread.patient, obj=message)
        message = selectors.thread_messages(message.thread.patient).get(pk=message.pk)
        return Response(MessageSerializer(message, context={"side": side}).data)

    @extend_schema(request=SentInErrorSerializer, responses={200: MessageSerializer},
                   tags=["messages"], summary="Withdraw one's own message: it stays, marked")
    @action(detail=True, methods=["post"], url_path="sent-in-error")
    def sent_in_error(self, request: Request, id: str) -> Response:  # noqa: A002
        message, side = self._message_and_side(id)
        patient = message.thread.patient
        if not can_mark_message_in_error(request.user, message.author_id, patient):
            raise not_allowed(patient, message, _("Only the person who wrote a message can withdraw it."))
        body = SentInErrorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.message_mark_sent_in_error(message=message, by=request.user,
                                                reason=body.validated_data["reason"])
        except DjangoValidationError as exc:
            raise _bad(exc) from exc
        audit.record(request, AuditAction.UPDATE, patient=patient, obj=message)
        message = selectors.thread_messages(patient).get(pk=message.pk)
        return Response(MessageSerializer(message, context={"side": side}).data)


class MessageAttachmentViewSet(viewsets.GenericViewSet):
    """A message's file, read only through ``download``, which checks access."""

    serializer_class = MessageAttachmentSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return MessageAttachment.objects.none()

    @extend_schema(responses={(200, "application/octet-stream"): bytes,
                              404: OpenApiResponse(description="Not visible, or withdrawn")},
                   tags=["messages"])
    @action(detail=True, methods=["get"])
    def download(self, request: Request, id: str) -> HttpResponse:  # noqa: A002
        attachment = selectors.attachment_for(request.user, id)
        patient = attachment.message.thread.patient
        if attachment.message.sent_in_error and message_side(request.user, patient) == FAMILY_SIDE:
            raise not_visible(MessageAttachment.objects.all(), "message__thread__patient", uuid=id)
        audit.record(request, AuditAction.READ, patient=patient, obj=attachment)
        return serve_attachment(request, attachment)  # type: ignore[arg-type]


router.register(r"patients/(?P<id>[^/.]+)/messages", PatientMessageViewSet,
                basename="patient-message")
router.register("messages", MessageViewSet, basename="message")
router.register("message-attachments", MessageAttachmentViewSet, basename="message-attachment")
