"""What the family sees of the clinic's response: the rules one by one (episodes/responses.py),
the API field for every role, the parent's pages in their own time zone, and query counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import review
from clinic.models import CaseStatus, Role, UserPreference
from episodes.responses import ClinicResponse, ResponseStatus, clinic_response, display_name
from tests.factories import MembershipFactory, UserFactory
from tests.review.review_factories import episode, make_case

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
REPORTED = NOW - timedelta(hours=2)
STARTED = NOW - timedelta(hours=3)
RAE = SimpleNamespace(first_name="Rae", last_name="Lindqvist", username="reviewer",
                      email="rae@example.org")
NAMELESS = SimpleNamespace(first_name="", last_name=" ", username="doc7", email="doc7@example.org")


def case(**fields):
    base = {"status": CaseStatus.OPEN, "oldest_unacknowledged_at": STARTED, "acknowledged_at": None,
            "acknowledged_by": None, "resolved_at": None, "resolved_by": None, "family_message": ""}
    return SimpleNamespace(**{**base, **fields})


def derive(level="urgent", the_case=None, reported_at=REPORTED, started_at=STARTED):
    return clinic_response(level=level, reported_at=reported_at, started_at=started_at, case=the_case)


# --- The rules, one by one (pure: stand-in cases, no database).

def test_rule_1_a_routine_episode_has_no_response():
    assert derive("routine", case(acknowledged_at=NOW, acknowledged_by=RAE,
                                  status=CaseStatus.ACKNOWLEDGED)) is None


@pytest.mark.parametrize("level", ["soon", "urgent", "emergency"])
def test_rule_2_above_routine_without_a_case_waits(level):
    assert derive(level, None) == ClinicResponse(ResponseStatus.WAITING)


def test_rule_3_resolved_after_the_report_is_closed_with_the_family_line():
    acked = NOW - timedelta(hours=1)
    response = derive(the_case=case(
        status=CaseStatus.RESOLVED, oldest_unacknowledged_at=None, acknowledged_at=acked,
        acknowledged_by=RAE, resolved_at=NOW, resolved_by=NAMELESS,
        family_message="  Normal sleep twitches; no visit needed. "))
    assert response == ClinicResponse(ResponseStatus.CLOSED, seen_at=acked, seen_by="Rae Lindqvist",
                                      closed_at=NOW, outcome="Normal sleep twitches; no visit needed.")


def test_rule_3_closed_without_an_earlier_look_was_seen_at_the_resolution():
    # Acknowledged before this episode came in, then resolved after it: the resolver saw it.
    response = derive(the_case=case(
        status=CaseStatus.RESOLVED, acknowledged_at=REPORTED - timedelta(hours=1),
        acknowledged_by=NAMELESS, resolved_at=NOW, resolved_by=RAE, family_message="Seen."))
    assert (response.status, response.seen_at, response.seen_by) == (
        ResponseStatus.CLOSED, NOW, "Rae Lindqvist")


def test_rule_3_a_legacy_case_closed_without_a_line_shows_no_clinic_words():
    response = derive(the_case=case(status=CaseStatus.RESOLVED, acknowledged_at=NOW, acknowledged_by=RAE,
                                    resolved_at=NOW, resolved_by=RAE, family_message=""))
    assert response.status == ResponseStatus.CLOSED and response.outcome is None


def test_rule_3_a_resolution_from_before_the_report_does_not_close_it():
    response = derive(the_case=case(status=CaseStatus.RESOLVED, acknowledged_at=REPORTED - timedelta(1),
                                    resolved_at=REPORTED - timedelta(minutes=1), resolved_by=RAE,
                                    family_message="old"))
    assert response == ClinicResponse(ResponseStatus.WAITING)


def test_rule_4_acknowledged_after_the_report_is_seen_by_name():
    response = derive(the_case=case(status=CaseStatus.ACKNOWLEDGED, oldest_unacknowledged_at=None,
                                    acknowledged_at=NOW, acknowledged_by=RAE))
    assert response == ClinicResponse(ResponseStatus.SEEN, seen_at=NOW, seen_by="Rae Lindqvist")


def test_rule_4_acknowledged_at_the_very_moment_counts():
    response = derive(the_case=case(status=CaseStatus.ACKNOWLEDGED, acknowledged_at=REPORTED,
                                    acknowledged_by=RAE))
    assert response.status == ResponseStatus.SEEN


def test_rule_4_seen_stays_seen_when_a_later_episode_reopens_the_case():
    later = NOW - timedelta(minutes=10)
    response = derive(the_case=case(status=CaseStatus.OPEN, oldest_unacknowledged_at=later,
                                    acknowledged_at=NOW - timedelta(hours=1), acknowledged_by=RAE))
    assert response.status == ResponseStatus.SEEN


def test_rule_4_reopened_for_this_episode_waits_again():
    # New notes raised this (older) episode after the acknowledgement: the case is open again
    # for an event from the episode's own start, so nobody has seen what changed.
    response = derive(the_case=case(status=CaseStatus.OPEN, oldest_unacknowledged_at=STARTED,
                                    acknowledged_at=NOW - timedelta(hours=1), acknowledged_by=RAE))
    assert response == ClinicResponse(ResponseStatus.WAITING)


def test_rule_5_an_acknowledgement_before_the_report_did_not_cover_it():
    response = derive(the_case=case(status=CaseStatus.OPEN, oldest_unacknowledged_at=STARTED,
                                    acknowledged_at=REPORTED - timedelta(minutes=1), acknowledged_by=RAE))
    assert response == ClinicResponse(ResponseStatus.WAITING)


def test_rule_5_an_open_case_nobody_acknowledged_waits():
    assert derive(the_case=case()) == ClinicResponse(ResponseStatus.WAITING)


def test_names_are_display_names_never_usernames_or_emails():
    assert display_name(RAE) == "Rae Lindqvist"
    assert display_name(NAMELESS) is None
    assert display_name(None) is None
    response = derive(the_case=case(status=CaseStatus.ACKNOWLEDGED, acknowledged_at=NOW,
                                    acknowledged_by=NAMELESS))
    assert response.status == ResponseStatus.SEEN and response.seen_by is None


# --- Stored rows, the API and the pages.

@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def reviewer(world):
    world.reviewer.first_name, world.reviewer.last_name = "Rae", "Lindqvist"
    world.reviewer.save()
    return world.reviewer


@pytest.fixture
def urgent(world, frozen, reviewer):
    """An urgent episode of world.patient in an open case, and a routine one beside it."""
    the_case = make_case(world.patient, "urgent", opened_at=STARTED)
    row = episode(world.patient, world.parent, level="urgent", started_at=STARTED, case=the_case,
                  created_at=REPORTED)
    episode(world.patient, world.parent, level="routine", started_at=STARTED - timedelta(hours=1),
            created_at=REPORTED - timedelta(hours=1))
    return row


def test_the_services_move_the_episode_from_waiting_to_seen_to_closed(world, urgent, reviewer):
    assert urgent.clinic_response.status == ResponseStatus.WAITING
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        review.review_case_acknowledge(case=urgent.review_case, by=reviewer)
    urgent.refresh_from_db()
    seen = urgent.clinic_response
    assert (seen.status, seen.seen_by, seen.seen_at) == ("seen", "Rae Lindqvist", NOW + timedelta(minutes=5))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        review.review_case_resolve(case=urgent.review_case, by=world.clinician, outcome="reassured",
                                   family_message="Normal sleep twitches.", note="internal only")
    urgent.refresh_from_db()
    closed = urgent.clinic_response
    assert closed == ClinicResponse(ResponseStatus.CLOSED, seen_at=NOW + timedelta(minutes=5),
                                    seen_by="Rae Lindqvist", closed_at=NOW + timedelta(hours=1),
                                    outcome="Normal sleep twitches.")


ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "other_reviewer", "clinic_admin"]
SEES_IT = {"parent", "clinician", "reviewer", "clinic_admin"}
OTHER_CLINIC = {"other_clinician", "other_reviewer"}


@pytest.mark.parametrize("role", ROLES)
def test_clinic_response_in_the_api_for_every_role(api, world, urgent, reviewer, role):
    world.other_reviewer = MembershipFactory(clinic=world.other_clinic, role=Role.REVIEWER,
                                             user__username="otherreviewer").user
    foreign_case = make_case(world.foreign_patient, "urgent", opened_at=STARTED)
    foreign = episode(world.foreign_patient, world.parent, level="urgent", started_at=STARTED,
                      case=foreign_case, created_at=REPORTED)
    review.review_case_acknowledge(case=urgent.review_case, by=reviewer)
    user = world.user(role)
    if user is not None:
        api.force_authenticate(user)
    detail = api.get(f"/api/v1/episodes/{urgent.uuid}/")
    listing = api.get("/api/v1/episodes/")
    foreign_detail = api.get(f"/api/v1/episodes/{foreign.uuid}/")
    if role in OTHER_CLINIC:  # their own clinic's episode, its own case's response
        assert foreign_detail.json()["clinic_response"]["status"] == "waiting"
    else:
        assert foreign_detail.status_code == (401 if user is None else 404)
    if role not in SEES_IT:
        assert detail.status_code == (401 if user is None else 404)
        if user is not None:
            assert str(urgent.uuid) not in listing.text
            assert (str(foreign.uuid) in listing.text) == (role in OTHER_CLINIC)
        return
    assert detail.status_code == 200
    assert detail.json()["clinic_response"] == {
        "status": "seen", "seen_at": "2026-11-24T12:00:00Z", "seen_by": "Rae Lindqvist",
        "closed_at": None, "outcome": None}
    assert "reviewer" not in detail.text.replace('"reviewer"', "")  # no username anywhere
    rows = {row["id"]: row for row in listing.json()["results"]}
    assert str(foreign.uuid) not in rows
    routine = [row for row in rows.values() if row["level"] == "routine"]
    assert len(routine) == 1 and routine[0]["clinic_response"] is None
    assert rows[str(urgent.uuid)]["clinic_response"]["status"] == "seen"


def _urgent_rows(world, n):
    the_case = world.patient.review_cases.get()
    rows = [episode(world.patient, world.parent, level="urgent", case=the_case,
                    started_at=STARTED - timedelta(minutes=i + 1), save=False) for i in range(n)]
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):  # after any acknowledgement
        type(rows[0]).objects.bulk_create(rows)


def test_api_list_queries_do_not_grow_with_episodes(api, world, urgent, reviewer):
    review.review_case_acknowledge(case=urgent.review_case, by=reviewer)
    api.force_authenticate(world.parent)
    counts = []
    for n in (10, 490):
        _urgent_rows(world, n)
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/episodes/", {"patient": str(world.patient.uuid),
                                                      "page_size": 200})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    rows = response.json()["results"]
    while response.json()["next"]:  # the list pages by cursor: follow it to the end
        response = api.get(response.json()["next"])
        rows += response.json()["results"]
    assert len(rows) == 502  # 10 + 490 + the urgent and routine rows
    assert {row["clinic_response"]["status"] for row in rows
            if row["level"] == "urgent"} == {"seen", "waiting"}  # the bulk rows came later


def test_diary_queries_do_not_grow_with_episodes(client, world, urgent):
    client.force_login(world.parent)
    counts = []
    for n in (10, 490):
        _urgent_rows(world, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("episode-diary", kwargs={"patient_id": world.patient.uuid}))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_parent_pages_say_it_in_plain_words_in_the_parents_zone(client, world, urgent, reviewer):
    UserPreference.objects.create(user=world.parent, time_zone="Europe/Madrid")
    client.force_login(world.parent)
    session = client.session
    session["time_zone"] = "Europe/Madrid"
    session.save()
    detail_url = urgent.get_absolute_url()
    diary_url = reverse("episode-diary", kwargs={"patient_id": world.patient.uuid})
    assert "Waiting for the clinic to look" in client.get(detail_url).text

    review.review_case_acknowledge(case=urgent.review_case, by=reviewer, at=NOW + timedelta(minutes=5))
    page = client.get(detail_url).text
    # 12:05 UTC is 13:05 in Madrid in November.
    assert "Seen by Rae Lindqvist at 13:05 on 24 Nov 2026" in page
    assert "Seen by Rae Lindqvist at 13:05" in client.get(diary_url).text

    review.review_case_resolve(case=urgent.review_case, by=world.clinician, outcome="reassured",
                               family_message="Normal sleep twitches; no visit needed.",
                               note="private clinic note")
    page = client.get(detail_url).text
    assert "Closed: Normal sleep twitches; no visit needed." in page
    assert "private clinic note" not in page and "Parents reassured" not in page
    diary = client.get(diary_url).text
    assert "Closed: Normal sleep twitches; no visit needed." in diary
    assert diary.count('data-testid="clinic-response"') == 1  # the routine row shows none
    child_page = client.get(world.patient.get_absolute_url()).text  # its recent episodes
    assert "Closed: Normal sleep twitches; no visit needed." in child_page


def test_a_staff_member_without_a_name_is_the_clinic(client, world, urgent):
    nameless = UserFactory(username="nameless.doc", email="nameless@example.org")
    MembershipFactory(user=nameless, clinic=world.clinic, role=Role.REVIEWER)
    review.review_case_acknowledge(case=urgent.review_case, by=nameless)
    client.force_login(world.parent)
    page = client.get(urgent.get_absolute_url()).text
    assert "Seen by the clinic at 12:00" in page
    assert "nameless" not in page
