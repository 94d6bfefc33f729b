"""POST /api/v1/episodes/{id}/confirm-sign/: the notes' sign ticked through the API, as on
the answer page (CLINICAL.md 3a), for every role."""

from __future__ import annotations

import pytest

from clinic.models import AuditEvent
from episodes.models import Episode
from tests.episodes.helpers import ROUTINE, make_episode

pytestmark = pytest.mark.django_db


def _url(episode: Episode) -> str:
    return f"/api/v1/episodes/{episode.uuid}/confirm-sign/"


def _rules(episode: Episode) -> set[str]:
    return {reason["rule"] for reason in episode.triage["reasons"]}


@pytest.fixture
def stiff(world) -> Episode:
    episode = make_episode(world.patient, world.parent, ROUTINE, notes="she went stiff")
    assert episode.level == "urgent" and "EP-NOTES-DANGER" in _rules(episode)
    return episode


@pytest.mark.parametrize("role", ["parent", "clinician"])
def test_the_parent_or_a_clinician_ticks_the_named_sign(api, world, stiff, role):
    api.force_authenticate(getattr(world, role))
    response = api.post(_url(stiff), {"sign": "stiffening"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert "stiffening" in body["signs"] and body["level"] == "urgent"
    assert {r["rule"] for r in body["triage"]["reasons"]} >= {"EP-STIFFENING"}
    assert body["triage"]["notes_matched"] == []
    stiff.refresh_from_db()
    assert "stiffening" in stiff.signs and "EP-NOTES-DANGER" not in _rules(stiff)
    assert AuditEvent.objects.filter(actor=getattr(world, role), action="update",
                                     object_id=str(stiff.uuid)).exists()


def test_a_sign_the_notes_did_not_name_is_a_field_error_and_changes_nothing(api, world, stiff):
    api.force_authenticate(world.parent)
    before = (stiff.signs, stiff.level, stiff.triage, stiff.history.count())
    for body in ({"sign": "fever"}, {"sign": ""}, {}, {"sign": "x" * 41}):
        response = api.post(_url(stiff), body, format="json")
        assert response.status_code == 400 and list(response.json()) == ["sign"], response.json()
    stiff.refresh_from_db()
    assert (stiff.signs, stiff.level, stiff.triage, stiff.history.count()) == before


def test_a_report_marked_as_a_mistake_takes_no_tick(api, world, stiff):
    from episodes.services import episode_mark_in_error

    episode_mark_in_error(episode=stiff, by=world.parent, reason="wrong child")
    api.force_authenticate(world.parent)
    response = api.post(_url(stiff), {"sign": "stiffening"}, format="json")
    assert response.status_code == 400 and "sign" in response.json()
    stiff.refresh_from_db()
    assert stiff.signs == []


@pytest.mark.parametrize(("role", "status"), [
    ("reviewer", 403), ("clinic_admin", 403), ("other_parent", 404), ("other_clinician", 404),
])
def test_roles_that_may_not_add_to_the_report_are_refused_and_audited(api, world, stiff, role, status):
    api.force_authenticate(getattr(world, role))
    response = api.post(_url(stiff), {"sign": "stiffening"}, format="json")
    assert response.status_code == status
    stiff.refresh_from_db()
    assert stiff.signs == []
    assert AuditEvent.objects.filter(actor=getattr(world, role), action="deny_write",
                                     object_id=str(stiff.uuid)).exists()


def test_an_anonymous_caller_gets_401(api, stiff):
    assert api.post(_url(stiff), {"sign": "stiffening"}, format="json").status_code == 401
