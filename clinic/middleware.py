"""Request-level guards: request ids, bad query strings and bodies, private answers, audit of denials."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # whole value: "$" would let "id\n" through


def _request_language(request: HttpRequest) -> translation.override:
    """The reader's language for an answer given before LocaleMiddleware has run (the
    guards below refuse a request before it reaches it): the cookie, else Accept-Language."""
    return translation.override(translation.get_language_from_request(request))


class RequestIdMiddleware:
    """Take a proxy's X-Request-ID when it is well formed, else make one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class RejectNulQueryMiddleware:
    """Answer 400 to a query string that carries a NUL character.

    PostgreSQL text cannot hold one, so any lookup built from it (an admin search, a
    list filter) fails deep in the ORM with a 500. No page has a use for it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                with _request_language(request):
                    return HttpResponseBadRequest(_("The address holds a character that is not allowed."))
        return self.get_response(request)


class AuditDeniedAccessMiddleware:
    """Write an AuditEvent for every page or admin request that clinic/access.py refused.

    The API's exception handler (clinic/api_errors.py) does the same for DRF views, whose
    exceptions never reach middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from clinic import audit
        from clinic.access import NotAllowed, NotVisible

        if isinstance(exception, NotVisible | NotAllowed):
            audit.record_denied(request, exception)


# No page needs these browser features; the video upload uses a file input, not the camera API.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking", "browsing-topics",
    )
)


class PrivateResponseMiddleware:
    """No browser or proxy keeps an answer given to a signed-in user; no page gets device APIs.

    Patient data reaches only signed-in users (pages, API, CSV, FHIR, downloads), so every
    answer to one is ``Cache-Control: private, no-store`` (a shared computer's browser
    cache keeps nothing). A ``Permissions-Policy`` goes on every answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        # DRF authenticates tokens inside the view: it leaves the user on the request too.
        if user is not None and user.is_authenticated or "Authorization" in request.headers:
            existing = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            if not {"private", "no-store"} <= existing:  # downloads set their own already
                add_never_cache_headers(response)
                response["Cache-Control"] = "private, no-store, no-cache, must-revalidate, max-age=0"
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects deeper than ``limit`` (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cheap: too few brackets to nest that deep
    depth = 0
    for token in _JSON_TOKENS.finditer(body):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


class JsonDepthLimitMiddleware:
    """Answer 400 to a JSON body nested deeper than ``MAX_JSON_DEPTH``, before any parser.

    Python's json module recurses per level, so a body nested about 1,000 deep raised
    RecursionError (500) in whichever view parsed it, the API login included. No request
    of this app nests more than a few levels.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH") and (
            content_type == "application/json" or content_type.endswith("+json")
        ):
            limit = settings.MAX_JSON_DEPTH
            if json_depth_exceeds(request.body, limit):
                with _request_language(request):
                    detail = _("The JSON body is nested too deeply (at most %(limit)d levels).") % {
                        "limit": limit}
                return JsonResponse({"detail": detail}, status=400)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose declared body exceeds ``MAX_REQUEST_BYTES``.

    Checked from Content-Length before the body is read, so an oversized upload is refused
    before it reaches a temporary file or the file-type check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            with _request_language(request):
                detail = _("The request is too large (at most %(megabytes)d MB).") % {
                    "megabytes": limit // (1024 * 1024)}
            return JsonResponse({"detail": detail}, status=413)
        return self.get_response(request)
