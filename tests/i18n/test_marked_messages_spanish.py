"""Texts of the service layer, the request guards and the e-mails read in Spanish when asked.

Each was once a bare English string (the audit of issue 13's leftovers); each test would fail
if the text lost its gettext mark or its Spanish.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic import services as clinic_services
from clinic.models import Role
from episodes.models import Episode
from tests.conftest import client_for
from tests.episodes.helpers import make_episode
from tests.evaluations.helpers import signed, worrying_data

pytestmark = pytest.mark.django_db

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    # Autouse, so the clock stops before `world` builds the children: ages and report times
    # are the same on any day the suite runs.
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def test_the_json_depth_guard_answers_in_the_readers_language(api):
    # The guard answers before LocaleMiddleware: it reads the language from the request itself.
    body = _nested(settings.MAX_JSON_DEPTH + 5)
    spanish = api.post("/api/v1/auth/tokens/", body, content_type="application/json", **ES)
    assert spanish.status_code == 400
    assert spanish.json()["detail"] == (
        f"El cuerpo JSON tiene demasiados niveles anidados (como máximo {settings.MAX_JSON_DEPTH}).")
    english = api.post("/api/v1/auth/tokens/", body, content_type="application/json")
    assert english.json()["detail"].startswith("The JSON body is nested too deeply")


def test_the_size_guard_answers_in_spanish(api):
    too_large = settings.MAX_REQUEST_BYTES + 1
    response = api.generic("POST", "/api/v1/auth/tokens/", b"{}", content_type="application/json",
                           CONTENT_LENGTH=str(too_large), **ES)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("La solicitud es demasiado grande (como máximo ")


def test_the_apis_refusals_come_in_spanish(api, world):
    api.force_authenticate(world.parent)  # sees the child, may not chart
    refused = api.post("/api/v1/evaluations/", {"patient": str(world.patient.uuid)}, format="json", **ES)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "No puede registrar evaluaciones para este paciente."
    api.force_authenticate(world.other_parent)  # does not see the child at all
    unknown = api.post("/api/v1/evaluations/", {"patient": str(world.patient.uuid)}, format="json", **ES)
    assert unknown.status_code == 400 and unknown.json()["patient"] == "No existe ese paciente."


def test_a_signed_evaluation_refuses_a_change_in_spanish(api, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    evaluation = signed(world.patient, world.clinician, worrying_data())
    api.force_authenticate(world.clinician)
    response = api.patch(f"/api/v1/evaluations/{evaluation.uuid}/", {"plan": "x", "version": 2},
                         format="json", **ES)
    assert response.status_code == 409
    assert response.json()["detail"] == "Esta evaluación está firmada: corríjala para cambiar algo."


def test_the_403_page_shows_the_refusal_in_spanish(client, world):
    client_for(client, world.parent)
    response = client.get("/patients/new/", **ES)
    assert response.status_code == 403 and "No puede añadir pacientes." in response.content.decode()


def test_marking_a_report_as_a_mistake_confirms_in_spanish(client, world):
    episode = make_episode(world.patient, world.parent)
    client_for(client, world.parent)
    response = client.post(reverse("episode-mark-in-error", kwargs={"episode_id": episode.uuid}),
                           {"reason": "Lo registré dos veces"}, follow=True, **ES)
    assert "El reporte está marcado como un error. Queda en el expediente." in response.content.decode()


def test_the_quick_logs_note_reads_in_the_readers_language(client, world):
    client_for(client, world.parent)
    client.post(reverse("episode-quick-log", kwargs={"patient_id": world.patient.uuid}),
                {"body_part": "right_foot", "state": "asleep", "client_id": str(uuid.uuid4()),
                 "time_zone": "Europe/Madrid"})
    episode = Episode.objects.get()
    # Stored in English like every record text; shown in Spanish to a Spanish reader.
    assert episode.notes.startswith("Logged with the quick log")
    spanish = client.get(episode.get_absolute_url(), **ES).content.decode()
    assert "Registrado con el registro rápido: un solo espasmo breve, sin signos de alarma." in spanish
    assert "Logged with the quick log" in client.get(episode.get_absolute_url()).content.decode()


def test_accepting_an_invitation_welcomes_in_spanish(client, world):
    _, token = clinic_services.invitation_create(
        patient=world.patient, email="papa@example.org", relationship="father",
        created_by=world.clinic_admin)
    response = client.post(reverse("invitation-accept", kwargs={"token": token}), {
        "username": "papa", "password1": "a-long-pass-2026", "password2": "a-long-pass-2026",
    }, follow=True, **ES)
    assert f"Ya puede seguir la atención de {world.patient.given_name}." in response.content.decode()


def test_an_invitation_for_another_address_is_refused_in_spanish(client, world):
    _, token = clinic_services.invitation_create(
        patient=world.patient, email="someone-else@example.org", relationship="father",
        created_by=world.clinic_admin)
    client_for(client, world.other_parent)
    page = client.get(reverse("invitation-accept", kwargs={"token": token}), **ES).content.decode()
    assert "Esta invitación se envió a otra dirección de correo." in page


def test_the_staff_invitation_mail_is_in_english_and_spanish(client, world, mailoutbox):
    world.clinic_admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="clinic"))
    client.force_login(world.clinic_admin)
    client.post(reverse("admin:clinic_invitation_add"),
                {"email": "newdoc@example.org", "clinic": world.clinic.pk, "role": Role.CLINICIAN})
    (mail,) = mailoutbox
    assert mail.subject == f"Your invitation to {world.clinic.name} / Su invitación a {world.clinic.name}"
    assert f"{world.clinic.name} invites you to join as " in mail.body
    assert f"{world.clinic.name} le invita a unirse como " in mail.body
    # One link, the same in both languages.
    assert len(set(re.findall(r"https?://\S+", mail.body))) == 1


def test_a_validation_error_of_a_model_reads_in_spanish(api, world):
    api.force_authenticate(world.parent)
    body = json.dumps({"patient": str(world.patient.uuid), "started_at": "2026-06-10T08:50:00Z",
                       "duration_seconds": 5, "body_parts": ["left_foot", "left_foot"],
                       "state": "asleep", "pattern": "isolated",
                       "stops_when_held_or_woken": "not_tried", "signs": []})
    response = api.post("/api/v1/episodes/assess/", body, content_type="application/json", **ES)
    assert response.status_code == 400, response.content
    assert "Cada parte del cuerpo puede aparecer una sola vez." in response.content.decode()
