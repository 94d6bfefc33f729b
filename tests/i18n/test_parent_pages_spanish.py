"""Every page a parent opens, asked for in Spanish, shows no English text of the catalogue."""

from __future__ import annotations

import html
import re

import pytest

from clinic import review
from messaging.services import message_mark_sent_in_error
from tests.conftest import client_for
from tests.episodes.helpers import SEIZURE, URGENT, make_episode
from tests.i18n.scope import english_patterns
from tests.messaging.helpers import send

pytestmark = pytest.mark.django_db


def _visible(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|title)\b.*?</\1>", " ", page)
    # What is not ours to translate: the user name and the languages' own names.
    page = re.sub(r'(?s)<span class="navbar-text[^>]*data-testid="who">.*?</span>', " ", page)
    page = re.sub(r'(?s)<form[^>]*data-testid="language-switch".*?</form>', " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def pages(world, client):
    # The clinic's response in each state a family reads: closed, seen, then waiting (the
    # newest episode reopens the case it joins; the one seen before stays seen).
    closed = make_episode(world.patient, world.parent, URGENT)
    review.review_case_acknowledge(case=closed.review_case, by=world.reviewer)
    review.review_case_resolve(case=closed.review_case, by=world.clinician, outcome="reassured",
                               family_message="Son sacudidas normales del sueño.")
    seen = make_episode(world.patient, world.parent, URGENT)
    review.review_case_acknowledge(case=seen.review_case, by=world.reviewer)
    episode = make_episode(world.patient, world.parent, URGENT, notes="se puso rígido")
    make_episode(world.patient, world.parent, SEIZURE)
    # A thread with both sides, one about a report, a clinic message withdrawn and a read one.
    own = send(world.patient, world.parent, "¿Es normal?", episode=episode)
    send(world.patient, world.clinician, "Sí, es normal.")
    withdrawn = send(world.patient, world.clinician, "Mensaje equivocado.")
    message_mark_sent_in_error(message=withdrawn, by=world.clinician, reason="otro niño")
    uuid = world.patient.uuid
    return [
        "/", f"/patients/{uuid}/", f"/patients/{uuid}/episodes/", f"/patients/{uuid}/episodes/new/",
        f"/patients/{uuid}/episodes/summary/", f"/patients/{uuid}/orders/", "/guide/twitches/",
        f"/episodes/{episode.uuid}/", f"/episodes/{episode.uuid}/mistake/", "/accounts/mfa/",
        f"/episodes/{seen.uuid}/", f"/episodes/{closed.uuid}/",
        f"/patients/{uuid}/messages/", f"/patients/{uuid}/messages/?episode={episode.uuid}",
        f"/messages/{own.uuid}/sent-in-error/",
        "/accounts/password_change/", "/accounts/password_change/done/",
        "/no-such-page/",
    ]


def test_the_pages_show_the_clinic_response_and_the_thread(client, world, pages):
    # So the check below reads the states it means to (not a page that lost them).
    client_for(client, world.parent)
    texts = {url: client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode() for url in pages}
    statuses = {status for text in texts.values()
                for status in re.findall(r'data-testid="clinic-response" data-status="(\w+)"', text)}
    assert statuses == {"waiting", "seen", "closed"}
    thread = texts[f"/patients/{world.patient.uuid}/messages/"]
    assert "Mensajes con la clínica sobre" in thread and "Enviado por error" in thread


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
