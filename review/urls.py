"""``/review/``: the queue, cases, the dashboard and its CSV tables."""

from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case"),
    path("cases/<uuid:case_id>/assign/", views.case_assign, name="assign"),
    path("cases/<uuid:case_id>/acknowledge/", views.case_acknowledge, name="acknowledge"),
    path("cases/<uuid:case_id>/note/", views.case_note, name="note"),
    path("cases/<uuid:case_id>/resolve/", views.case_resolve, name="resolve"),
    path("cases/<uuid:case_id>/calls/", views.case_call, name="call"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:table>.csv", views.dashboard_csv, name="csv"),
    path("rows/<str:kind>/", views.rows, name="rows"),
]
