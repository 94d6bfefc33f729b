"""Reads of the review queue: each selector takes the user who fetches and owns its joins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import BooleanField, Case, Count, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce

from clinic.access import Action, can, case_assignees, clinics_for, get_for, restrict
from clinic.models import CallLog, CaseStatus, Guardianship, ReviewCase
from clinic.review import level_rank, overdue_q
from episodes.models import Episode, EpisodeStatus
from evaluations.models import Suggestion, SuggestionStatus
from messaging.selectors import with_unanswered_messages

if TYPE_CHECKING:
    from clinic.access import AnyUser

@dataclass(frozen=True)
class QueueFilter:
    """What the queue page and the dashboard links narrow the queue by."""

    clinic: str = ""  # clinic uuid
    level: str = ""
    overdue: bool = False
    status: str = "active"  # active = open or acknowledged; or one CaseStatus; or "all"
    assigned_to_me: bool = False
    opened_from: datetime | None = None
    opened_to: datetime | None = None


# The case page lists this many of a case's episodes, newest first (the diary has them all).
CASE_PAGE_EPISODES = 10


def _active_episodes() -> models.QuerySet[Episode]:
    return (
        Episode.objects.filter(status=EpisodeStatus.ACTIVE)
        .order_by("-started_at", "-id")
        .prefetch_related("attachments")
    )


def _pending_suggestions() -> Prefetch:
    pending = Suggestion.objects.filter(status=SuggestionStatus.SUGGESTED).order_by("created_at", "id")
    return Prefetch("patient__suggestions", queryset=pending, to_attr="pending_suggestions")


def _latest_episode() -> Prefetch:
    """Only each case's latest active episode (``latest_episodes``, a list of 0 or 1).

    One query for the page, whatever the cases hold: a correlated subquery picks each
    case's newest row through the partial index on (review_case, -started_at, -id).
    """
    newest = (
        Episode.objects.filter(review_case=OuterRef("review_case"), status=EpisodeStatus.ACTIVE)
        .order_by("-started_at", "-id").values("pk")[:1]
    )
    return Prefetch("episodes", queryset=_active_episodes().filter(pk=Subquery(newest)),
                    to_attr="latest_episodes")


def _episode_count() -> Coalesce:
    """Active episodes linked to the case, counted in the database (a subquery, no join,
    so further annotations on the queue compose without multiplying rows)."""
    counted = (
        Episode.objects.filter(review_case=OuterRef("pk"), status=EpisodeStatus.ACTIVE)
        .order_by().values("review_case").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


def review_cases_for(user: AnyUser | None) -> models.QuerySet[ReviewCase]:
    """Every case ``user`` may review, annotated with ``overdue`` and the level rank."""
    queryset = ReviewCase.objects.select_related("patient", "clinic", "assigned_to")
    # Family messages still waiting for a clinic reply: one subquery, not a query per row.
    queryset = with_unanswered_messages(queryset)
    return restrict(queryset, user, Action.REVIEW).annotate(
        overdue=Case(When(overdue_q(), then=Value(True)), default=Value(False),
                     output_field=BooleanField()),
        rank=level_rank(),
    )


def review_queue(user: AnyUser | None, filters: QueueFilter = QueueFilter()) -> models.QuerySet[ReviewCase]:  # noqa: B008
    """The queue: most pressing level first, then the longest-waiting unseen event."""
    queryset = review_cases_for(user)
    if filters.status == "active":
        queryset = queryset.exclude(status=CaseStatus.RESOLVED)
    elif filters.status in CaseStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.clinic:
        queryset = queryset.filter(clinic__uuid=filters.clinic)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.overdue:
        queryset = queryset.filter(overdue_q())
    if filters.assigned_to_me and user is not None:
        queryset = queryset.filter(assigned_to=user)
    if filters.opened_from:
        queryset = queryset.filter(opened_at__gte=filters.opened_from)
    if filters.opened_to:
        queryset = queryset.filter(opened_at__lt=filters.opened_to)
    return queryset.annotate(episode_count=_episode_count()).prefetch_related(
        _latest_episode(), _pending_suggestions()
    ).order_by(
        "rank", models.F("oldest_unacknowledged_at").asc(nulls_last=True), "opened_at", "id"
    )


def review_case_for(user: AnyUser | None, case_id: Any) -> ReviewCase:
    """One case the user may review (404 otherwise), with what its page shows."""
    queryset = review_cases_for(user).select_related(
        "acknowledged_by", "resolved_by", "previous"
    ).annotate(episode_count=_episode_count()).prefetch_related(
        # The newest few, not every episode a long-open case collected.
        Prefetch("episodes", queryset=_active_episodes()[:CASE_PAGE_EPISODES], to_attr="episode_list"),
        _pending_suggestions(),
    )
    return get_for(user, queryset, Action.REVIEW, uuid=case_id)


def assignable_clinicians(case: ReviewCase) -> models.QuerySet:
    """Clinicians of the case's clinic, the only people a case can be given to."""
    return case_assignees([case.clinic_id])


def review_clinics(user: AnyUser | None) -> models.QuerySet:
    """Clinics whose queue and dashboard ``user`` may open."""
    return clinics_for(user, Action.REVIEW).order_by("name")


def latest_episode(case: ReviewCase) -> Any:
    episodes = getattr(case, "latest_episodes", None) or getattr(case, "episode_list", None)
    return episodes[0] if episodes else None


# The case page lists the latest calls; a long case offers the rest on request.
CALLS_SHOWN = 20


@dataclass(frozen=True)
class FamilyContacts:
    """What the case page needs to reach the family: guardians and the calls so far."""

    guardians: list[Guardianship]
    calls: list[CallLog]
    more_calls: bool = False  # earlier calls than those listed exist


def family_contacts_for(user: AnyUser | None, case: ReviewCase, *,
                        all_calls: bool = False) -> FamilyContacts | None:
    """The child's guardians (name, relationship, phone, e-mail, language) and the case's
    calls, newest first (the latest ``CALLS_SHOWN`` unless ``all_calls``), for staff who
    may contact the family; None for anyone else. Two queries whatever the number of
    guardians or calls."""
    if not can(user, Action.CONTACT_FAMILY, case.patient):
        return None
    guardians = list(
        Guardianship.objects.filter(patient_id=case.patient_id).select_related("user")
        .order_by("created_at", "id")
    )
    calls = CallLog.objects.filter(case=case).select_related("by")
    if all_calls:
        return FamilyContacts(guardians=guardians, calls=list(calls))
    latest = list(calls[:CALLS_SHOWN + 1])  # one more than shown says whether there are more
    return FamilyContacts(guardians=guardians, calls=latest[:CALLS_SHOWN],
                          more_calls=len(latest) > CALLS_SHOWN)
