"""Time zones of the people using the app: the browser's, kept per user; the clinic's for staff.

The database stores UTC. A request runs in the viewer's zone (``TimeZoneMiddleware``),
so every datetime typed or shown is the viewer's local time.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

SESSION_KEY = "time_zone"


@cache
def available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: object) -> bool:
    return isinstance(name, str) and name in available_zones()


def validate_zone(name: object) -> None:
    if not is_zone(name):
        raise ValidationError(_("Choose a time zone such as Europe/Madrid or America/New_York."))


def zone_for_user(user: object) -> str:
    """Staff work in their clinic's zone; a parent in their own (from the browser)."""
    from clinic.models import Membership, UserPreference

    clinic_zone = (
        Membership.objects.filter(user=user).order_by("created_at")
        .values_list("clinic__time_zone", flat=True).first()
    )
    if is_zone(clinic_zone):
        return str(clinic_zone)
    pref = UserPreference.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return str(pref) if is_zone(pref) else settings.TIME_ZONE


def remember_zone(request: HttpRequest, name: str, *, staff: bool = False) -> None:
    """Keep a parent's browser zone on the user and in the session (a write only on change).

    Staff pages stay in the clinic's zone, so a staff member's browser changes nothing.
    """
    from clinic.models import UserPreference

    if staff or not is_zone(name) or request.session.get(SESSION_KEY) == name:
        return
    UserPreference.objects.update_or_create(user=request.user, defaults={"time_zone": name})
    request.session[SESSION_KEY] = name
    timezone.activate(zoneinfo.ZoneInfo(name))


def on_login(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """Resolve the zone once per login, so later requests read it from the session only."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = zone_for_user(user)


class TimeZoneMiddleware:
    """Activate the viewer's zone for the request (after sessions and authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:  # no session, no query
            name = request.session.get(SESSION_KEY)
        if is_zone(name):
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
