"""The demo staff sign in with the key seed_demo prints (issue 9: demo data documents the TOTP)."""

from __future__ import annotations

import io
import re
from base64 import b32decode
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp

from clinic.demo import DEMO_PASSWORD, DEMO_STAFF

NOW = datetime(2026, 3, 10, 9, 0, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_seed_demo_prints_the_key_that_signs_in_the_demo_staff(client, settings):
    settings.DEBUG = True  # seed_demo refuses otherwise
    settings.MFA_REQUIRED_FOR_STAFF = True
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        printed = out.getvalue()
        assert all(name in printed for name in DEMO_STAFF)
        key = re.search(r"demo key ([A-Z2-7]{16,})\b", printed).group(1)
        code = f"{totp(b32decode(key)):06d}"  # what an authenticator app set up with it shows

        response = client.post(reverse("login"), {"username": "doctor", "password": DEMO_PASSWORD})
        assert response.status_code == 302
        assert client.get(reverse("patient-list")).url.startswith(reverse("mfa-verify"))
        assert client.post(reverse("mfa-verify"), {"code": code}).status_code == 302
        assert client.get(reverse("patient-list")).status_code == 200
    cache.clear()
