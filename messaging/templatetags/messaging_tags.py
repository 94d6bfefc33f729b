"""Message links and the case page's compose box, drawn from the messaging app itself."""

from __future__ import annotations

from typing import Any

from django import template

from clinic.access import CLINIC_SIDE, message_side
from messaging import selectors
from messaging.forms import StaffMessageForm

register = template.Library()


@register.inclusion_tag("messaging/_link.html", takes_context=True)
def message_link(context: dict[str, Any], patient: Any, episode: Any = None) -> dict[str, Any]:
    """The way into the child's thread for whoever may write in it (nothing otherwise)."""
    request = context["request"]
    side = message_side(request.user, patient)
    return {
        "patient": patient, "episode": episode, "side": side,
        "unread": selectors.unread_count(patient, side) if side else 0,
    }


@register.inclusion_tag("messaging/_case_compose.html", takes_context=True)
def case_messages(context: dict[str, Any], case: Any) -> dict[str, Any]:
    """Write to the family from a review case; the message is linked to the case."""
    request = context["request"]
    patient = case.patient
    side = message_side(request.user, patient)
    return {
        "case": case, "patient": patient, "can_write": side == CLINIC_SIDE,
        "unread": selectors.unread_count(patient, CLINIC_SIDE) if side == CLINIC_SIDE else 0,
        "form": StaffMessageForm(initial={"review_case": case.uuid}),
        "request": request,
    }
