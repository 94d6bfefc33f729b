"""django-simple-history's admin pages carry nothing the CSP refuses (style-src/script-src 'self').

The list template set its paginator's border in a style attribute, which browsers refused
(a console CSP report on every history page); the project's copy uses a class instead.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic import services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    world.clinic_admin.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="clinic", codename__startswith="view_"))
    # Two versions, so the list has rows and a past version to open.
    services.patient_update(patient=world.patient, updated_by=world.clinician, birth_notes="Seen at 6 weeks.")
    return client_for(client, world.clinic_admin)


def _refused_by_the_csp(page: str) -> list[str]:
    """Markup a policy without 'unsafe-inline' blocks: style attributes, inline handlers and
    scripts or styles written in the page without the request's nonce."""
    found = re.findall(r"<[^>]+\sstyle=\"[^\"]*\"", page)
    found += re.findall(r"<[^>]+\son[a-z]+=\"[^\"]*\"", page)
    found += [tag for tag in re.findall(r"<(?:script|style)\b[^>]*>", page)
              if "src=" not in tag and "nonce=" not in tag and 'type="application/json"' not in tag]
    return found


@pytest.mark.parametrize("per_page", [100, 1])  # 1: the paginator shows its page links too
def test_the_history_list_has_nothing_the_csp_refuses(admin_client, world, per_page, monkeypatch):
    from clinic.admin import PatientAdmin

    monkeypatch.setattr(PatientAdmin, "history_list_per_page", per_page)
    response = admin_client.get(reverse("admin:clinic_patient_history", args=[world.patient.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="change-history"' in page
    assert 'class="paginator history-paginator"' in page
    assert _refused_by_the_csp(page) == []
    assert "{#" not in page and "Re-copy on upgrading" not in page  # the copy's note stays a comment


def test_a_past_version_page_has_nothing_the_csp_refuses(admin_client, world):
    version = world.patient.history.earliest("history_date")
    url = reverse("admin:clinic_patient_simple_history", args=[world.patient.pk, version.history_id])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert _refused_by_the_csp(response.content.decode()) == []


def test_the_check_sees_a_style_attribute():
    assert _refused_by_the_csp('<p class="paginator" style="border-top: 0">') != []
