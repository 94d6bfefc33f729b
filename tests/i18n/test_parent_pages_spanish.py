"""Every page a parent opens, asked for in Spanish, shows no English text of the catalogue."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import client_for
from tests.episodes.helpers import SEIZURE, URGENT, make_episode
from tests.i18n.scope import english_patterns

pytestmark = pytest.mark.django_db


def _visible(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|title)\b.*?</\1>", " ", page)
    # What is not ours to translate: the user name and the languages' own names.
    page = re.sub(r'(?s)<span class="navbar-text[^>]*data-testid="who">.*?</span>', " ", page)
    page = re.sub(r'(?s)<form[^>]*data-testid="language-switch".*?</form>', " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def pages(world, client):
    episode = make_episode(world.patient, world.parent, URGENT, notes="se puso rígido")
    make_episode(world.patient, world.parent, SEIZURE)
    uuid = world.patient.uuid
    return [
        "/", f"/patients/{uuid}/", f"/patients/{uuid}/episodes/", f"/patients/{uuid}/episodes/new/",
        f"/patients/{uuid}/episodes/summary/", f"/patients/{uuid}/orders/", "/guide/twitches/",
        f"/episodes/{episode.uuid}/", f"/episodes/{episode.uuid}/mistake/", "/accounts/mfa/",
        "/no-such-page/",
    ]


def test_no_english_on_the_pages_a_parent_opens(client, world, pages):
    english = english_patterns()
    client_for(client, world.parent)
    found = {}
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code in (200, 404), url
        text = _visible(response.content.decode())
        hits = [words for words, pattern in english.items() if pattern.search(text)]
        if hits:
            found[url] = hits
    assert found == {}


def test_the_check_finds_english_on_an_english_page(client, world, pages):
    client_for(client, world.parent)
    text = _visible(client.get("/guide/twitches/").content.decode())
    assert any(pattern.search(text) for pattern in english_patterns().values())


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password_reset/",
                                 "/invitations/not-a-token/"])
def test_no_english_before_signing_in(client, url):
    english = english_patterns()
    text = _visible(client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode())
    assert [words for words, pattern in english.items() if pattern.search(text)] == []
