"""Admin for episodes: read-only, scoped and audited by ``PatientScopedAdmin``.

Episodes are written through the portal, the API or a clinician's log (services.py),
so triage and review cases stay consistent; the admin only looks.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.access import Action
from clinic.admin import PatientScopedAdmin
from clinic.paging import LargeTableAdminMixin
from episodes.models import Episode, EpisodeAttachment


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # clinical records are marked in error, never deleted


@admin.register(Episode)
class EpisodeAdmin(LargeTableAdminMixin, ReadOnlyMixin, PatientScopedAdmin, SimpleHistoryAdmin):
    list_display = ["started_at", "patient", "level", "pattern", "duration_seconds", "source",
                    "status", "reporter"]
    list_filter = ["level", "status", "source", "pattern"]
    list_select_related = ["patient", "reporter"]
    search_fields = ["patient__family_name", "patient__mrn", "uuid"]
    # No date_hierarchy: its year links GROUP the whole episode table on every page.
    access_action = Action.VIEW_CHART


@admin.register(EpisodeAttachment)
class EpisodeAttachmentAdmin(ReadOnlyMixin, PatientScopedAdmin):
    list_display = ["uploaded_at", "episode", "kind", "content_type", "size", "uploaded_by"]
    list_select_related = ["episode__patient", "uploaded_by"]
    list_filter = ["kind"]
    exclude = ["file"]  # downloaded only through the access-checked view, never a media URL
    patient_field = "episode__patient"
    access_action = Action.VIEW_CHART
