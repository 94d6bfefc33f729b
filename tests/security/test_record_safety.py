"""No clinical row is hard-deleted, and a signed evaluation never changes, by page, API or admin."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from evaluations.models import Evaluation
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.security.test_url_coverage import OBJECT, ROUTES, fingerprint, url_of

API_OBJECTS = sorted(name for name, route in ROUTES.items() if route.api and route.access == OBJECT)


@pytest.mark.parametrize("name", API_OBJECTS)
def test_no_api_route_deletes(client, world, records, name):
    """DELETE is not offered anywhere, even to the clinician who may chart."""
    before = fingerprint(records)
    response = client_for(client, world.clinician).delete(url_of(name, records))
    assert response.status_code == 405, name
    assert fingerprint(records) == before


def test_no_page_route_deletes(client, world, records):
    """A DELETE to a page is refused or read as a GET; nothing goes away."""
    client = client_for(client, world.clinician)
    before = fingerprint(records)
    for name, route in ROUTES.items():
        if route.access == OBJECT and not route.api:
            assert client.delete(url_of(name, records)).status_code in (200, 302, 405), name
    assert fingerprint(records) == before


def _signed_snapshot(evaluation):
    return list(Evaluation.objects.filter(pk=evaluation.pk).values())


def test_signed_evaluation_is_immutable_through_the_page(client, world, records):
    signed = records.evaluation
    before = _signed_snapshot(signed)
    client = client_for(client, world.clinician)
    url = reverse("evaluation-edit", kwargs={"evaluation_id": signed.uuid})
    assert client.get(url).status_code == 302
    response = client.post(url, {"history": "rewritten", "version": str(signed.version)})
    assert response.status_code == 302
    assert _signed_snapshot(signed) == before


@pytest.mark.parametrize("method", ["patch", "put"])
def test_signed_evaluation_is_immutable_through_the_api(client, world, records, method):
    signed = records.evaluation
    before = _signed_snapshot(signed)
    client = client_for(client, world.clinician)
    response = getattr(client, method)(
        f"/api/v1/evaluations/{signed.uuid}/",
        json.dumps({"history": "rewritten", "version": signed.version}),
        content_type="application/json",
    )
    assert response.status_code == 409
    response = client.post(f"/api/v1/evaluations/{signed.uuid}/sign/",
                           json.dumps({"version": signed.version}), content_type="application/json")
    assert response.status_code == 409
    assert _signed_snapshot(signed) == before


def test_signed_evaluation_is_immutable_through_the_admin(client, world, records):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    signed = records.evaluation
    before = _signed_snapshot(signed)
    response = client_for(client, root).post(
        reverse("admin:evaluations_evaluation_change", args=[signed.pk]),
        {"history": "rewritten", "tone": "normal"},
    )
    assert response.status_code in (302, 403)
    assert _signed_snapshot(signed) == before


def test_amending_keeps_the_signed_original(client, world, records):
    signed = records.evaluation
    before = _signed_snapshot(signed)
    response = client_for(client, world.clinician).post(
        reverse("evaluation-amend", kwargs={"evaluation_id": signed.uuid}))
    assert response.status_code == 302
    assert Evaluation.objects.filter(amends=signed).count() == 1
    assert _signed_snapshot(signed) == before


def test_audit_events_cannot_be_changed_or_deleted_in_the_admin(client, world, records):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    event = AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    client = client_for(client, root)
    assert client.post(reverse("admin:clinic_auditevent_delete", args=[event.pk]),
                       {"post": "yes"}).status_code == 403
    client.post(reverse("admin:clinic_auditevent_changelist"),
                {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
