"""The review case admin: scoped rows, the overdue filter, and actions that use the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from clinic.models import CaseStatus, ReviewCase
from tests.factories import PatientFactory
from tests.review.review_factories import make_case

CHANGELIST = "admin:clinic_reviewcase_changelist"


@pytest.fixture
def admin_client_for(client, world):
    world.clinic_admin.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="clinic", codename__startswith="view_")
    )
    client.force_login(world.clinic_admin)
    return client


def test_clinic_admin_sees_only_their_clinics_cases(admin_client_for, world):
    mine = make_case(world.patient, "urgent")
    make_case(world.foreign_patient, "emergency")
    response = admin_client_for.get(reverse(CHANGELIST))
    assert [c.pk for c in response.context["cl"].result_list] == [mine.pk]


def test_overdue_filter(admin_client_for, world):
    late = make_case(world.patient, "urgent", opened_at=timezone.now() - timedelta(hours=9))
    make_case(world.other_patient, "urgent")
    response = admin_client_for.get(reverse(CHANGELIST), {"overdue": "yes"})
    assert [c.pk for c in response.context["cl"].result_list] == [late.pk]


def test_no_bulk_resolve_in_the_admin(admin_client_for, world):
    """Resolving needs an outcome chosen and a line for each family: only the case page does it."""
    case = make_case(world.patient, "urgent")
    page = admin_client_for.get(reverse(CHANGELIST))
    assert [name for name in page.context["cl"].model_admin.get_actions(page.wsgi_request)
            if name.startswith("resolve")] == []
    admin_client_for.post(reverse(CHANGELIST), {
        "action": "resolve_reassured", "_selected_action": [case.pk],
    })
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.family_message == ""


def test_assign_action_asks_then_assigns(admin_client_for, world):
    case = make_case(world.patient, "urgent")
    url = reverse(CHANGELIST)
    form = admin_client_for.post(url, {"action": "assign_cases", "_selected_action": [case.pk]})
    assert form.status_code == 200 and list(form.context["clinicians"]) == [world.clinician]
    admin_client_for.post(url, {"action": "assign_cases", "_selected_action": [case.pk],
                                "apply": "1", "assignee": world.other_clinician.pk})
    assert ReviewCase.objects.get(pk=case.pk).assigned_to is None  # not of this clinic
    admin_client_for.post(url, {"action": "assign_cases", "_selected_action": [case.pk],
                                "apply": "1", "assignee": world.clinician.pk})
    assert ReviewCase.objects.get(pk=case.pk).assigned_to == world.clinician


def test_changelist_queries_do_not_grow(admin_client_for, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_case(PatientFactory(clinic=world.clinic), "soon")
    url = reverse(CHANGELIST)
    admin_client_for.get(url)
    with CaptureQueriesContext(connection) as small:
        admin_client_for.get(url)
    for _ in range(20):
        make_case(PatientFactory(clinic=world.clinic), "urgent", assigned_to=world.clinician)
    with django_assert_num_queries(len(small.captured_queries)):
        admin_client_for.get(url)
