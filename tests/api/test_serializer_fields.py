"""clinic/serializers.py: fields worked out once per class give what ModelSerializer gives."""

from __future__ import annotations

import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from episodes.api import EpisodeSerializer
from episodes.models import EpisodeAttachment
from tests.episodes.helpers import URGENT, make_episode

pytestmark = pytest.mark.django_db


class PlainEpisodeSerializer(EpisodeSerializer):
    """The same serializer with DRF's own ``get_fields``: fields worked out every time."""

    def get_fields(self):  # type: ignore[no-untyped-def]
        return serializers.ModelSerializer.get_fields(self)


def test_the_answer_is_what_a_plain_model_serializer_gives_in_each_time_zone(world):
    episode = make_episode(world.patient, world.parent, URGENT, notes="Her left leg jerked.")
    episode.refresh_from_db()
    episode._prefetched_objects_cache = {"attachments": EpisodeAttachment.objects.none()}
    for zone in ("America/Mexico_City", "Asia/Kolkata"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            built_once = EpisodeSerializer(episode).data
            assert built_once == PlainEpisodeSerializer(episode).data
            assert built_once["started_at"] == timezone.localtime(episode.started_at).isoformat()
    assert built_once["review_case"] and built_once["level"] == "urgent"


def test_each_serializer_gets_fields_of_its_own_bound_to_it():
    one, two = EpisodeSerializer(), EpisodeSerializer(context={"request": "the second"})
    assert set(one.fields) == set(PlainEpisodeSerializer().fields)
    for name in one.fields:
        assert one.fields[name] is not two.fields[name]
        assert one.fields[name].parent is one and two.fields[name].parent is two
    assert two.fields["attachments"].child.context == {"request": "the second"}
    assert one.fields["attachments"].child.context == {}
    templates = EpisodeSerializer._field_templates
    assert all(getattr(field, "parent", None) is None for field in templates.values())


def test_report_input_fields_are_not_shared_between_two_requests(world):
    from episodes.api import EpisodeReportSerializer
    from tests.episodes.helpers import payload

    bad = EpisodeReportSerializer(data={**payload(world.patient), "body_parts": ["tail"]})
    good = EpisodeReportSerializer(data=payload(world.patient))
    assert not bad.is_valid() and list(bad.errors) == ["body_parts"]
    assert good.is_valid(), good.errors
    assert good.validated_data["body_parts"] == ["left_foot"]
    assert bad.fields["body_parts"].child is not good.fields["body_parts"].child
    assert good.fields["body_parts"].child.parent is good.fields["body_parts"]
