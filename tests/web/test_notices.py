"""Change notices in the web app: publishing creates and updates them, calls and closing
by hand move them on (each in the audit log), and ``beredt notices`` lists them."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from beredt.cli import app
from beredt.domain.plan import Plan, PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.notices import client_changes
from beredt.planning import make_plan
from beredt.travel import HaversineTravel
from beredt.web.audit.models import AuditEntry
from beredt.web.care.models import Caregiver, Client
from beredt.web.care.scenario import build_scenario
from beredt.web.notices import actions
from beredt.web.notices.models import CallAttempt, Notice, NoticeState, Outcome
from beredt.web.plans.actions import publish
from beredt.web.plans.models import PlanStatus, PlanVersion
from tests.web.conftest import World

MARGIN = 30


# ------------------------------------------------------------------ helpers


def base_plan(world: World) -> tuple[Scenario, Plan]:
    """Unit A's day planned by the greedy planner (fast and deterministic)."""
    scenario = build_scenario(world.unit_a, world.day, 1)
    return scenario, make_plan(scenario, HaversineTravel(), planner="greedy")


def store(world: World, scenario: Scenario, plan: Plan) -> PlanVersion:
    """A draft version of unit A's day holding ``plan`` (not checked: notices do not
    care whether it breaks a rule)."""
    number = PlanVersion.objects.filter(unit=world.unit_a, date=world.day).count() + 1
    return PlanVersion.objects.create(
        unit=world.unit_a,
        date=world.day,
        number=number,
        status=PlanStatus.DRAFT,
        planner=plan.planner,
        plan_json=plan.model_dump(mode="json", by_alias=True),
        scenario_json=scenario.model_dump(mode="json", by_alias=True),
    )


def with_entries(plan: Plan, change: dict[str, PlannedVisit]) -> Plan:
    return plan.model_copy(update={"visits": [change.get(e.visit, e) for e in plan.visits]})


def as_normal(scenario: Scenario, entry: PlannedVisit) -> PlannedVisit:
    """``entry`` kept as the client expects: in its window, by their contact person."""
    client = scenario.client_by_id[entry.client]
    visit = scenario.visit_by_id(entry.visit)
    assert visit is not None
    known = client.contact_person or client.recent_caregivers[0]
    return PlannedVisit(
        visit=entry.visit,
        client=entry.client,
        task=entry.task,
        date=entry.date,
        decision=Decision.KEPT,
        reason="kept as usual",
        caregivers=[known],
        start=visit.window.start,
        end=visit.window.start + visit.task.duration,
    )


def normal_plan(scenario: Scenario, plan: Plan) -> Plan:
    """Every visit of the day kept as normal: no client has a change."""
    return plan.model_copy(
        update={"visits": [as_normal(scenario, e) for e in plan.visits], "routes": []}
    )


def a_client_with_a_change(scenario: Scenario, plan: Plan, day: dt.date) -> str:
    return sorted(client_changes(plan, scenario, day, MARGIN))[0]


def cancelled(entry: PlannedVisit) -> PlannedVisit:
    return PlannedVisit(
        visit=entry.visit,
        client=entry.client,
        task=entry.task,
        date=entry.date,
        decision=Decision.CANCELLED,
        reason="cancelled for the test",
    )


def audit_for(notice: Notice) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="notice", object_id=f"{notice.client.code}/{notice.date}"
        ).order_by("pk")
    )


@pytest.fixture
def planned(world: World) -> tuple[Scenario, Plan]:
    return base_plan(world)


# ------------------------------------------------------------------ publishing


def test_publishing_creates_one_notice_per_changed_client(
    world: World, planned: tuple[Scenario, Plan]
) -> None:
    scenario, plan = planned
    expected = client_changes(plan, scenario, world.day, MARGIN)
    assert expected, "the crisis day should change someone's care"
    publish(store(world, scenario, plan), world.planner_a)
    notices = Notice.objects.filter(unit=world.unit_a, date=world.day)
    assert sorted(n.client.code for n in notices) == sorted(expected)
    for notice in notices:
        changes = expected[notice.client.code]
        assert notice.state == NoticeState.OPEN and notice.revision == 1
        assert notice.changes == [c.to_json() for c in changes]
        assert notice.kinds == sorted({c.kind.value for c in changes})
        assert [e.action for e in audit_for(notice)] == ["create"]


def test_publishing_twice_does_not_duplicate(world: World, planned: tuple[Scenario, Plan]) -> None:
    scenario, plan = planned
    first = publish(store(world, scenario, plan), world.planner_a)
    before = {n.pk: n.revision for n in Notice.objects.all()}
    second = publish(store(world, scenario, plan), world.planner_a)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    after = Notice.objects.all()
    assert {n.pk: n.revision for n in after} == before
    assert {n.version_id for n in after} == {second.pk}
    result = actions.sync_notices(second, world.planner_a)
    assert (result.created, result.updated, result.withdrawn) == (0, 0, 0)
    assert result.unchanged == len(before)


def test_a_decision_reversed_before_the_client_was_told_withdraws_the_notice(
    world: World, planned: tuple[Scenario, Plan]
) -> None:
    scenario, plan = planned
    code = a_client_with_a_change(scenario, plan, world.day)
    publish(store(world, scenario, plan), world.planner_a)
    restored = {e.visit: as_normal(scenario, e) for e in plan.visits if e.client == code}
    result = actions.sync_notices(
        store(world, scenario, with_entries(plan, restored)), world.planner_a
    )
    notice = Notice.objects.get(client__code=code, date=world.day)
    assert notice.state == NoticeState.WITHDRAWN and result.withdrawn == 1
    assert [e.action for e in audit_for(notice)] == ["create", "change"]
    assert "withdrawn" in audit_for(notice)[-1].summary


def test_after_reached_a_new_change_reopens_the_notice_as_revision_2(
    world: World, planned: tuple[Scenario, Plan]
) -> None:
    scenario, plan = planned
    code = a_client_with_a_change(scenario, plan, world.day)
    publish(store(world, scenario, plan), world.planner_a)
    notice = Notice.objects.get(client__code=code, date=world.day)
    notice = actions.record_outcome(notice, Outcome.REACHED, world.planner_a)
    assert notice.state == NoticeState.REACHED and notice.told_revision == 1
    kept = next(e for e in plan.visits if e.client == code and e.decision is Decision.KEPT)
    changed = with_entries(plan, {kept.visit: cancelled(kept)})
    publish(store(world, scenario, changed), world.planner_a)
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.revision == 2
    assert notice.told_revision == 1 and notice.retry_at is None
    assert "cancelled" in notice.kinds
    assert Notice.objects.filter(client__code=code).count() == 1


def test_a_told_client_whose_change_is_reversed_hears_that_care_is_back_to_normal(
    world: World, planned: tuple[Scenario, Plan]
) -> None:
    scenario, plan = planned
    code = a_client_with_a_change(scenario, plan, world.day)
    publish(store(world, scenario, plan), world.planner_a)
    notice = Notice.objects.get(client__code=code, date=world.day)
    actions.record_outcome(notice, Outcome.REACHED, world.planner_a)
    publish(store(world, scenario, normal_plan(scenario, plan)), world.planner_a)
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.revision == 2
    assert notice.kinds == ["restored"] and len(notice.changes) == 1
    # publishing the normal plan again leaves it as it is
    actions.sync_notices(store(world, scenario, normal_plan(scenario, plan)), world.planner_a)
    notice.refresh_from_db()
    assert notice.revision == 2
    # and the others, never told, are withdrawn
    others = Notice.objects.exclude(pk=notice.pk)
    assert others and all(n.state == NoticeState.WITHDRAWN for n in others)


def test_only_the_reason_changing_is_not_a_new_revision(
    world: World, planned: tuple[Scenario, Plan]
) -> None:
    scenario, plan = planned
    publish(store(world, scenario, plan), world.planner_a)
    reworded = plan.model_copy(
        update={"visits": [e.model_copy(update={"reason": "other words"}) for e in plan.visits]}
    )
    result = actions.sync_notices(store(world, scenario, reworded), world.planner_a)
    assert result.updated == 0
    assert all(n.revision == 1 for n in Notice.objects.all())
    assert all(c["why"] == "other words" for n in Notice.objects.all() for c in n.changes)


# ------------------------------------------------------------------ calls


@pytest.fixture
def notice(world: World, planned: tuple[Scenario, Plan]) -> Notice:
    scenario, plan = planned
    code = a_client_with_a_change(scenario, plan, world.day)
    publish(store(world, scenario, plan), world.planner_a)
    return Notice.objects.get(client__code=code, date=world.day)


@pytest.mark.parametrize("outcome", [Outcome.NOT_REACHED, Outcome.LEFT_MESSAGE])
def test_not_reached_comes_back_at_the_retry_time(
    world: World, notice: Notice, outcome: str, settings: Any
) -> None:
    settings.BEREDT_NOTICE_RETRY_MINUTES = 45
    unit = world.unit_a
    assert notice in actions.due_notices(unit)
    before = timezone.now()
    notice = actions.record_outcome(notice, outcome, world.planner_a, note="no answer")
    assert notice.state == NoticeState.OPEN and notice.attempts == 1
    assert notice.retry_at is not None
    assert dt.timedelta(minutes=44) < notice.retry_at - before < dt.timedelta(minutes=46)
    assert notice not in actions.due_notices(unit)
    assert notice in actions.waiting_notices(unit)
    later = notice.retry_at + dt.timedelta(seconds=1)
    assert notice in actions.due_notices(unit, later)
    assert notice not in actions.waiting_notices(unit, later)
    call = CallAttempt.objects.get(notice=notice)
    assert (call.outcome, call.revision, call.by, call.note) == (
        outcome,
        1,
        world.planner_a,
        "no answer",
    )
    assert audit_for(notice)[-1].summary == f"call: {outcome}"


def test_reached_after_not_reached(world: World, notice: Notice) -> None:
    actions.record_outcome(notice, Outcome.NOT_REACHED, world.planner_a)
    notice = actions.record_outcome(notice, Outcome.REACHED, world.planner_a)
    assert notice.state == NoticeState.REACHED and notice.attempts == 2
    assert notice.told_at is not None and notice.told_revision == 1 and notice.retry_at is None
    assert notice not in actions.due_notices(world.unit_a)
    assert [e.summary for e in audit_for(notice)][-2:] == ["call: not_reached", "call: reached"]
    with pytest.raises(actions.ValidationError):
        actions.record_outcome(notice, Outcome.REACHED, world.planner_a)


def test_a_refused_change_stays_open_for_the_planner(world: World, notice: Notice) -> None:
    notice = actions.record_outcome(notice, Outcome.REFUSED, world.planner_a)
    assert notice.state == NoticeState.OPEN and notice.refused
    assert notice.told_revision == 1 and notice.retry_at is None
    assert notice in actions.due_notices(world.unit_a)
    notice = actions.close_by_hand(notice, "Planner kept the visit by phone", world.planner_a)
    assert notice.state == NoticeState.CLOSED
    assert audit_for(notice)[-1].summary == "closed by hand"
    assert audit_for(notice)[-1].detail["reason"] == "Planner kept the visit by phone"


def test_closing_by_hand_needs_a_reason(world: World, notice: Notice) -> None:
    with pytest.raises(actions.ValidationError):
        actions.close_by_hand(notice, "  ", world.planner_a)
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN
    assert len(audit_for(notice)) == 1


def test_an_unknown_outcome_is_refused(world: World, notice: Notice) -> None:
    with pytest.raises(actions.ValidationError):
        actions.record_outcome(notice, "shrugged", world.planner_a)
    assert not CallAttempt.objects.exists()


def test_the_caller_is_the_contact_person_if_active_else_the_planner(
    world: World, notice: Notice
) -> None:
    person = Caregiver.objects.filter(home_unit=world.unit_a).first()
    assert person is not None
    Client.objects.filter(pk=notice.client_id).update(contact_person=person)
    notice.refresh_from_db()
    assert actions.caller_of(notice) == person
    Caregiver.objects.filter(pk=person.pk).update(active=False)
    notice = Notice.objects.select_related("client__contact_person").get(pk=notice.pk)
    assert actions.caller_of(notice) is None
    Client.objects.filter(pk=notice.client_id).update(contact_person=None)
    notice = Notice.objects.select_related("client__contact_person").get(pk=notice.pk)
    assert actions.caller_of(notice) is None


def test_overdue_notices_count_from_the_current_revision(world: World, notice: Notice) -> None:
    municipality = world.unit_a.municipality
    now = timezone.now()
    assert notice not in actions.overdue_notices(municipality, 4, now)
    assert notice in actions.overdue_notices(municipality, 4, now + dt.timedelta(hours=5))
    Notice.objects.filter(pk=notice.pk).update(revised_at=now + dt.timedelta(hours=3))
    assert notice not in actions.overdue_notices(municipality, 4, now + dt.timedelta(hours=5))
    actions.record_outcome(notice, Outcome.REACHED, world.planner_a)
    assert notice not in actions.overdue_notices(municipality, 4, now + dt.timedelta(hours=9))


# ------------------------------------------------------------------ command


def test_the_notices_command_lists_json_without_names(world: World, notice: Notice) -> None:
    actions.record_outcome(notice, Outcome.NOT_REACHED, world.planner_a)
    runner = CliRunner()
    result = runner.invoke(
        app, ["notices", "--unit", world.unit_a.code, "--state", "open", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == Notice.objects.filter(state=NoticeState.OPEN).count()
    row = next(r for r in rows if r["client"] == notice.client.code)
    assert set(row) == {
        "client",
        "unit",
        "date",
        "kinds",
        "state",
        "attempts",
        "revision",
        "refused",
        "retry_at",
    }
    assert (row["unit"], row["date"], row["state"], row["attempts"]) == (
        world.unit_a.code,
        world.day.isoformat(),
        "open",
        1,
    )
    assert row["retry_at"] is not None
    assert notice.client.name not in result.stdout
    assert json.loads(runner.invoke(app, ["notices", "--state", "reached", "--json"]).stdout) == []
    other_day = (world.day + dt.timedelta(days=1)).isoformat()
    assert json.loads(runner.invoke(app, ["notices", "--date", other_day, "--json"]).stdout) == []
    table = runner.invoke(app, ["notices", "--unit", world.unit_a.code])
    assert table.exit_code == 0 and notice.client.code in table.stdout


def test_the_notices_command_names_an_unknown_unit(world: World) -> None:
    result = CliRunner().invoke(app, ["notices", "--unit", "nowhere", "--json"])
    assert result.exit_code == 2
    assert "nowhere" in result.output


# ------------------------------------------------------------------ property


def variant(scenario: Scenario, plan: Plan, day: dt.date, rng: random.Random) -> Plan:
    """``plan`` with some of the day's decisions flipped, caregivers changed and starts
    shifted (a valid :class:`Plan`; whether it keeps the rules does not matter here)."""
    people = [c.id for c in scenario.caregivers]
    share = rng.choice([0.05, 0.2, 0.5])  # of the day's entries to change
    visits: list[PlannedVisit] = []
    for entry in plan.visits:
        if entry.date != day or rng.random() >= share:
            visits.append(entry)
            continue
        visit = scenario.visit_by_id(entry.visit)
        assert visit is not None
        client = scenario.client_by_id[entry.client]
        decision = rng.choice(list(Decision))
        fields: dict[str, Any] = {"decision": decision, "reason": f"variant {decision.value}"}
        if decision is Decision.KEPT:
            start = visit.window.start + rng.choice([0, 0, 10, 45, -45, 120])
            start = max(0, start)
            known = [c for c in [client.contact_person, *client.recent_caregivers] if c]
            fields |= {
                "caregivers": [
                    rng.choice(known + people if rng.random() < 0.3 else known or people)
                ],
                "start": start,
                "end": start + visit.task.duration,
            }
        elif decision is Decision.POSTPONED:
            fields["postponed_to"] = day + dt.timedelta(days=rng.randint(1, 3))
        elif decision is Decision.HANDED_TO_RELATIVE:
            fields["relative"] = client.relatives[0].name if client.relatives else "Kari"
        visits.append(
            PlannedVisit(
                visit=entry.visit, client=entry.client, task=entry.task, date=entry.date, **fields
            )
        )
    return Plan.model_validate(
        plan.model_copy(update={"visits": visits, "routes": []}).model_dump()
    )


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed_a=st.integers(0, 2**16),
    seed_b=st.integers(0, 2**16),
    told=st.integers(0, 2**16),
    from_normal=st.booleans(),
)
def test_any_two_plans_leave_one_live_notice_per_changed_client(
    world: World,
    planned: tuple[Scenario, Plan],
    seed_a: int,
    seed_b: int,
    told: int,
    from_normal: bool,
) -> None:
    scenario, plan = planned
    if from_normal:  # few clients changed, so that reversals and restorations are common
        plan = normal_plan(scenario, plan)
    day = world.day
    Notice.objects.all().delete()
    plan_a = variant(scenario, plan, day, random.Random(seed_a))
    plan_b = variant(scenario, plan, day, random.Random(seed_b))
    actions.sync_notices(store(world, scenario, plan_a), world.planner_a)
    rng = random.Random(told)
    for notice in Notice.objects.all():  # some clients are called before the re-plan
        outcome = rng.choice([None, *Outcome.values])
        if outcome is not None:
            actions.record_outcome(notice, outcome, world.planner_a)
    actions.sync_notices(store(world, scenario, plan_b), world.planner_a)

    changed = client_changes(plan_b, scenario, day, MARGIN)
    notices = {n.client.code: n for n in Notice.objects.select_related("client")}
    for code, changes in changed.items():
        notice = notices[code]
        assert notice.state != NoticeState.WITHDRAWN
        assert notice.changes == [c.to_json() for c in changes]
        if notice.state != NoticeState.OPEN:  # told this very change already
            assert notice.state == NoticeState.REACHED
            assert notice.told_revision == notice.revision
    for code, notice in notices.items():
        if code not in changed:
            assert not (notice.state == NoticeState.OPEN and notice.told_revision == 0)
            if notice.state == NoticeState.OPEN:
                assert notice.kinds == ["restored"]
