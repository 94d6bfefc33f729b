"""Serving a stored attachment, whole or by byte range (so a video can be scrubbed).

Callers check access first; this module only streams bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from episodes.models import EpisodeAttachment

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The first byte range of ``header`` as (start, end) inclusive; None when unusable.

    Only single ranges are honoured; a malformed header is ignored (whole file), an
    unsatisfiable one is reported by ``(-1, -1)``.
    """
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    # A position longer than any file's size in digits is "past the end" (or "the whole
    # file" as a suffix); int() of more than 4,300 digits raises ValueError (CVE-2020-10735).
    longest = len(str(size))
    if len(first) > longest:
        return (-1, -1)
    if len(last) > longest:
        last = str(size)
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    else:  # a suffix: the last N bytes
        length = int(last)
        if length == 0:
            return (-1, -1)
        start, end = max(0, size - length), size - 1
    if start >= size or start > end:
        return (-1, -1)
    return start, end


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _private_headers(response: HttpResponse, attachment: EpisodeAttachment) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'inline; filename="episode-{attachment.kind}-{attachment.uuid.hex[:8]}'
        f'{attachment.file.name[attachment.file.name.rfind("."):] if "." in attachment.file.name else ""}"'
    )
    return response


def serve_attachment(request: HttpRequest, attachment: EpisodeAttachment) -> HttpResponse:
    try:
        size = attachment.file.size
    except OSError as exc:  # the row outlived its file (restore, storage fault): missing, not 500
        raise Http404(_("This file is not available.")) from exc
    header = request.headers.get("Range", "")
    byte_range = parse_range(header, size) if header else None
    if byte_range == (-1, -1):
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _private_headers(response, attachment)
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:
        raise Http404(_("This file is not available.")) from exc
    if byte_range is None:
        response: HttpResponse = FileResponse(handle, content_type=attachment.content_type)
        response["Content-Length"] = str(size)
        return _private_headers(response, attachment)
    start, end = byte_range
    length = end - start + 1
    response = StreamingHttpResponse(
        _chunks(handle, start, length), status=206, content_type=attachment.content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    return _private_headers(response, attachment)
