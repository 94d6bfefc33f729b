"""Limits of issue 9: a shared cache, reset mails, request and upload caps, invitations, orders."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from episodes.models import EpisodeAttachment
from tests.conftest import client_for
from tests.episodes.helpers import MP4_BYTES, PNG_BYTES

# -- throttles and rate limits live in a cache every worker shares --------------------------

def test_throttle_counts_are_kept_in_the_shared_database_cache(api, world, settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    api.post("/api/v1/auth/token/", {"username": "parent", "password": "wrong"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM clinic_cache")
        assert cursor.fetchone()[0] >= 1  # the throttle's history, not a worker's memory


@pytest.mark.parametrize("variable", ["REDIS_URL", "CACHE_URL"])
def test_redis_is_chosen_by_setting(variable):
    code = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE']='clinic.settings'; django.setup();"
            "from django.conf import settings; c = settings.CACHES['default'];"
            "print(c['BACKEND'], c['LOCATION'])")
    env = {"PATH": "/usr/bin:/bin", variable: "redis://cache.internal:6379/1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,  # noqa: S603
                         env=env)
    assert out.stdout.split() == ["django.core.cache.backends.redis.RedisCache",
                                  "redis://cache.internal:6379/1"]


def _reset(client, email, address="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_reset_mails_are_limited_per_email(client, world, settings, mailoutbox):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "2/hour"
    world.parent.email = "mum@example.org"
    world.parent.save()
    answers = [_reset(client, "mum@example.org", f"10.0.0.{n}") for n in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 200, 200]
    assert len(mailoutbox) == 2
    assert "Too many reset requests" in answers[-1].text


def test_reset_mails_are_limited_per_address(client, world, settings, mailoutbox):
    settings.PASSWORD_RESET_RATE_PER_IP = "3/hour"
    answers = [_reset(client, f"someone{n}@example.org") for n in range(5)]
    assert [a.status_code for a in answers] == [302, 302, 302, 200, 200]
    # Another address is not held back by the first one's count.
    assert _reset(client, "someone9@example.org", "10.9.9.9").status_code == 302


def test_the_limit_says_the_same_for_unknown_addresses(client, world, settings, mailoutbox):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "1/hour"
    world.parent.email = "mum@example.org"
    world.parent.save()
    _reset(client, "mum@example.org")
    _reset(client, "nobody@example.org")
    known, unknown = _reset(client, "mum@example.org"), _reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert len(mailoutbox) == 1


# -- request and upload caps -----------------------------------------------------------------

def test_a_request_declaring_a_body_over_the_cap_is_refused_before_reading(api, world, records,
                                                                           settings):
    settings.MAX_REQUEST_BYTES = 1000
    api.force_authenticate(world.parent)
    url = f"/api/v1/episodes/{records.episode.uuid}/attachments/"
    before = EpisodeAttachment.objects.count()
    response = api.post(url, {"file": SimpleUploadedFile("a.mp4", MP4_BYTES)}, format="multipart",
                        CONTENT_LENGTH="5000000000")
    assert response.status_code == 413 and "too large" in response.json()["detail"]
    assert EpisodeAttachment.objects.count() == before


def test_an_oversized_file_is_refused_before_its_type_is_checked(api, world, records, settings):
    settings.MAX_VIDEO_UPLOAD_BYTES = settings.MAX_PHOTO_UPLOAD_BYTES = 100
    api.force_authenticate(world.parent)
    response = api.post(f"/api/v1/episodes/{records.episode.uuid}/attachments/",
                        {"file": SimpleUploadedFile("a.txt", b"not media at all " * 100)},
                        format="multipart")
    assert response.status_code == 400
    assert "too large" in " ".join(response.json()["file"])  # not "not a video": size first


def test_at_most_n_attachments_per_episode(api, world, records, settings):
    settings.MAX_ATTACHMENTS_PER_EPISODE = 2  # records.episode has one already
    api.force_authenticate(world.parent)
    url = f"/api/v1/episodes/{records.episode.uuid}/attachments/"
    second = api.post(url, {"file": SimpleUploadedFile("b.png", PNG_BYTES)}, format="multipart")
    third = api.post(url, {"file": SimpleUploadedFile("c.png", PNG_BYTES)}, format="multipart")
    assert second.status_code == 201
    assert third.status_code == 400 and "at most 2 files" in " ".join(third.json()["file"])
    assert records.episode.attachments.count() == 2


def test_no_upload_to_an_entry_marked_in_error(api, world, records):
    from episodes.services import episode_mark_in_error

    episode_mark_in_error(episode=records.episode, by=world.parent, reason="wrong child")
    api.force_authenticate(world.parent)
    response = api.post(f"/api/v1/episodes/{records.episode.uuid}/attachments/",
                        {"file": SimpleUploadedFile("b.png", PNG_BYTES)}, format="multipart")
    assert response.status_code == 400 and "entered in error" in " ".join(response.json()["file"])
    assert records.episode.attachments.count() == 1


# -- order notes reach families only with the result ----------------------------------------

def test_result_notes_reach_parents_only_once_resulted(api, world, records):
    from evaluations import services

    services.order_update(order=records.order, by=world.clinician, result_notes="query: absence seizures?")
    api.force_authenticate(world.parent)
    listed = api.get("/api/v1/orders/").json()["results"]
    detail = api.get(f"/api/v1/orders/{records.order.uuid}/").json()
    assert [o["result_notes"] for o in listed] == [""] and detail["result_notes"] == ""
    client_for(api, world.clinician)
    api.force_authenticate(world.clinician)
    assert api.get(f"/api/v1/orders/{records.order.uuid}/").json()["result_notes"] == (
        "query: absence seizures?")
    services.order_update(order=records.order, by=world.clinician, status="scheduled")
    services.order_update(order=records.order, by=world.clinician, status="resulted",
                          result_notes="Normal EEG.")
    api.force_authenticate(world.parent)
    assert api.get(f"/api/v1/orders/{records.order.uuid}/").json()["result_notes"] == "Normal EEG."
