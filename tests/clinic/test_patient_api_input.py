"""Bad input to the patient API answers 400 with field errors, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Patient

VALID = {"given_name": "Ada", "family_name": "Lee", "date_of_birth": "2026-09-01"}


@pytest.fixture
def clinician_api(api, world):
    api.force_authenticate(world.clinician)
    return api


@pytest.mark.parametrize(("change", "field"), [
    ({"date_of_birth": (timezone.localdate() + timedelta(days=1)).isoformat()}, "date_of_birth"),
    ({"gestational_age_weeks": 21}, "gestational_age_weeks"),
    ({"gestational_age_weeks": 45}, "gestational_age_weeks"),
    ({"gestational_age_days": 7}, "gestational_age_days"),
    ({"given_name": ""}, "given_name"),
    ({"family_name": None}, "family_name"),
    ({"clinic": "00000000-0000-0000-0000-000000000000"}, "clinic"),
    ({"clinic": "not-a-uuid"}, "clinic"),
    ({"sex": "dragon"}, "sex"),
    ({"date_of_birth": "yesterday"}, "date_of_birth"),
])
def test_bad_field_is_a_400_naming_it(clinician_api, change, field):
    count = Patient.objects.count()
    response = clinician_api.post("/api/v1/patients/", {**VALID, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Patient.objects.count() == count


def test_missing_names(clinician_api):
    response = clinician_api.post("/api/v1/patients/", {"date_of_birth": "2026-09-01"},
                                  format="json")
    assert response.status_code == 400
    assert {"given_name", "family_name"} <= set(response.json())


def test_duplicate_mrn_in_clinic(clinician_api, world):
    response = clinician_api.post("/api/v1/patients/", {**VALID, "mrn": world.patient.mrn},
                                  format="json")
    assert response.status_code == 400 and "mrn" in response.json()


def test_bad_update_changes_nothing(clinician_api, world):
    before = Patient.objects.get(pk=world.patient.pk)
    response = clinician_api.patch(f"/api/v1/patients/{world.patient.uuid}/",
                                   {"given_name": "Ok", "gestational_age_weeks": 99},
                                   format="json")
    assert response.status_code == 400
    after = Patient.objects.get(pk=world.patient.pk)
    assert (after.given_name, after.gestational_age_weeks) == (before.given_name,
                                                              before.gestational_age_weeks)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from(["given_name", "family_name", "date_of_birth", "sex", "mrn",
                               "gestational_age_weeks", "gestational_age_days", "clinic",
                               "birth_weight_grams", "birth_notes"]) | st.text(max_size=10)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(field_names, json_values, max_size=6) | json_values)
def test_arbitrary_json_never_500(clinician_api, world, body):
    response = clinician_api.post("/api/v1/patients/", body, format="json")
    assert response.status_code in (201, 400)
    response = clinician_api.patch(f"/api/v1/patients/{world.patient.uuid}/", body, format="json")
    assert response.status_code in (200, 400)
