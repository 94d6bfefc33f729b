"""Background work: tell the other side that a secure message is waiting.

The e-mail carries no clinical content: no child's name, no condition, no text of the
message, only that something is waiting and where to sign in to read it, where access
is checked again. Each person is written to in the language they chose in the portal
(else the site's), whoever sent the message and in whatever language.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from clinic.access import FAMILY_SIDE, message_recipients
from clinic.languages import writing_language


def notice_text(recipient_side: str, link: str) -> tuple[str, str]:
    """Subject and body of the notice; the same words whatever the message said."""
    if recipient_side == FAMILY_SIDE:
        body = _("You have a new secure message from the clinic. Sign in to read it:")
    else:
        body = _("A family has sent a new secure message. Sign in to read it:")
    return _("New secure message"), f"{body}\n{link}\n"


@task()
def notify_message(message_id: str) -> int:
    """E-mail everyone on the side that did not write; returns how many were told."""
    from messaging.models import Message, Side

    message = Message.objects.select_related("thread__patient").get(uuid=message_id)
    patient = message.thread.patient
    to_side = Side.other(message.side)
    # Each address with its holder's language; an address two accounts share gets one mail.
    languages: dict[str, str] = {}
    for address, code in (message_recipients(patient, to_side).exclude(email="")
                          .exclude(pk=message.author_id).values_list("email", "preference__language")):
        languages.setdefault(address, writing_language(code))
    # SITE_URL (optional, e.g. https://clinic.example.org) makes the link absolute.
    link = (f"{getattr(settings, 'SITE_URL', '').rstrip('/')}"
            f"{reverse('messaging:thread', kwargs={'patient_id': patient.uuid})}")
    # One mail per person: recipients never see each other's addresses.
    for address in sorted(languages):
        with translation.override(languages[address]):
            subject, body = notice_text(to_side, link)
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[address])
    return len(languages)
