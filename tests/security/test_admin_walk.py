"""Every admin URL pattern, walked as a clinic admin against another clinic's ids.

The clinic admin of Riverside holds every model permission of the clinic, episodes and
evaluations apps (the strongest staff account short of a superuser). Each URL pattern
of ``admin.site`` (changelists, add, change, delete, history, simple-history's past
versions and revert, the "view on site" redirect, custom actions, autocomplete and the
site pages) is requested with Hillcrest's ids, by GET and by POST. Object URLs must
answer 404 or 403; no answer may carry Hillcrest's data; nothing of Hillcrest changes.

A pattern whose shape the walker does not know fails the walk, so a new admin URL
cannot slip past it. ``WALKED`` counts what was covered (see the report in the issue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver

from clinic.models import AuditEvent, Invitation, Membership, ReviewCase
from tests.security.test_url_coverage import fingerprint

MARKERS = ("Zyxforeign", "HC-SECRET-9", "Hillcrest", "foreign-note-7731", "otherclinician")
DENIED = {403, 404}


@dataclass
class Walk:
    patterns: set[str] = field(default_factory=set)
    requests: int = 0
    failures: list[str] = field(default_factory=list)


@pytest.fixture
def foreign(world: Any) -> dict[str, Any]:
    """One Hillcrest row of every admin model, with text that must never show."""
    from evaluations import services as evaluation_services
    from tests.episodes.helpers import URGENT, add_video, make_episode
    from tests.evaluations.helpers import signed, worrying_data
    from tests.factories import GuardianshipFactory, UserFactory

    child = world.foreign_patient
    child.family_name, child.mrn = "Zyxforeign", "HC-SECRET-9"
    child.save()
    mum = UserFactory(username="foreignmum")
    guardianship = GuardianshipFactory(user=mum, patient=child)
    episode = make_episode(child, mum, URGENT, notes="foreign-note-7731")
    attachment = add_video(episode, mum)
    evaluation = signed(child, world.other_clinician, worrying_data())
    order = evaluation_services.order_create(patient=child, by=world.other_clinician, code="eeg",
                                             result_notes="foreign-note-7731")
    invitation = Invitation.objects.create(
        patient=child, email="x@example.org", token_hash="f" * 64, created_by=world.other_clinician,
        expires_at=evaluation.performed_at)
    event = AuditEvent.objects.create(action="read", object_type="patient", patient=child,
                                      actor_username="otherclinician")
    episode.refresh_from_db()
    return {
        "clinic.patient": child, "clinic.guardianship": guardianship,
        "clinic.invitation": invitation, "clinic.auditevent": event,
        "clinic.reviewcase": ReviewCase.objects.get(pk=episode.review_case_id),
        "clinic.clinic": world.other_clinic,
        "clinic.membership": Membership.objects.get(user=world.other_clinician),
        "episodes.episode": episode, "episodes.episodeattachment": attachment,
        "evaluations.evaluation": evaluation, "evaluations.suggestion": evaluation.suggestions.first(),
        "evaluations.followuporder": order,
        "auth.user": world.other_clinician,
    }


@pytest.fixture
def clinic_admin(client: Any, world: Any) -> Any:
    world.clinic_admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["clinic", "episodes", "evaluations"]))
    client.force_login(world.clinic_admin)
    return client


def _label(model: Any) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _target(model: Any, foreign: dict[str, Any]) -> tuple[str, str]:
    """The pk to ask for and a past version id of that row (superuser-only models: any row)."""
    obj = foreign.get(_label(model)) or model._default_manager.order_by("pk").first()
    pk = str(obj.pk) if obj is not None else "1"
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    history = getattr(model, attribute) if attribute else None
    rows = history.filter(**{model._meta.pk.attname: pk}) if history else None  # pk is history_id
    version = rows.values_list("history_id", flat=True).first() if rows is not None else None
    return pk, str(version or 1)


def _leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


def _check(walk: Walk, what: str, response: Any, allowed: set[int], echo: tuple[str, ...] = ()) -> None:
    walk.requests += 1
    body = response.content.decode(errors="replace") if not response.streaming else ""
    for term in echo:  # a search box and its links show back what was typed: not a leak
        body = body.replace(term, "")
    changelist = (response.context or {}).get("cl") if echo else None
    if changelist is not None and changelist.result_count:
        walk.failures.append(f"{what}: found {changelist.result_count} row(s)")
    if response.status_code not in allowed:
        walk.failures.append(f"{what}: {response.status_code} not in {sorted(allowed)}")
    if leaked := _leaks(body + response.get("Location", "")):
        walk.failures.append(f"{what}: shows {leaked}")


def _model_urls(client: Any, walk: Walk, model: Any, model_admin: Any, foreign: dict[str, Any]) -> None:
    pk, version = _target(model, foreign)
    # Superuser-only models (auth, axes, tasks) have no clinic rows: a missing row sends
    # Django's admin to the index (no data) before its permission check; the rest is 403.
    denied = DENIED if _label(model) in foreign else DENIED | {302}
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for pattern in model_admin.get_urls():
        route = str(pattern.pattern)
        walk.patterns.add(f"{_label(model)} {route}")
        if route == "":
            _changelist(client, walk, base, model, model_admin, pk, foreign)
        elif route == "add/":
            _add(client, walk, base + route, model)
        elif route in ("<path:object_id>/change/", "<path:object_id>/delete/",
                       "<path:object_id>/history/", "<path:object_id>/", "<id>/password/",
                       # django-otp's TOTP device admin shows the secret as a key and a QR code.
                       "<int:pk>/config/", "<int:pk>/qrcode/"):
            url = (base + route.replace("<path:object_id>", pk).replace("<id>", pk)
                   .replace("<int:pk>", pk if pk.isdigit() else "1"))
            follow = route == "<path:object_id>/"  # a bare id redirects to its change page
            _check(walk, f"GET {url}", client.get(url, follow=follow), denied)
            _check(walk, f"POST {url}", client.post(url, {"post": "yes", "_save": "1"}, follow=follow),
                   denied)
        elif route == "^([^/]+)/history/([^/]+)/$":  # simple-history: a past version and revert
            url = f"{base}{pk}/history/{version}/"
            _check(walk, f"GET {url}", client.get(url), DENIED)
            _check(walk, f"POST {url}", client.post(url, {"_save": "1"}), DENIED)
        else:
            walk.failures.append(f"{_label(model)}: unknown admin URL shape {route!r}")


def _changelist(client: Any, walk: Walk, url: str, model: Any, model_admin: Any, pk: str,
                foreign: dict[str, Any]) -> None:
    child = foreign["clinic.patient"]
    for query in ({}, {"q": child.family_name}, {"q": child.mrn},
                  {"clinic__id__exact": foreign["clinic.clinic"].pk}, {"id__exact": pk}):
        _check(walk, f"GET {url} {query}", client.get(url, query), {200, 302, 403},
               echo=(query["q"],) if "q" in query else ())
    request = client.get(url).wsgi_request
    actions = list(model_admin.get_actions(request))
    # Without actions the admin ignores the POST and shows the (own rows) list again.
    for name in actions or ["delete_selected"]:
        for extra in ({}, {"apply": "1", "assignee": str(foreign["auth.user"].pk)}, {"post": "yes"}):
            response = client.post(url, {"action": name, "_selected_action": [pk], **extra})
            _check(walk, f"POST {url} action={name} {extra}", response,
                   DENIED if actions else DENIED | {200})


def _add(client: Any, walk: Walk, url: str, model: Any) -> None:
    """No id in the URL: the form may show, but never foreign rows, and never saves them."""
    _check(walk, f"GET {url}", client.get(url), {200, 403})
    data: dict[str, str] = {}
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation:
            related = model_field.related_model
            row = related._default_manager.order_by("-pk").first()
            data[model_field.name] = str(row.pk) if row is not None else "1"
        else:
            data[model_field.name] = "x"
    before = model._default_manager.count()
    _check(walk, f"POST {url}", client.post(url, data), {200, 403})
    if model._default_manager.count() != before:
        walk.failures.append(f"POST {url}: stored a row from another clinic's ids")


def _site_urls(client: Any, walk: Walk, foreign: dict[str, Any]) -> None:
    child = foreign["clinic.patient"]
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue
        route = str(pattern.pattern)
        walk.patterns.add(f"site {route}")
        if route in ("", "password_change/", "password_change/done/", "jsi18n/"):
            _check(walk, f"GET /admin/{route}", client.get(f"/admin/{route}"), {200})
        elif route == "login/":
            _check(walk, "GET /admin/login/", client.get("/admin/login/", follow=True), {200})
        elif route == "logout/":
            continue  # would end the walk's session; it shows no record
        elif route == "autocomplete/":
            for app, model, field_name in _autocomplete_fields():
                url = "/admin/autocomplete/"
                query = {"app_label": app, "model_name": model, "field_name": field_name,
                         "term": child.family_name[:3]}
                _check(walk, f"GET {url} {query}", client.get(url, query), {200, 403})
        elif route == "r/<path:content_type_id>/<path:object_id>/":
            for label, obj in foreign.items():
                content_type = ContentType.objects.get_for_model(obj)
                url = f"/admin/r/{content_type.pk}/{obj.pk}/"
                _check(walk, f"GET {url} ({label})", client.get(url), DENIED)
        elif route.startswith("^(?P<app_label>"):
            for app in sorted(re.findall(r"[a-z_]+", route.split(")")[0].split(">")[1])):
                _check(walk, f"GET /admin/{app}/", client.get(f"/admin/{app}/"), {200, 404})
        elif route == "(?P<url>.*)$":
            url = f"/admin/clinic/patient/{child.pk}/nonsense/"
            _check(walk, f"GET {url}", client.get(url, follow=True), {404})
        else:
            walk.failures.append(f"site: unknown admin URL shape {route!r}")


def _autocomplete_fields() -> list[tuple[str, str, str]]:
    return [(model._meta.app_label, model._meta.model_name, name)
            for model, model_admin in admin.site._registry.items()
            for name in model_admin.autocomplete_fields]


def _all_admin_patterns() -> int:
    def count(patterns: list[Any]) -> int:
        return sum(count(p.url_patterns) if isinstance(p, URLResolver) else isinstance(p, URLPattern)
                   for p in patterns)
    return count(admin.site.get_urls())


def test_every_admin_url_refuses_another_clinics_rows(clinic_admin, world, foreign, capsys):
    from types import SimpleNamespace

    before = fingerprint(SimpleNamespace(patient=world.foreign_patient))
    memberships = list(Membership.objects.values().order_by("id"))
    walk = Walk()
    for model, model_admin in admin.site._registry.items():
        _model_urls(clinic_admin, walk, model, model_admin, foreign)
    _site_urls(clinic_admin, walk, foreign)

    assert walk.failures == [], "\n".join(walk.failures)
    assert fingerprint(SimpleNamespace(patient=world.foreign_patient)) == before
    assert list(Membership.objects.values().order_by("id")) == memberships
    # Every pattern of admin.site was walked (site patterns counted once, model ones each).
    assert len(walk.patterns) == _all_admin_patterns()
    # The refusals of rows that exist were audited as denied attempts on that patient.
    assert AuditEvent.objects.filter(patient=world.foreign_patient, actor=world.clinic_admin,
                                     action__in=["deny_read", "deny_write"]).exists()
    with capsys.disabled():
        print(f"\nadmin walk: {len(walk.patterns)} URL patterns, {walk.requests} requests")
