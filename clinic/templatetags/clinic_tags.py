"""Small display helpers shared by every app's templates."""

from django import template

from clinic.ages import describe_days

register = template.Library()


@register.filter
def age_words(days: int) -> str:
    """An age in days as plain words ('6 weeks', '7 months')."""
    return describe_days(int(days))
