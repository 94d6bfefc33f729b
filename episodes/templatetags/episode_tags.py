"""The episodes section of the patient page, drawn from the episodes app itself."""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic import audit
from clinic.access import Action, can
from episodes import messages
from episodes.forms import QuickLogForm
from episodes.selectors import episodes_visible_to
from episodes.services import QUICK_LOG_NOTE

register = template.Library()
RECENT = 10


@register.filter
def episode_notes(notes: str) -> str:
    """An episode's notes as stored, but the quick log's own line in the reader's language."""
    return gettext(QUICK_LOG_NOTE) if notes == QUICK_LOG_NOTE else notes


@register.inclusion_tag("episodes/_patient_episodes.html", takes_context=True)
def patient_episodes(context: dict[str, Any], patient: Any) -> dict[str, Any]:
    """The latest episodes of ``patient`` the viewer may see (audited as a read)."""
    request = context["request"]
    episodes = list(episodes_visible_to(request.user).filter(patient=patient)[:RECENT])
    if episodes:
        audit.record_list(request, [patient], object_type="episode")
    return {"patient": patient, "episodes": episodes, "request": request}


@register.inclusion_tag("episodes/_quick_log.html")
def quick_log(child: Any) -> dict[str, Any]:
    """The three-tap form for one child, with its own idempotency key: a double tap stores one."""
    return {"child": child, "client_id": uuid.uuid4(), "quick_parts": QuickLogForm.QUICK_PARTS}


@register.simple_tag(takes_context=True)
def can_report(context: dict[str, Any], patient: Any) -> bool:
    return can(context["request"].user, Action.REPORT, patient)


@register.filter
def sign_question(code: str) -> str:
    """The report form's question for a sign code (the notes ask the parent to answer it)."""
    if code == "minutes":
        return str(_("How long did it last? Please check the minutes and seconds."))
    return messages.sign_question(code)


@register.filter
def translated_triage(answer: Any) -> dict[str, Any]:
    """A stored or fresh triage answer in the reader's language (episodes.messages)."""
    return messages.translated(answer)

