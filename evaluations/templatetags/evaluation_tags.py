"""Template pieces other apps' pages embed: the orders of a child in plain words."""

from __future__ import annotations

from typing import Any

from django import template

from clinic import audit
from clinic.access import Action, can
from clinic.models import AuditAction, Patient
from evaluations.selectors import orders_for_patients

register = template.Library()


@register.inclusion_tag("evaluations/_orders_card.html", takes_context=True)
def patient_orders_card(context: dict[str, Any], patient: Patient) -> dict[str, Any]:
    """The child's tests and referrals, for whoever may view the child (parents included)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not can(user, Action.VIEW, patient):
        return {"orders": [], "patient": patient, "shown": False}
    orders = list(orders_for_patients([patient])[:5])
    if orders:
        audit.record(request, AuditAction.READ, patient=patient, object_type="followuporder")
    return {"orders": orders, "patient": patient, "shown": True}
