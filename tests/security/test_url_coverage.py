"""Every route has a stated access behaviour, and another tenant gets 404 for every object.

``ROUTES`` lists each URL name with how it is reached. A new page or endpoint that is
not listed here fails ``test_every_route_is_listed``: add it with its access behaviour
(and its matrix tests in the app's folder). The admin is covered model by model
(``ADMIN_MODELS``), since its URLs are generated.

Then, with real ids of ``world.patient``'s records, a clinician of another clinic and
a parent of another child get 404 for every object-bearing URL and method (never 403,
never 200) and nothing changes; an anonymous caller is sent to the login page (pages)
or gets 401 (API).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import client_for

PUBLIC, LOGIN, OBJECT = "public", "login", "object"
ADMIN = "admin"  # an admin URL outside admin.site's namespace: walked by test_admin_walk.py


@dataclass(frozen=True)
class Route:
    """How a route is reached: by anyone, by any signed-in user, or through one record."""

    access: str
    obj: str = ""  # the Records attribute whose id fills the URL (OBJECT routes)
    methods: tuple[str, ...] = ("GET",)
    api: bool = False


ROUTES: dict[str, Route] = {
    # health checks for load balancers: no session, no data (tests/ops/test_health.py)
    "health-live": Route(PUBLIC),
    "health-ready": Route(PUBLIC),
    # clinic core
    "home": Route(LOGIN),
    # a guardian's own contact details; nobody else's rows are reachable (test_contact_details.py)
    "contact-details": Route(LOGIN, methods=("GET", "POST")),
    "patient-list": Route(LOGIN),
    "patient-create": Route(LOGIN, methods=("GET", "POST")),
    "patient-detail": Route(OBJECT, "patient"),
    "patient-edit": Route(OBJECT, "patient", ("GET", "POST")),
    "patient-seizure-plan": Route(OBJECT, "patient", ("GET", "POST")),
    "invitation-create": Route(OBJECT, "patient", ("POST",)),
    "invitation-accept": Route(PUBLIC),
    # the language switch: a cookie for anyone, the choice kept for a signed-in user
    # (tests/i18n/test_spanish_answers.py); no record is reached through it
    "set_language": Route(PUBLIC, methods=("POST",)),
    # review
    "review:queue": Route(LOGIN),
    "review:case": Route(OBJECT, "case"),
    "review:assign": Route(OBJECT, "case", ("POST",)),
    "review:acknowledge": Route(OBJECT, "case", ("POST",)),
    "review:note": Route(OBJECT, "case", ("POST",)),
    "review:resolve": Route(OBJECT, "case", ("POST",)),
    "review:call": Route(OBJECT, "case", ("POST",)),  # tests/review/test_family_contacts.py
    "review:dashboard": Route(LOGIN),
    "review:csv": Route(LOGIN),
    "review:rows": Route(LOGIN),
    "admin-view-on-site": Route(ADMIN, methods=()),
    # accounts (django.contrib.auth)
    "login": Route(PUBLIC),
    "logout": Route(PUBLIC, methods=("POST",)),
    "password_change": Route(LOGIN),
    "password_change_done": Route(LOGIN),
    "password_reset": Route(PUBLIC),
    "password_reset_done": Route(PUBLIC),
    "password_reset_confirm": Route(PUBLIC),
    "password_reset_complete": Route(PUBLIC),
    # second factor (clinic/mfa_views.py): the caller's own account only, no patient object
    "mfa-manage": Route(LOGIN),
    "mfa-verify": Route(LOGIN, methods=("GET", "POST")),
    "mfa-setup": Route(LOGIN, methods=("GET", "POST")),
    "mfa-recovery-codes": Route(LOGIN, methods=("POST",)),
    "mfa-disable": Route(LOGIN, methods=("POST",)),
    # API
    "api:api-token": Route(PUBLIC, methods=("POST",), api=True),
    "api:api-me": Route(LOGIN, api=True),
    # the caller's own tokens (clinic/api.py TokenViewSet); another user's id answers 404
    "api:token-list": Route(LOGIN, api=True),
    "api:token-detail": Route(LOGIN, methods=("DELETE",), api=True),
    "api:api-schema": Route(PUBLIC, api=True),  # the contract only, no patient data
    "api:api-docs": Route(PUBLIC, api=True),
    "api:patient-list": Route(LOGIN, methods=("GET", "POST"), api=True),
    "api:patient-detail": Route(OBJECT, "patient", ("GET", "PATCH", "PUT"), api=True),
    "api:patient-fhir": Route(OBJECT, "patient", api=True),
    # a clinic's bulk export and its job: access matrix in tests/api/test_bulk_export.py
    "api:clinic-export": Route(LOGIN, api=True),
    "api:bulk-export-status": Route(LOGIN, api=True),
    "api:bulk-export-file": Route(LOGIN, api=True),
    "api:patient-seizure-plan": Route(OBJECT, "patient", ("GET", "PUT"), api=True),
    "api:episode-list": Route(LOGIN, methods=("GET", "POST"), api=True),
    "api:episode-assess": Route(LOGIN, methods=("POST",), api=True),
    "api:episode-detail": Route(OBJECT, "episode", api=True),
    "api:episode-attachments": Route(OBJECT, "episode", ("POST",), api=True),
    "api:episode-mark-in-error": Route(OBJECT, "episode", ("POST",), api=True),
    "api:episode-confirm-sign": Route(OBJECT, "episode", ("POST",), api=True),
    "api:attachment-download": Route(OBJECT, "attachment", api=True),
    "api:evaluation-list": Route(LOGIN, methods=("GET", "POST"), api=True),
    "api:evaluation-detail": Route(OBJECT, "draft", ("GET", "PATCH", "PUT"), api=True),
    "api:evaluation-sign": Route(OBJECT, "draft", ("POST",), api=True),
    "api:evaluation-amend": Route(OBJECT, "evaluation", ("POST",), api=True),
    "api:suggestion-list": Route(LOGIN, api=True),
    "api:suggestion-detail": Route(OBJECT, "suggestion", api=True),
    "api:suggestion-accept": Route(OBJECT, "suggestion", ("POST",), api=True),
    "api:suggestion-dismiss": Route(OBJECT, "suggestion", ("POST",), api=True),
    "api:order-list": Route(LOGIN, methods=("GET", "POST"), api=True),
    "api:order-detail": Route(OBJECT, "order", ("GET", "PATCH", "PUT"), api=True),
    "api:milestone-list": Route(LOGIN, api=True),
    # episodes pages
    "episode-diary": Route(OBJECT, "patient"),
    "episode-report": Route(OBJECT, "patient", ("GET", "POST")),
    "episode-quick-log": Route(OBJECT, "patient", ("POST",)),
    "episode-summary": Route(OBJECT, "patient"),
    "episode-detail": Route(OBJECT, "episode"),
    "episode-mark-in-error": Route(OBJECT, "episode", ("GET", "POST")),
    "episode-add": Route(OBJECT, "episode", ("POST",)),
    "episode-confirm-sign": Route(OBJECT, "episode", ("POST",)),
    "attachment-download": Route(OBJECT, "attachment"),
    "episode-guide": Route(PUBLIC),
    # evaluations pages
    "chart": Route(OBJECT, "patient"),
    "evaluation-create": Route(OBJECT, "patient", ("GET", "POST")),
    "evaluation-preview": Route(OBJECT, "patient", ("POST",)),
    "patient-orders": Route(OBJECT, "patient"),
    "order-create": Route(OBJECT, "patient", ("POST",)),
    "evaluation-detail": Route(OBJECT, "evaluation"),
    "evaluation-edit": Route(OBJECT, "draft", ("GET", "POST")),
    "evaluation-amend": Route(OBJECT, "evaluation", ("POST",)),
    "suggestion-accept": Route(OBJECT, "suggestion", ("POST",)),
    "suggestion-dismiss": Route(OBJECT, "suggestion", ("POST",)),
    "order-update": Route(OBJECT, "order", ("POST",)),
    # secure messages (tests/messaging/test_access_matrix.py)
    "messaging:thread": Route(OBJECT, "patient", ("GET", "POST")),
    "messaging:inbox": Route(LOGIN),
    "messaging:sent-in-error": Route(OBJECT, "message", ("GET", "POST")),
    "messaging:attachment": Route(OBJECT, "message_attachment"),
    "api:patient-message-list": Route(OBJECT, "patient", ("GET", "POST"), api=True),
    "api:message-read": Route(OBJECT, "message", ("POST",), api=True),
    "api:message-sent-in-error": Route(OBJECT, "message", ("POST",), api=True),
    "api:message-attachment-download": Route(OBJECT, "message_attachment", api=True),
}

# Every model in the admin, with the access action its rows are narrowed by for staff
# who are not superusers ("superuser" = only superusers may open it at all).
ADMIN_MODELS: dict[str, str] = {
    "auth.group": "superuser",
    "auth.user": "superuser",
    "knox.authtoken": "superuser",
    "otp_static.staticdevice": "superuser",
    "otp_totp.totpdevice": "superuser",
    "axes.accessattempt": "superuser",
    "axes.accessfailurelog": "superuser",
    "axes.accesslog": "superuser",
    "clinic.auditevent": "review",
    "clinic.clinic": "view",
    "clinic.guardianship": "manage",
    "clinic.invitation": "manage",
    "clinic.membership": "manage",
    "clinic.patient": "view_chart",
    "clinic.reviewcase": "review",
    "django_tasks_database.dbtaskresult": "superuser",
    "episodes.episode": "view_chart",
    "episodes.episodeattachment": "view_chart",
    "evaluations.evaluation": "view_chart",
    "evaluations.followuporder": "view",
    "evaluations.suggestion": "view_chart",
    "messaging.message": "message",
    "messaging.messageattachment": "message",
    "messaging.thread": "message",
}


def _walk(patterns: list[Any], namespace: str = "") -> list[str]:
    names: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = ":".join(part for part in (namespace, inner) if part)
            names += _walk(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            names.append(f"{namespace}:{name}" if namespace else name)
    return names


def all_route_names() -> list[str]:
    return _walk(get_resolver().url_patterns)


def test_every_route_is_listed():
    names = [name for name in all_route_names() if not name.startswith("admin:")]
    missing = sorted(set(names) - set(ROUTES))
    assert not missing, f"routes without a stated access behaviour (add them to ROUTES): {missing}"
    stale = sorted(set(ROUTES) - set(names))
    assert not stale, f"ROUTES lists routes that no longer exist: {stale}"


def test_every_admin_model_is_listed():
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), (
        f"unlisted: {sorted(registered - set(ADMIN_MODELS))}; "
        f"stale: {sorted(set(ADMIN_MODELS) - registered)}"
    )


# How each scoped admin's rows reach a patient ("" = the row is the patient).
ADMIN_PATIENT_PATHS = {
    "clinic.auditevent": "patient", "clinic.guardianship": "patient",
    "clinic.invitation": "patient", "clinic.patient": "", "clinic.reviewcase": "patient",
    "episodes.episode": "patient", "episodes.episodeattachment": "episode__patient",
    "evaluations.evaluation": "patient", "evaluations.followuporder": "patient",
    "evaluations.suggestion": "patient",
    "messaging.thread": "patient", "messaging.message": "thread__patient",
    "messaging.messageattachment": "message__thread__patient",
}


@pytest.mark.parametrize("label", sorted(ADMIN_PATIENT_PATHS))
def test_admin_rows_of_another_clinic_are_hidden_from_staff(rf, world, records, label):
    """Every scoped admin narrows its rows through clinic/access.py for non-superusers."""
    from clinic.models import AuditEvent, Invitation

    AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    Invitation.objects.create(patient=world.patient, email="a@example.org", token_hash="h" * 64,
                              created_by=world.clinician, expires_at=records.case.opened_at)
    model_admin = next(ma for model, ma in admin.site._registry.items()
                       if f"{model._meta.app_label}.{model._meta.model_name}" == label)
    request = rf.get("/admin/")
    request.user = world.other_clinician
    path = ADMIN_PATIENT_PATHS[label]
    field = f"{path}__id" if path else "id"
    mine = model_admin.model._default_manager.filter(**{field: world.patient.pk})
    assert mine.exists(), label  # the row exists, so hiding it means something
    assert not model_admin.get_queryset(request).filter(**{field: world.patient.pk}).exists()


def test_no_route_serves_media():
    """Uploads go out only through access-checked views: no static()/serve() route for media."""
    for pattern in get_resolver().url_patterns:
        callback = getattr(pattern, "callback", None)
        assert getattr(callback, "__name__", "") != "serve", pattern


def url_of(name: str, records: Any) -> str:
    route = ROUTES[name]
    if route.access != OBJECT:
        raise ValueError(name)
    target = getattr(records, route.obj)
    key = target.uuid
    if route.api:
        return reverse(name, kwargs={"id": key})
    kwarg = {"patient": "patient_id", "case": "case_id", "episode": "episode_id",
             "attachment": "attachment_id", "evaluation": "evaluation_id", "draft": "evaluation_id",
             "suggestion": "suggestion_id", "order": "order_id", "message": "message_id",
             "message_attachment": "attachment_id"}[route.obj]
    return reverse(name, kwargs={kwarg: key})


def _object_cases() -> list[tuple[str, str]]:
    return [(name, method) for name, route in ROUTES.items() if route.access == OBJECT
            for method in route.methods]


# A plausible body for each write, so a refusal is about access and not about input.
BODIES: dict[str, dict[str, Any]] = {
    "patient-edit": {"given_name": "Changed", "family_name": "Changed", "date_of_birth": "2026-01-01",
                     "sex": "female", "gestational_age_weeks": "40", "gestational_age_days": "0"},
    "invitation-create": {"email": "intruder@example.org", "relationship": "mother"},
    "review:note": {"text": "intruder note"},
    "review:resolve": {"outcome": "reassured", "note": "x", "family_message": "x"},
    "review:call": {"called_at": "2026-01-01T10:00", "outcome": "reached", "note": "intruder"},
    "review:assign": {"assignee": ""},
    "api:patient-detail": {"given_name": "Changed", "family_name": "Changed",
                           "date_of_birth": "2026-01-01"},
    "api:episode-mark-in-error": {"reason": "intruder"},
    "api:episode-confirm-sign": {"sign": "stiffening"},
    "api:evaluation-detail": {"history": "intruder", "version": 1},
    "api:evaluation-sign": {"version": 1},
    "api:suggestion-dismiss": {"reason": "intruder"},
    "api:order-detail": {"status": "cancelled"},
    "episode-mark-in-error": {"reason": "intruder"},
    "suggestion-dismiss": {"reason": "intruder"},
    "order-update": {"status": "cancelled"},
    "order-create": {"code": "eeg", "priority": "routine"},
    "messaging:thread": {"body": "intruder"},
    "messaging:sent-in-error": {"reason": "intruder"},
    "api:patient-message-list": {"body": "intruder"},
    "api:message-sent-in-error": {"reason": "intruder"},
    "evaluation-edit": {"history": "intruder", "version": "1"},
}


def fingerprint(records: Any) -> dict[str, Any]:
    """Everything a refused write could have changed, read fresh from the database."""
    from clinic.models import CallLog, Guardianship, Invitation, Patient, ReviewCase
    from episodes.models import Episode, EpisodeAttachment
    from evaluations.models import Evaluation, FollowUpOrder, Suggestion
    from messaging.models import Message

    patient = records.patient
    return {
        "patient": list(Patient.objects.filter(pk=patient.pk).values()),
        "guardians": list(Guardianship.objects.filter(patient=patient).values("user_id")),
        "invitations": Invitation.objects.filter(patient=patient).count(),
        "cases": list(ReviewCase.objects.filter(patient=patient).values().order_by("id")),
        "calls": CallLog.objects.filter(case__patient=patient).count(),
        "episodes": list(Episode.objects.filter(patient=patient).values().order_by("id")),
        "attachments": EpisodeAttachment.objects.filter(episode__patient=patient).count(),
        "evaluations": list(Evaluation.objects.filter(patient=patient).values().order_by("id")),
        "suggestions": list(Suggestion.objects.filter(patient=patient).values().order_by("id")),
        "orders": list(FollowUpOrder.objects.filter(patient=patient).values().order_by("id")),
        "messages": list(Message.objects.filter(thread__patient=patient).values().order_by("id")),
    }


def _request(client: Any, name: str, method: str, url: str) -> Any:
    body = BODIES.get(name, {})
    if ROUTES[name].api and method in ("PATCH", "PUT"):
        return getattr(client, method.lower())(url, json.dumps(body), content_type="application/json")
    if method == "POST":
        return client.post(url, body)
    return client.get(url)


@pytest.mark.parametrize("role", ["other_clinician", "other_parent"])
@pytest.mark.parametrize(("name", "method"), _object_cases())
def test_other_tenant_gets_404_for_every_record(client, world, records, role, name, method):
    before = fingerprint(records)
    response = _request(client_for(client, world.user(role)), name, method, url_of(name, records))
    assert response.status_code == 404, (name, method, response.status_code)
    assert records.patient.given_name not in response.content.decode(errors="replace")
    assert fingerprint(records) == before
    # The refusal is audited with the attempted record's patient, as a read or a write.
    from clinic.models import AuditEvent

    denied = AuditEvent.objects.filter(actor=world.user(role), patient=records.patient)
    assert list(denied.values_list("action", flat=True)) == [
        "deny_read" if method == "GET" else "deny_write"], (name, method)


@pytest.mark.parametrize(("name", "method"), _object_cases())
def test_anonymous_is_sent_to_login_for_every_record(client, records, name, method):
    before = fingerprint(records)
    response = _request(client, name, method, url_of(name, records))
    if ROUTES[name].api:
        assert response.status_code == 401, (name, method, response.status_code)
    else:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert fingerprint(records) == before


@pytest.mark.parametrize("name", [n for n, r in ROUTES.items() if r.access == LOGIN and "GET" in r.methods])
def test_login_routes_refuse_anonymous(client, world, name):
    job = "00000000-0000-0000-0000-000000000000"
    kwargs = {"review:csv": {"table": "open_cases"}, "review:rows": {"kind": "episodes"},
              "api:clinic-export": {"id": job}, "api:bulk-export-status": {"job": job},
              "api:bulk-export-file": {"job": job, "resource_type": "Patient"}}.get(name, {})
    response = client.get(reverse(name, kwargs=kwargs))
    if ROUTES[name].api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
