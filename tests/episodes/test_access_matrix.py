"""Every episodes page and endpoint, for every role: who sees, who writes, who gets nothing.

The episode under test belongs to ``world.patient`` (child of ``parent``, in ``clinic``)
and was reported by ``parent``. Invisible answers 404, visible-but-not-allowed 403.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from episodes.models import Episode, EpisodeStatus
from tests.conftest import client_for
from tests.episodes.helpers import (
    DANGER_NO,
    MP4_BYTES,
    ROUTINE,
    add_video,
    make_episode,
    payload,
)

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]
READ = {"anonymous": 302, "parent": 200, "other_parent": 404, "clinician": 200,
        "other_clinician": 404, "reviewer": 200, "clinic_admin": 200}
REPORT = {**READ, "reviewer": 403, "clinic_admin": 403}
API_READ = {**READ, "anonymous": 401}
API_REPORT = {**REPORT, "anonymous": 401}
WRITERS = {"parent", "clinician"}


@pytest.fixture
def episode(world):
    return make_episode(world.patient, world.parent)


def _form(**overrides):
    started = timezone.localtime() - timedelta(minutes=5)
    data = {
        "started_at": started.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "0",
        "duration_secs": "5", "body_parts": ["left_foot"], "state": "asleep",
        "pattern": "isolated", "stops_when_held_or_woken": "not_tried", "source": "phone",
        **DANGER_NO,
    }
    return {**data, **overrides}


def _assert_login_redirect(response):
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["episode-diary", "episode-summary"])
def test_patient_episode_pages(client, world, episode, role, name):
    response = client_for(client, world.user(role)).get(
        reverse(name, kwargs={"patient_id": world.patient.uuid}))
    assert response.status_code == READ[role]
    if role == "anonymous":
        _assert_login_redirect(response)
    if response.status_code == 200:
        assert episode.get_absolute_url() in response.text
        assert AuditEvent.objects.filter(actor=world.user(role), patient=world.patient,
                                         object_type=name.replace("-", "_")).exists()


@pytest.mark.parametrize("role", ROLES)
def test_episode_page(client, world, episode, role):
    response = client_for(client, world.user(role)).get(episode.get_absolute_url())
    assert response.status_code == READ[role]
    if response.status_code == 200:
        assert "EP-TYPICAL" in response.text
        assert AuditEvent.objects.filter(actor=world.user(role), object_id=str(episode.uuid),
                                         action="read").exists()
        assert ("This report is a mistake" in response.text) == (role in WRITERS)


@pytest.mark.parametrize("role", ROLES)
def test_report_form_page(client, world, role):
    response = client_for(client, world.user(role)).get(
        reverse("episode-report", kwargs={"patient_id": world.patient.uuid}))
    assert response.status_code == REPORT[role]
    if response.status_code == 200:
        assert 'data-part="left_foot"' in response.text  # the body picture
        assert ('name="source"' in response.text) == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
def test_report_post_stores_only_for_reporters(client, world, role):
    url = reverse("episode-report", kwargs={"patient_id": world.patient.uuid})
    response = client_for(client, world.user(role)).post(url, _form())
    stored = list(Episode.objects.all())
    if role in WRITERS:
        assert response.status_code == 302
        assert len(stored) == 1 and response.url == stored[0].get_absolute_url()
        assert stored[0].reporter == world.user(role)
        assert stored[0].source == ("phone" if role == "clinician" else "parent")
    else:
        assert response.status_code == REPORT[role]
        assert stored == []


@pytest.mark.parametrize("role", ROLES)
def test_add_details_only_for_reporters(client, world, episode, role):
    url = reverse("episode-add", kwargs={"episode_id": episode.uuid})
    response = client_for(client, world.user(role)).post(url, {"notes": f"seen by {role}"})
    episode.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302 and response.url == episode.get_absolute_url()
        assert episode.notes.endswith(f"seen by {role}")
    else:
        assert response.status_code == REPORT[role]
        assert f"seen by {role}" not in episode.notes
    if role == "anonymous":
        _assert_login_redirect(response)


@pytest.mark.parametrize("role", ROLES)
def test_quick_log_only_for_reporters(client, world, role):
    url = reverse("episode-quick-log", kwargs={"patient_id": world.patient.uuid})
    response = client_for(client, world.user(role)).post(
        url, {"body_part": "left_foot", "state": "asleep"})
    stored = list(Episode.objects.all())
    if role in WRITERS:
        assert response.status_code == 302
        assert len(stored) == 1 and response.url == stored[0].get_absolute_url()
        assert stored[0].body_parts == ["left_foot"] and stored[0].level == "routine"
    else:
        assert response.status_code == REPORT[role]
        assert stored == []


@pytest.mark.parametrize("role", ROLES)
def test_mark_in_error_page(client, world, episode, role):
    url = reverse("episode-mark-in-error", kwargs={"episode_id": episode.uuid})
    c = client_for(client, world.user(role))
    expected = {**REPORT, "clinician": 200}[role]
    assert c.get(url).status_code == expected
    response = c.post(url, {"reason": "Logged twice"})
    episode.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302
        assert episode.status == EpisodeStatus.ENTERED_IN_ERROR
        assert episode.entered_in_error_by == world.user(role)
    else:
        assert response.status_code == expected
        assert episode.status == EpisodeStatus.ACTIVE


def test_parent_may_not_mark_a_clinicians_report(client, world):
    episode = make_episode(world.patient, world.clinician)
    response = client_for(client, world.parent).post(
        reverse("episode-mark-in-error", kwargs={"episode_id": episode.uuid}), {"reason": "no"})
    assert response.status_code == 403
    episode.refresh_from_db()
    assert episode.is_active


@pytest.mark.parametrize("role", ROLES)
def test_attachment_download_page(client, world, episode, role):
    attachment = add_video(episode, world.parent)
    response = client_for(client, world.user(role)).get(attachment.get_absolute_url())
    assert response.status_code == READ[role]
    if role == "anonymous":
        _assert_login_redirect(response)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == MP4_BYTES
        assert response["Content-Type"] == "video/mp4"
        assert AuditEvent.objects.filter(actor=world.user(role), action="read",
                                         object_id=str(attachment.uuid)).exists()


@pytest.mark.parametrize("role", ROLES)
def test_guide_is_open_to_everyone(client, world, role):
    response = client_for(client, world.user(role)).get(reverse("episode-guide"))
    assert response.status_code == 200
    assert "sleep myoclonus" in response.text and "How to film" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_patient_page_lists_episodes(client, world, episode, role):
    response = client_for(client, world.user(role)).get(world.patient.get_absolute_url())
    assert response.status_code == READ[role]
    if response.status_code == 200:
        assert 'data-testid="patient-episodes"' in response.text
        assert episode.get_absolute_url() in response.text
        assert ('data-testid="log-episode"' in response.text) == (role in WRITERS)


# --- API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_list(api, world, episode, role):
    make_episode(world.foreign_patient, world.other_clinician)
    response = client_for(api, world.user(role)).get("/api/v1/episodes/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    patients = {e["patient"] for e in response.json()["results"]}
    expected = {
        "parent": {world.patient.uuid}, "other_parent": set(),
        "other_clinician": {world.foreign_patient.uuid},
    }.get(role, {world.patient.uuid})
    assert patients == {str(p) for p in expected}


@pytest.mark.parametrize("role", ROLES)
def test_api_retrieve(api, world, episode, role):
    response = client_for(api, world.user(role)).get(f"/api/v1/episodes/{episode.uuid}/")
    assert response.status_code == API_READ[role]
    if response.status_code == 200:
        assert response.json()["id"] == str(episode.uuid)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/api/v1/episodes/", "/api/v1/episodes/assess/"])
def test_api_report_and_assess(api, world, role, path):
    response = client_for(api, world.user(role)).post(path, payload(world.patient), format="json")
    expected = API_REPORT[role]
    if role in WRITERS:
        expected = 201 if path.endswith("/episodes/") else 200
        assert response.json()["triage" if expected == 201 else "level"]
    assert response.status_code == expected
    assert Episode.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_api_mark_in_error(api, world, episode, role):
    response = client_for(api, world.user(role)).post(
        f"/api/v1/episodes/{episode.uuid}/mark-in-error/", {"reason": "Wrong child"}, format="json")
    episode.refresh_from_db()
    assert response.status_code == {**API_REPORT, "clinician": 200, "parent": 200}[role]
    assert episode.is_active == (role not in WRITERS)


@pytest.mark.parametrize("role", ROLES)
def test_api_upload(api, world, episode, role, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("clip.mp4", MP4_BYTES, content_type="video/mp4")
    response = client_for(api, world.user(role)).post(
        f"/api/v1/episodes/{episode.uuid}/attachments/", {"file": upload}, format="multipart")
    expected = {**API_REPORT, "parent": 201, "clinician": 201}[role]
    assert response.status_code == expected
    assert episode.attachments.count() == (1 if expected == 201 else 0)
    media = settings.MEDIA_ROOT
    stored = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    assert len(stored) == (1 if expected == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_api_download(api, world, episode, role):
    attachment = add_video(episode, world.parent)
    response = client_for(api, world.user(role)).get(f"/api/v1/attachments/{attachment.uuid}/download/")
    assert response.status_code == API_READ[role]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == MP4_BYTES


def test_another_familys_episode_is_missing_not_forbidden(api, world):
    theirs = make_episode(world.other_patient, world.other_parent, ROUTINE)
    video = add_video(theirs, world.other_parent)
    api.force_authenticate(world.parent)
    assert api.get(f"/api/v1/episodes/{theirs.uuid}/").status_code == 404
    assert api.get(f"/api/v1/attachments/{video.uuid}/download/").status_code == 404
    assert api.post(f"/api/v1/episodes/{theirs.uuid}/mark-in-error/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["clinic_admin", "other_clinician"])
def test_admin_shows_only_own_clinic_episodes_read_only(client, world, episode, role):
    from django.contrib.auth.models import Permission

    user = world.user(role)
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="episodes",
                                                         codename__startswith="view_"))
    client.force_login(user)
    listing = client.get("/admin/episodes/episode/")
    assert listing.status_code == 200
    assert (episode.patient.family_name in listing.text) == (role == "clinic_admin")
    detail = client.get(f"/admin/episodes/episode/{episode.pk}/change/")
    assert detail.status_code == (200 if role == "clinic_admin" else 404)
    assert client.post(f"/admin/episodes/episode/{episode.pk}/delete/", {"post": "yes"}).status_code \
        in (302, 403, 404)
    assert Episode.objects.filter(pk=episode.pk).exists()
