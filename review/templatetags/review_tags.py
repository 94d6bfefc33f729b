"""Template helpers of the review pages and the admin index dashboard."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch

from review import dashboards, selectors
from review.forms import DashboardFilterForm, default_range

register = template.Library()


@register.filter
def url_or_blank(obj: Any) -> str:
    """``obj.get_absolute_url()``, or '' while the page it names is not routed."""
    try:
        return obj.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        return ""


@register.inclusion_tag("admin/_review_summary.html", takes_context=True)
def review_summary(context: template.Context) -> dict[str, Any]:
    """The dashboard's headline figures on the admin index, for the clinic and range in the
    query string (default: every clinic the user reviews, the last 30 days)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    clinics = list(selectors.review_clinics(user)) if user is not None else []
    if not clinics:
        return {"show": False}
    form = DashboardFilterForm(request.GET)
    if form.is_valid():
        clinic, start, end = (form.cleaned_data[key] for key in ("clinic", "start", "end"))
    else:
        clinic, (start, end) = None, default_range()
    scope = dashboards.scope_for(user, clinic=str(clinic or ""), start=start, end=end)
    board = dashboards.dashboard(user, scope)
    return {"show": True, "clinics": clinics, "form": form, **dashboards.presentation(board)}
