"""The case page as a workplace: the family's contacts, logging a call (every role), resolving
with a chosen outcome and a line for the family, and where each role lands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import review
from clinic.models import AuditEvent, CallLog, CaseStatus, Guardianship, ReviewCase, Role
from review import selectors
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory
from tests.review.review_factories import episode, make_case

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "other_reviewer", "clinic_admin"]
CALLERS = {"clinician", "reviewer"}  # clinic/access.py CONTACT_FAMILY
CASE_VIEWERS = CALLERS | {"clinic_admin"}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def case(world, frozen):
    world.other_reviewer = MembershipFactory(
        clinic=world.other_clinic, role=Role.REVIEWER, user__username="otherreviewer").user
    world.parent.first_name, world.parent.last_name = "Maya", "Chen"
    world.parent.save()
    Guardianship.objects.filter(user=world.parent, patient=world.patient).update(
        phone="+1 555 0101", preferred_language="Spanish")
    case = make_case(world.patient, "urgent", opened_at=NOW - timedelta(hours=3))
    episode(world.patient, world.parent, level="urgent", case=case, started_at=NOW - timedelta(hours=3))
    return case


def _call(client, case, **data):
    body = {"called_at": "2026-11-24T11:30", "outcome": "voicemail", "note": "Left our number.", **data}
    return client.post(reverse("review:call", kwargs={"case_id": case.uuid}), body)


@pytest.mark.parametrize("role", ROLES)
def test_log_a_call_for_every_role(client, world, case, role):
    user = world.user(role)
    response = _call(client_for(client, user), case)
    calls = list(CallLog.objects.all())
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response.url
        assert calls == []
        return
    if role in CALLERS:
        assert response.status_code == 302 and response.url.startswith(case.get_absolute_url())
        [call] = calls
        assert (call.case_id, call.by, call.outcome, call.note) == (case.pk, user, "voicemail",
                                                                     "Left our number.")
        assert call.called_at == datetime(2026, 11, 24, 11, 30, tzinfo=UTC)  # the clinic's zone: UTC
        assert AuditEvent.objects.filter(actor=user, action="create", object_type="calllog",
                                         object_id=str(call.uuid), patient=world.patient).count() == 1
        return
    assert calls == []
    # The clinic admin sees the case but may not contact the family (403); the others do
    # not see the case at all (404). Both refusals are audited against the child.
    expected = 403 if role == "clinic_admin" else 404
    assert response.status_code == expected
    assert AuditEvent.objects.filter(actor=user, action="deny_write", patient=world.patient).count() == 1


def test_a_call_for_another_clinics_case_is_refused(client, world, case):
    foreign = make_case(world.foreign_patient, "urgent", opened_at=NOW - timedelta(hours=1))
    client.force_login(world.reviewer)
    assert _call(client, foreign).status_code == 404
    assert not CallLog.objects.exists()
    assert AuditEvent.objects.filter(actor=world.reviewer, action="deny_write",
                                     patient=world.foreign_patient).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_case_page_shows_the_family_to_those_who_may_call(client, world, case, role):
    CallLog.objects.create(case=case, by=world.reviewer, outcome="no_answer",
                           called_at=NOW - timedelta(hours=1), note="Rang twice.")
    response = client_for(client, world.user(role)).get(case.get_absolute_url())
    if role not in CASE_VIEWERS:
        assert response.status_code == (302 if role == "anonymous" else 404)
        return
    assert response.status_code == 200
    page = response.text
    shown = role in CALLERS
    for fact in ("Maya Chen", "Mother", "+1 555 0101", "parent@example.org", "Spanish", "Rang twice.",
                 "No answer"):
        assert (fact in page) == shown, fact
    assert ('data-testid="call-form"' in page) == shown


def test_case_page_shows_what_the_family_reads(client, world, case):
    client.force_login(world.reviewer)
    page = client.get(case.get_absolute_url()).text
    assert 'data-testid="family-reads"' in page and "Waiting for the clinic to look" in page


def test_case_page_queries_do_not_grow_with_calls(client, world, case):
    client.force_login(world.reviewer)
    counts = []
    for n in (10, 490):
        CallLog.objects.bulk_create([
            CallLog(case=case, by=world.reviewer, outcome="reached", called_at=NOW - timedelta(minutes=i))
            for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.text.count('data-testid="call"') == selectors.CALLS_SHOWN
    assert counts[0] == counts[1], counts
    everything = client.get(case.get_absolute_url(), {"calls": "all"})
    assert everything.text.count('data-testid="call"') == 500
    assert 'data-testid="all-calls"' not in everything.text


def test_the_case_page_lists_the_latest_calls_and_offers_the_earlier_ones(client, world, case):
    client.force_login(world.clinician)
    CallLog.objects.bulk_create([
        CallLog(case=case, by=world.reviewer, outcome="no_answer", note=f"try {i}",
                called_at=NOW - timedelta(minutes=i)) for i in range(selectors.CALLS_SHOWN)])
    page = client.get(case.get_absolute_url()).text
    assert page.count('data-testid="call"') == selectors.CALLS_SHOWN
    assert 'data-testid="all-calls"' not in page  # exactly as many as shown: nothing hidden
    CallLog.objects.create(case=case, by=world.reviewer, outcome="reached", note="the oldest",
                           called_at=NOW - timedelta(hours=2))
    page = client.get(case.get_absolute_url()).text
    assert page.count('data-testid="call"') == selectors.CALLS_SHOWN
    assert "try 0" in page and "the oldest" not in page  # newest first
    assert 'href="?calls=all#calls"' in page
    assert "the oldest" in client.get(case.get_absolute_url(), {"calls": "all"}).text


@pytest.mark.parametrize(("data", "field"), [
    ({"outcome": ""}, "outcome"),
    ({"outcome": "hung_up"}, "outcome"),
    ({"called_at": ""}, "called_at"),
    ({"called_at": "yesterday-ish"}, "called_at"),
    ({"called_at": "0001-01-01T00:00"}, "called_at"),
    ({"called_at": "9999-12-31T23:59"}, "called_at"),
    ({"called_at": "2026-11-24T13:00"}, "called_at"),  # an hour in the future
    ({"called_at": "2026-11-23T10:00"}, "called_at"),  # before the case was opened
    ({"note": "x" * 2001}, "note"),
])
def test_bad_call_input_is_a_form_error_and_stores_nothing(client, world, case, data, field):
    client.force_login(world.reviewer)
    response = _call(client, case, **data)
    assert response.status_code == 400
    assert field in response.context["call_form"].errors
    assert not CallLog.objects.exists()


# --- Resolve: an outcome chosen on purpose and a line for the family.

def _resolve(client, case, **data):
    return client.post(reverse("review:resolve", kwargs={"case_id": case.uuid}), data)


def test_the_resolve_form_defaults_to_no_outcome(client, world, case):
    client.force_login(world.reviewer)
    form = client.get(case.get_absolute_url()).context["resolve_form"]
    assert form["outcome"].value() in (None, "")
    assert form.fields["outcome"].choices[0][0] == ""
    assert form.fields["outcome"].required and form.fields["family_message"].required


@pytest.mark.parametrize(("data", "field"), [
    ({"family_message": "All is well."}, "outcome"),
    ({"outcome": "", "family_message": "All is well."}, "outcome"),
    ({"outcome": "reassured"}, "family_message"),
    ({"outcome": "reassured", "family_message": "   "}, "family_message"),
    ({"outcome": "reassured", "family_message": "x" * 501}, "family_message"),
])
def test_resolve_without_an_outcome_or_a_line_is_refused(client, world, case, data, field):
    before = list(ReviewCase.objects.filter(pk=case.pk).values())
    client.force_login(world.reviewer)
    response = _resolve(client, case, **data)
    assert response.status_code == 400
    assert field in response.context["resolve_form"].errors
    assert list(ReviewCase.objects.filter(pk=case.pk).values()) == before


def test_resolve_with_both_stores_the_line_for_the_family(client, world, case):
    client.force_login(world.reviewer)
    response = _resolve(client, case, outcome="reassured", family_message=" Normal twitches. ",
                        note="Clinic-only note")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, case.family_message) == (CaseStatus.RESOLVED, "reassured",
                                                                "Normal twitches.")
    assert "Clinic-only note" in case.notes
    assert "Normal twitches." in client.get(case.get_absolute_url()).text


@pytest.mark.parametrize(("outcome", "line"), [("", "A line."), ("reassured", ""), ("reassured", "\n ")])
def test_the_service_refuses_too(world, case, outcome, line):
    with pytest.raises(review.ValidationError) as error:
        review.review_case_resolve(case=case, outcome=outcome, family_message=line, by=world.reviewer)
    assert set(error.value.message_dict) == ({"outcome"} if not outcome else {"family_message"})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.family_message == "" and case.outcome == ""


def test_calls_may_follow_a_resolution(world, case):
    review.review_case_resolve(case=case, outcome="reassured", family_message="Fine.", by=world.reviewer)
    case.refresh_from_db()
    call = review.review_case_log_call(case=case, by=world.clinician, outcome="reached",
                                       note="Follow-up call.")
    assert call.case_id == case.pk and call.called_at == NOW


# --- Where each role lands.

@pytest.mark.parametrize(("role", "landing"), [
    ("reviewer", "/review/"), ("clinician", "/patients/"), ("clinic_admin", "/patients/"),
    ("other_clinician", "/patients/"), ("parent", None),
])
def test_home_sends_each_role_to_its_work(client, world, role, landing):
    response = client_for(client, world.user(role)).get(reverse("home"))
    if landing is None:
        assert response.status_code == 200 and "Noah" in response.text
    else:
        assert response.status_code == 302 and response.url == landing


def test_a_reviewer_who_is_also_a_clinician_elsewhere_keeps_the_patient_list(client, world):
    both = UserFactory(username="both")
    MembershipFactory(user=both, clinic=world.clinic, role=Role.REVIEWER)
    MembershipFactory(user=both, clinic=world.other_clinic, role=Role.CLINICIAN)
    response = client_for(client, both).get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("patient-list")
