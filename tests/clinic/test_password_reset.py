"""Password reset mails a one-time link that sets a new password."""

from __future__ import annotations

import re

from django.urls import reverse


def test_reset_flow(client, world, mailoutbox):
    world.parent.email = "mum@example.org"
    world.parent.save()
    client.post(reverse("password_reset"), {"email": "mum@example.org"})
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mailoutbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "brand-new-pass-2026",
                                      "new_password2": "brand-new-pass-2026"})
    assert response.status_code == 302
    world.parent.refresh_from_db()
    assert world.parent.check_password("brand-new-pass-2026")


def test_unknown_email_sends_nothing_and_says_the_same(client, world, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and mailoutbox == []
