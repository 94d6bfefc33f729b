"""The API's JSON parser: a lone surrogate anywhere in the body is a 400 on its field.

JSON may spell a UTF-16 surrogate on its own (``"\\ud800"``); Python parses it into a
string that cannot be encoded as UTF-8. Any error message that quotes the value (``"…" is
not a valid choice``) then failed in the JSON renderer, and a stored one in the database
driver: 500s. No text a person types holds one (a real character outside the BMP arrives
as a pair, which the parser joins), so the body is refused before any view sees it.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers, serializers

# Any surrogate code point left in a parsed string is a lone one (a pair is joined). One C
# search per string, not a Python loop over its characters, on every API request.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a string, or any key or string inside a list or object, holds a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        message = _("This text holds a character that is not valid (a lone UTF-16 surrogate).")
        if isinstance(data, dict):
            errors = {str(key) if not _has_lone_surrogate(key) else "non_field_errors": [message]
                      for key, value in data.items()
                      if _has_lone_surrogate(key) or _has_lone_surrogate(value)}
            if errors:
                raise serializers.ValidationError(errors)
        elif _has_lone_surrogate(data):
            raise serializers.ValidationError({"non_field_errors": [message]})
        return data
