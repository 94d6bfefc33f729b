"""Values every page template needs."""

from __future__ import annotations

from django.http import HttpRequest

from clinic.access import is_staff_member


def clinic_context(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_staff_member": False}
    if not hasattr(request, "_is_staff_member"):
        request._is_staff_member = is_staff_member(user)
    return {"is_staff_member": request._is_staff_member}
