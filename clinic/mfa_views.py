"""Pages of the second factor: pass it after the password, set it up, manage recovery codes."""

from __future__ import annotations

from base64 import b32encode, b64encode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clinic import mfa
from clinic.forms import SecondFactorForm, TotpSetupForm


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return ""


def _locked_out(request: HttpRequest) -> HttpResponse:
    """End the half-finished sign-in; django-axes' middleware answers with its lockout page."""
    request.axes_locked_out = True
    request.axes_credentials = {"username": request.user.get_username()}
    mfa.abandon_sign_in(request)
    return render(request, "registration/locked_out.html", status=429)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: a code from the authenticator app, or a recovery code."""
    next_url = _next_url(request)
    if not mfa.needs_second_factor(request):
        return redirect(next_url or "home")
    if not mfa.has_second_factor(request.user):
        return redirect("mfa-setup")
    if mfa.is_locked_out(request, request.user):
        return _locked_out(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify_second_factor(request, request.user, form.cleaned_data["code"])
        if device is not None:
            mfa.mark_verified(request, device)
            return redirect(next_url or "home")
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request)
        form.add_error("code", _("That code is not right, or it was already used. Try the code "
                                 "your app shows now."))
    return render(request, "registration/mfa_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app; first-time set-up right after the password is allowed."""
    if mfa.has_second_factor(request.user) and not request.user.is_verified():
        # Replacing a device needs the current one: a password alone must not re-enrol.
        return redirect("mfa-verify")
    device = mfa.totp_device_pending(user=request.user)
    form = TotpSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_device_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            mfa.mark_verified(request, device)
            return render(request, "registration/mfa_recovery_codes.html",
                          {"codes": codes, "next": _next_url(request)})
        form.add_error("code", _("That code does not match. Check the time on your phone and "
                                 "enter the code your app shows now."))
    context = {
        "form": form,
        "qr_data_uri": "data:image/svg+xml;base64," + b64encode(mfa.totp_qr_svg(device).encode()).decode(),
        "secret": b32encode(device.bin_key).decode(),
        "next": _next_url(request),
        "required": mfa.second_factor_required(request.user),
    }
    return render(request, "registration/mfa_setup.html", context)


@never_cache
@login_required
def mfa_manage(request: HttpRequest) -> HttpResponse:
    """Whether the account has a second factor, and how many recovery codes remain."""
    context = {
        "enrolled": mfa.has_second_factor(request.user),
        "codes_left": mfa.recovery_codes_left(request.user),
        "required": mfa.staff_policy_applies(request.user),
    }
    return render(request, "registration/mfa_manage.html", context)


@never_cache
@login_required
@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Fresh recovery codes (the old ones stop working), for a session that passed its factor."""
    if not request.user.is_verified():
        return redirect("mfa-verify")
    codes = mfa.recovery_codes_issue(user=request.user)
    return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": ""})


@never_cache
@login_required
@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    """Parents may turn their optional second factor off again; required staff may not."""
    if mfa.staff_policy_applies(request.user):
        messages.error(request, _("Staff accounts must keep a second factor."))
        return redirect("mfa-manage")
    if mfa.has_second_factor(request.user) and not request.user.is_verified():
        return redirect("mfa-verify")
    mfa.second_factor_remove(user=request.user)
    messages.success(request, _("The second factor is off for your account."))
    return redirect("mfa-manage")
