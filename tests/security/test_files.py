"""Uploads and downloads: typed by content, private names, safe headers, no 500 on odd ranges."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from episodes.models import EpisodeAttachment
from tests.conftest import client_for
from tests.episodes.helpers import MP4_BYTES, add_video, make_episode


@pytest.fixture
def attachment(world):
    return add_video(make_episode(world.patient, world.parent), world.parent)


DOWNLOADS = ["page", "api"]


def _url(attachment, where):
    if where == "page":
        return attachment.get_absolute_url()
    return f"/api/v1/attachments/{attachment.uuid}/download/"


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("where", DOWNLOADS)
@pytest.mark.parametrize("header", [
    "bytes=abc", "bytes=9999999-", "bytes=99999999999999999999999999-", "bytes=0-1,4-5",
    "bytes=-", "bytes=5-2", "bytes=-0", "bytes=0-99999999999999999999999999", "items=0-1",
    "bytes= 0-1", "bytes=0-1 ,", "bytes=\x00", "bytes=-99999999999999999999", "", "bytes=٣-٤",
])
def test_odd_ranges_never_500(client, world, attachment, where, header):
    response = client_for(client, world.parent).get(_url(attachment, where), HTTP_RANGE=header)
    assert response.status_code in (200, 206, 416), (header, response.status_code)
    body = _body(response)
    size = len(MP4_BYTES)
    if response.status_code == 200:
        assert body == MP4_BYTES
    elif response.status_code == 206:
        first, last = (int(n) for n in response["Content-Range"].split()[1].split("/")[0].split("-"))
        assert body == MP4_BYTES[first:last + 1] and last < size
    else:
        assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("where", DOWNLOADS)
def test_download_headers_stop_sniffing_and_caching(client, world, attachment, where):
    response = client_for(client, world.parent).get(_url(attachment, where))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "video/mp4"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename=\"episode-video-")
    assert "clip" not in disposition  # the parent's own file name never comes back
    _body(response)


@pytest.mark.parametrize("where", DOWNLOADS)
def test_a_file_missing_from_storage_is_404_not_500(client, world, attachment, where):
    attachment.file.storage.delete(attachment.file.name)
    response = client_for(client, world.parent).get(_url(attachment, where))
    assert response.status_code == 404


def test_stored_name_is_random_and_private(world, attachment):
    name = attachment.file.name
    assert name.startswith("private/episodes/") and name.endswith(".mp4")
    assert "clip" not in name
    assert not django_settings.MEDIA_URL or django_settings.MEDIA_URL in ("/", "")


@pytest.mark.parametrize(("filename", "content"), [
    ("movie.mp4", b"<html><script>alert(1)</script></html>"),  # a page named as a video
    ("photo.png", b"GIF89a" + b"\x00" * 100),  # a type we do not take, named as one we do
    ("clip.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("clip.mp4", b""),
])
def test_uploads_are_typed_by_content(api, world, filename, content):
    episode = make_episode(world.patient, world.parent)
    api.force_authenticate(world.parent)
    upload = SimpleUploadedFile(filename, content, content_type="video/mp4")
    response = api.post(f"/api/v1/episodes/{episode.uuid}/attachments/", {"file": upload},
                        format="multipart")
    assert response.status_code == 400
    assert not EpisodeAttachment.objects.filter(episode=episode).exists()


def test_upload_over_the_limit_is_refused(api, world, settings):
    settings.MAX_VIDEO_UPLOAD_BYTES = len(MP4_BYTES) - 1
    episode = make_episode(world.patient, world.parent)
    api.force_authenticate(world.parent)
    upload = SimpleUploadedFile("clip.mp4", MP4_BYTES, content_type="video/mp4")
    response = api.post(f"/api/v1/episodes/{episode.uuid}/attachments/", {"file": upload},
                        format="multipart")
    assert response.status_code == 400 and "too large" in str(response.json())


def test_a_reviewer_cannot_attach_and_another_family_cannot_find_the_episode(api, world):
    episode = make_episode(world.patient, world.parent)
    for user, expected in [(world.reviewer, 403), (world.other_parent, 404),
                           (world.other_clinician, 404)]:
        api.force_authenticate(user)
        upload = SimpleUploadedFile("clip.mp4", MP4_BYTES, content_type="video/mp4")
        response = api.post(f"/api/v1/episodes/{episode.uuid}/attachments/", {"file": upload},
                            format="multipart")
        assert response.status_code == expected, user
    assert not EpisodeAttachment.objects.filter(episode=episode).exists()
