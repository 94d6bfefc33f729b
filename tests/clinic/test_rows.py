"""clinic/rows.py and the two reads built on it: the instances are the ORM's own, field by field."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from clinic.access import Action, NotVisible, _patient_with_standing, get_patient_for
from clinic.models import Patient, Role
from clinic.rows import Columns
from clinic.tokens import token_issue, tokens_with_key
from episodes.models import Episode
from tests.episodes.helpers import URGENT, make_episode
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def same_fields(ours, orm) -> None:
    assert type(ours) is type(orm)
    for field in orm._meta.concrete_fields:
        mine, theirs = getattr(ours, field.attname), getattr(orm, field.attname)
        assert (mine, type(mine)) == (theirs, type(theirs)), field.name
    assert ours._state.adding is False and ours._state.db == orm._state.db


def read_one(model, pk):
    columns = Columns(model, "x")
    with connection.cursor() as cursor:
        sql = f'SELECT {columns.sql()} FROM "{model._meta.db_table}" "x" WHERE "x"."id" = %s'  # noqa: S608
        cursor.execute(sql, [pk])
        return columns.read(cursor.fetchone(), 0, connection)


def test_a_row_reads_back_as_the_orm_reads_it_json_decimal_uuid_and_times(world):
    episode = make_episode(world.patient, world.parent, URGENT, temperature_c=Decimal("38.4"),
                           signs=["fever"], notes="Après la sieste")
    orm = Episode.objects.get(pk=episode.pk)
    ours = read_one(Episode, episode.pk)
    same_fields(ours, orm)
    assert ours.triage["level"] == "urgent" and ours.temperature_c == Decimal("38.4")
    assert isinstance(ours.uuid, uuid.UUID) and timezone.is_aware(ours.started_at)


def test_a_patient_row_reads_back_with_dates_booleans_and_nulls(world):
    world.patient.known_seizure_disorder = True
    world.patient.seizure_plan = "Rescue medicine after 5 minutes."
    world.patient.seizure_plan_updated_at = timezone.now() - timedelta(days=3)
    world.patient.save()
    same_fields(read_one(Patient, world.patient.pk), Patient.objects.get(pk=world.patient.pk))


def test_the_patient_comes_with_its_clinic_and_the_callers_standing(world, django_assert_num_queries):
    orm = Patient.objects.select_related("clinic").get(pk=world.patient.pk)
    with django_assert_num_queries(1):
        patient, role, guardian = _patient_with_standing(world.clinician, world.patient.uuid)
        same_fields(patient.clinic, orm.clinic)
    same_fields(patient, orm)
    assert (role, guardian) == (Role.CLINICIAN, False)
    assert _patient_with_standing(world.parent, str(world.patient.uuid))[1:] == ("", True)
    assert _patient_with_standing(world.other_parent, world.patient.uuid)[1:] == ("", False)
    assert _patient_with_standing(world.other_clinician, world.patient.uuid)[1:] == ("", False)


def test_the_first_membership_in_the_clinic_is_the_role_and_other_clinics_do_not_count(world):
    MembershipFactory(user=world.reviewer, clinic=world.other_clinic, role=Role.CLINIC_ADMIN)
    assert _patient_with_standing(world.reviewer, world.patient.uuid)[1] == Role.REVIEWER


def test_an_unknown_or_malformed_patient_id_is_not_found(world):
    with pytest.raises(Patient.DoesNotExist):
        _patient_with_standing(world.clinician, uuid.uuid4())
    for bad in ("not-a-uuid", "", 12):
        with pytest.raises((ValidationError, Patient.DoesNotExist)):
            _patient_with_standing(world.clinician, bad)
    with pytest.raises(NotVisible):
        get_patient_for(world.clinician, "not-a-uuid", Action.REPORT)


def test_tokens_with_a_key_come_with_their_users_as_select_related_gives_them(
    world, django_assert_num_queries
):
    auth_token, _ = token_issue(user=world.parent)
    orm = list(type(auth_token).objects.filter(token_key=auth_token.token_key).select_related("user"))
    with django_assert_num_queries(1):
        ours = tokens_with_key(auth_token.token_key)
        assert [token.user.get_username() for token in ours] == ["parent"]
    for mine, theirs in zip(ours, orm, strict=True):
        same_fields(mine, theirs)
        same_fields(mine.user, theirs.user)
    assert tokens_with_key("no-such-key") == []


def test_tokens_sharing_a_key_each_sign_in_their_own_user_and_a_wrong_secret_none(world):
    from knox.crypto import hash_token
    from knox.models import AuthToken
    from rest_framework.exceptions import AuthenticationFailed

    from clinic.tokens import TokenAuthentication

    other = UserFactory(username="twin")
    key = "0123456789abcde"
    for user, secret in ((world.parent, "a"), (other, "b")):
        AuthToken(user=user, digest=hash_token(key + secret * 49), token_key=key,
                  expiry=timezone.now() + timedelta(days=1)).save()
    assert sorted(token.user.get_username() for token in tokens_with_key(key)) == ["parent", "twin"]
    check = TokenAuthentication().authenticate_credentials
    assert check((key + "b" * 49).encode())[0] == other
    assert check((key + "a" * 49).encode())[0] == world.parent
    with pytest.raises(AuthenticationFailed):
        check((key + "c" * 49).encode())


def test_named_columns_read_back_as_values_list_gives_them(world):
    episode = make_episode(world.patient, world.parent, URGENT)
    names = ["started_at", "convulsive", "pattern", "triage"]
    columns = Columns(Episode, "e", names)
    with connection.cursor() as cursor:
        sql = f'SELECT {columns.sql()} FROM "{Episode._meta.db_table}" "e" WHERE "e"."id" = %s'  # noqa: S608
        cursor.execute(sql, [episode.pk])
        ours = columns.values(cursor.fetchone(), 0, connection)
    theirs = Episode.objects.filter(pk=episode.pk).values_list(*names).get()
    assert [(value, type(value)) for value in ours] == [(value, type(value)) for value in theirs]
