"""What a plan changes in each client's care, compared with their normal care."""

from __future__ import annotations

import datetime as dt

import pytest

from beredt.domain.plan import Plan, PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.notices import Change, ChangeKind, client_changes
from beredt.planning import make_plan
from beredt.planning.language import use_language
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.travel import HaversineTravel

MARGIN = 30


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return generate_scenario(GeneratorConfig(clients=8, caregivers=4, absence=0.0, seed=5))


@pytest.fixture(scope="module")
def day(scenario: Scenario) -> dt.date:
    return scenario.start_date


@pytest.fixture(scope="module")
def normal(scenario: Scenario, day: dt.date) -> Plan:
    """Every due visit kept at the start of its window by the client's contact person."""
    plan = make_plan(scenario, HaversineTravel(), planner="greedy")
    visits = []
    for entry in plan.visits:
        visit = scenario.visit_by_id(entry.visit)
        assert visit is not None
        client = scenario.client_by_id[entry.client]
        known = client.contact_person or client.recent_caregivers[0]
        visits.append(
            PlannedVisit(
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
        )
    return plan.model_copy(update={"visits": visits, "routes": []})


def first(plan: Plan) -> PlannedVisit:
    return plan.visits[0]


def replaced(plan: Plan, entry: PlannedVisit, **fields: object) -> Plan:
    data = entry.model_dump() | {"caregivers": [], "start": None, "end": None} | fields
    new = PlannedVisit.model_validate(data)
    return plan.model_copy(update={"visits": [new if e is entry else e for e in plan.visits]})


def only_change(scenario: Scenario, plan: Plan, day: dt.date, client: str) -> list[Change]:
    found = client_changes(plan, scenario, day, MARGIN)
    assert list(found) == [client]
    return found[client]


def test_normal_care_changes_nothing(scenario: Scenario, normal: Plan, day: dt.date) -> None:
    assert client_changes(normal, scenario, day, MARGIN) == {}


@pytest.mark.parametrize(
    ("decision", "kind", "extra"),
    [
        (Decision.REPLACED_BY_PHONE, ChangeKind.PHONE, {}),
        (Decision.HANDED_TO_RELATIVE, ChangeKind.RELATIVE, {"relative": "Kari Nordmann"}),
        (Decision.CANCELLED, ChangeKind.CANCELLED, {}),
    ],
)
def test_a_visit_not_kept(
    scenario: Scenario,
    normal: Plan,
    day: dt.date,
    decision: Decision,
    kind: ChangeKind,
    extra: dict[str, object],
) -> None:
    entry = first(normal)
    plan = replaced(normal, entry, decision=decision, reason="a reason", **extra)
    (change,) = only_change(scenario, plan, day, entry.client)
    visit = scenario.visit_by_id(entry.visit)
    assert visit is not None
    assert (change.kind, change.visit, change.task, change.why, change.until) == (
        kind,
        entry.visit,
        visit.task.name,
        "a reason",
        None,
    )
    if kind is ChangeKind.RELATIVE:
        assert "Kari Nordmann" in change.to_text


def test_postponed_says_until_when(scenario: Scenario, normal: Plan, day: dt.date) -> None:
    entry = first(normal)
    later = day + dt.timedelta(days=2)
    plan = replaced(
        normal, entry, decision=Decision.POSTPONED, reason="can wait", postponed_to=later
    )
    (change,) = only_change(scenario, plan, day, entry.client)
    assert change.kind is ChangeKind.POSTPONED and change.until == later
    assert change.to_json()["until"] == later.isoformat()
    assert later.isoformat() in change.to_text


def kept_by(plan: Plan, entry: PlannedVisit, caregiver: str, start: int | None = None) -> Plan:
    assert entry.start is not None and entry.end is not None
    begin = entry.start if start is None else start
    new = entry.model_copy(
        update={
            "caregivers": [caregiver],
            "start": begin,
            "end": begin + entry.end - entry.start,
            "reason": "kept",
        }
    )
    return plan.model_copy(update={"visits": [new if e is entry else e for e in plan.visits]})


def stranger(scenario: Scenario, client_id: str) -> str:
    client = scenario.client_by_id[client_id]
    known = {client.contact_person, *client.recent_caregivers}
    return next(c.id for c in scenario.caregivers if c.id not in known)


def test_a_caregiver_new_to_the_client(scenario: Scenario, normal: Plan, day: dt.date) -> None:
    entry = first(normal)
    who = stranger(scenario, entry.client)
    (change,) = only_change(scenario, kept_by(normal, entry, who), day, entry.client)
    assert change.kind is ChangeKind.NEW_CAREGIVER
    assert scenario.caregiver_by_id[who].name in change.to_text


def test_known_people_are_no_change(scenario: Scenario, normal: Plan, day: dt.date) -> None:
    entry = first(normal)
    client = scenario.client_by_id[entry.client]
    for known in client.recent_caregivers:
        assert client_changes(kept_by(normal, entry, known), scenario, day, MARGIN) == {}


def test_a_caregiver_redeployed_from_another_service(
    scenario: Scenario, normal: Plan, day: dt.date
) -> None:
    entry = first(normal)
    who = entry.caregivers[0]
    redeployed = scenario.model_copy(
        update={
            "caregivers": [
                c.model_copy(update={"redeployed_from": "school health service"})
                if c.id == who
                else c
                for c in scenario.caregivers
            ]
        }
    )
    found = client_changes(normal, redeployed, day, MARGIN)
    assert entry.client in found
    assert {c.kind for cs in found.values() for c in cs} == {ChangeKind.REDEPLOYED}
    change = next(c for c in found[entry.client] if c.visit == entry.visit)
    assert "school health service" in change.to_text


def test_moved_only_beyond_the_margin(scenario: Scenario, normal: Plan, day: dt.date) -> None:
    entry = first(normal)
    visit = scenario.visit_by_id(entry.visit)
    assert visit is not None
    who = entry.caregivers[0]
    inside = kept_by(normal, entry, who, visit.window.end + MARGIN)
    assert client_changes(inside, scenario, day, MARGIN) == {}
    early = kept_by(normal, entry, who, max(0, visit.window.start - MARGIN - 1))
    if visit.window.start - MARGIN - 1 >= 0:
        (change,) = only_change(scenario, early, day, entry.client)
        assert change.kind is ChangeKind.MOVED
    late = kept_by(normal, entry, who, visit.window.end + MARGIN + 1)
    (change,) = only_change(scenario, late, day, entry.client)
    assert change.kind is ChangeKind.MOVED
    assert change.from_text != change.to_text


def test_one_visit_can_change_in_several_ways(
    scenario: Scenario, normal: Plan, day: dt.date
) -> None:
    entry = first(normal)
    visit = scenario.visit_by_id(entry.visit)
    assert visit is not None
    plan = kept_by(normal, entry, stranger(scenario, entry.client), visit.window.end + 90)
    kinds = [c.kind for c in only_change(scenario, plan, day, entry.client)]
    assert kinds == [ChangeKind.NEW_CAREGIVER, ChangeKind.MOVED]


def test_other_days_are_not_looked_at(scenario: Scenario, normal: Plan, day: dt.date) -> None:
    entry = first(normal)
    plan = replaced(normal, entry, decision=Decision.CANCELLED, reason="r")
    assert client_changes(plan, scenario, day + dt.timedelta(days=1), MARGIN) == {}


def test_texts_follow_the_clients_language_not_the_callers(
    scenario: Scenario, normal: Plan, day: dt.date
) -> None:
    entry = first(normal)
    plan = replaced(normal, entry, decision=Decision.CANCELLED, reason="r")
    with use_language("sv"):
        in_swedish_context = client_changes(plan, scenario, day, MARGIN)
    assert in_swedish_context == client_changes(plan, scenario, day, MARGIN)


def test_to_json_has_the_notice_fields(scenario: Scenario, normal: Plan, day: dt.date) -> None:
    entry = first(normal)
    plan = replaced(normal, entry, decision=Decision.REPLACED_BY_PHONE, reason="r")
    (change,) = only_change(scenario, plan, day, entry.client)
    assert set(change.to_json()) == {"kind", "visit", "task", "from", "to", "until", "why"}
    assert change.to_json()["kind"] == "phone"


def test_a_crisis_plan_changes_some_clients_and_not_others(
    scenario: Scenario, day: dt.date
) -> None:
    crisis = generate_scenario(GeneratorConfig(clients=20, caregivers=4, absence=0.5, seed=2))
    plan = make_plan(crisis, HaversineTravel(), planner="greedy")
    found = client_changes(plan, crisis, crisis.start_date, MARGIN)
    not_kept = {
        e.client
        for e in plan.visits
        if e.date == crisis.start_date and e.decision is not Decision.KEPT
    }
    assert not_kept and not_kept <= set(found)
    assert all(found.values())
