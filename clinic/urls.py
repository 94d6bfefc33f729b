"""Root URLs: pages of each app, the accounts pages, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from clinic import views

urlpatterns = [
    path("", views.home, name="home"),
    path("patients/", views.patient_list, name="patient-list"),
    path("patients/new/", views.patient_create, name="patient-create"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient-detail"),
    path("patients/<uuid:patient_id>/edit/", views.patient_edit, name="patient-edit"),
    path("patients/<uuid:patient_id>/seizure-plan/", views.patient_seizure_plan,
         name="patient-seizure-plan"),
    path("patients/<uuid:patient_id>/invite/", views.invitation_create, name="invitation-create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("review/", include("clinic.review_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("clinic.api_urls", "api"), namespace="api")),
    path("", include("episodes.urls")),
    path("", include("evaluations.urls")),
]
