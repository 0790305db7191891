"""The greedy baseline planner: what it keeps, what it reduces and why, and that the
independent checker finds nothing wrong with its plans."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from beredt.checker import check_plan
from beredt.domain.model import AvailabilityStatus, Competence, Shift
from beredt.domain.plan import Plan, PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.planning import make_plan
from beredt.planning.greedy import GreedyPlanner
from beredt.planning.schedule import Schedule, Slot, Stop
from beredt.travel import client_place, office_place
from tests.fixtures import TRAVEL, small_scenario

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def greedy(scenario: Scenario) -> Plan:
    return make_plan(scenario, TRAVEL, planner="greedy", created_at=WHEN)


def rebuilt(scenario: Scenario, **changes: object) -> Scenario:
    return Scenario.model_validate({**scenario.model_dump(by_alias=True), **changes})


def entries(plan: Plan, client: str) -> list[PlannedVisit]:
    return [v for v in plan.visits if v.client == client]


def test_greedy_plan_of_the_small_district_passes_the_checker() -> None:
    scenario = small_scenario()
    plan = greedy(scenario)
    report = check_plan(scenario, plan, TRAVEL)
    assert report.violations == []
    assert report.kpis.class1_coverage == 1.0
    assert plan.planner == "greedy"
    assert plan.scenario_digest == scenario.digest()


def test_isolated_client_sees_only_the_infection_team() -> None:
    scenario = small_scenario()
    plan = greedy(scenario)
    isolated = [
        c for c in scenario.clients if scenario.needs_infection_team(c, scenario.start_date)
    ]
    assert isolated
    for client in isolated:
        for entry in entries(plan, client.id):
            for caregiver in entry.caregivers:
                assert scenario.caregiver_by_id[caregiver].infection_team


def test_double_staffed_visit_gets_two_caregivers_at_one_start() -> None:
    scenario = small_scenario()
    plan = greedy(scenario)
    doubles = [
        v
        for v in plan.visits
        if v.decision is Decision.KEPT and scenario.task_by_id[v.task][1].caregivers == 2
    ]
    assert doubles
    for entry in doubles:
        assert len(set(entry.caregivers)) == 2
        routes = [r for r in plan.routes if r.date == entry.date and entry.visit in r.stops]
        assert {r.caregiver for r in routes} == set(entry.caregivers)


def test_same_input_same_plan() -> None:
    scenario = small_scenario()
    assert greedy(scenario) == greedy(scenario)


def _only_assistants(scenario: Scenario) -> Scenario:
    """Everyone but the assistants is off sick on every day."""
    sick = [
        {"caregiver": c.id, "date": day.isoformat(), "status": AvailabilityStatus.SICK.value}
        for c in scenario.caregivers
        if c.competence is not Competence.ASSISTANT
        for day in scenario.dates
    ]
    return rebuilt(scenario, availability=sick)


def test_without_qualified_staff_class1_is_a_loud_shortfall() -> None:
    scenario = _only_assistants(small_scenario())
    plan = greedy(scenario)
    report = check_plan(scenario, plan, TRAVEL)
    assert report.violations == []
    class1 = [v for v in plan.visits if scenario.task_by_id[v.task][1].priority_class == 1]
    missed = [v for v in class1 if v.decision is not Decision.KEPT]
    assert missed
    assert all(v.shortfall and v.visit in plan.shortfall.visits for v in missed)
    assert report.kpis.class1_coverage < 1.0
    assert "short by" in plan.shortfall.message
    assert "nurses" in plan.shortfall.message or "health workers" in plan.shortfall.message
    assert any(slot.minutes > 0 for slot in plan.shortfall.slots)


def test_reductions_follow_the_policy_and_give_reasons() -> None:
    scenario = _only_assistants(small_scenario())
    plan = greedy(scenario)
    for entry in plan.visits:
        task = scenario.task_by_id[entry.task][1]
        client = scenario.client_by_id[entry.client]
        assert entry.reason
        if entry.decision is Decision.REPLACED_BY_PHONE:
            assert client.can_use_phone and client.phone
            assert "phone" in entry.reason
        if entry.decision is Decision.HANDED_TO_RELATIVE:
            relative = client.relative_agreed_to(task.id)
            assert relative is not None and entry.relative == relative.name
        if entry.decision is Decision.POSTPONED:
            assert entry.postponed_to is not None
            assert "limit" in entry.reason
        if entry.decision is Decision.CANCELLED and not entry.shortfall:
            assert task.priority_class == 5
            assert not client.special_needs


def test_postponed_visit_returns_the_next_day() -> None:
    scenario = _only_assistants(small_scenario())
    plan = greedy(scenario)
    postponed = [v for v in plan.visits if v.decision is Decision.POSTPONED]
    inside = [v for v in postponed if v.postponed_to in plan.dates]
    for entry in inside:
        followups = [
            v for v in plan.visits if v.visit == entry.visit and v.date == entry.postponed_to
        ]
        assert len(followups) == 1


def test_class5_is_cut_for_the_least_vulnerable_first() -> None:
    """The baseline places special-needs clients first, then the most vulnerable, so
    when capacity runs out the least vulnerable lose their social visits first."""
    scenario = small_scenario()
    day = scenario.start_date
    planner = GreedyPlanner(scenario, TRAVEL)
    class5 = [v for v in scenario.visits_on(day) if v.task.priority_class == 5]
    assert len(class5) >= 2
    ordered = sorted(class5, key=lambda v: planner._order(v, day))
    keys = [(not v.client.special_needs, -int(v.client.vulnerability)) for v in ordered]
    assert keys == sorted(keys)
    assert ordered[0].client.special_needs or len({k for k in keys}) == 1


def test_shortfall_advice_names_medication_delegation_below_nurse_level() -> None:
    """Missing medication rounds need staff who may give medication, not just more
    health workers: the suggested fix says so."""
    from beredt.planning.triage import summarise_shortfall

    scenario = small_scenario()
    medication = next(
        v
        for day in scenario.dates
        for v in scenario.visits_on(day)
        if v.task.medication and v.task.competence != "nurse"
    )
    shortfall = summarise_shortfall(scenario, [(medication, medication.due_date)])
    assert shortfall.slots[0].medication
    assert "who may give medication short by" in shortfall.message


@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(5, 60)), max_size=8),
    st.integers(420, 1_300),
    st.integers(0, 300),
    st.integers(5, 90),
)
def test_slots_skip_only_gaps_that_cannot_hold_the_visit(
    gaps_and_lengths: list[tuple[int, int]], earliest: int, width: int, duration: int
) -> None:
    """``Schedule.slots`` stops at the first gap after the window and skips gaps that
    close too early without looking up their travel; what it yields is exactly every
    position a full scan finds."""
    scenario = small_scenario()
    caregiver = scenario.caregivers[0]
    shift = Shift(start=420, end=1_320)
    office = office_place("u", scenario.units[0].office.location)
    homes = [client_place(c.id, c.location) for c in scenario.clients]
    schedule = Schedule(caregiver, scenario.start_date, shift, office, TRAVEL)
    clock = shift.start
    for k, (gap, length) in enumerate(gaps_and_lengths):
        clock += gap
        if clock + length > shift.end:
            break
        schedule.stops.append(Stop(f"v{k}", homes[k % len(homes)], clock, clock + length))
        clock += length
    place, latest = homes[-1], earliest + width

    def full_scan() -> list[Slot]:
        found = []
        for position in range(len(schedule.stops) + 1):
            before, free_from, after, busy_from = schedule._gap(position)
            to_visit = schedule._minutes(before, place)
            from_visit = schedule._minutes(place, after)
            lo = max(earliest, free_from + to_visit)
            hi = min(latest, busy_from - from_visit - duration)
            if lo <= hi:
                added = to_visit + from_visit - schedule._minutes(before, after)
                found.append(Slot(position, lo, hi, added))
        return found

    assert list(schedule.slots(place, duration, earliest, latest)) == full_scan()
