"""Demo messages (`manage.py seed_demo`): Noah's mother asked, the doctor answered, and
her thanks waits unread, so the inbox, the queue badge and the receipts show something.
Idempotent: nothing is added once Noah's thread has messages. No e-mail is sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from messaging.models import Message, Side, Thread

CONVERSATION = [  # (hours ago, side, author key, text, read after hours)
    (30, Side.FAMILY, "parent", "Noah's foot jerks a few times when he falls asleep. "
                                "Should we worry?", 2),
    (27, Side.CLINIC, "doctor", "Thank you for writing. Please keep using the diary; a short "
                                "video of the next one would help us look at it.", 1),
    (3, Side.FAMILY, "parent", "Thank you, we will film the next one.", None),
]


@transaction.atomic
def seed(world: Any) -> None:
    patient = world.patients["term"]
    thread, _ = Thread.objects.get_or_create(patient=patient)
    if thread.messages.exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    readers = {Side.FAMILY: world.users["doctor"], Side.CLINIC: world.users["parent"]}
    for hours, side, author, text, read_after in CONVERSATION:
        sent = now - timedelta(hours=hours)
        Message.objects.create(
            thread=thread, author=world.users[author], side=side, body=text, created_at=sent,
            read_at=sent + timedelta(hours=read_after) if read_after is not None else None,
            read_by=readers[side] if read_after is not None else None,
        )
        thread.last_message_at = sent
        if side == Side.CLINIC:
            thread.last_clinic_message_at = sent
    thread.save(update_fields=["last_message_at", "last_clinic_message_at"])
