"""The staff's patient list: who sees it, its columns, one query per page, keyset paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent, CaseStatus, Patient
from messaging.models import Side
from messaging.services import message_send, thread_mark_read
from tests.conftest import client_for, shows_word
from tests.factories import PatientFactory, UserFactory
from tests.review.review_factories import episode, make_case

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
URL = "/patients/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def shown(response) -> list[str]:
    return [p.given_name for p in response.context["page"].rows]


def test_the_url_and_its_name_stay():
    assert reverse("patient-list") == URL


@pytest.mark.parametrize(("role", "expected"), [
    ("clinician", {"Noah", "Mila"}),
    ("reviewer", {"Noah", "Mila"}),
    ("clinic_admin", {"Noah", "Mila"}),
    ("other_clinician", {"Ava"}),
])
def test_staff_see_only_their_clinics_patients(client, world, role, expected):
    response = client_for(client, world.user(role)).get(URL)
    assert response.status_code == 200
    assert set(shown(response)) == expected
    assert shows_word(response.text, world.foreign_patient.given_name) == (role == "other_clinician")


@pytest.mark.parametrize("role", ["parent", "other_parent"])
def test_a_parent_is_refused_and_the_attempt_audited(client, world, role):
    response = client_for(client, world.user(role)).get(URL)
    assert response.status_code == 403
    assert world.patient.given_name not in response.text
    assert world.other_patient.given_name not in response.text
    event = AuditEvent.objects.get(action=AuditAction.DENIED_READ)
    assert (event.actor, event.object_type, event.patient) == (world.user(role), "patient_list", None)


def test_a_staff_member_who_is_also_a_parent_sees_only_the_clinic(client, world):
    # A guardianship of a child elsewhere does not put that child on the staff list.
    from tests.factories import GuardianshipFactory

    GuardianshipFactory(user=world.clinician, patient=world.foreign_patient)
    assert "Ava" not in shown(client_for(client, world.clinician).get(URL))


def test_anonymous_goes_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response.url


def test_superuser_sees_every_clinic(client, world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert set(shown(client_for(client, root).get(URL))) == {"Noah", "Mila", "Ava"}


def test_rows_are_audited_once_each(client, world):
    client_for(client, world.clinician).get(URL)
    events = AuditEvent.objects.filter(action=AuditAction.READ, object_type="patient")
    assert {e.patient_id for e in events} == {world.patient.pk, world.other_patient.pk}


def test_columns_show_last_episode_in_the_clinics_zone_and_the_open_case(client, world):
    world.clinic.time_zone = "America/New_York"
    world.clinic.save()
    episode(world.patient, world.parent, level="routine", started_at=NOW - timedelta(days=3))
    episode(world.patient, world.parent, level="urgent", started_at=NOW - timedelta(hours=2))
    # Newer, but entered in error: not the last episode.
    episode(world.patient, world.parent, level="emergency", started_at=NOW - timedelta(hours=1),
            status="entered_in_error")
    make_case(world.patient, "urgent", status=CaseStatus.ACKNOWLEDGED)
    make_case(world.other_patient, "emergency", status=CaseStatus.RESOLVED, outcome="reassured")

    response = client_for(client, world.clinician).get(URL)

    rows = {p.given_name: p for p in response.context["page"].rows}
    noah, mila = rows["Noah"], rows["Mila"]
    assert (noah.last_episode_level, noah.last_episode_at) == ("urgent", NOW - timedelta(hours=2))
    assert noah.open_case_level == "urgent"
    assert (mila.last_episode_at, mila.open_case_level) == (None, None)  # resolved: no open case
    # 10:00 UTC is 05:00 in New York on 24 November.
    assert "24 Nov 2026 05:00" in response.text
    assert 'data-testid="open-case-level"' in response.text


def test_unread_family_messages_are_counted_for_staff_who_message(client, world):
    message_send(patient=world.patient, author=world.parent, side=Side.FAMILY, body="Is this normal?")
    message_send(patient=world.patient, author=world.parent, side=Side.FAMILY, body="It happened again.")
    response = client_for(client, world.clinician).get(URL)
    assert response.context["show_unread"] is True
    rows = {p.given_name: p for p in response.context["page"].rows}
    assert rows["Noah"].unread_messages == 2 and not rows["Mila"].unread_messages
    # Once someone at the clinic has read the thread, nothing is unread.
    thread_mark_read(patient=world.patient, side=Side.CLINIC, by=world.reviewer)
    response = client_for(client, world.clinician).get(URL)
    assert {p.given_name: p for p in response.context["page"].rows}["Noah"].unread_messages == 0


def test_a_clinic_admin_sees_no_unread_column(client, world):
    message_send(patient=world.patient, author=world.parent, side=Side.FAMILY, body="Is this normal?")
    response = client_for(client, world.clinic_admin).get(URL)
    assert response.context["show_unread"] is False
    assert 'data-testid="unread-heading"' not in response.text


def _queries(client, url: str = URL) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["page"].rows)


def _grow(world, n: int) -> None:
    patients = PatientFactory.create_batch(n, clinic=world.clinic)
    for i, patient in enumerate(patients):
        if i % 2:
            episode(patient, world.parent, level="soon", started_at=NOW - timedelta(hours=i))
        if i % 3 == 0:
            make_case(patient, "soon")


def test_query_count_is_the_same_at_10_and_500_patients(client, world):
    client.force_login(world.clinician)
    _grow(world, 8)  # 10 in the clinic
    small, small_rows = _queries(client)
    _grow(world, 490)  # 500 in the clinic
    large, large_rows = _queries(client)
    assert (small_rows, large_rows) == (10, 25)
    assert small == large
    # Deep in the list costs the same as the first page.
    last = Patient.objects.filter(clinic=world.clinic).order_by(
        "-family_name", "-given_name", "-id")[30]
    deep, _ = _queries(client, f"{URL}?after={last.uuid}")
    assert deep == large


def test_the_page_itself_is_one_select_of_patients(client, world):
    client.force_login(world.clinician)
    _grow(world, 40)
    with CaptureQueriesContext(connection) as ctx:
        client.get(URL)
    patient_selects = [q["sql"] for q in ctx.captured_queries
                       if q["sql"].startswith("SELECT") and 'FROM "clinic_patient"' in q["sql"]]
    assert len(patient_selects) == 1
    assert "episodes_episode" in patient_selects[0] and "clinic_reviewcase" in patient_selects[0]


def _walk(client, start: str) -> list[list[str]]:
    pages, url = [], start
    while url:
        response = client.get(url)
        pages.append([f"{p.family_name}, {p.given_name}" for p in response.context["page"].rows])
        after = response.context["page"].next_after
        url = f"{URL}?after={after}" if after else ""
    return pages


def test_keyset_pages_cover_every_patient_once_in_order_and_come_back(client, world):
    client.force_login(world.clinician)
    PatientFactory.create_batch(58, clinic=world.clinic)  # 60 in the clinic, many equal names
    pages = _walk(client, URL)
    everyone = [name for page in pages for name in page]
    expected = [f"{p.family_name}, {p.given_name}" for p in
                Patient.objects.filter(clinic=world.clinic).order_by("family_name", "given_name", "id")]
    assert [len(page) for page in pages] == [25, 25, 10]
    assert everyone == expected
    # Back from the third page gives the second again.
    third = client.get(URL, {"after": client.get(URL).context["page"].next_after})
    third = client.get(URL, {"after": third.context["page"].next_after})
    back = client.get(URL, {"before": third.context["page"].previous_before})
    assert [f"{p.family_name}, {p.given_name}" for p in back.context["page"].rows] == pages[1]
    assert back.context["page"].previous_before is not None


def test_next_link_keeps_the_search_and_replaces_the_cursor(client, world):
    PatientFactory.create_batch(60, clinic=world.clinic, family_name="Okafor")
    client.force_login(world.clinician)
    first = client.get(URL, {"q": "okafor"})
    after = first.context["page"].next_after
    assert f'href="?q=okafor&amp;after={after}"' in first.text
    second = client.get(URL, {"q": "okafor", "after": after})
    assert f"after={after}&amp;after" not in second.text
    assert f'before={second.context["page"].rows[0].uuid}' in second.text


def test_a_foreign_patient_as_cursor_gives_an_empty_page_not_their_place(client, world):
    response = client_for(client, world.clinician).get(URL, {"after": world.foreign_patient.uuid})
    assert response.status_code == 200 and shown(response) == []


@pytest.mark.parametrize("params", [{"after": "not-a-uuid"}, {"q": "x" * 101}])
def test_bad_input_is_a_400_with_the_error_shown(client, world, params):
    response = client_for(client, world.clinician).get(URL, params)
    assert response.status_code == 400
    assert 'data-testid="search-errors"' in response.text


@pytest.mark.parametrize("role", ["reviewer", "clinic_admin", "clinician", "other_clinician"])
def test_the_open_case_links_to_its_page_for_those_who_review_it(client, world, role):
    case = make_case(world.patient, "urgent")
    foreign = make_case(world.foreign_patient, "soon")
    text = client_for(client, world.user(role)).get(URL).text
    riverside = role != "other_clinician"  # every Riverside role here may review
    assert (f'href="{case.get_absolute_url()}"' in text) == riverside
    assert (f'href="{foreign.get_absolute_url()}"' in text) == (not riverside)

