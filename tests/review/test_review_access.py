"""Every review page and step, for every role, including a reviewer of another clinic."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import CaseStatus, ReviewCase, Role
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.review.review_factories import episode, make_case, suggestion

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "other_reviewer", "clinic_admin"]
STAFF = {"clinician", "reviewer", "clinic_admin"}
OTHER_STAFF = {"other_clinician", "other_reviewer"}


@pytest.fixture
def case(world):
    world.other_reviewer = MembershipFactory(
        clinic=world.other_clinic, role=Role.REVIEWER, user__username="otherreviewer"
    ).user
    case = make_case(world.patient, "urgent", rules=("EP-SECRET-RULE",))
    episode(world.patient, world.parent, level="urgent", rules=("EP-SECRET-RULE",), case=case)
    suggestion(world.patient, "eeg")
    return case


def _client(client, world, role):
    return client_for(client, world.user(role))


def _expect_page(response, role, *, parent_status):
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response.url
    elif role in ("parent", "other_parent"):
        assert response.status_code == parent_status
    else:
        assert response.status_code == 200
    return response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_queue(client, world, case, role):
    response = _client(client, world, role).get(reverse("review:queue"))
    if _expect_page(response, role, parent_status=403):
        shown = [c.pk for c in response.context["cases"]]
        assert shown == ([case.pk] if role in STAFF else [])
        assert ("EP-SECRET-RULE" in response.text) == (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_case_page(client, world, case, role):
    response = _client(client, world, role).get(case.get_absolute_url())
    if role == "anonymous":
        assert response.status_code == 302
    elif role in STAFF:
        assert response.status_code == 200
        assert response.context["case"].pk == case.pk and "EP-SECRET-RULE" in response.text
    else:  # parents and the other clinic: the case does not exist for them
        assert response.status_code == 404


STEPS = [
    ("review:acknowledge", lambda world: {}, lambda c, world: c.status == CaseStatus.ACKNOWLEDGED),
    ("review:note", lambda world: {"text": "seen"}, lambda c, world: "seen" in c.notes),
    ("review:assign", lambda world: {"assignee": world.clinician.pk},
     lambda c, world: c.assigned_to_id == world.clinician.pk),
    ("review:resolve", lambda world: {"outcome": "reassured", "family_message": "All is well."},
     lambda c, world: c.status == CaseStatus.RESOLVED and c.outcome == "reassured"
     and c.family_message == "All is well."),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "payload", "done"), STEPS, ids=[s[0] for s in STEPS])
def test_case_steps(client, world, case, role, name, payload, done):
    response = _client(client, world, role).post(
        reverse(name, kwargs={"case_id": case.uuid}), payload(world)
    )
    after = ReviewCase.objects.get(pk=case.pk)
    if role in STAFF:
        assert response.status_code == 302 and response.url == case.get_absolute_url()
        assert done(after, world)
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert not done(after, world) and after.notes == ""


def test_steps_refuse_get(client, world, case):
    client.force_login(world.reviewer)
    assert client.get(reverse("review:resolve", kwargs={"case_id": case.uuid})).status_code == 405
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_invalid_step_rerenders_with_the_error(client, world, case):
    client.force_login(world.reviewer)
    response = client.post(reverse("review:assign", kwargs={"case_id": case.uuid}),
                           {"assignee": world.other_clinician.pk})
    assert response.status_code == 400
    assert response.context["assign_form"].errors
    assert ReviewCase.objects.get(pk=case.pk).assigned_to is None


@pytest.mark.parametrize("role", ROLES)
def test_dashboard(client, world, case, role):
    response = _client(client, world, role).get(reverse("review:dashboard"))
    if _expect_page(response, role, parent_status=403):
        board = response.context["board"]
        mine = role in STAFF
        assert board.open_cases.by_level["urgent"] == (1 if mine else 0)
        assert board.episodes.total == (1 if mine else 0)
        assert [r.rule for r in board.rules] == (["EP-SECRET-RULE"] if mine else [])


@pytest.mark.parametrize("role", ROLES)
def test_csv(client, world, case, role):
    response = _client(client, world, role).get(reverse("review:csv", kwargs={"table": "rules"}))
    if _expect_page(response, role, parent_status=403):
        assert ("EP-SECRET-RULE" in response.content.decode()) == (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["episodes", "findings", "suggestions"])
def test_rows(client, world, case, role, kind):
    response = _client(client, world, role).get(reverse("review:rows", kwargs={"kind": kind}))
    if _expect_page(response, role, parent_status=403):
        expected = {"episodes": 1, "findings": 0, "suggestions": 1}[kind] if role in STAFF else 0
        assert response.context["page"].paginator.count == expected


def test_unknown_table_and_list_are_missing(client, world, case):
    client.force_login(world.reviewer)
    assert client.get(reverse("review:csv", kwargs={"table": "patients"})).status_code == 404
    assert client.get(reverse("review:rows", kwargs={"kind": "patients"})).status_code == 404


def test_pages_write_audit_events(client, world, case):
    from clinic.models import AuditEvent

    client.force_login(world.reviewer)
    client.get(reverse("review:queue"))
    client.get(case.get_absolute_url())
    client.post(reverse("review:acknowledge", kwargs={"case_id": case.uuid}))
    events = list(AuditEvent.objects.filter(actor=world.reviewer).order_by("at", "id")
                  .values_list("action", "object_type", "patient_id"))
    assert events == [("read", "reviewcase", world.patient.pk), ("read", "reviewcase", world.patient.pk),
                      ("update", "reviewcase", world.patient.pk)]
