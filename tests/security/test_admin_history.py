"""History pages in the admin are read-only: no revert around the services (issue 9)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic.models import CaseOutcome, CaseStatus, ReviewCase


@pytest.fixture
def admin_client(client, world):
    world.clinic_admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["clinic", "episodes", "evaluations"]))
    client.force_login(world.clinic_admin)
    return client


def _versions(obj):
    manager = getattr(type(obj), type(obj)._meta.simple_history_manager_attribute)
    # A historical row's own pk is history_id; the original's id is a plain field there.
    rows = manager.filter(**{type(obj)._meta.pk.attname: obj.pk})
    return list(rows.order_by("history_id").values_list("history_id", flat=True))


def test_a_past_version_of_a_resolved_case_is_shown_but_not_restored(admin_client, world, records):
    from clinic import review

    case = records.case
    review.review_case_resolve(case=case, outcome=CaseOutcome.REASSURED, by=world.clinic_admin,
                               family_message="All is well.")
    first = _versions(case)[0]
    url = reverse("admin:clinic_reviewcase_simple_history", args=[case.pk, first])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text  # no "Revert" button
    refused = admin_client.post(url, {"_save": "1", "status": "open"})
    assert refused.status_code == 403
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.RESOLVED


def test_reverting_a_signed_evaluation_is_refused_not_a_500(admin_client, world, records):
    evaluation = records.evaluation
    first = _versions(evaluation)[0]
    url = reverse("admin:evaluations_evaluation_simple_history", args=[evaluation.pk, first])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"_save": "1", "history": "rewritten"})
    assert response.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.is_signed and evaluation.history != "rewritten"


def test_an_episodes_history_is_read_only(admin_client, world, records):
    episode = records.episode
    url = reverse("admin:episodes_episode_simple_history", args=[episode.pk, _versions(episode)[0]])
    assert admin_client.post(url, {"_save": "1", "notes": "changed"}).status_code == 403
    episode.refresh_from_db()
    assert episode.notes != "changed"


def test_history_of_an_own_record_is_audited_as_a_read(admin_client, world, records):
    from clinic.models import AuditEvent

    patient = records.patient
    url = reverse("admin:clinic_patient_simple_history", args=[patient.pk, _versions(patient)[0]])
    assert admin_client.get(url).status_code == 200
    assert AuditEvent.objects.filter(actor=world.clinic_admin, patient=patient, action="read",
                                     path=url).exists()
