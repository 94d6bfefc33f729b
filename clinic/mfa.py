"""The second factor (django-otp): who must pass one, checking a code, enrolling, recovery codes.

Staff (clinicians, reviewers, clinic admins, Django staff and superusers) must pass a
TOTP code, or one of their single-use recovery codes, after their password whenever
``MFA_REQUIRED_FOR_STAFF`` is on (the default with DEBUG off). Anyone who enrolled a device,
parents included, is always asked for it. Until then ``SecondFactorMiddleware`` lets a
signed-in session reach only the pages that finish the sign-in: every other page, the
admin and the API answer with a redirect to those pages (or 403 for the API).

A wrong code is a failed login for django-axes, so it counts toward the same lockout as a
wrong password; django-otp adds its own growing delay per device, which a new password
login does not reset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from clinic.access import is_staff_member

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
_TOTP_CODE = re.compile(r"\d{6}")


def is_mfa_staff(user: AbstractBaseUser) -> bool:
    """Staff whose second factor the setting makes compulsory."""
    return bool(user.is_staff or user.is_superuser or is_staff_member(user))


def staff_policy_applies(user: AbstractBaseUser) -> bool:
    """The setting makes a second factor compulsory for this user."""
    return bool(settings.MFA_REQUIRED_FOR_STAFF and is_mfa_staff(user))


def has_second_factor(user: AbstractBaseUser) -> bool:
    return user_has_device(user, confirmed=True)


def second_factor_required(user: AbstractBaseUser) -> bool:
    """Whether ``user`` must pass a second factor to sign in (page, admin or token)."""
    if not user.is_authenticated:
        return False
    return staff_policy_applies(user) or has_second_factor(user)


def needs_second_factor(request: HttpRequest) -> bool:
    """A signed-in session that has not yet passed the second factor it needs."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return second_factor_required(user)


def _credentials(user: AbstractBaseUser) -> dict[str, str]:
    return {"username": user.get_username()}


def is_locked_out(request: HttpRequest, user: AbstractBaseUser) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(user))


def verify_second_factor(request: HttpRequest, user: AbstractBaseUser, code: str) -> Device | None:
    """The device that accepts ``code`` (TOTP, or a recovery code used up by this), else None.

    A refused code is reported to django-axes as a failed login of ``user`` from this
    address, so it counts toward the lockout.
    """
    code = "".join((code or "").split()).lower()
    kind = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    device: Device | None = None
    with transaction.atomic():
        for candidate in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(candidate, kind):
                continue
            allowed, _info = candidate.verify_is_allowed()
            if allowed and candidate.verify_token(code):
                device = candidate
                break
    if device is None:
        user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return device


def mark_verified(request: HttpRequest, device: Device) -> None:
    """Record in the session that this sign-in passed ``device``."""
    request.session.cycle_key()  # a new privilege level gets a new session id
    otp_login(request, device)


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user, made on first visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    buffer = BytesIO()
    write_qrcode_image(device.config_url, buffer)
    return buffer.getvalue().decode()


def recovery_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with fresh ones, shown to them once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME,
                                                   defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a new authenticator with its first code; returns new recovery codes, or None."""
    code = "".join((code or "").split())
    if not _TOTP_CODE.fullmatch(code) or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user=device.user)


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Pages a signed-in session may reach before its second factor: those that finish signing
# in or abandon it. Everything else, the admin and the API included, waits.
_OPEN_URL_NAMES = ("mfa-verify", "mfa-setup", "logout", "login", "api:api-token", "set_language")


class SecondFactorMiddleware:
    """Hold a signed-in session that still owes its second factor at the sign-in pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request):
            open_paths = {reverse(name) for name in _OPEN_URL_NAMES}
            if request.path not in open_paths:
                return self._hold(request)
        return self.get_response(request)

    @staticmethod
    def _hold(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": str(_("Finish signing in with your second factor first."))}, status=403
            )
        target = "mfa-verify" if has_second_factor(request.user) else "mfa-setup"
        next_url = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return redirect(f"{reverse(target)}{query}")


def abandon_sign_in(request: HttpRequest) -> None:
    """End a half-finished sign-in (after a lockout), so the password must be given again."""
    logout(request)


@transaction.atomic
def second_factor_remove(*, user: AbstractBaseUser) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
