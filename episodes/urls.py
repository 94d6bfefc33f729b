"""Pages of the episodes app (the API lives in episodes/api.py)."""

from django.urls import path

from episodes import views

urlpatterns = [
    path("patients/<uuid:patient_id>/episodes/", views.episode_diary, name="episode-diary"),
    path("patients/<uuid:patient_id>/episodes/new/", views.episode_report, name="episode-report"),
    path("patients/<uuid:patient_id>/episodes/quick/", views.episode_quick_log,
         name="episode-quick-log"),
    path("patients/<uuid:patient_id>/episodes/summary/", views.episode_summary,
         name="episode-summary"),
    path("episodes/<uuid:episode_id>/", views.episode_detail, name="episode-detail"),
    path("episodes/<uuid:episode_id>/add/", views.episode_add, name="episode-add"),
    path("episodes/<uuid:episode_id>/confirm-sign/", views.episode_confirm_sign,
         name="episode-confirm-sign"),
    path("episodes/<uuid:episode_id>/mistake/", views.episode_mark_in_error,
         name="episode-mark-in-error"),
    path("attachments/<uuid:attachment_id>/", views.attachment_download,
         name="attachment-download"),
    path("guide/twitches/", views.guide, name="episode-guide"),
]
