"""``{% message_figures board.scope %}``: the messages section of the review dashboard."""

from __future__ import annotations

from typing import Any

from django import template

from review.message_figures import duration_text
from review.message_figures import message_figures as compute

register = template.Library()


@register.inclusion_tag("review/_message_figures.html", takes_context=True)
def message_figures(context: dict[str, Any], scope: Any) -> dict[str, Any]:
    figures = compute(scope, context["request"].user)
    return {"figures": figures, "median_text": duration_text(figures.median_reply)}
