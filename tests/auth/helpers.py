"""Second-factor helpers for tests: enrol a user, read their app's current code."""

from __future__ import annotations

from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import mfa


def enrol(user: Any) -> tuple[TOTPDevice, list[str]]:
    """A confirmed authenticator for ``user`` and their fresh recovery codes."""
    device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
    return device, mfa.recovery_codes_issue(user=user)


def code_now(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """What the user's authenticator app shows at this moment (time_machine moves it)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"
