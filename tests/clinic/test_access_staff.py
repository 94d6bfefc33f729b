"""Which staff take cases and hear of urgent episodes is decided in clinic/access.py."""

from __future__ import annotations

from clinic.access import alert_recipients, case_assignees
from clinic.models import Membership, Role


def test_only_clinicians_of_the_clinic_take_cases(world):
    assert list(case_assignees([world.clinic.pk])) == [world.clinician]
    assert list(case_assignees([world.other_clinic.pk])) == [world.other_clinician]


def test_a_clinician_must_belong_to_every_clinic_to_take_cases_of_both(world):
    both = [world.clinic.pk, world.other_clinic.pk]
    assert list(case_assignees(both)) == []
    Membership.objects.create(user=world.clinician, clinic=world.other_clinic, role=Role.CLINICIAN)
    assert list(case_assignees(both)) == [world.clinician]


def test_clinicians_and_reviewers_are_alerted_not_admins_or_parents(world):
    inactive = Membership.objects.create(
        user=type(world.parent).objects.create(username="gone", is_active=False),
        clinic=world.clinic, role=Role.CLINICIAN,
    ).user
    recipients = set(alert_recipients(world.clinic.pk))
    assert recipients == {world.clinician, world.reviewer}
    assert inactive not in recipients
