"""Admin for episodes: read-only, scoped through clinic/access.py, every view audited.

Episodes are written through the portal, the API or a clinician's log (services.py),
so triage and review cases stay consistent; the admin only looks.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from clinic import audit
from clinic.access import Action, restrict
from clinic.models import AuditAction
from episodes.models import Episode, EpisodeAttachment


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # clinical records are marked in error, never deleted


@admin.register(Episode)
class EpisodeAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["started_at", "patient", "level", "pattern", "duration_seconds", "source",
                    "status", "reporter"]
    list_filter = ["level", "status", "source", "pattern"]
    list_select_related = ["patient", "reporter"]
    search_fields = ["patient__family_name", "patient__mrn", "uuid"]
    date_hierarchy = "started_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return restrict(super().get_queryset(request), request.user, Action.VIEW_CHART)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        episode = self.get_object(request, object_id)
        if episode is not None:
            audit.record(request, AuditAction.READ, patient=episode.patient, obj=episode)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(EpisodeAttachment)
class EpisodeAttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["uploaded_at", "episode", "kind", "content_type", "size", "uploaded_by"]
    list_select_related = ["episode__patient", "uploaded_by"]
    list_filter = ["kind"]
    exclude = ["file"]  # downloaded only through the access-checked view, never a media URL

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return restrict(super().get_queryset(request), request.user, Action.VIEW_CHART,
                        "episode__patient")
