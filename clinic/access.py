"""Who may see and do what: the one place access is decided.

Access comes only from a ``Membership`` (staff of a clinic, by role) or a
``Guardianship`` (a parent of one child); superusers see everything. Pages,
viewsets, the admin and exports call these functions and never filter patients
themselves. An object the caller may not see is reported as missing (404), so
its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models import Count, Q
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic, Guardianship, Membership, Patient, Role
from clinic.rows import Columns

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

M = TypeVar("M", bound=models.Model)

_NOT_FOUND = (ObjectDoesNotExist, ValidationError, ValueError, TypeError)


class NotVisible(Http404):
    """A patient object the caller may not see: answered 404, audited as a denied attempt.

    Carries what was attempted (the model, the id asked for and, when the object exists,
    its patient), so the one place that decides access is also the one that reports a
    denial; ``clinic.audit.record_denied`` writes it down (middleware and the API's
    exception handler call it).
    """

    def __init__(self, message: str | Promise, *, object_type: str, object_id: object,
                 patient: Patient | None = None) -> None:
        super().__init__(message)
        self.object_type = object_type
        self.object_id = str(object_id)[:64]
        self.patient = patient


class NotAllowed(PermissionDenied):
    """A visible patient object the caller may not act on this way: 403, audited."""

    def __init__(self, message: str | Promise, *, object_type: str, object_id: object,
                 patient: Patient | None = None) -> None:
        super().__init__(message)
        self.object_type = object_type
        self.object_id = str(object_id)[:64]
        self.patient = patient


Denied = NotVisible | NotAllowed


class Action(StrEnum):
    VIEW = "view"  # the child's record: details, episodes, attachments, orders
    VIEW_CHART = "view_chart"  # clinical working notes: evaluations, suggestions, cases
    REPORT = "report"  # log an episode
    CHART = "chart"  # write evaluations, decide suggestions, order tests
    MANAGE = "manage"  # add or edit patients, invite parents
    REVIEW = "review"  # the review queue and dashboards
    EXPORT = "export"  # FHIR and CSV exports
    CONTACT_FAMILY = "contact_family"  # the case page's guardian contacts and call log
    MESSAGE = "message"  # the child's secure message thread: read and write


GUARDIAN = "guardian"

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    GUARDIAN: frozenset({Action.VIEW, Action.REPORT, Action.MESSAGE}),
    Role.CLINICIAN: frozenset(Action),
    Role.REVIEWER: frozenset(
        {Action.VIEW, Action.VIEW_CHART, Action.REVIEW, Action.CONTACT_FAMILY, Action.MESSAGE}
    ),
    Role.CLINIC_ADMIN: frozenset(
        {Action.VIEW, Action.VIEW_CHART, Action.MANAGE, Action.REVIEW, Action.EXPORT}
    ),
}


def _roles_with(action: Action) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions and role != GUARDIAN]


def _is_active(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def clinics_for(user: AnyUser | None, action: Action = Action.VIEW) -> models.QuerySet[Clinic]:
    """Clinics where ``user`` holds a staff role that allows ``action``."""
    if not _is_active(user):
        return Clinic.objects.none()
    if user.is_superuser:
        return Clinic.objects.all()
    clinic_ids = Membership.objects.filter(user=user, role__in=_roles_with(action)).values(
        "clinic_id"
    )
    return Clinic.objects.filter(id__in=clinic_ids)


def _patient_filter(user: AnyUser | None, action: Action, prefix: str = "") -> Q | None:
    """A Q over patients (through ``prefix``) the user may act on; None means all."""
    if not _is_active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    clinic_ids = Membership.objects.filter(user=user, role__in=_roles_with(action)).values(
        "clinic_id"
    )
    condition = Q(**{f"{prefix}clinic_id__in": clinic_ids})
    if action in ROLE_ACTIONS[GUARDIAN]:
        child_ids = Guardianship.objects.filter(user=user).values("patient_id")
        condition |= Q(**{f"{prefix}id__in": child_ids})
    return condition


def patients_visible_to(
    user: AnyUser | None, action: Action = Action.VIEW
) -> models.QuerySet[Patient]:
    """Every patient ``user`` may act on with ``action``, for lists."""
    condition = _patient_filter(user, action)
    queryset = Patient.objects.select_related("clinic")
    return queryset if condition is None else queryset.filter(condition)


def own_guardianships(user: AnyUser | None) -> models.QuerySet[Guardianship]:
    """The user's own links to children, whose contact details (the phone the clinic calls,
    the language to speak) they keep themselves. Nobody edits another family's here: staff
    change them in the admin, scoped by clinic."""
    if not _is_active(user):
        return Guardianship.objects.none()
    return Guardianship.objects.filter(user=user).select_related("patient").order_by(
        "patient__date_of_birth", "patient__given_name", "id")


def staff_patients(user: AnyUser | None, action: Action = Action.VIEW) -> models.QuerySet[Patient]:
    """The patients of the clinics where ``user`` works (all for superusers): staff lists.

    Unlike ``patients_visible_to`` a guardianship adds nothing: the patient list is a staff
    workplace. Anyone without a staff role is refused (403, audited as a denied read).
    """
    if not is_staff_member(user):
        raise NotAllowed(_("The patient list is for the staff of a clinic."),
                         object_type="patient_list", object_id="")
    queryset = Patient.objects.select_related("clinic")
    if user.is_superuser:
        return queryset
    clinic_ids = Membership.objects.filter(user=user, role__in=_roles_with(action)).values(
        "clinic_id")
    return queryset.filter(clinic_id__in=clinic_ids)


def restrict(
    queryset: models.QuerySet[M],
    user: AnyUser | None,
    action: Action = Action.VIEW,
    patient_field: str = "patient",
) -> models.QuerySet[M]:
    """Narrow any queryset of patient records to those ``user`` may act on.

    ``patient_field`` is the path from a row to its patient; ``""`` means the rows are
    patients themselves.
    """
    condition = _patient_filter(user, action, prefix=f"{patient_field}__" if patient_field else "")
    return queryset if condition is None else queryset.filter(condition)


def can(user: AnyUser | None, action: Action, patient: Patient) -> bool:
    """Whether ``user`` may perform ``action`` on ``patient``."""
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    return action in actions_on(user, patient)


# What ``get_patient_for`` learnt of the caller's standing with the patient it fetched, in
# the same query: (user pk, membership role or "", is a guardian). ``actions_on`` and
# ``role_for`` read it instead of asking again, so one request asks once.
_STANDING = "_access_standing"


def _standing(user: AnyUser, patient: Patient) -> tuple[str, bool] | None:
    cached = getattr(patient, _STANDING, None)
    if cached is not None and cached[0] == user.pk:
        return cached[1], cached[2]
    return None


def _membership_role(user: AnyUser, patient: Patient) -> str:
    standing = _standing(user, patient)
    if standing is not None:
        return standing[0]
    return (
        Membership.objects.filter(user=user, clinic_id=patient.clinic_id)
        .values_list("role", flat=True)
        .first()
    ) or ""


def actions_on(user: AnyUser | None, patient: Patient) -> frozenset[Action]:
    """All actions ``user`` may take on ``patient`` (used to show or hide buttons)."""
    if not _is_active(user):
        return frozenset()
    if user.is_superuser:
        return frozenset(Action)
    allowed: set[Action] = set()
    role = _membership_role(user, patient)
    standing = _standing(user, patient)
    if role:
        allowed |= ROLE_ACTIONS.get(role, frozenset())
    guardian = (standing[1] if standing is not None
                else Guardianship.objects.filter(user=user, patient=patient).exists())
    if guardian:
        allowed |= ROLE_ACTIONS[GUARDIAN]
    return frozenset(allowed)


# Who records a known seizure disorder and its plan (CLINICAL.md 3a): a clinician, the
# one who charts; everyone who may view the child reads it (the parent with every answer).
SEIZURE_PLAN_RECORD = Action.CHART
SEIZURE_PLAN_READ = Action.VIEW


def can_record_seizure_plan(user: AnyUser | None, patient: Patient) -> bool:
    return can(user, SEIZURE_PLAN_RECORD, patient)


def role_for(user: AnyUser | None, patient: Patient | None) -> str:
    """The capacity in which ``user`` touches ``patient``, for the audit trail."""
    if not _is_active(user):
        return ""
    if user.is_superuser:
        return "superuser"
    if patient is not None:
        return _membership_role(user, patient) or GUARDIAN
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return ",".join(sorted(roles)) or GUARDIAN


def _attempted(queryset: models.QuerySet, lookup: dict[str, object]) -> models.Model | None:
    """The row a refused lookup named, unscoped, so the denial names its patient (or None)."""
    try:
        return queryset.filter(**lookup).first()
    except _NOT_FOUND:
        return None


def _patient_path_of(obj: models.Model | None, patient_field: str) -> Patient | None:
    for name in filter(None, patient_field.split("__")):
        obj = getattr(obj, name, None)
    return obj if isinstance(obj, Patient) else None


def not_visible(queryset: models.QuerySet, patient_field: str = "patient",
                **lookup: object) -> NotVisible:
    """The 404 for a lookup in ``queryset`` the caller may not see, naming the attempt."""
    obj = _attempted(queryset.model._default_manager.all(), lookup)
    object_id = getattr(obj, "uuid", None) or next(iter(lookup.values()), "")
    return NotVisible(_("Not found."), object_type=queryset.model._meta.model_name,
                      object_id=object_id, patient=_patient_path_of(obj, patient_field))


# Lazy, read in each request's language: the refusal a 403 page or the API shows.
NOT_ALLOWED_MESSAGE = _("You may not do this for this patient.")


def not_allowed(patient: Patient, obj: models.Model | None = None,
                message: str | Promise = NOT_ALLOWED_MESSAGE) -> NotAllowed:
    """The 403 for a visible object the caller may not act on this way, naming the attempt."""
    target = obj if obj is not None else patient
    return NotAllowed(message, object_type=target._meta.model_name,
                      object_id=getattr(target, "uuid", None) or target.pk, patient=patient)


def require(user: AnyUser | None, action: Action, patient: Patient, *, obj: models.Model | None = None,
            message: str | Promise = NOT_ALLOWED_MESSAGE) -> None:
    """Refuse (403, audited) unless ``user`` may perform ``action`` on ``patient``."""
    if not can(user, action, patient):
        raise not_allowed(patient, obj, message)


# The patient row with its clinic and the caller's standing there (role, guardian), in
# SQL of our own: every request about one patient (each report) runs it, and the ORM
# took 0.64 ms of CPU to build and read it against 0.13 ms for this text (measured
# in-process on PostgreSQL). clinic/rows.py reads the row back into instances.
_PATIENT_COLUMNS, _CLINIC_COLUMNS = Columns(Patient, "p"), Columns(Clinic, "c")
_PATIENT_SQL = (
    f"SELECT {_PATIENT_COLUMNS.sql()}, {_CLINIC_COLUMNS.sql()}, "  # noqa: S608 - our tables
    f"(SELECT m.role FROM {Membership._meta.db_table} m WHERE m.user_id = %s AND m.clinic_id = p.clinic_id "
    "ORDER BY m.id LIMIT 1), "
    f"EXISTS (SELECT 1 FROM {Guardianship._meta.db_table} g WHERE g.user_id = %s AND g.patient_id = p.id) "
    f"FROM {Patient._meta.db_table} p INNER JOIN {Clinic._meta.db_table} c ON c.id = p.clinic_id "
    "WHERE p.uuid = %s"
)


def _patient_with_standing(user: AbstractBaseUser, patient_id: object) -> tuple[Patient, str, bool]:
    """The patient (its clinic loaded) and ``user``'s role in its clinic and guardianship.

    Raises ``Patient.DoesNotExist`` for an unknown id, ``ValidationError`` for a malformed one.
    """
    connection = connections[router.db_for_read(Patient) or DEFAULT_DB_ALIAS]
    key = Patient._meta.get_field("uuid").get_db_prep_value(patient_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(_PATIENT_SQL, [user.pk, user.pk, key])
        row = cursor.fetchone()
    if row is None:
        raise Patient.DoesNotExist
    patient = _PATIENT_COLUMNS.read(row, 0, connection)
    patient._state.fields_cache["clinic"] = _CLINIC_COLUMNS.read(row, len(_PATIENT_COLUMNS), connection)
    role, guardian = row[-2:]
    return patient, role or "", bool(guardian)


def get_patient_for(user: AnyUser | None, patient_id: object, action: Action = Action.VIEW) -> Patient:
    """Fetch one patient by public id; 404 if invisible, 403 if visible but not allowed.

    For staff and parents the row comes with the caller's role in its clinic and whether
    they are its guardian, in one query; visibility is decided from those (the same rule
    as ``patients_visible_to``), and the checks that follow (this action, the audit's
    role, a second action) ask nothing more.
    """
    if not _is_active(user) or user.is_superuser:
        try:
            patient = patients_visible_to(user, Action.VIEW).get(uuid=patient_id)
        except _NOT_FOUND as exc:  # a malformed UUID is as missing as an unknown one
            raise not_visible(Patient.objects.all(), "", uuid=patient_id) from exc
    else:
        try:
            patient, role, guardian = _patient_with_standing(user, patient_id)
        except _NOT_FOUND as exc:
            raise not_visible(Patient.objects.all(), "", uuid=patient_id) from exc
        if role not in _roles_with(Action.VIEW) and not guardian:
            raise NotVisible(_("Not found."), object_type="patient", object_id=patient.uuid, patient=patient)
        setattr(patient, _STANDING, (user.pk, role, guardian))
    if action != Action.VIEW:
        require(user, action, patient)
    return patient


def get_for(
    user: AnyUser | None,
    queryset: models.QuerySet[M],
    action: Action = Action.VIEW,
    patient_field: str = "patient",
    **lookup: object,
) -> M:
    """Fetch one patient record visible to ``user``; 404 otherwise."""
    try:
        return restrict(queryset, user, action, patient_field).get(**lookup)
    except _NOT_FOUND as exc:
        raise not_visible(queryset, patient_field, **lookup) from exc


def is_staff_member(user: AnyUser | None) -> bool:
    """True for users with any clinic membership (or superusers)."""
    if not _is_active(user):
        return False
    return user.is_superuser or Membership.objects.filter(user=user).exists()


# Who a case may be given to, and who hears of an urgent episode: staff roles, decided here.
ASSIGNABLE_ROLES: tuple[str, ...] = (Role.CLINICIAN,)
ALERTED_ROLES: tuple[str, ...] = (Role.CLINICIAN, Role.REVIEWER)


def staff_of(clinic_ids: Iterable[int], roles: Iterable[str]) -> models.QuerySet:
    """Active users holding one of ``roles`` in every clinic of ``clinic_ids``."""
    wanted = set(clinic_ids)
    return (
        get_user_model().objects.filter(
            is_active=True, memberships__clinic_id__in=wanted, memberships__role__in=list(roles)
        )
        .annotate(n_clinics=Count("memberships__clinic", distinct=True))
        .filter(n_clinics=len(wanted))
        .order_by("last_name", "first_name", "username")
    )


def case_assignees(clinic_ids: Iterable[int]) -> models.QuerySet:
    """Clinicians who may take cases of all the given clinics."""
    return staff_of(clinic_ids, ASSIGNABLE_ROLES)


def alert_recipients(clinic_id: int) -> models.QuerySet:
    """Staff of the clinic who are told of an urgent or emergency episode."""
    return staff_of([clinic_id], ALERTED_ROLES)



# --- Clinic-wide exports (FHIR Bulk Data $export, interop/bulk.py) -------------------------

def get_clinic_for_export(user: AnyUser | None, clinic_id: object) -> Clinic:
    """A clinic whose whole record ``user`` may export: 404 if it is not theirs, 403 if they
    work there without Action.EXPORT (a reviewer)."""
    try:
        clinic = clinics_for(user, Action.VIEW).get(uuid=clinic_id)
    except _NOT_FOUND as exc:
        raise NotVisible(_("Not found."), object_type="clinic", object_id=clinic_id) from exc
    if not clinics_for(user, Action.EXPORT).filter(pk=clinic.pk).exists():
        raise NotAllowed(_("You may not export this clinic's records."), object_type="clinic",
                         object_id=clinic.uuid)
    return clinic


def may_fetch_bulk_export(user: AnyUser | None, *, clinic_id: int, requested_by_id: int) -> bool:
    """A bulk export's status and files: only the user who asked for it, while they still
    may export that clinic (an export holds every child's record)."""
    return (_is_active(user) and user.pk == requested_by_id
            and clinics_for(user, Action.EXPORT).filter(pk=clinic_id).exists())

# Where a signed-in person starts. A reviewer who is nowhere a clinician works the queue;
# other staff start at the patient list; parents at their children (home itself).
LANDING_QUEUE, LANDING_PATIENTS, LANDING_FAMILY = "review:queue", "patient-list", ""


def landing_for(user: AnyUser | None) -> str:
    """The URL name a user's home page sends them to ("" for a parent's own home)."""
    if not _is_active(user):
        return LANDING_FAMILY
    if user.is_superuser:
        return LANDING_PATIENTS
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if not roles:
        return LANDING_FAMILY
    if Role.REVIEWER in roles and Role.CLINICIAN not in roles:
        return LANDING_QUEUE
    return LANDING_PATIENTS


# --- Secure messages -------------------------------------------------------------------
# One thread per child between two sides: its guardians (the family) and the clinic's
# clinicians and reviewers (Action.MESSAGE). Clinic admins run the clinic, not its care:
# they see the child's record but not the family's messages.
FAMILY_SIDE = "family"
CLINIC_SIDE = "clinic"
MESSAGING_ROLES: tuple[str, ...] = tuple(_roles_with(Action.MESSAGE))


def can_message(user: AnyUser | None, patient: Patient) -> bool:
    """Whether ``user`` may read and write ``patient``'s thread."""
    return can(user, Action.MESSAGE, patient)


def message_side(user: AnyUser | None, patient: Patient) -> str | None:
    """The side ``user`` writes for in ``patient``'s thread, or None when they may not.

    A guardian writes for the family even if they also work at the clinic: a parent
    asking about their own child is the family asking, and their colleagues answer.
    """
    if not _is_active(user):
        return None
    if Guardianship.objects.filter(user=user, patient=patient).exists():
        return FAMILY_SIDE
    return CLINIC_SIDE if can(user, Action.MESSAGE, patient) else None


def get_thread_patient_for(user: AnyUser | None, patient_id: object) -> Patient:
    """The child whose thread ``user`` opens: 404 if invisible, 403 if visible but not theirs."""
    return get_patient_for(user, patient_id, Action.MESSAGE)


def threads_visible_to(queryset: models.QuerySet[M], user: AnyUser | None,
                       patient_field: str = "patient") -> models.QuerySet[M]:
    """Narrow threads (or messages, through ``patient_field``) to those ``user`` may open."""
    return restrict(queryset, user, Action.MESSAGE, patient_field)


def inbox_clinics(user: AnyUser | None) -> models.QuerySet[Clinic]:
    """Clinics whose message inbox ``user`` works: staff with Action.MESSAGE there."""
    return clinics_for(user, Action.MESSAGE)


def can_mark_message_in_error(user: AnyUser | None, author_id: int | None, patient: Patient) -> bool:
    """Only a message's author marks it sent in error, while they may still message the child."""
    return _is_active(user) and author_id == user.pk and can_message(user, patient)


def message_recipients(patient: Patient, side: str) -> models.QuerySet:
    """Who is told by e-mail that ``side`` has a new message in ``patient``'s thread."""
    if side == FAMILY_SIDE:
        return get_user_model().objects.filter(
            is_active=True, guardianships__patient=patient).order_by("username")
    return staff_of([patient.clinic_id], MESSAGING_ROLES)
