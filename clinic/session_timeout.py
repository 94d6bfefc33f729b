"""Sessions end after a spell without activity, and in any case SESSION_COOKIE_AGE after sign-in.

Django's own expiry slides forward whenever the session is saved, so both limits are kept
here, from two time stamps in the session: when the user signed in and when they were last
seen. The idle limit depends on who signs in (SESSION_IDLE_TIMEOUT_STAFF or _PARENT; the
reasons are in settings). "Last seen" is written at most once a minute, so most requests
save no session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from clinic.access import is_staff_member

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN = "_last_seen"
WRITE_EVERY_SECONDS = 60


def _now() -> int:
    return int(timezone.now().timestamp())


def idle_limit_for(request: HttpRequest) -> int:
    """Seconds of inactivity after which this user's session ends."""
    user = request.user
    if not hasattr(request, "_is_staff_member"):
        request._is_staff_member = is_staff_member(user)  # reused by the page context
    if user.is_staff or request._is_staff_member:
        return settings.SESSION_IDLE_TIMEOUT_STAFF
    return settings.SESSION_IDLE_TIMEOUT_PARENT


def session_expired(request: HttpRequest, now: int) -> bool:
    session = request.session
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if isinstance(signed_in_at, int) and now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return True
    return isinstance(last_seen, int) and now - last_seen > idle_limit_for(request)


def _stamp_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        now = _now()
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN] = now


user_logged_in.connect(_stamp_sign_in, dispatch_uid="clinic.session_timeout.sign_in")


class IdleTimeoutMiddleware:
    """Sign out a session that was idle too long or outlived its absolute lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = _now()
            if session_expired(request, now):
                logout(request)
                if not request.path.startswith("/api/"):
                    # Pages go back to the login, which says why; the API answers 401.
                    query = {"timeout": "1"}
                    if request.method == "GET":
                        query["next"] = request.get_full_path()
                    return redirect(f"{reverse('login')}?{urlencode(query)}")
            else:
                session = request.session
                session.setdefault(SIGNED_IN_AT, now)  # sessions from before this rule
                last_seen = session.get(LAST_SEEN)
                if not isinstance(last_seen, int) or now - last_seen >= WRITE_EVERY_SECONDS:
                    session[LAST_SEEN] = now
        return self.get_response(request)
