"""The triage module's choices with labels translated when shown (it stays free of Django)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from episodes import triage


def _lazy(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Promise], ...]:
    return tuple((value, gettext_lazy(label)) for value, label in choices)


BODY_PARTS = _lazy(triage.BODY_PARTS)
STATES = _lazy(triage.STATES)
PATTERNS = _lazy(triage.PATTERNS)
HELD_CHOICES = _lazy(triage.HELD_CHOICES)
SIGNS = _lazy(triage.SIGNS)
SIGN_QUESTIONS = {code: gettext_lazy(question) for code, question in triage.SIGN_QUESTIONS.items()}
