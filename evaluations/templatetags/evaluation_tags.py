"""Template pieces: the orders of a child in plain words; suggestion reasons said once."""

from __future__ import annotations

from typing import Any

from django import template

from clinic import audit
from clinic.access import Action, can
from clinic.models import AuditAction, Patient
from evaluations import reasons as reasons_text
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


@register.simple_tag(takes_context=True)
def suggestion_reasons(context: template.Context, reasons: Any,
                       findings: Any = None) -> list[reasons_text.ReasonLine]:
    """The lines of one suggestion's reasons, each reason said once on the page.

    ``findings`` are those the page lists (their rules become links). The texts already
    written are kept in the page's first context layer, shared by every include.
    """
    said = context.dicts[0].setdefault("_reasons_said", set())
    return reasons_text.reason_lines(reasons or [], reasons_text.finding_texts(findings or []),
                                     said)


@register.filter
def level_counts(findings: Any) -> list[tuple[str, int]]:
    """(level, count) of the findings, most pressing first (notes left out)."""
    return reasons_text.counts_by_level(findings or [])
