"""Pages of the evaluations app (included at the root by clinic/urls.py)."""

from django.urls import path

from evaluations import views

urlpatterns = [
    path("patients/<uuid:patient_id>/chart/", views.chart, name="chart"),
    path("patients/<uuid:patient_id>/evaluations/new/", views.evaluation_create,
         name="evaluation-create"),
    path("patients/<uuid:patient_id>/evaluations/preview/", views.evaluation_preview,
         name="evaluation-preview"),
    path("patients/<uuid:patient_id>/orders/", views.patient_orders, name="patient-orders"),
    path("patients/<uuid:patient_id>/orders/new/", views.order_create, name="order-create"),
    path("evaluations/<uuid:evaluation_id>/", views.evaluation_detail, name="evaluation-detail"),
    path("evaluations/<uuid:evaluation_id>/edit/", views.evaluation_edit, name="evaluation-edit"),
    path("evaluations/<uuid:evaluation_id>/amend/", views.evaluation_amend, name="evaluation-amend"),
    path("suggestions/<uuid:suggestion_id>/accept/", views.suggestion_accept,
         name="suggestion-accept"),
    path("suggestions/<uuid:suggestion_id>/dismiss/", views.suggestion_dismiss,
         name="suggestion-dismiss"),
    path("orders/<uuid:order_id>/update/", views.order_update, name="order-update"),
]
