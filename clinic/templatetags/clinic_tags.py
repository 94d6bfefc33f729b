"""Small display helpers shared by every app's templates."""

from django import template
from django.utils.translation import gettext, ngettext

from clinic.ages import DAYS_PER_MONTH
from clinic.levels import LEVEL_LABELS, Level

register = template.Library()


@register.filter
def age_words(days: int) -> str:
    """An age in days as plain words ('6 weeks', '7 months') in the reader's language;
    the same steps as ``clinic.ages.describe_days`` (pure, English)."""
    days = int(days)
    if days < 0:
        weeks = -days // 7
        return ngettext("%(n)d week before term", "%(n)d weeks before term", weeks) % {"n": weeks}
    if days < 28:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if days < 91:
        weeks = days // 7
        return ngettext("%(n)d week", "%(n)d weeks", weeks) % {"n": weeks}
    months = int(days / DAYS_PER_MONTH)
    if months < 24:
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
    years, rest = divmod(months, 12)
    if rest:
        return ngettext("%(years)d years %(n)d month", "%(years)d years %(n)d months", rest) % {
            "years": years, "n": rest}
    return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}


@register.filter
def level_label(level: object) -> str:
    """A level's name for the reader ("emergency" -> "Emergency", "Emergencia")."""
    try:
        return gettext(LEVEL_LABELS[Level(str(level))])
    except ValueError:
        return str(level).capitalize()
