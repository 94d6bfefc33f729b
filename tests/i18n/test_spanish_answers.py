"""The API and the pages answer in the reader's language; the choice is kept (issue 13)."""

from __future__ import annotations

import pytest

from clinic.models import UserPreference
from tests.conftest import client_for
from tests.episodes.helpers import EMERGENCY, ROUTINE, URGENT, payload

pytestmark = pytest.mark.django_db

SOON = {**ROUTINE, "signs": ["vomiting"]}
HEADLINES = {
    "emergency": "Llame ahora al número de emergencias de su zona.",
    "urgent": "Hable hoy con su pediatra o con un servicio de atención urgente.",
    "soon": "Pida cita con su pediatra para los próximos días.",
    "routine": "Esto se parece a los espasmos que tienen muchos bebés sanos.",
}


@pytest.mark.parametrize(("kind", "level"), [(EMERGENCY, "emergency"), (URGENT, "urgent"),
                                             (SOON, "soon"), (ROUTINE, "routine")])
def test_assess_answers_in_spanish_for_each_level(api, world, kind, level):
    api.force_authenticate(world.parent)
    response = api.post("/api/v1/episodes/assess/", payload(world.patient, kind), format="json",
                        HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    answer = response.json()
    assert response["Content-Language"] == "es"
    assert answer["level"] == level and answer["headline"] == HEADLINES[level]
    assert "emergencias" in answer["advice"] or level == "emergency"
    assert all(r["explanation"] and "the" not in r["explanation"].split() for r in answer["reasons"])


def test_assess_stays_english_without_a_spanish_browser(api, world):
    api.force_authenticate(world.parent)
    response = api.post("/api/v1/episodes/assess/", payload(world.patient, URGENT), format="json")
    assert response["Content-Language"] == "en"
    assert response.json()["headline"] == "Contact your pediatrician or an urgent care service today."


def test_notes_explanation_in_spanish_keeps_the_parents_words(api, world):
    api.force_authenticate(world.parent)
    answer = api.post("/api/v1/episodes/assess/", payload(world.patient, ROUTINE, notes="se puso rígido"),
                      format="json", HTTP_ACCEPT_LANGUAGE="es").json()
    notes = next(r for r in answer["reasons"] if r["rule"] == "EP-NOTES-DANGER")
    assert notes["explanation"].startswith("Sus notas mencionan “rígido”")
    # The source's plain words too; the source keys name documents and stay.
    assert notes["source"] == "decisión de diseño (el lado más seguro)"


def test_login_page_follows_accept_language_and_offers_the_switch(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in page and "Iniciar sesión" in page and 'data-testid="language-switch"' in page


def test_the_switch_keeps_the_choice_on_the_user_and_in_the_cookie(client, world):
    client_for(client, world.parent)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "es"
    assert UserPreference.objects.get(user=world.parent).language == "es"
    assert "Mis hijos" in client.get("/").content.decode()


def test_a_stored_choice_applies_at_login_on_a_new_device(client, world):
    world.parent.set_password("pw-for-test-2026")
    world.parent.save()
    UserPreference.objects.create(user=world.parent, language="es")
    response = client.post("/accounts/login/", {"username": "parent", "password": "pw-for-test-2026"})
    assert response.cookies["django_language"].value == "es"
    assert "Mis hijos" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_language_we_do_not_offer_is_refused(client, world):
    client_for(client, world.parent)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert not UserPreference.objects.filter(user=world.parent, language="xx").exists()


@pytest.mark.parametrize("role", ["parent", "other_parent", "clinician", "reviewer", "clinic_admin",
                                  "other_clinician", "anonymous"])
def test_every_role_may_switch_and_only_a_signed_in_user_keeps_it(client, world, role, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False  # the second factor has its own test below
    user = world.user(role)
    client_for(client, user)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "es"
    stored = UserPreference.objects.filter(language="es").values_list("user__username", flat=True)
    assert list(stored) == ([] if user is None else [user.username])


def test_a_sign_in_that_owes_its_second_factor_does_not_write_the_account(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client_for(client, world.clinician)  # signed in by password only: the second factor is owed
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.cookies["django_language"].value == "es"
    assert not UserPreference.objects.filter(user=world.clinician, language="es").exists()


def test_the_switch_never_redirects_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_the_parents_invitation_mail_is_in_english_and_spanish(client, world, mailoutbox, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client_for(client, world.clinician)
    client.post(f"/patients/{world.patient.uuid}/invite/", {"email": "mama@example.org",
                                                           "relationship": "mother"})
    (mail,) = mailoutbox
    assert mail.subject == "Your invitation to Riverside / Su invitación a Riverside"
    assert "invites you to follow Noah's care" in mail.body
    assert "le invita a seguir en línea la atención de Noah" in mail.body
