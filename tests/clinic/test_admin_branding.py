"""The admin carries the app's name; the audit list keeps its columns short enough for 1440 px."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from clinic.models import AuditEvent
from tests.conftest import client_for
from tests.factories import PatientFactory


@pytest.fixture
def admin_user(world):
    world.clinic_admin.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="clinic", codename__startswith="view_")
    )
    return world.clinic_admin


def test_admin_pages_carry_the_apps_name(client, admin_user):
    c = client_for(client, admin_user)
    index = c.get(reverse("admin:index"))
    assert index.status_code == 200
    assert re.search(r"<title>Twitch clinic: records and settings \| Twitch clinic admin</title>", index.text)
    assert "Twitch clinic administration" in index.text
    assert "Django administration" not in index.text and "Django site admin" not in index.text
    changelist = c.get(reverse("admin:clinic_patient_changelist"))
    assert "| Twitch clinic admin</title>" in changelist.text


def test_the_names_are_translatable():
    from django.contrib import admin

    assert type(admin.site.site_header).__name__ == "__proxy__"  # gettext_lazy
    with translation.override("en"):
        assert str(admin.site.site_header) == "Twitch clinic administration"


def test_audit_list_cuts_long_cells_short_with_the_full_text_on_hover(client, world, admin_user):
    long_name = PatientFactory(clinic=world.clinic, given_name="Maximiliana-Josefina",
                               family_name="Fernández de la Santísima Trinidad")
    event = AuditEvent.objects.create(action="read", object_type="evaluation",
                                      object_id="0f8fe0a5-3a0b-4e43-9ad2-49d9e1c2f3a7",
                                      patient=long_name, actor_username="clinician")
    response = client_for(client, admin_user).get(reverse("admin:clinic_auditevent_changelist"))
    assert response.status_code == 200
    full = long_name.full_name
    cell = re.search(r'<td class="field-patient_short"><span title="([^"]+)">([^<]+)</span>',
                     response.text)
    assert cell.group(1) == full
    assert len(cell.group(2)) <= 22 and cell.group(2).endswith("…")
    obj = re.search(r'<td class="field-object_short"><span title="([^"]+)">([^<]+)</span>',
                    response.text)
    assert obj.group(1) == f"evaluation {event.object_id}"
    assert obj.group(2) == "evaluation 0f8fe0a5…"
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', response.text)
    assert headers == ["at", "actor_username", "role", "action", "object_short", "patient_short", "ip"]
