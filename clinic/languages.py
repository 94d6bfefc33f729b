"""The language a person reads the app in: the browser's on a first visit, then their choice.

Django's ``LocaleMiddleware`` reads the language cookie, then ``Accept-Language``. A
choice made with the navbar's switch is kept in the cookie and, for a signed-in user,
on ``UserPreference.language``; at sign-in the stored choice is put in the session
(like the time zone in ``clinic.zones``), and ``UserLanguageMiddleware`` activates it
and brings the cookie in line, so the choice follows the user to a new device.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import i18n
from django.views.decorators.http import require_POST

SESSION_KEY = "language"


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in dict(settings.LANGUAGES)


def validate_language(code: object) -> None:
    if not is_language(code):
        raise ValidationError(_("Choose one of the languages the portal offers."))


def writing_language(code: object) -> str:
    """The language to write to someone in (e-mails): their stored choice
    (``UserPreference.language``), else the site's."""
    return str(code) if is_language(code) else settings.LANGUAGE_CODE


def _set_cookie(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code,
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def on_login(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """The user's stored language wins; without one, the language chosen before signing in
    (the cookie, e.g. set on the login page) becomes the stored choice."""
    from clinic.models import UserPreference

    if request is None or not hasattr(request, "session"):
        return
    stored = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    if is_language(stored):
        request.session[SESSION_KEY] = stored
        return
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if is_language(chosen):
        UserPreference.objects.update_or_create(user=user, defaults={"language": chosen})
        request.session[SESSION_KEY] = chosen


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie, safe redirect), and the choice kept on the user."""
    from clinic.mfa import needs_second_factor
    from clinic.models import UserPreference

    response = i18n.set_language(request)
    code = request.POST.get("language")
    # Open before the second factor (the sign-in pages have the switch too), but the
    # account is written only once the sign-in is complete.
    if is_language(code) and request.user.is_authenticated and not needs_second_factor(request):
        UserPreference.objects.update_or_create(user=request.user, defaults={"language": code})
        request.session[SESSION_KEY] = code
    return response


class UserLanguageMiddleware:
    """Activate a signed-in user's language from the session (no query), after
    ``LocaleMiddleware`` and authentication; set the cookie when it differs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        code = request.session.get(SESSION_KEY) if has_session else None
        if is_language(code) and code != translation.get_language():
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        # Read again: signing in or the switch may have set it during this request.
        session = getattr(request, "session", None)
        code = session.get(SESSION_KEY) if session is not None else None
        if is_language(code) and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
            _set_cookie(response, code)
        return response
