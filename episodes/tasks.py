"""Background work: tell the clinic about an urgent or emergency episode."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from clinic.access import alert_recipients
from clinic.levels import LEVEL_LABELS, Level
from clinic.zones import is_zone


@task()
def notify_clinic(episode_id: str) -> int:
    """Email the clinic's reviewers and clinicians; returns how many were told.

    The mail names no child and no symptom: it only points to the record, where
    access is checked.
    """
    from episodes.models import Episode

    episode = Episode.objects.select_related("patient__clinic").get(uuid=episode_id)
    clinic = episode.patient.clinic
    recipients = sorted(
        set(
            alert_recipients(clinic.pk)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return 0
    # SITE_URL (optional, e.g. https://clinic.example.org) makes the link absolute.
    link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{episode.get_absolute_url()}"
    # Times in the clinic's zone (the database holds UTC).
    zone = ZoneInfo(clinic.time_zone) if is_zone(clinic.time_zone) else timezone.get_default_timezone()
    started = timezone.localtime(episode.started_at, zone)
    # Staff mail: in the site's language (the staff pages' Spanish may follow later).
    with translation.override(settings.LANGUAGE_CODE):
        level = _(LEVEL_LABELS[Level(episode.level)])
        subject = _("[%(clinic)s] %(level)s episode reported") % {"clinic": clinic.name, "level": level}
        message = _(
            "An episode triaged as %(level)s was just reported for a patient of %(clinic)s. "
            "It started %(started)s (%(zone)s). Please review it:\n%(link)s\n"
        ) % {"level": level.lower(), "clinic": clinic.name,
             "started": f"{started:%d %b %Y %H:%M}", "zone": zone.key, "link": link}
    send_mail(
        subject=subject,
        message=message,
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)
