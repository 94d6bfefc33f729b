"""The password change pages are the app's own (its layout, not the admin's), in both languages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-pass-77"


def _app_layout(page: str) -> None:
    # The app's navbar and brand; nothing of the admin's templates or styles.
    assert 'class="navbar-brand"' in page and 'data-testid="who"' in page
    assert "admin/css" not in page and "widgets.css" not in page and 'id="container"' not in page


def test_the_form_uses_the_apps_layout(client, world):
    page = client_for(client, world.parent).get(reverse("password_change")).content.decode()
    _app_layout(page)
    assert 'name="old_password"' in page and 'name="new_password1"' in page
    assert re.search(r'<input type="password" name="old_password"[^>]* class="[^"]*\bform-control\b', page)


def test_a_wrong_old_password_shows_an_error_and_changes_nothing(client, world):
    c = client_for(client, world.parent)
    response = c.post(reverse("password_change"), {
        "old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    _app_layout(response.content.decode())
    assert response.context["form"].errors["old_password"]
    assert "is-invalid" in response.content.decode()
    world.parent.refresh_from_db()
    assert world.parent.check_password(PASSWORD) and not world.parent.check_password(NEW)


def test_the_right_old_password_changes_it_and_the_done_page_is_the_apps(client, world):
    c = client_for(client, world.parent)
    response = c.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    page = response.content.decode()
    _app_layout(page)
    assert 'data-testid="password-changed"' in page
    world.parent.refresh_from_db()
    assert world.parent.check_password(NEW)


def test_both_pages_read_in_spanish(client, world):
    c = client_for(client, world.parent)
    form = c.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cambiar su contraseña" in form and "Contraseña antigua" in form
    done = c.get(reverse("password_change_done"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Contraseña cambiada" in done
