"""Root URLs: pages of each app, the accounts pages, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from clinic import health, languages, views
from clinic.admin import view_on_site
from review import views as review_views

handler500 = "clinic.unavailable.server_error"

urlpatterns = [
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("", views.home, name="home"),
    path("i18n/setlang/", languages.set_language, name="set_language"),
    path("account/contact/", views.contact_details, name="contact-details"),
    path("patients/", review_views.patient_list, name="patient-list"),
    path("patients/new/", views.patient_create, name="patient-create"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient-detail"),
    path("patients/<uuid:patient_id>/edit/", views.patient_edit, name="patient-edit"),
    path("patients/<uuid:patient_id>/seizure-plan/", views.patient_seizure_plan,
         name="patient-seizure-plan"),
    path("patients/<uuid:patient_id>/invite/", views.invitation_create, name="invitation-create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("review/", include("review.urls")),
    # Before django.contrib.auth's own: the same page, with mails rate limited.
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/mfa/", include("clinic.mfa_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # Shadows the admin's own "view on site" redirect, which checks no row access.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site),
         name="admin-view-on-site"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("clinic.api_urls", "api"), namespace="api")),
    path("", include("messaging.urls")),
    path("", include("episodes.urls")),
    path("", include("evaluations.urls")),
]
