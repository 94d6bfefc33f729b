"""A message's life: parent -> clinic -> parent, the e-mails on the way (which carry no
clinical content), receipts and unread counts on both sides, sent in error, bad files and
bad input, and the rule that nothing is edited or deleted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic.models import UserPreference
from messaging import selectors
from messaging.models import ImmutableMessage, Message, MessageAttachment, Side
from tests.conftest import client_for
from tests.episodes.helpers import MP4_BYTES, make_episode
from tests.messaging.helpers import send
from tests.review.review_factories import make_case

PARENT_TEXT = "Noah's left foot jerked for two minutes during his fever of 38.9"
CLINIC_TEXT = "Please bring Noah in today; the jerking with fever needs a look"


def _thread_url(patient):
    return reverse("messaging:thread", kwargs={"patient_id": patient.uuid})


def _assert_no_clinical_content(message, world, *texts):
    whole = f"{message.subject}\n{message.body}"
    for text in texts:
        assert text not in whole
        for word in ("foot", "jerk", "fever", "38.9", "twitch", "seizure"):
            assert word not in whole.lower()
    for name in (world.patient.given_name, world.patient.family_name, world.clinic.name):
        assert name not in whole
    assert "Sign in to read it" in message.body


def test_round_trip_parent_clinic_parent(client, world, django_capture_on_commit_callbacks, clock):
    episode = make_episode(world.patient, world.parent)
    parent = client_for(client, world.parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = parent.post(_thread_url(world.patient),
                               {"body": PARENT_TEXT, "episode": str(episode.uuid)})
    assert response.status_code == 302
    asked = Message.objects.get()
    assert (asked.side, asked.episode, asked.author) == (Side.FAMILY, episode, world.parent)

    # The clinic's clinicians and reviewers are told, one mail each, without the content.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.clinician.email,
                                                           world.reviewer.email])
    for notice in mail.outbox:
        _assert_no_clinical_content(notice, world, PARENT_TEXT)
        assert _thread_url(world.patient) in notice.body
    assert selectors.unread_count(world.patient, Side.CLINIC) == 1
    assert selectors.with_unread_for_clinic(
        type(world.patient).objects.filter(pk=world.patient.pk)).get().unread_messages == 1

    # The reviewer opens the thread: the message is read by the clinic, the parent sees it.
    clock.shift(timedelta(minutes=30))
    client.logout()
    staff = client_for(client, world.reviewer)
    page = staff.get(_thread_url(world.patient)).content.decode()
    assert PARENT_TEXT.replace("'", "&#x27;") in page
    asked.refresh_from_db()
    assert asked.read_by == world.reviewer and asked.read_at == asked.created_at + timedelta(minutes=30)
    assert selectors.unread_count(world.patient, Side.CLINIC) == 0

    mail.outbox.clear()
    clock.shift(timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(_thread_url(world.patient), {"body": CLINIC_TEXT})
    assert [m.to for m in mail.outbox] == [[world.parent.email]]  # not the other family
    _assert_no_clinical_content(mail.outbox[0], world, CLINIC_TEXT)
    assert "from the clinic" in mail.outbox[0].body
    assert selectors.unread_count(world.patient, Side.FAMILY) == 1

    # The parent follows the link in the mail, reads the reply and sees their receipt.
    link = re.search(r"(/patients/\S+/messages/)", mail.outbox[0].body).group(1)
    client.logout()
    parent = client_for(client, world.parent)
    home = parent.get(world.patient.get_absolute_url()).content.decode()
    assert 'data-testid="message-unread"' in home  # "1 new" on the child's page
    page = parent.get(link).content.decode()
    assert "Please bring Noah in today" in page
    assert "Read " in page  # their own question shows the clinic's receipt
    assert selectors.unread_count(world.patient, Side.FAMILY) == 0
    reply = Message.objects.get(side=Side.CLINIC)
    assert reply.read_by == world.parent


def test_staff_see_times_in_the_clinic_zone_parents_in_their_own(client, world):
    world.clinic.time_zone = "America/New_York"
    world.clinic.save()
    UserPreference.objects.create(user=world.parent, time_zone="Asia/Tokyo")
    send(world.patient, world.parent)  # 09:00 UTC
    staff_page = client_for(client, world.clinician).get(_thread_url(world.patient)).content
    assert b"10 Mar 2026 05:00" in staff_page  # New York, summer time from 8 March
    client.logout()
    parent_page = client_for(client, world.parent).get(_thread_url(world.patient)).content
    assert b"10 Mar 2026 18:00" in parent_page


def test_the_other_parent_and_the_author_get_no_mail(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(world.patient, world.clinician, body="Reply")
    assert [m.to for m in mail.outbox] == [[world.parent.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(world.patient, world.clinician, body="Reply")
    assert world.clinician.email not in [m.to[0] for m in mail.outbox]


def test_each_person_is_written_to_in_the_language_they_chose(world, django_capture_on_commit_callbacks):
    """Not the sender's language, nor the site's, when the reader chose another."""
    from django.utils import translation

    UserPreference.objects.create(user=world.parent, language="es")
    UserPreference.objects.create(user=world.reviewer, language="es")
    UserPreference.objects.create(user=world.clinician, time_zone="UTC")  # no language chosen
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        send(world.patient, world.clinician, body="Reply")
    (to_parent,) = mail.outbox
    assert to_parent.subject == "Mensaje seguro nuevo"
    assert to_parent.body.startswith("Tiene un mensaje seguro nuevo de la clínica.")
    mail.outbox.clear()
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        send(world.patient, world.parent, body="¿Es normal?")
    notices = {notice.to[0]: notice for notice in mail.outbox}
    assert notices[world.reviewer.email].subject == "Mensaje seguro nuevo"
    assert notices[world.clinician.email].subject == "New secure message"
    assert notices[world.clinician.email].body.startswith("A family has sent a new secure message.")


def test_unread_counts_per_side_and_withdrawn_messages_do_not_count(world):
    for n in range(3):
        send(world.patient, world.parent, body=f"Question {n}")
    send(world.other_patient, world.other_parent, body="Another family's question")
    withdrawn = send(world.patient, world.parent, body="Wrong child")
    from messaging.services import message_mark_sent_in_error, thread_mark_read
    message_mark_sent_in_error(message=withdrawn, by=world.parent, reason="wrong child")
    assert selectors.unread_count(world.patient, Side.CLINIC) == 3
    assert selectors.unread_count(world.patient, Side.FAMILY) == 0
    patients = selectors.with_unread_for_clinic(
        type(world.patient).objects.order_by("given_name"))
    assert {p.given_name: p.unread_messages for p in patients} == {"Ava": 0, "Mila": 1, "Noah": 3}
    # The family opening its own thread marks nothing of its own read.
    assert thread_mark_read(patient=world.patient, side=Side.FAMILY, by=world.parent) == 0
    assert thread_mark_read(patient=world.patient, side=Side.CLINIC, by=world.clinician) == 4
    assert selectors.unread_count(world.patient, Side.CLINIC) == 0


def test_sent_in_error_keeps_the_message_and_hides_it_from_the_family(client, world, clock):
    send(world.patient, world.parent, body="Any news?")
    clock.shift(timedelta(minutes=1))
    reply = send(world.patient, world.clinician, body="Results of Mila's test")
    clock.shift(timedelta(minutes=1))
    send(world.patient, world.parent, body="Thanks")
    assert selectors.with_unanswered_messages(
        type(world.patient).objects.filter(pk=world.patient.pk), "").get().unanswered_messages == 1
    clock.shift(timedelta(minutes=2))
    staff = client_for(client, world.clinician)
    url = reverse("messaging:sent-in-error", kwargs={"message_id": reply.uuid})
    assert staff.post(url, {"reason": ""}).status_code == 400  # a reason is required
    assert staff.post(url, {"reason": "Meant for another family"}).status_code == 302
    reply.refresh_from_db()
    assert reply.sent_in_error and reply.sent_in_error_by == world.clinician
    assert reply.body == "Results of Mila's test"  # kept for the record
    staff_page = staff.get(_thread_url(world.patient)).content.decode()
    assert "Meant for another family" in staff_page
    # A withdrawn reply is no answer: the family's message waits for one again.
    assert selectors.with_unanswered_messages(
        type(world.patient).objects.filter(pk=world.patient.pk), "").get().unanswered_messages == 2
    client.logout()
    parent_page = client_for(client, world.parent).get(_thread_url(world.patient)).content.decode()
    assert "Mila" not in parent_page and 'data-testid="sent-in-error"' in parent_page
    # Twice is refused with a reason, not a 500.
    client.logout()
    assert client_for(client, world.clinician).post(url, {"reason": "again"}).status_code == 400


def test_messages_are_never_edited_or_deleted(world):
    message = send(world.patient, world.parent, body="Original")
    message.body = "Changed"
    with pytest.raises(ImmutableMessage):
        message.save()
    fresh = Message.objects.get(pk=message.pk)
    fresh.body = "Changed"
    with pytest.raises(ImmutableMessage):
        fresh.save()
    with pytest.raises(ImmutableMessage):
        Message.objects.filter(pk=message.pk).update(body="Changed")
    with pytest.raises(ImmutableMessage):
        fresh.delete()
    with pytest.raises(ImmutableMessage):
        Message.objects.all().delete()
    assert Message.objects.get(pk=message.pk).body == "Original"
    # Receipts and the sent-in-error marks are what may change.
    fresh = Message.objects.get(pk=message.pk)
    fresh.sent_in_error = True
    fresh.save()


def test_the_admin_only_looks(admin_client, world):
    message = send(world.patient, world.parent)
    url = reverse("admin:messaging_message_change", args=[message.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and b'name="body"' not in page.content
    assert admin_client.post(reverse("admin:messaging_message_delete", args=[message.pk]),
                             {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()


@pytest.mark.parametrize("name, content, expected", [
    ("notes.pdf", b"%PDF-1.4 not a video", "not a video"),
    ("empty.mp4", b"", "empty"),
    ("fake.mp4", b"<script>alert(1)</script>" * 10, "not a video"),
])
def test_bad_files_refuse_the_whole_message(client, world, name, content, expected,
                                             django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile(name, content, content_type="video/mp4")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(client, world.parent).post(
            _thread_url(world.patient), {"body": "See the clip", "attachment": upload})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert "See the clip" in response.content.decode()  # what was typed is kept on the form
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert mail.outbox == []


def test_too_large_file_is_refused_by_the_same_check_as_episodes(api, world, settings):
    settings.MAX_VIDEO_UPLOAD_BYTES = len(MP4_BYTES) - 1
    api.force_authenticate(world.parent)
    upload = SimpleUploadedFile("clip.mp4", MP4_BYTES, content_type="video/mp4")
    response = api.post(f"/api/v1/patients/{world.patient.uuid}/messages/",
                        {"body": "Clip", "attachment": upload}, format="multipart")
    assert response.status_code == 400
    assert "too large" in " ".join(response.json()["attachment"])
    assert not Message.objects.exists()


def test_a_good_video_is_stored_and_served(api, world):
    api.force_authenticate(world.parent)
    upload = SimpleUploadedFile("clip.mp4", MP4_BYTES, content_type="video/mp4")
    response = api.post(f"/api/v1/patients/{world.patient.uuid}/messages/",
                        {"body": "Clip", "attachment": upload}, format="multipart")
    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert attachment["kind"] == "video" and attachment["content_type"] == "video/mp4"
    download = api.get(attachment["download_url"])
    assert b"".join(download.streaming_content) == MP4_BYTES


@pytest.mark.parametrize("payload, field", [
    ({}, "body"),
    ({"body": "   "}, "body"),
    ({"body": "x" * 4001}, "body"),
    ({"body": "ok", "episode": "not-a-uuid"}, "episode"),
    ({"body": "ok", "episode": "00000000-0000-0000-0000-000000000000"}, "episode"),
    ({"body": "ok", "review_case": "00000000-0000-0000-0000-000000000000"}, "review_case"),
    ({"body": ["a", "b"]}, "body"),
])
def test_api_bad_input_is_400_with_field_errors(api, world, payload, field):
    api.force_authenticate(world.parent)
    response = api.post(f"/api/v1/patients/{world.patient.uuid}/messages/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Message.objects.exists()


def test_a_link_to_another_childs_episode_or_case_is_refused(api, world):
    foreign_episode = make_episode(world.other_patient, world.other_parent)
    api.force_authenticate(world.parent)
    response = api.post(f"/api/v1/patients/{world.patient.uuid}/messages/",
                        {"body": "ok", "episode": str(foreign_episode.uuid)}, format="json")
    assert response.status_code == 400 and "episode" in response.json()
    case = make_case(world.patient)
    response = api.post(f"/api/v1/patients/{world.patient.uuid}/messages/",
                        {"body": "ok", "review_case": str(case.uuid)}, format="json")
    assert response.status_code == 400  # a parent does not write from a case
    assert not Message.objects.exists()


def test_compose_from_the_case_page_links_the_case_and_returns_there(client, world):
    case = make_case(world.patient)
    staff = client_for(client, world.reviewer)
    page = staff.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-message-form"' in page
    response = staff.post(_thread_url(world.patient),
                          {"body": "We will call you", "review_case": str(case.uuid), "back": "case"})
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert Message.objects.get().review_case == case


def test_ask_about_an_episode_from_its_page(client, world):
    episode = make_episode(world.patient, world.parent)
    parent = client_for(client, world.parent)
    page = parent.get(episode.get_absolute_url()).content.decode()
    assert "Ask the clinic about this" in page
    thread = parent.get(f"{_thread_url(world.patient)}?episode={episode.uuid}").content.decode()
    assert 'data-testid="about-episode"' in thread
    assert f'value="{episode.uuid}"' in thread


def test_api_read_receipt_and_list_shape(api, world, clock):
    question = send(world.patient, world.parent, body="Q")
    api.force_authenticate(world.parent)
    own = api.post(f"/api/v1/messages/{question.uuid}/read/").json()
    assert own["read_at"] is None  # one's own message: no receipt
    api.force_authenticate(world.clinician)
    clock.shift(timedelta(minutes=7))
    read = api.post(f"/api/v1/messages/{question.uuid}/read/").json()
    assert read["read_at"] is not None and read["side"] == "family"
    listed = api.get(f"/api/v1/patients/{world.patient.uuid}/messages/").json()["results"]
    assert listed[0]["id"] == str(question.uuid) and listed[0]["episode"] is None
