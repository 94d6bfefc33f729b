"""Admin for messages: read-only, scoped to threads the viewer may open, audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clinic.access import Action
from clinic.admin import PatientScopedAdmin
from messaging.models import Message, MessageAttachment, Thread


class ReadOnlyMixin:
    """Messages are written on their pages and never edited or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Thread)
class ThreadAdmin(ReadOnlyMixin, PatientScopedAdmin):
    list_display = ["patient", "last_message_at", "created_at"]
    list_select_related = ["patient"]
    access_action = Action.MESSAGE


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, PatientScopedAdmin):
    list_display = ["created_at", "thread", "side", "author", "read_at", "sent_in_error"]
    list_filter = ["side", "sent_in_error"]
    list_select_related = ["thread__patient", "author"]
    patient_field = "thread__patient"
    access_action = Action.MESSAGE


@admin.register(MessageAttachment)
class MessageAttachmentAdmin(ReadOnlyMixin, PatientScopedAdmin):
    list_display = ["uploaded_at", "message", "kind", "content_type", "size"]
    list_select_related = ["message__thread__patient"]
    exclude = ["file"]  # downloaded only through the access-checked view
    patient_field = "message__thread__patient"
    access_action = Action.MESSAGE
