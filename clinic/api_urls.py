"""``/api/v1/``: every app's router, the schema and the docs (served without a CDN)."""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.routers import SimpleRouter

from clinic.api import MeView, PatientViewSet, TokenView, TokenViewSet
from episodes.api import router as episodes_router
from evaluations.api import router as evaluations_router
from interop.api import BulkExportFileView, BulkExportStatusView, ClinicExportView, PatientFhirView
from messaging.api import router as messaging_router


class DocsPermission(BasePermission):
    """Schema and docs: open in development, a signed-in user when API_DOCS_REQUIRE_LOGIN."""

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return not settings.API_DOCS_REQUIRE_LOGIN or bool(request.user and request.user.is_authenticated)


router = SimpleRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("auth/tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("patients/<str:id>/fhir/", PatientFhirView.as_view(), name="patient-fhir"),
    path("clinics/<str:id>/$export", ClinicExportView.as_view(), name="clinic-export"),
    path("bulk-exports/<str:job>/", BulkExportStatusView.as_view(), name="bulk-export-status"),
    path("bulk-exports/<str:job>/<str:resource_type>.ndjson", BulkExportFileView.as_view(),
         name="bulk-export-file"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[DocsPermission]),
         name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:api-schema",
                                                      permission_classes=[DocsPermission]),
         name="api-docs"),
    path("", include(episodes_router.urls)),
    path("", include(evaluations_router.urls)),
    path("", include(messaging_router.urls)),
    path("", include(router.urls)),
]
