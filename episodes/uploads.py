"""Checking an uploaded video or photo before anything is stored.

The type comes from the file's first bytes (``filetype``), never from its name
or the browser's claim; the size limit depends on that type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

VIDEO_TYPES = {"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm",
               "video/x-m4v": ".m4v"}
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic"}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # "video" or "photo"
    content_type: str
    extension: str
    size: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Accept a video or photo by content and size; raise ``ValidationError`` saying why not."""
    size = upload.size or 0
    if size <= 0:
        raise ValidationError(_("The file is empty. Choose the video or photo again."))
    largest = max(settings.MAX_VIDEO_UPLOAD_BYTES, settings.MAX_PHOTO_UPLOAD_BYTES)
    if size > largest:  # before reading any of it
        raise ValidationError(_("This file is too large (%(size)s); the limit is %(limit)s.")
                              % {"size": _megabytes(size), "limit": _megabytes(largest)})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed else ""
    if mime in VIDEO_TYPES:
        kind, extension, limit = "video", VIDEO_TYPES[mime], settings.MAX_VIDEO_UPLOAD_BYTES
    elif mime in PHOTO_TYPES:
        kind, extension, limit = "photo", PHOTO_TYPES[mime], settings.MAX_PHOTO_UPLOAD_BYTES
    else:
        raise ValidationError(
            _("This file is not a video (MP4, MOV, WebM) or photo (JPEG, PNG, HEIC) we can accept.")
        )
    if size > limit:
        # One sentence per kind: a translation names the video or the photo in its own words.
        message = (_("This video is too large (%(size)s); the limit is %(limit)s. A shorter clip is enough.")
                   if kind == "video" else
                   _("This photo is too large (%(size)s); the limit is %(limit)s."))
        raise ValidationError(message % {"size": _megabytes(size), "limit": _megabytes(limit)})
    if mime == "video/x-m4v":
        mime = "video/mp4"
    return CheckedUpload(kind=kind, content_type=mime, extension=extension, size=size)


def store_checked(attachment: Any, checked: CheckedUpload, upload: UploadedFile) -> Any:
    """Write a checked file and then its row; the file goes again if the row cannot be saved,
    so no file is left on disk that no record names. Call inside the caller's transaction."""
    attachment.file.save(f"upload{checked.extension}", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
