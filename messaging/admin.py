"""Admin for messages: read-only, scoped to threads the viewer may open, audited."""

from __future__ import annotations

from django.contrib import admin

from clinic.access import Action
from clinic.admin import PatientScopedAdmin
from episodes.admin import ReadOnlyMixin  # messages, like clinical records, are never edited
from messaging.models import Message, MessageAttachment, Thread


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
