"""Reads of secure messages: the thread, the staff inbox, and counts other lists annotate.

The annotations take any queryset with a path to the patient and add one correlated
subquery each, so a list pays the same number of queries whatever its length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from clinic.access import Action, get_for, inbox_clinics, restrict, threads_visible_to
from clinic.models import ReviewCase
from episodes.models import Episode
from messaging.models import Message, MessageAttachment, Side, Thread

if TYPE_CHECKING:
    from clinic.access import AnyUser
    from clinic.models import Patient

M = TypeVar("M", bound=models.Model)


def _count(messages: models.QuerySet[Message]) -> Coalesce:
    """A correlated COUNT of ``messages`` as an integer column (0 when there are none)."""
    counted = (messages.order_by().values("thread_id").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _patient_ref(patient_field: str) -> OuterRef:
    return OuterRef(f"{patient_field}_id" if patient_field else "pk")


def unread_messages(side: str) -> models.QuerySet[Message]:
    """Messages ``side`` has not read: the other side's, not withdrawn, no receipt yet."""
    return Message.objects.filter(side=Side.other(side), read_at__isnull=True, sent_in_error=False)


def unanswered_messages() -> models.QuerySet[Message]:
    """Family messages after the clinic's last reply (all of them when it never replied)."""
    return Message.objects.filter(side=Side.FAMILY, sent_in_error=False).filter(
        Q(thread__last_clinic_message_at__isnull=True)
        | Q(created_at__gt=F("thread__last_clinic_message_at")))


def with_unread_for_clinic(queryset: models.QuerySet[M], patient_field: str = "") -> models.QuerySet[M]:
    """Annotate ``unread_messages``: the family's messages no one at the clinic has read.

    ``patient_field`` is the path from a row to its patient ("" for patients themselves).
    """
    matching = unread_messages(Side.CLINIC).filter(thread__patient_id=_patient_ref(patient_field))
    return queryset.annotate(unread_messages=_count(matching))


def with_unanswered_messages(queryset: models.QuerySet[M], patient_field: str = "patient"
                             ) -> models.QuerySet[M]:
    """Annotate ``unanswered_messages``: family messages still waiting for a clinic reply."""
    matching = unanswered_messages().filter(thread__patient_id=_patient_ref(patient_field))
    return queryset.annotate(unanswered_messages=_count(matching))


def thread_messages(patient: Patient) -> models.QuerySet[Message]:
    """The child's messages, oldest first, with everything the page shows in bulk."""
    return (
        Message.objects.filter(thread__patient=patient)
        .select_related("author", "read_by", "sent_in_error_by", "episode", "review_case")
        .prefetch_related(Prefetch("attachments", queryset=MessageAttachment.objects.order_by(
            "uploaded_at", "id")))
        .order_by("created_at", "id")
    )


def unread_count(patient: Patient, side: str) -> int:
    return unread_messages(side).filter(thread__patient=patient).count()


def inbox_threads(user: AnyUser | None) -> models.QuerySet[Thread]:
    """Threads of the clinics whose inbox ``user`` works, unread family messages first.

    Then the longest-waiting unanswered, then the most recent; one query per page.
    """
    queryset = threads_visible_to(
        Thread.objects.filter(patient__clinic__in=inbox_clinics(user)), user
    ).select_related("patient", "patient__clinic")
    unread = unread_messages(Side.CLINIC).filter(thread_id=OuterRef("pk"))
    unanswered = unanswered_messages().filter(thread_id=OuterRef("pk"))
    return queryset.annotate(
        unread_messages=_count(unread), unanswered_messages=_count(unanswered),
        has_unread=models.Case(models.When(unread_messages__gt=0, then=Value(1)), default=Value(0),
                               output_field=IntegerField()),
    ).order_by("-has_unread", F("last_message_at").desc(nulls_last=True), "id")


def message_for(user: AnyUser | None, message_id: object) -> Message:
    """One message of a thread ``user`` may open (404, audited, otherwise)."""
    return get_for(user, Message.objects.select_related("thread__patient__clinic", "author"),
                   Action.MESSAGE, patient_field="thread__patient", uuid=message_id)


def attachment_for(user: AnyUser | None, attachment_id: object) -> MessageAttachment:
    return get_for(user, MessageAttachment.objects.select_related("message__thread__patient"),
                   Action.MESSAGE, patient_field="message__thread__patient", uuid=attachment_id)


def works_an_inbox(user: AnyUser | None) -> bool:
    return inbox_clinics(user).exists()


def linkable_episode(user: AnyUser | None, patient: Patient, episode_id: object) -> Any:
    """The child's episode a message may be about, or None (unknown, foreign, malformed)."""
    if not episode_id:
        return None
    try:
        return restrict(Episode.objects.filter(patient=patient), user).filter(
            uuid=episode_id).first()
    except (ValidationError, ValueError):
        return None


def linkable_case(user: AnyUser | None, patient: Patient, case_id: object) -> Any:
    """The child's review case a clinic message may be written from, or None."""
    if not case_id:
        return None
    try:
        return restrict(ReviewCase.objects.filter(patient=patient), user, Action.REVIEW).filter(
            uuid=case_id).first()
    except (ValidationError, ValueError):
        return None
