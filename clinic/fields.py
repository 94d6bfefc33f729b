"""Date fields for filters and forms, bounded so no input can overflow a date.

A date near year 1 or 9999 passes Django's parsing but overflows when a day is added
to it or when it is moved to UTC (a 500). Every filter date goes through these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
# Lazy: built at import, read in the language of each request.
_MESSAGE = format_lazy(_("Choose a date between {earliest} and {latest}."),
                       earliest=f"{EARLIEST:%Y}", latest=f"{LATEST:%Y}")


class BoundedDateField(forms.DateField):
    """A ``DateField`` that refuses dates outside ``EARLIEST``..``LATEST``."""

    default_validators = [
        MinValueValidator(EARLIEST, message=_MESSAGE), MaxValueValidator(LATEST, message=_MESSAGE),
    ]


class BoundedIsoDateTimeField(IsoDateTimeField):
    """django-filter's ISO 8601 field, bounded like ``BoundedDateField``."""

    default_validators = [
        MinValueValidator(datetime(EARLIEST.year, 1, 1, tzinfo=UTC), message=_MESSAGE),
        MaxValueValidator(datetime(LATEST.year, 12, 31, tzinfo=UTC), message=_MESSAGE),
    ]


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField
