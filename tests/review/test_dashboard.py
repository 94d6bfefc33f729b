"""Dashboard figures against counts computed here, independently, from the rows created."""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.models import CaseStatus
from review import dashboards
from tests.factories import PatientFactory
from tests.review.review_factories import episode, make_case, suggestion

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
START, END = date(2026, 11, 15), date(2026, 11, 24)
LEVELS = ["routine", "soon", "urgent", "emergency"]
RULES = ["EP-A", "EP-B", "EP-C", "EP-D"]
CODES = ["eeg", "brain_mri", "physical_therapy"]


@pytest.fixture(autouse=True)
def frozen():
    # Autouse, so the clock stops before `world` builds its patients: every row of a
    # test, and every figure the dashboard computes, then reads the same day.
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def data(world):
    """A seeded mix of cases, episodes and suggestions, plus noise the figures must ignore."""
    rng = random.Random(20261124)
    made = {"cases": [], "episodes": [], "suggestions": []}
    for index in range(12):
        patient = PatientFactory(clinic=world.clinic)
        status = rng.choice([CaseStatus.OPEN, CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED,
                             CaseStatus.RESOLVED])
        opened = NOW - timedelta(hours=rng.randint(1, 150))
        extra = {}
        if status != CaseStatus.OPEN:
            extra["acknowledged_at"] = opened + timedelta(minutes=rng.randint(5, 600))
        if status == CaseStatus.RESOLVED:
            extra["resolved_at"] = extra["acknowledged_at"] + timedelta(hours=rng.randint(1, 48))
            extra["outcome"] = "reassured"
        case = make_case(patient, rng.choice(["soon", "urgent", "emergency"]), status=status,
                         opened_at=opened, **extra)
        made["cases"].append(case)
        for _ in range(rng.randint(1, 8)):
            started = NOW - timedelta(days=rng.randint(0, 12), minutes=rng.randint(0, 600))
            made["episodes"].append(episode(
                patient, world.parent, level=rng.choice(LEVELS), started_at=started,
                rules=tuple(rng.sample(RULES, rng.randint(0, 2))),
                case=case, created_at=started + timedelta(minutes=rng.randint(0, 30)),
            ))
        for _ in range(rng.randint(0, 3)):
            made["suggestions"].append(suggestion(
                patient, rng.choice(CODES),
                status=rng.choice(["suggested", "accepted", "dismissed"]),
                created_at=NOW - timedelta(days=rng.randint(0, 20)),
            ))
        if index == 0:  # an entered-in-error episode is not counted anywhere
            episode(patient, world.parent, level="emergency", started_at=NOW - timedelta(hours=1),
                    rules=("EP-A",), case=case, status="entered_in_error")
    # Another clinic's rows: invisible to this clinic's reviewer.
    foreign = make_case(world.foreign_patient, "emergency", opened_at=NOW - timedelta(days=2))
    episode(world.foreign_patient, world.other_clinician, level="emergency",
            started_at=NOW - timedelta(hours=3), rules=("EP-A",), case=foreign)
    suggestion(world.foreign_patient, "eeg")
    return made


def test_world_is_built_on_the_frozen_day(world):
    # The factories' "90 days old" is counted from NOW, not from the day the suite runs.
    assert world.patient.date_of_birth == NOW.date() - timedelta(days=90)
    assert world.clinician.date_joined == NOW


def board_for(user, clinic=""):
    return dashboards.dashboard(user, dashboards.scope_for(user, clinic=clinic, start=START,
                                                           end=END))


def in_range(moment):
    return START <= moment.date() <= END


def test_open_cases_and_overdue(world, data):
    board = board_for(world.reviewer)
    active = [c for c in data["cases"] if c.status != CaseStatus.RESOLVED]
    assert board.open_cases.by_level == {
        level: sum(c.level == level for c in active) for level in ("emergency", "urgent", "soon")
    }
    limit = {"emergency": timedelta(hours=4), "urgent": timedelta(hours=4), "soon": timedelta(days=3)}
    expected_overdue = sum(
        c.status == CaseStatus.OPEN and NOW - c.oldest_unacknowledged_at > limit[c.level]
        for c in active
    )
    assert board.open_cases.overdue == expected_overdue
    assert board.open_cases.total == len(active) > 0


def test_episodes_per_day_and_level_mix(world, data):
    board = board_for(world.reviewer)
    shown = [e for e in data["episodes"] if in_range(e.started_at)]
    expected = Counter((e.started_at.date().isoformat(), e.level) for e in shown)
    assert board.episodes.counts == dict(expected)
    assert board.episodes.days[0] == "2026-11-15" and len(board.episodes.days) == 10
    assert board.episodes.by_level == {lv: sum(e.level == lv for e in shown) for lv in LEVELS}
    assert board.episodes.total == len(shown)


def test_rules_that_fire_most(world, data):
    board = board_for(world.reviewer)
    fired = Counter(
        r["rule"] for e in data["episodes"] if in_range(e.started_at) for r in e.triage["reasons"]
    )
    assert [(r.rule, r.count) for r in board.rules] == sorted(fired.items(), key=lambda i: (-i[1], i[0]))


def test_suggestions_by_code_and_status_with_oldest_pending(world, data):
    board = board_for(world.reviewer)
    rows = {row.code: row for row in board.suggestions}
    made = data["suggestions"]
    for code in CODES:
        in_window = [s for s in made if s.code == code and in_range(s.created_at)]
        pending = [s for s in made if s.code == code and s.status == "suggested"]
        if not in_window and not pending:
            assert code not in rows
            continue
        row = rows[code]
        assert row.counts == {st: sum(s.status == st for s in in_window)
                              for st in ("suggested", "accepted", "dismissed")}
        assert row.pending_now == len(pending)
        assert row.oldest_pending == (min(s.created_at for s in pending) if pending else None)


def test_median_response_times(world, data):
    board = board_for(world.reviewer)
    cases = {c.pk: c for c in data["cases"]}
    urgent = [e for e in data["episodes"]
              if in_range(e.started_at) and e.level in ("urgent", "emergency")]
    to_ack = [cases[e.review_case_id].acknowledged_at - e.created_at for e in urgent
              if cases[e.review_case_id].acknowledged_at
              and cases[e.review_case_id].acknowledged_at >= e.created_at]
    to_resolve = [cases[e.review_case_id].resolved_at - e.created_at for e in urgent
                  if cases[e.review_case_id].resolved_at
                  and cases[e.review_case_id].resolved_at >= e.created_at]
    ack, resolve = board.medians
    assert ack.count == len(to_ack) and resolve.count == len(to_resolve)
    assert ack.value == (statistics.median(to_ack) if to_ack else None)
    assert resolve.value == (statistics.median(to_resolve) if to_resolve else None)


def test_other_clinic_reviewer_sees_only_their_clinic(world, data):
    board = board_for(world.other_clinician)
    assert board.open_cases.by_level == {"emergency": 1, "urgent": 0, "soon": 0}
    assert board.episodes.total == 1
    assert [(r.rule, r.count) for r in board.rules] == [("EP-A", 1)]


def test_naming_a_clinic_one_may_not_review_shows_nothing(world, data):
    board = board_for(world.reviewer, clinic=str(world.other_clinic.uuid))
    assert board.scope.clinic_ids == ()
    assert board.open_cases.total == 0 and board.episodes.total == 0 and board.rules == []


def test_page_figures_link_to_their_rows(client, world, data):
    client.force_login(world.reviewer)
    params = {"start": START.isoformat(), "end": END.isoformat()}
    page = client.get(reverse("review:dashboard"), params)
    board = page.context["board"]
    # The urgent count links to the queue filtered to urgent cases, which lists that many.
    (_, _, count, url) = [row for row in page.context["open_levels"] if row[0] == "urgent"][0]
    queue = client.get(url)
    assert queue.context["page"].paginator.count == count == board.open_cases.by_level["urgent"]
    overdue = client.get(page.context["overdue_url"])
    assert overdue.context["page"].paginator.count == board.open_cases.overdue
    # A day's bar links to that day's episodes.
    day, counts, total, day_url = page.context["episode_days"][-1]
    rows = client.get(day_url)
    assert rows.context["page"].paginator.count == total == sum(counts)
    # A rule links to the episodes that fired it.
    rule, rule_url = page.context["rule_rows"][0]
    assert client.get(rule_url).context["page"].paginator.count == rule.count
    # Pending suggestions of a code.
    for row, cells, pending_url in page.context["suggestion_rows"]:
        assert client.get(pending_url).context["page"].paginator.count == row.pending_now
        for n, cell_url in cells:
            assert client.get(cell_url).context["page"].paginator.count == n
    html = page.text
    assert "<svg" in html and "<pattern" in html and 'data-testid="table-episodes_per_day"' in html
    assert " style=" not in html  # the CSP (style-src 'self') would block inline styles


@pytest.mark.parametrize("table", dashboards.TABLES)
def test_each_table_exports_as_csv(client, world, data, table):
    client.force_login(world.reviewer)
    params = {"start": START.isoformat(), "end": END.isoformat()}
    response = client.get(reverse("review:csv", kwargs={"table": table}), params)
    header, rows = dashboards.table(board_for(world.reviewer), table)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    parsed = list(csv.reader(io.StringIO(response.content.decode())))
    assert parsed[0] == header
    assert parsed[1:] == [[str(cell) for cell in row] for row in rows]
    assert len(parsed) > 1


def test_csv_quotes_formula_like_cells():
    out = io.StringIO()
    dashboards.write_csv(out, ["a"], [["=HYPERLINK(1)"], ["ok"]])
    assert out.getvalue().splitlines() == ["a", "'=HYPERLINK(1)", "ok"]


def test_bad_range_falls_back_to_the_last_30_days(client, world):
    client.force_login(world.reviewer)
    response = client.get(reverse("review:dashboard"), {"start": "2026-11-20", "end": "2026-11-01"})
    assert response.status_code == 200
    scope = response.context["board"].scope
    assert (scope.end - scope.start).days == 29
    assert "The start date is after the end date." in response.text


def test_admin_index_shows_the_summary(client, world, data):
    client.force_login(world.clinic_admin)
    html = client.get(reverse("admin:index")).text
    assert 'data-testid="admin-review-summary"' in html
    assert 'data-testid="admin-overdue"' in html and "<svg" in html


def test_admin_index_summary_follows_clinic_and_range(client, world, data):
    client.force_login(world.clinic_admin)
    response = client.get(reverse("admin:index"), {"start": START.isoformat(), "end": END.isoformat(),
                                                   "clinic": str(world.clinic.uuid)})
    board = response.context["board"]
    expected = board_for(world.reviewer)
    assert board.scope.clinic_uuid == str(world.clinic.uuid)
    assert board.episodes.counts == expected.episodes.counts
    assert board.open_cases == expected.open_cases


def test_findings_of_signed_evaluations_count_once_per_examination(world):
    from evaluations import norms
    from evaluations import services as evaluation_services
    from evaluations.models import Finding

    exam = {"reflexes": [{"reflex": "moro", "left": "present", "right": "weak", "obligatory": False}],
            "hine": {code: {"score": 1, "asymmetric": i < 7} for i, code in enumerate(norms.HINE_ITEMS)},
            "tone": "increased"}
    draft = evaluation_services.evaluation_create(patient=world.patient, clinician=world.clinician,
                                                  data=exam)
    evaluation_services.evaluation_create(patient=world.other_patient, clinician=world.clinician,
                                          data=exam)  # a draft: not counted
    signed = evaluation_services.evaluation_sign(evaluation=draft, by=world.clinician,
                                                 version=draft.version)
    day = timezone.localdate(signed.performed_at)
    scope = dashboards.scope_for(world.reviewer, start=day, end=day)
    rules = dashboards.top_rules(scope, world.reviewer, limit=100)
    expected = Counter(Finding.objects.filter(evaluation=signed).values_list("rule", flat=True))
    assert expected
    assert {(r.rule, r.count) for r in rules if r.kind == "evaluation"} == set(expected.items())
    # A signed amendment replaces the original in the counts rather than adding to them.
    amendment = evaluation_services.evaluation_amend(evaluation=signed, by=world.clinician)
    evaluation_services.evaluation_sign(evaluation=amendment, by=world.clinician,
                                        version=amendment.version)
    rules = dashboards.top_rules(scope, world.reviewer, limit=100)
    assert {(r.rule, r.count) for r in rules if r.kind == "evaluation"} == set(expected.items())


def test_a_superuser_sees_every_clinic_without_a_clinic_filter(world, data, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    board = board_for(root)
    assert board.scope.every_clinic and not board_for(world.reviewer).scope.every_clinic
    shown = [e for e in data["episodes"] if in_range(e.started_at)]
    assert board.episodes.total == len(shown) + 1  # and the other clinic's emergency
    fired = Counter(r["rule"] for e in shown for r in e.triage["reasons"]) + Counter({"EP-A": 1})
    assert [(r.rule, r.count) for r in board.rules] == sorted(fired.items(), key=lambda i: (-i[1], i[0]))
    urgent = [e for e in shown if e.level in ("urgent", "emergency")]
    ack, _ = board.medians
    mine = board_for(world.reviewer).medians[0]
    assert ack.count == mine.count <= len(urgent)  # the other clinic's case is not acknowledged
    # Naming one clinic narrows a superuser's figures to it.
    one = board_for(root, clinic=str(world.other_clinic.uuid))
    assert not one.scope.every_clinic and one.episodes.total == 1
