"""Writes of secure messages: send, mark read, mark sent in error. Nothing edits or deletes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import ReviewCase
from episodes.models import Episode
from episodes.uploads import check_upload, store_checked
from messaging.models import MAX_BODY, Message, MessageAttachment, Side, Thread
from messaging.tasks import notify_message

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from clinic.models import Patient


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("Keep a message under %(limit)d characters.")
                               % {"limit": MAX_BODY}})
    return body


def message_send(
    *,
    patient: Patient,
    author: AbstractBaseUser,
    side: str,
    body: str,
    episode: Episode | None = None,
    review_case: ReviewCase | None = None,
    upload: UploadedFile | None = None,
) -> Message:
    """Store one message (and its checked file); the other side is e-mailed after commit.

    The caller has decided access and ``side`` (clinic.access.message_side). A linked
    episode or case must be this child's; a bad file refuses the whole message, so
    nothing is half stored.
    """
    body = _clean_body(body)
    if episode is not None and episode.patient_id != patient.pk:
        raise ValidationError({"episode": _("This report is not about this child.")})
    if review_case is not None and review_case.patient_id != patient.pk:
        raise ValidationError({"review_case": _("This case is not about this child.")})
    if review_case is not None and side != Side.CLINIC:
        raise ValidationError({"review_case": _("Only the clinic writes from a case.")})
    try:
        checked = check_upload(upload) if upload is not None else None  # the episodes' path
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc
    now = timezone.now()
    with transaction.atomic():
        thread, _created = Thread.objects.get_or_create(patient=patient)
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        message = Message.objects.create(
            thread=thread, author=author, side=side, body=body, created_at=now,
            episode=episode, review_case=review_case,
        )
        thread.last_message_at = now
        if side == Side.CLINIC:
            thread.last_clinic_message_at = now
        thread.save(update_fields=["last_message_at", "last_clinic_message_at"])
        if checked is not None and upload is not None:
            attachment = MessageAttachment(message=message, kind=checked.kind,
                                           content_type=checked.content_type, size=checked.size,
                                           uploaded_by=author)
            store_checked(attachment, checked, upload)
        message_id = str(message.uuid)
        transaction.on_commit(lambda: notify_message.enqueue(message_id))
    return message


def thread_mark_read(*, patient: Patient, side: str, by: AbstractBaseUser) -> int:
    """``by`` opened the thread: the other side's unread messages are read now (one UPDATE)."""
    return Message.objects.filter(
        thread__patient=patient, side=Side.other(side), read_at__isnull=True,
    ).update(read_at=timezone.now(), read_by=by)


def message_mark_read(*, message: Message, side: str, by: AbstractBaseUser) -> Message:
    """One message read by the other side; one's own messages and repeats change nothing."""
    if message.side != side and message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=by)
        message.refresh_from_db(fields=["read_at", "read_by"])
    return message


@transaction.atomic
def message_mark_sent_in_error(*, message: Message, by: AbstractBaseUser, reason: str) -> Message:
    """Keep the message; say it was a mistake, who said so, when and why.

    The thread's last clinic reply is worked out again without it, so a reply sent to
    the wrong family does not count as an answer.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly why this message was a mistake.")})
    if message.sent_in_error:
        raise ValidationError({"reason": _("This message is already marked as sent in error.")})
    Message.objects.filter(pk=message.pk).update(
        sent_in_error=True, sent_in_error_at=timezone.now(), sent_in_error_by=by,
        sent_in_error_reason=reason[:2000])
    thread = Thread.objects.select_for_update().get(pk=message.thread_id)
    thread.last_clinic_message_at = thread.messages.filter(
        side=Side.CLINIC, sent_in_error=False).aggregate(at=Max("created_at"))["at"]
    thread.save(update_fields=["last_clinic_message_at"])
    message.refresh_from_db()
    return message
