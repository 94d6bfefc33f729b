"""Message pages: a child's thread, the staff inbox, marking sent in error, files."""

from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("patients/<uuid:patient_id>/messages/", views.thread, name="thread"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/<uuid:message_id>/sent-in-error/", views.mark_sent_in_error,
         name="sent-in-error"),
    path("messages/attachments/<uuid:attachment_id>/", views.attachment_download,
         name="attachment"),
]
