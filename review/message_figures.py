"""Dashboard figures about secure messages, in a fixed number of queries.

- **Awaiting a reply**: family messages, now, written after the clinic's last reply in
  their thread (withdrawn ones left out), and how many families wrote them.
- **Median time to reply**: for each spell of family messages started in the range (a
  family message with no family message just before it), the time until the clinic's
  next message in that thread. Spells still unanswered are counted, not timed.

Separate from review/dashboards.py, which computes the other figures; the dashboard
template includes these with ``{% message_figures board.scope %}``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from clinic.access import Action, restrict
from messaging.models import Message, Side
from messaging.selectors import unanswered_messages
from review.dashboards import format_duration

if TYPE_CHECKING:
    from clinic.access import AnyUser
    from review.dashboards import Scope


@dataclass(frozen=True)
class MessageFigures:
    awaiting_reply: int
    families_waiting: int
    replied_spells: int
    unreplied_spells: int
    median_reply: timedelta | None


def _in_scope(scope: Scope, user: AnyUser | None):  # type: ignore[no-untyped-def]
    messages = Message.objects.filter(thread__patient__clinic_id__in=scope.clinic_ids)
    return restrict(messages, user, Action.REVIEW, "thread__patient")


def message_figures(scope: Scope, user: AnyUser | None) -> MessageFigures:
    waiting = restrict(unanswered_messages(), user, Action.REVIEW, "thread__patient").filter(
        thread__patient__clinic_id__in=scope.clinic_ids).aggregate(
        messages=Count("id"), families=Count("thread", distinct=True))
    since, until = scope.bounds
    earlier = Message.objects.filter(thread_id=OuterRef("thread_id"), sent_in_error=False).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")))
    family_just_before = earlier.order_by("-created_at", "-id").values("side")[:1]
    next_reply = (Message.objects.filter(thread_id=OuterRef("thread_id"), side=Side.CLINIC,
                                         sent_in_error=False, created_at__gt=OuterRef("created_at"))
                  .order_by("created_at").values("created_at")[:1])
    spells = list(
        _in_scope(scope, user).filter(side=Side.FAMILY, sent_in_error=False,
                                      created_at__gte=since, created_at__lt=until)
        .annotate(before=Subquery(family_just_before), reply_at=Subquery(next_reply),
                  any_before=Exists(earlier))
        .filter(Q(any_before=False) | ~Q(before=Side.FAMILY))
        .values_list("created_at", "reply_at")
    )
    waits = [reply - asked for asked, reply in spells if reply is not None]
    total = len(spells)
    return MessageFigures(
        awaiting_reply=waiting["messages"], families_waiting=waiting["families"],
        replied_spells=len(waits), unreplied_spells=total - len(waits),
        median_reply=statistics.median(waits) if waits else None,
    )


def duration_text(value: timedelta | None) -> str:
    """A wait as people say it (2 d 3 h, 4 h 10 min, 12 min); nothing when none was measured."""
    return "" if value is None else format_duration(value)
