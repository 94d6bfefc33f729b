"""A `world` whose first patient has one of every record, for the cross-cutting tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Records:
    """Rows of ``world.patient`` (child of ``parent`` in ``world.clinic``), one of each kind."""

    patient: Any
    episode: Any
    attachment: Any
    evaluation: Any  # signed, with suggestions
    draft: Any
    suggestion: Any
    order: Any
    case: Any
    message: Any  # from the clinician, with a photo
    message_attachment: Any


@pytest.fixture
def records(world: Any) -> Records:
    from evaluations import services as evaluation_services
    from tests.episodes.helpers import URGENT, add_video, make_episode
    from tests.evaluations.helpers import draft, signed, worrying_data

    episode = make_episode(world.patient, world.parent, URGENT)
    attachment = add_video(episode, world.parent)
    evaluation = signed(world.patient, world.clinician, worrying_data())
    suggestion = evaluation.suggestions.order_by("id").first()
    assert suggestion is not None, "the worrying exam should suggest a follow-up test"
    order = evaluation_services.order_create(patient=world.patient, by=world.clinician, code="eeg")
    episode.refresh_from_db()
    assert episode.review_case is not None
    message = _message(world)
    return Records(
        patient=world.patient, episode=episode, attachment=attachment, evaluation=evaluation,
        draft=draft(world.patient, world.clinician), suggestion=suggestion, order=order,
        case=episode.review_case, message=message, message_attachment=message.attachments.get(),
    )


def _message(world: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from messaging.services import message_send
    from tests.episodes.helpers import PNG_BYTES

    # By the clinician, who reads every object route in the audit walk (and may withdraw it).
    return message_send(patient=world.patient, author=world.clinician, side="clinic",
                        body="A reply from the clinic",
                        upload=SimpleUploadedFile("p.png", PNG_BYTES, content_type="image/png"))
