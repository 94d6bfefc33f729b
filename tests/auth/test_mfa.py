"""Second factor for staff: no patient page, admin page or API token before it is passed.

Tests that prove enforcement turn ``MFA_REQUIRED_FOR_STAFF`` on (it defaults on with DEBUG
off, off in development and under the rest of the suite). The clock is frozen so codes
are those the authenticator app shows at that instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.auth.helpers import code_now, enrol
from tests.factories import PASSWORD

NOW = datetime(2026, 3, 10, 9, 0, 5, tzinfo=UTC)
STAFF = ["clinician", "reviewer", "clinic_admin"]
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _required(db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
    cache.clear()


def password_login(client, user):
    response = client.post(reverse("login"), {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    return response


def patient_page(world) -> str:
    return world.patient.get_absolute_url()


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_a_device_are_sent_to_set_one_up(client, world, role):
    user = world.user(role)
    response = client.get(password_login(client, user).url)
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-setup"))
    for url in [patient_page(world), reverse("patient-list"), reverse("review:queue"),
                reverse("admin:index"), reverse("password_change")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("mfa-setup")), url
    api = client.get(f"/api/v1/patients/{world.patient.uuid}/")
    assert api.status_code == 403 and world.patient.given_name not in api.content.decode()


@pytest.mark.parametrize("role", STAFF)
def test_staff_with_a_device_must_pass_it_before_any_patient_page(client, world, role):
    user = world.user(role)
    device, _codes = enrol(user)
    password_login(client, user)
    response = client.get(patient_page(world))
    assert response.status_code == 302
    assert response.url == f"{reverse('mfa-verify')}?next={patient_page(world).replace('/', '%2F')}"
    assert world.patient.given_name not in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin:clinic_patient_changelist")).status_code == 302

    response = client.post(reverse("mfa-verify"), {"code": code_now(device), "next": patient_page(world)})
    assert response.status_code == 302 and response.url == patient_page(world)
    page = client.get(patient_page(world))
    assert page.status_code == 200 and world.patient.given_name in page.content.decode()


def test_the_admin_login_page_leads_to_the_second_factor_too(client, world):
    device, _ = enrol(world.clinic_admin)
    response = client.post(reverse("admin:login"), {"username": "clinicadmin", "password": PASSWORD,
                                                    "next": reverse("admin:index")})
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa-verify"))
    client.post(reverse("mfa-verify"), {"code": code_now(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_is_refused(client, world):
    device, _ = enrol(world.clinician)
    password_login(client, world.clinician)
    wrong = f"{(int(code_now(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa-verify"), {"code": wrong})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert client.get(patient_page(world)).status_code == 302


def test_wrong_codes_count_toward_the_lockout(client, world, settings):
    device, _ = enrol(world.clinician)
    password_login(client, world.clinician)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("mfa-verify"), {"code": "000000" if attempt % 2 else "999999"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session  # the half-finished sign-in is ended
    # The right password and the right code are both refused while the lock holds.
    response = client.post(reverse("login"), {"username": "clinician", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    api = APIClient().post(TOKEN_URL, {"username": "clinician", "password": PASSWORD,
                                       "otp": code_now(device)})
    assert api.status_code in (400, 403, 429) and not AuthToken.objects.exists()


def test_a_recovery_code_works_once(client, world, django_user_model):
    _device, codes = enrol(world.reviewer)
    password_login(client, world.reviewer)
    response = client.post(reverse("mfa-verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("review:queue")).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    from django.test import Client

    again = Client()
    password_login(again, world.reviewer)
    response = again.post(reverse("mfa-verify"), {"code": codes[0]})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert again.get(reverse("review:queue")).status_code == 302
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):  # past django-otp's delay
        assert again.post(reverse("mfa-verify"), {"code": codes[1]}).status_code == 302


def test_a_totp_code_cannot_be_replayed(client, world):
    device, _ = enrol(world.clinician)
    code = code_now(device)
    password_login(client, world.clinician)
    assert client.post(reverse("mfa-verify"), {"code": code}).status_code == 302
    from django.test import Client

    thief = Client()
    password_login(thief, world.clinician)
    assert thief.post(reverse("mfa-verify"), {"code": code}).status_code == 200
    assert thief.get(patient_page(world)).status_code == 302


def test_setting_up_an_authenticator_then_reaching_the_record(client, world):
    password_login(client, world.clinician)
    page = client.get(reverse("mfa-setup"))
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in page.content.decode()
    device = TOTPDevice.objects.get(user=world.clinician, confirmed=False)
    assert page.context["secret"] and "otpauth://totp/" in device.config_url

    assert client.post(reverse("mfa-setup"), {"code": "123"}).status_code == 200
    response = client.post(reverse("mfa-setup"), {"code": code_now(device)})
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(patient_page(world)).status_code == 200


def test_a_password_alone_cannot_replace_the_device(client, world):
    enrol(world.clinician)
    password_login(client, world.clinician)
    response = client.get(reverse("mfa-setup"))
    assert response.status_code == 302 and response.url == reverse("mfa-verify")
    response = client.post(reverse("mfa-setup"), {"code": "123456"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.clinician, confirmed=False).exists()


def test_a_verified_session_does_not_carry_over_a_new_login(client, world):
    device, _ = enrol(world.clinician)
    password_login(client, world.clinician)
    client.post(reverse("mfa-verify"), {"code": code_now(device)})
    client.post(reverse("logout"))
    password_login(client, world.clinician)
    assert client.get(patient_page(world)).status_code == 302


def test_the_setting_off_lets_unenrolled_staff_in_with_a_password(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    password_login(client, world.clinician)
    assert client.get(patient_page(world)).status_code == 200


def test_the_setting_defaults_on_when_debug_is_off():
    import subprocess
    import sys

    probe = ("import os; os.environ.update(DEBUG='false', SECRET_KEY='x' * 60); "
             "import django; from django.conf import settings; "
             "os.environ['DJANGO_SETTINGS_MODULE'] = 'clinic.settings'; "
             "print(settings.MFA_REQUIRED_FOR_STAFF)")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DEBUG", "MFA_REQUIRED_FOR_STAFF")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,  # noqa: S603
                         check=True)
    assert out.stdout.strip() == "True"


# --- parents ---------------------------------------------------------------------------------


def test_parents_need_no_second_factor(client, world):
    password_login(client, world.parent)
    page = client.get(patient_page(world))
    assert page.status_code == 200 and world.patient.given_name in page.content.decode()


def test_a_parent_who_enrolled_is_asked_for_it(client, world):
    device, _ = enrol(world.parent)
    password_login(client, world.parent)
    assert client.get(patient_page(world)).status_code == 302
    client.post(reverse("mfa-verify"), {"code": code_now(device)})
    assert client.get(patient_page(world)).status_code == 200


def test_a_parent_may_turn_it_off_but_staff_may_not(client, world):
    device, _ = enrol(world.parent)
    password_login(client, world.parent)
    client.post(reverse("mfa-verify"), {"code": code_now(device)})
    client.post(reverse("mfa-disable"))
    assert not TOTPDevice.objects.filter(user=world.parent).exists()

    staff_device, _ = enrol(world.clinician)
    client.post(reverse("logout"))
    password_login(client, world.clinician)
    client.post(reverse("mfa-verify"), {"code": code_now(staff_device)})
    client.post(reverse("mfa-disable"))
    assert TOTPDevice.objects.filter(user=world.clinician, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(client, world):
    device, old = enrol(world.parent)
    password_login(client, world.parent)
    client.post(reverse("mfa-verify"), {"code": code_now(device)})
    new = client.post(reverse("mfa-recovery-codes")).context["codes"]
    assert set(new).isdisjoint(old)
    stored = StaticToken.objects.filter(device__user=world.parent).values_list("token", flat=True)
    assert set(stored) == set(new)


# --- API token -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_staff_get_a_token_only_with_the_current_code(world, role):
    user = world.user(role)
    device, _ = enrol(user)
    api = APIClient()
    credentials = {"username": user.get_username(), "password": PASSWORD}
    missing = api.post(TOKEN_URL, credentials)
    assert missing.status_code == 400 and "otp" in missing.json() and "token" not in missing.json()
    wrong = api.post(TOKEN_URL, {**credentials, "otp": "000000" if code_now(device) != "000000" else "1"})
    assert wrong.status_code == 400 and "token" not in wrong.json()
    assert not AuthToken.objects.exists()
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):  # past django-otp's delay
        good = api.post(TOKEN_URL, {**credentials, "otp": code_now(device)})
    assert good.status_code == 200 and AuthToken.objects.filter(user=user).count() == 1


def test_staff_without_a_device_get_no_token(world):
    response = APIClient().post(TOKEN_URL, {"username": "clinician", "password": PASSWORD})
    assert response.status_code == 400 and "set it up" in response.json()["otp"][0]
    assert not AuthToken.objects.exists()


def test_a_wrong_code_at_the_token_endpoint_counts_toward_the_lockout(client, world, settings):
    enrol(world.clinician)
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(TOKEN_URL, {"username": "clinician", "password": PASSWORD, "otp": "000001"})
    response = client.post(reverse("login"), {"username": "clinician", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_a_recovery_code_gets_a_token_once(world):
    _device, codes = enrol(world.clinician)
    credentials = {"username": "clinician", "password": PASSWORD, "otp": codes[3]}
    assert APIClient().post(TOKEN_URL, credentials).status_code == 200
    assert APIClient().post(TOKEN_URL, credentials).status_code == 400


def test_parents_get_a_token_with_their_password(world):
    response = APIClient().post(TOKEN_URL, {"username": "parent", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


# --- every role on the second factor's own pages ---------------------------------------------

ALL_ROLES = ["parent", "other_parent", "clinician", "reviewer", "clinic_admin", "other_clinician"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_sets_up_only_their_own_device(client, world, role):
    user = world.user(role)
    client.force_login(user)
    page = client.get(reverse("mfa-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    assert device.user == user  # nobody else's pending device is made or shown
    response = client.post(reverse("mfa-setup"), {"code": code_now(device)})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert client.get(reverse("mfa-manage")).context["enrolled"] is True
    assert [d.user for d in TOTPDevice.objects.filter(confirmed=True)] == [user]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_verifies_only_with_their_own_codes(client, world, role):
    user = world.user(role)
    others = {other: enrol(world.user(other)) for other in ALL_ROLES if other != role}
    enrol(user)
    password_login(client, user)
    statuses = [client.post(reverse("mfa-verify"), {"code": codes[0]}).status_code
                for _device, codes in others.values()]
    assert statuses == [200] * 4 + [429]  # refused, and the fifth refusal locks the account
    assert client.get(reverse("mfa-manage")).status_code == 302  # never through
