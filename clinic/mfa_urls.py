"""``/accounts/mfa/``: the second factor's pages."""

from django.urls import path

from clinic import mfa_views

urlpatterns = [
    path("", mfa_views.mfa_manage, name="mfa-manage"),
    path("verify/", mfa_views.mfa_verify, name="mfa-verify"),
    path("setup/", mfa_views.mfa_setup, name="mfa-setup"),
    path("recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("disable/", mfa_views.mfa_disable, name="mfa-disable"),
]
