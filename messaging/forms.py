"""Forms of the message pages: write a message, mark one sent in error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import MAX_BODY


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_BODY}),
        help_text=_("The clinic reads messages during opening hours. If your child seems "
                    "unwell now, call the clinic or the emergency number instead."),
    )
    attachment = forms.FileField(
        label=_("Video or photo (optional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/*,image/*"}),
    )
    # Set when written from an episode or a case page; checked against the child.
    episode = forms.UUIDField(required=False, widget=forms.HiddenInput)
    review_case = forms.UUIDField(required=False, widget=forms.HiddenInput)


class StaffMessageForm(MessageForm):
    """The same form, with a help text for the clinic's side."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("The family is told by e-mail that a message is "
                                          "waiting; the e-mail does not contain it.")


class SentInErrorForm(forms.Form):
    reason = forms.CharField(label=_("Why was it a mistake?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
