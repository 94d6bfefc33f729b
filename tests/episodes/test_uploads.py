"""Uploads: type by content, size limits, empty files; nothing stored when refused; byte ranges."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from episodes.downloads import parse_range
from episodes.models import Episode, EpisodeAttachment
from tests.episodes.helpers import MP4_BYTES, PNG_BYTES, add_video, make_episode


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(api, episode, name: str, content: bytes, content_type: str = "video/mp4"):
    return api.post(f"/api/v1/episodes/{episode.uuid}/attachments/",
                    {"file": SimpleUploadedFile(name, content, content_type=content_type)},
                    format="multipart")


@pytest.fixture
def episode(world):
    return make_episode(world.patient, world.parent)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("clip.mp4", b"MZ\x90\x00 this is a Windows program, not a video" * 10, "not a video"),
    ("clip.mp4", b"<html><script>alert(1)</script></html>", "not a video"),
    ("clip.mp4", b"", "empty"),
])
def test_refused_uploads_say_why_and_store_nothing(api, world, episode, settings, name, content,
                                                   message):
    api.force_authenticate(world.parent)
    response = upload(api, episode, name, content)
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])
    assert not EpisodeAttachment.objects.exists()
    assert stored_files(settings) == []


def test_oversize_video_is_refused(api, world, episode, settings):
    settings.MAX_VIDEO_UPLOAD_BYTES = 1000
    api.force_authenticate(world.parent)
    response = upload(api, episode, "clip.mp4", MP4_BYTES)
    assert response.status_code == 400
    assert "too large" in response.json()["file"][0]
    assert not EpisodeAttachment.objects.exists() and stored_files(settings) == []


def test_photo_limit_applies_to_photos_only(api, world, episode, settings):
    settings.MAX_PHOTO_UPLOAD_BYTES = 100
    api.force_authenticate(world.parent)
    refused = upload(api, episode, "p.png", PNG_BYTES, "image/png")
    assert refused.status_code == 400 and "photo" in str(refused.json()).lower()
    assert not EpisodeAttachment.objects.exists()
    assert upload(api, episode, "clip.mp4", MP4_BYTES).status_code == 201
    assert EpisodeAttachment.objects.get().kind == "video"


def test_accepted_file_gets_a_random_private_name_and_sniffed_type(api, world, episode, settings):
    api.force_authenticate(world.parent)
    response = upload(api, episode, "../../my baby.png", MP4_BYTES, "image/png")
    assert response.status_code == 201
    attachment = EpisodeAttachment.objects.get()
    assert attachment.content_type == "video/mp4" and attachment.kind == "video"
    assert attachment.file.name.startswith("private/episodes/")
    assert "baby" not in attachment.file.name and attachment.file.name.endswith(".mp4")
    assert len(stored_files(settings)) == 1


def test_adding_a_bad_file_stores_nothing_and_keeps_the_report(client, world, episode, settings):
    client.force_login(world.parent)
    response = client.post(reverse("episode-add", kwargs={"episode_id": episode.uuid}), {
        "attachment": SimpleUploadedFile("clip.mp4", b"not a video at all", "video/mp4"),
    })
    assert response.status_code == 400
    assert "not a video" in response.text
    assert Episode.objects.get() == episode and stored_files(settings) == []
    assert not episode.attachments.exists()


def test_video_added_to_the_saved_report(client, world, episode, settings):
    client.force_login(world.parent)
    response = client.post(reverse("episode-add", kwargs={"episode_id": episode.uuid}), {
        "attachment": SimpleUploadedFile("clip.mp4", MP4_BYTES, "video/mp4"),
    }, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["url"] == episode.get_absolute_url()
    assert episode.attachments.get().size == len(MP4_BYTES)
    page = client.get(episode.get_absolute_url())
    assert 'data-testid="attachment-video"' in page.text


def test_range_request_answers_206_with_the_bytes(client, world, episode):
    attachment = add_video(episode, world.parent)
    client.force_login(world.parent)
    response = client.get(attachment.get_absolute_url(), HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-19/{len(MP4_BYTES)}"
    assert b"".join(response.streaming_content) == MP4_BYTES[10:20]
    assert response["Accept-Ranges"] == "bytes"
    assert "no-store" in response["Cache-Control"]


def test_suffix_and_open_ranges(client, world, episode):
    attachment = add_video(episode, world.parent)
    client.force_login(world.parent)
    tail = client.get(attachment.get_absolute_url(), HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == MP4_BYTES[-5:]
    rest = client.get(attachment.get_absolute_url(), HTTP_RANGE="bytes=2000-")
    assert b"".join(rest.streaming_content) == MP4_BYTES[2000:]


def test_unsatisfiable_range_is_416(client, world, episode):
    attachment = add_video(episode, world.parent)
    client.force_login(world.parent)
    response = client.get(attachment.get_absolute_url(), HTTP_RANGE=f"bytes={len(MP4_BYTES)}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(MP4_BYTES)}"


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-0", (0, 0)), ("bytes=5-", (5, 99)), ("bytes=-10", (90, 99)),
    ("bytes=90-500", (90, 99)), ("bytes=100-", (-1, -1)), ("bytes=9-3", (-1, -1)),
    ("bytes=-0", (-1, -1)), ("bytes=-", None), ("items=0-1", None), ("bytes=0-1,5-6", None),
])
def test_parse_range(header, expected):
    assert parse_range(header, 100) == expected
