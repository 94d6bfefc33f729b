"""Secure messages: one thread per child between its family and the clinic.

A message is part of the record: it is never edited or deleted, only marked sent in
error (when, by whom, why). Receipts are kept per side (see ``Message.read_at``).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.access import CLINIC_SIDE, FAMILY_SIDE

MAX_BODY = 4000  # characters: a message, not a letter; long stories belong in a visit


class Side(models.TextChoices):
    FAMILY = FAMILY_SIDE, _("Family")
    CLINIC = CLINIC_SIDE, _("Clinic")

    @classmethod
    def other(cls, side: str) -> str:
        return cls.CLINIC if side == cls.FAMILY else cls.FAMILY


class ImmutableMessage(Exception):
    """Code tried to change what a message said, or to delete one."""


class Thread(models.Model):
    """The one conversation about a child; created with its first message."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.OneToOneField("clinic.Patient", on_delete=models.PROTECT,
                                   related_name="message_thread")
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept by the services, inside the transaction that writes a message, so the inbox
    # and the "awaiting a reply" counts order and filter without a subquery per row.
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_clinic_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message thread")

    def __str__(self) -> str:
        return f"Thread {self.uuid}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:thread", kwargs={"patient_id": self.patient.uuid})


class MessageQuerySet(models.QuerySet):
    """No bulk rewrite of what was said, no deletion: the record stays as it was sent."""

    def update(self, **kwargs: Any) -> int:
        changed = set(kwargs) & Message.IMMUTABLE
        if changed:
            raise ImmutableMessage(f"Messages are never edited: {', '.join(sorted(changed))}.")
        return super().update(**kwargs)

    def delete(self) -> Any:
        raise ImmutableMessage("Messages are never deleted; mark them sent in error.")


class Message(models.Model):
    """One message. ``read_at``/``read_by``: the first reader on the other side.

    Receipts are per side, not per reader: the thread is a conversation between the
    family and the clinic, so what either side needs to know is "has the other side
    read it"; which colleague opened it is in the audit trail (every read is audited).
    """

    IMMUTABLE = frozenset({"thread", "thread_id", "author", "author_id", "side", "body",
                           "created_at", "episode", "episode_id", "review_case",
                           "review_case_id", "uuid"})

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField(max_length=MAX_BODY)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="messages")
    review_case = models.ForeignKey("clinic.ReviewCase", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="messages")
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    sent_in_error = models.BooleanField(default=False)
    sent_in_error_at = models.DateTimeField(null=True, blank=True)
    sent_in_error_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="+")
    sent_in_error_reason = models.TextField(blank=True, max_length=2000)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            # Unread counts: the other side's messages not yet read.
            models.Index(fields=["thread", "side", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"Message {self.uuid} ({self.side})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored = getattr(self, "_stored", None)
        if stored is not None:
            changed = [name for name, value in stored.items() if self.__dict__.get(name) != value]
            if changed:
                raise ImmutableMessage(f"Messages are never edited: {', '.join(changed)}.")
        super().save(*args, **kwargs)
        self._remember()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableMessage("Messages are never deleted; mark them sent in error.")

    _GUARDED = ("thread_id", "author_id", "side", "body", "created_at", "episode_id",
                "review_case_id")

    def _remember(self) -> None:
        self._stored = {name: self.__dict__.get(name) for name in self._GUARDED
                        if name in self.__dict__}

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Message:
        instance = super().from_db(db, field_names, values)
        instance._remember()
        return instance

    @property
    def patient(self) -> Any:
        return self.thread.patient


def attachment_path(instance: MessageAttachment, filename: str) -> str:
    """A random name under a private folder; the sender's file name is never used."""
    return f"private/messages/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()[:8]}"


class MessageAttachment(models.Model):
    """A video or photo sent with a message, checked like an episode's (episodes.uploads)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=10, choices=[("video", _("Video")), ("photo", _("Photo"))])
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.message}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:attachment", kwargs={"attachment_id": self.uuid})
