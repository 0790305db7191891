"""Re-planning during the day (``beredt replan``): every event type on the fixture
district and on generated districts. The new plan passes the independent checker
against the scenario with the events written in; what already happened stays exactly
as published; the event's own effect holds (the ill caregiver gets no new work, the
isolated client only the infection team, the emergency visit is kept or a loud
shortfall, a pin is honoured); what the event does not touch mostly stays as it was,
and the stability the plan reports is recomputed here independently. Bad event files
are refused with the place of each problem, and nothing is written.

Every search uses a small iteration budget, so the tests are fast and reproducible."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

import beredt.planning.replan as replan_module
from beredt.checker import check_plan
from beredt.cli import app
from beredt.domain.errors import InputError
from beredt.domain.events import CaregiverIll, ClientIsolated, EmergencyVisit, Event, PinVisit
from beredt.domain.model import AvailabilityStatus, CareTask, InfectionPeriod, InfectionStatus
from beredt.domain.plan import ChangeKind, Plan, PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.io import load_plan, load_scenario, parse_events, save_model
from beredt.planning import make_plan
from beredt.planning.replan import (
    STABILITY_TOLERANCE,
    Replanned,
    ReplanSettings,
    change_kind,
    replan,
)
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from tests.fixtures import MONDAY, TRAVEL, TUESDAY, small_scenario, t

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FAST = ReplanSettings(max_iterations=10_000)
runner = CliRunner()


def plan_for(scenario: Scenario, iterations: int = 20_000) -> Plan:
    return make_plan(scenario, TRAVEL, created_at=WHEN, max_iterations=iterations)


def run(scenario: Scenario, plan: Plan, *events: Event) -> Replanned:
    return replan(scenario, plan, list(events), TRAVEL, FAST, created_at=WHEN)


def assert_valid(result: Replanned) -> None:
    report = check_plan(result.scenario, result.plan, TRAVEL)
    assert report.violations == [], [str(v) for v in report.violations[:5]]


def ill(caregiver: str, start: str, **more: Any) -> CaregiverIll:
    return CaregiverIll(type="caregiver_ill", caregiver=caregiver, from_=t(start), **more)


def isolated(client: str, start: str, **more: Any) -> ClientIsolated:
    return ClientIsolated(type="client_isolated", client=client, from_=t(start), **more)


def emergency(client: str, start: str, end: str, **more: Any) -> EmergencyVisit:
    return EmergencyVisit(type="emergency_visit", client=client, window=(t(start), t(end)), **more)


def pin(visit: str, **more: Any) -> PinVisit:
    return PinVisit(type="pin_visit", visit=visit, **more)


def entries_on(plan: Plan, day: dt.date) -> dict[str, PlannedVisit]:
    return {e.visit: e for e in plan.visits if e.date == day}


def assert_done_unchanged(
    old: Plan, new: Plan, day: dt.date, at: int, ill_from: dict[str, int]
) -> None:
    """Kept visits that started before ``at`` and whose caregivers were still working
    are in the new plan exactly as published, and on their caregivers' routes."""
    after = entries_on(new, day)
    for entry in entries_on(old, day).values():
        if entry.decision is not Decision.KEPT or entry.start is None or entry.start >= at:
            continue
        if any(entry.start >= ill_from.get(c, 10_000) for c in entry.caregivers):
            continue
        assert after[entry.visit] == entry
        for caregiver in entry.caregivers:
            route = next(r for r in new.routes if r.caregiver == caregiver and r.date == day)
            assert entry.visit in route.stops


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def small() -> tuple[Scenario, Plan]:
    scenario = small_scenario()
    return scenario, plan_for(scenario)


@pytest.fixture(scope="module")
def district() -> tuple[Scenario, Plan]:
    """A generated 60-client district in a crisis (a quarter of the staff away)."""
    config = GeneratorConfig(clients=60, caregivers=12, absence=0.25, isolated=2, seed=1)
    scenario = generate_scenario(config)
    return scenario, plan_for(scenario)


def busiest_after(plan: Plan, at: int, skip: frozenset[str] | set[str] = frozenset()) -> str:
    """The caregiver with the most kept visits starting at or after ``at``."""
    counts: dict[str, int] = {}
    for entry in plan.visits:
        if entry.decision is Decision.KEPT and entry.start is not None and entry.start >= at:
            for c in entry.caregivers:
                if c not in skip:
                    counts[c] = counts.get(c, 0) + 1
    return max(sorted(counts), key=lambda c: counts[c])


# --------------------------------------------------------------- caregiver ill


def test_caregiver_ill_on_the_fixture(small: tuple[Scenario, Plan]) -> None:
    scenario, plan = small
    result = run(scenario, plan, ill("nurse", "08:30"))
    assert_valid(result)
    new = result.plan
    assert_done_unchanged(plan, new, MONDAY, t("08:30"), {"nurse": t("08:30")})
    for entry in new.visits:
        if entry.date == MONDAY and "nurse" in entry.caregivers:
            assert entry.start is not None and entry.start < t("08:30")
    # Tuesday is untouched: same entries, same routes.
    assert entries_on(new, TUESDAY) == entries_on(plan, TUESDAY)
    assert [r for r in new.routes if r.date == TUESDAY] == [
        r for r in plan.routes if r.date == TUESDAY
    ]
    # The nurse's Monday in the scenario: present until back from the last visit, or sick.
    sick = next(a for a in result.scenario.availability if a.caregiver == "nurse")
    assert sick.date == MONDAY
    if sick.status is AvailabilityStatus.PRESENT:
        assert sick.shift is not None and sick.shift.end >= t("08:30")
    assert new.replan is not None and new.replan.based_on.digest == plan.digest()


def test_caregiver_ill_through_a_later_day_replans_it(small: tuple[Scenario, Plan]) -> None:
    scenario, plan = small
    result = run(scenario, plan, ill("nurse", "12:00", until=TUESDAY))
    assert_valid(result)
    assert all("nurse" not in e.caregivers for e in result.plan.visits if e.date == TUESDAY)
    assert result.scenario.status_on(result.scenario.caregiver_by_id["nurse"], TUESDAY) is (
        AvailabilityStatus.SICK
    )
    assert result.plan.replan is not None
    assert [d.date for d in result.plan.replan.days] == [MONDAY, TUESDAY]


def test_caregiver_ill_on_a_generated_district(district: tuple[Scenario, Plan]) -> None:
    scenario, plan = district
    day, at = plan.dates[0], t("10:30")
    who = busiest_after(plan, at)
    result = run(scenario, plan, ill(who, "10:30"))
    assert_valid(result)
    assert_done_unchanged(plan, result.plan, day, at, {who: at})
    for entry in result.plan.visits:
        if who in entry.caregivers:
            assert entry.start is not None and entry.start < at
    # Care the ill caregiver no longer does is kept by others, or reduced as the policy
    # allows; life-critical care that is not kept is a loud shortfall.
    for entry in result.plan.visits:
        task = result.scenario.task_by_id[entry.task][1]
        if task.priority_class == 1 and entry.decision is not Decision.KEPT:
            assert entry.shortfall and entry.visit in result.plan.shortfall.visits


def stability_by_hand(
    scenario: Scenario, old: Plan, new: Plan, day: dt.date, who: str, at: int
) -> tuple[int, int]:
    """(unchanged, unaffected) recomputed from the two plans, for one caregiver falling
    ill at ``at``: a published entry is done if kept and started before ``at`` or not
    kept and too late to keep; the ill caregiver's other entries are affected; an
    unaffected entry is unchanged with the same decision and, if kept, the same
    caregivers and a start moved by at most the tolerance."""
    before, after = entries_on(old, day), entries_on(new, day)
    unaffected = unchanged = 0
    for vid, entry in before.items():
        if entry.decision is Decision.KEPT:
            assert entry.start is not None
            if entry.start < at or who in entry.caregivers:
                continue
        else:
            visit = scenario.visit_by_id(vid)
            assert visit is not None
            if visit.window.end + scenario.rules.late_start_tolerance < at:
                continue
        unaffected += 1
        now = after.get(vid)
        if now is None or now.decision is not entry.decision:
            continue
        if entry.decision is Decision.KEPT:
            assert entry.start is not None and now.start is not None
            same = set(now.caregivers) == set(entry.caregivers)
            unchanged += same and abs(now.start - entry.start) <= STABILITY_TOLERANCE
        else:
            unchanged += now.postponed_to == entry.postponed_to
    return unchanged, unaffected


@pytest.mark.parametrize("rank", [0, 1, 2])
def test_stability_after_a_caregiver_falls_ill_is_at_least_90_percent(
    district: tuple[Scenario, Plan], rank: int
) -> None:
    scenario, plan = district
    day, at = plan.dates[0], t("10:30")
    skip: set[str] = set()
    for _ in range(rank):
        skip.add(busiest_after(plan, at, skip))
    who = busiest_after(plan, at, skip)
    result = run(scenario, plan, ill(who, "10:30"))
    info = result.plan.replan
    assert info is not None
    stability = info.stability
    assert stability.share >= 0.9
    assert stability.tolerance_minutes == STABILITY_TOLERANCE
    unchanged, unaffected = stability_by_hand(scenario, plan, result.plan, day, who, at)
    assert (stability.unchanged, stability.unaffected) == (unchanged, unaffected)
    assert stability.share == pytest.approx(unchanged / unaffected)
    assert sum(info.changes_by_kind.values()) == len(info.changes)


def test_untouched_visits_are_not_pushed_back_beyond_the_tolerance_for_little(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fitting the ill caregiver's visits into another route pushes that route's later
    visits back. Once past the tolerance each of them has changed, and each minute past
    it costs a fifth of a reassignment: on this district, without that cost, two
    untouched visits start more than 15 minutes late (none with it) and stability falls
    from 100 to 98.2 %. (The district is one where the effect shows: the first plan
    decides whether a route has visits after the ill caregiver's to push back.)"""
    config = GeneratorConfig(clients=60, caregivers=12, absence=0.25, isolated=2, seed=13)
    scenario = generate_scenario(config)
    plan = plan_for(scenario)
    who = busiest_after(plan, t("10:30"))

    def moved_and_share() -> tuple[int, float]:
        info = run(scenario, plan, ill(who, "10:30")).plan.replan
        assert info is not None
        moved = [c for c in info.changes if not c.affected and c.kind is ChangeKind.MOVED]
        return len(moved), info.stability.share

    moved, share = moved_and_share()
    monkeypatch.setattr(replan_module, "LATE_MINUTES_PER_CHANGE", math.inf)
    moved_without, share_without = moved_and_share()
    assert moved < moved_without
    assert share > share_without


# --------------------------------------------------------------- client isolated


def test_client_isolated_on_the_fixture_goes_on_to_the_next_day(
    small: tuple[Scenario, Plan],
) -> None:
    scenario, plan = small
    result = run(scenario, plan, isolated("bjorn", "09:00"))
    assert_valid(result)
    team = {c.id for c in scenario.caregivers if c.infection_team}
    for entry in result.plan.visits:
        if entry.client == "bjorn" and entry.date == TUESDAY and entry.decision is Decision.KEPT:
            assert set(entry.caregivers) <= team
    client = result.scenario.client_by_id["bjorn"]
    assert client.infection[-1] == InfectionPeriod(
        status=InfectionStatus.ISOLATED, since=MONDAY, since_time=t("09:00")
    )
    assert result.scenario.needs_infection_team(client, MONDAY, at=t("09:00"))
    assert not result.scenario.needs_infection_team(client, MONDAY, at=t("08:59"))
    assert result.scenario.needs_infection_team(client, TUESDAY)


def test_client_isolated_on_a_generated_district(district: tuple[Scenario, Plan]) -> None:
    scenario, plan = district
    day, at = plan.dates[0], t("10:00")
    team = {c.id for c in scenario.caregivers if c.infection_team}
    # A client not isolated yet, with visits kept before and after 10:00 by others.
    counts: dict[str, tuple[int, int]] = {}
    for entry in plan.visits:
        client = scenario.client_by_id[entry.client]
        if entry.decision is not Decision.KEPT or scenario.needs_infection_team(client, day):
            continue
        assert entry.start is not None
        early, late = counts.get(entry.client, (0, 0))
        counts[entry.client] = (early + (entry.start < at), late + (entry.start >= at))
    client_id = max(sorted(counts), key=lambda c: min(counts[c]))
    result = run(scenario, plan, isolated(client_id, "10:00"))
    assert_valid(result)
    assert_done_unchanged(plan, result.plan, day, at, {})
    for entry in result.plan.visits:
        if entry.client == client_id and entry.decision is Decision.KEPT:
            assert entry.start is not None
            if entry.start >= at:
                assert set(entry.caregivers) <= team, entry
            else:
                assert entry == entries_on(plan, day)[entry.visit]


# ------------------------------------------------------------- emergency visit


def test_emergency_visit_on_the_fixture_is_kept(small: tuple[Scenario, Plan]) -> None:
    scenario, plan = small
    event = emergency("dag", "11:00", "12:00", duration=30, competence="nurse")
    result = run(scenario, plan, event)
    assert_valid(result)
    task_id = "emergency-20240304-1"
    client, task = result.scenario.task_by_id[task_id]
    assert client.id == "dag" and task.priority_class == 1 and task.dates == [MONDAY]
    assert task.is_due(MONDAY) and not task.is_due(TUESDAY)
    entry = entries_on(result.plan, MONDAY)[f"{task_id}@2024-03-04#0"]
    assert entry.decision is Decision.KEPT
    assert entry.start is not None and t("11:00") <= entry.start <= t("12:00")
    nurse = {c.id for c in scenario.caregivers if c.competence.value == "nurse"}
    assert set(entry.caregivers) <= nurse
    info = result.plan.replan
    assert info is not None and info.changes_by_kind.get(ChangeKind.ADDED) == 1


def test_emergency_visit_on_a_generated_district(district: tuple[Scenario, Plan]) -> None:
    scenario, plan = district
    client = scenario.clients[5].id
    event = emergency(client, "13:00", "14:00", duration=30, competence="nurse", medication=True)
    result = run(scenario, plan, event)
    assert_valid(result)
    added = [e for e in result.plan.visits if e.task.startswith("emergency-")]
    assert len(added) == 1
    entry = added[0]
    assert entry.decision is Decision.KEPT or (
        entry.shortfall and entry.visit in result.plan.shortfall.visits
    )


def test_an_emergency_visit_nobody_can_make_is_a_loud_shortfall(
    small: tuple[Scenario, Plan],
) -> None:
    scenario, plan = small
    result = run(scenario, plan, emergency("eva", "22:00", "22:30", duration=20))
    assert_valid(result)
    entry = next(e for e in result.plan.visits if e.task.startswith("emergency-"))
    assert entry.decision is not Decision.KEPT and entry.shortfall
    assert entry.visit in result.plan.shortfall.visits
    assert "NOT KEPT" in entry.reason


def test_a_second_replan_gets_a_new_emergency_task(small: tuple[Scenario, Plan]) -> None:
    scenario, plan = small
    first = run(scenario, plan, emergency("dag", "11:00", "12:00", duration=15))
    second = run(first.scenario, first.plan, emergency("eva", "13:00", "14:00", duration=15))
    assert_valid(second)
    added = sorted(e.task for e in second.plan.visits if e.task.startswith("emergency-"))
    assert added == ["emergency-20240304-1", "emergency-20240304-2"]


# ------------------------------------------------------------------------ pins


def test_a_pinned_visit_keeps_its_caregiver_and_start(small: tuple[Scenario, Plan]) -> None:
    scenario, plan = small
    visit = "eva-activity@2024-03-04#0"
    result = run(scenario, plan, pin(visit, caregiver="redep", start=t("10:30")))
    assert_valid(result)
    entry = entries_on(result.plan, MONDAY)[visit]
    assert entry.decision is Decision.KEPT
    assert entry.caregivers == ["redep"] and entry.start == t("10:30")
    assert result.plan.replan is not None and result.plan.replan.warnings == []


def test_a_pin_without_caregiver_or_start_keeps_the_visit_as_published(
    small: tuple[Scenario, Plan],
) -> None:
    scenario, plan = small
    visit = "clara-care@2024-03-04#0"
    published = entries_on(plan, MONDAY)[visit]
    result = run(scenario, plan, pin(visit, **{"from": t("08:00")}), ill("inf1", "08:00"))
    assert_valid(result)
    entry = entries_on(result.plan, MONDAY)[visit]
    assert (entry.caregivers, entry.start) == (published.caregivers, published.start)


def test_events_in_a_list_are_applied_together(small: tuple[Scenario, Plan]) -> None:
    scenario, plan = small
    events: list[Event] = [
        ill("multi", "10:00"),
        emergency("clara", "12:00", "13:00", duration=20),
    ]
    result = run(scenario, plan, *events)
    assert_valid(result)
    info = result.plan.replan
    assert info is not None and len(info.events) == 2
    assert info.days[0].at == t("10:00")  # the latest time an event gives
    assert all(
        e.start is not None and e.start < t("10:00")
        for e in result.plan.visits
        if e.date == MONDAY and "multi" in e.caregivers
    )


# ---------------------------------------------------------- problems in events


@pytest.mark.parametrize(
    ("event", "place", "words"),
    [
        (ill("nobody", "10:00"), "caregiver", "unknown caregiver 'nobody'"),
        (ill("inf2", "10:00", date=TUESDAY), "caregiver", "does not work on 2024-03-05"),
        (ill("nurse", "16:00"), "from", "not before the end of their shift"),
        (isolated("nobody", "10:00"), "client", "unknown client 'nobody'"),
        (isolated("astrid", "10:00"), "client", "already isolated"),
        (
            isolated("bjorn", "10:00", status=InfectionStatus.QUARANTINED),
            "status",
            "does not send the infection team",
        ),
        (emergency("nobody", "10:00", "11:00", duration=10), "client", "unknown client"),
        (
            emergency("dag", "10:00", "11:00", duration=10, competence="diving"),
            "competence",
            "unknown competence 'diving'",
        ),
        (pin("nothing@2024-03-04#0"), "visit", "unknown visit 'nothing@2024-03-04#0'"),
        (pin("astrid-med@2024-03-04#0", caregiver="nurse"), "caregiver", "infection team only"),
        (pin("eva-activity@2024-03-04#0", start=t("15:00")), "start", "outside the visit's window"),
        (ill("nurse", "10:00", date=dt.date(2024, 3, 9)), "date", "not a day of the plan"),
    ],
)
def test_events_with_unknown_ids_or_impossible_values_are_refused(
    small: tuple[Scenario, Plan], event: Event, place: str, words: str
) -> None:
    scenario, plan = small
    with pytest.raises(InputError) as caught:
        run(scenario, plan, event)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{place}:") and words in p for p in problems), problems


def test_a_list_names_the_event_of_each_problem(small: tuple[Scenario, Plan]) -> None:
    scenario, plan = small
    with pytest.raises(InputError) as caught:
        run(scenario, plan, ill("nurse", "10:00"), ill("ghost", "10:00"))
    assert [str(p) for p in caught.value.problems] == ["[1].caregiver: unknown caregiver 'ghost'"]


def test_event_fields_are_validated() -> None:
    with pytest.raises(ValidationError, match="before it starts"):
        emergency("dag", "12:00", "11:00", duration=10)
    with pytest.raises(ValidationError, match="minutes must be 00-59"):
        CaregiverIll.model_validate({"type": "caregiver_ill", "caregiver": "x", "from": "10:75"})


# ------------------------------------------------------------------- the domain


def test_a_dated_task_is_due_only_on_its_dates() -> None:
    scenario = small_scenario()
    base = scenario.task_by_id["dag-check"][1]
    task = base.model_copy(update={"dates": [MONDAY]})
    assert task.is_due(MONDAY) and not task.is_due(TUESDAY)
    data = base.model_dump(by_alias=True)
    with pytest.raises(ValidationError, match="never be due"):
        CareTask.model_validate({**data, "weekdays": [2], "dates": [MONDAY]})
    with pytest.raises(ValidationError, match="dates repeat"):
        CareTask.model_validate({**data, "dates": [MONDAY, MONDAY]})


def test_an_infection_period_may_begin_during_a_day() -> None:
    period = InfectionPeriod(status=InfectionStatus.ISOLATED, since=MONDAY, since_time=t("09:00"))
    assert not period.covers(MONDAY)  # the whole day: the status at its start
    assert not period.covers(MONDAY, at=t("08:59"))
    assert period.covers(MONDAY, at=t("09:00"))
    assert period.covers(TUESDAY)


def test_change_kinds() -> None:
    scenario = small_scenario()
    plan = plan_for(scenario, 5_000)
    entry = next(e for e in plan.visits if e.decision is Decision.KEPT)
    assert entry.start is not None
    assert change_kind(entry, entry) is None
    assert change_kind(None, entry) is ChangeKind.ADDED
    assert change_kind(entry, None) is ChangeKind.REMOVED
    late = entry.model_copy(update={"start": entry.start + 16, "end": (entry.end or 0) + 16})
    assert change_kind(entry, late) is ChangeKind.MOVED
    near = entry.model_copy(update={"start": entry.start + 15, "end": (entry.end or 0) + 15})
    assert change_kind(entry, near) is ChangeKind.SHIFTED
    other = entry.model_copy(update={"caregivers": ["someone-else"]})
    assert change_kind(entry, other) is ChangeKind.REASSIGNED


# --------------------------------------------------------------------- the CLI


@pytest.fixture()
def files(tmp_path: Path, small: tuple[Scenario, Plan]) -> tuple[Path, Path]:
    scenario, plan = small
    scenario_path, plan_path = tmp_path / "s.json", tmp_path / "p.json"
    save_model(scenario, scenario_path)
    save_model(plan, plan_path)
    return scenario_path, plan_path


def cli_replan(files: tuple[Path, Path], event: Any, tmp_path: Path) -> Any:
    event_path = tmp_path / "event.json"
    event_path.write_text(event if isinstance(event, str) else json.dumps(event))
    scenario_path, plan_path = files
    output = tmp_path / "new.json"
    return runner.invoke(
        app,
        [
            "replan",
            str(scenario_path),
            str(plan_path),
            "--event",
            str(event_path),
            "-o",
            str(output),
            "--iterations",
            "10000",
        ],
    )


def test_cli_replans_and_writes_the_plan_and_its_scenario(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    event = [
        {"type": "caregiver_ill", "caregiver": "nurse", "from": "08:30"},
        {
            "type": "emergency_visit",
            "client": "dag",
            "duration": 30,
            "window": ["11:00", "12:00"],
            "competence": "nurse",
        },
    ]
    result = cli_replan(files, event, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Stability:" in result.output and "Plan checker: no violations" in result.output
    new, modified = tmp_path / "new.json", tmp_path / "new.scenario.json"
    plan, scenario = load_plan(new), load_scenario(modified)
    assert plan.kpis is not None and plan.replan is not None
    assert plan.scenario_digest == scenario.digest()
    check = runner.invoke(app, ["check", str(modified), str(new)])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {"type": "caregiver_fainted", "caregiver": "nurse", "from": "10:00"},
            "type: unknown event type 'caregiver_fainted'",
        ),
        (
            {"type": "caregiver_ill", "caregiver": "nobody", "from": "10:00"},
            "caregiver: unknown caregiver 'nobody'",
        ),
        (
            {"type": "caregiver_ill", "caregiver": "nurse", "from": "25:10"},
            "from: time '25:10' is outside 00:00-24:00",
        ),
        (
            {
                "type": "emergency_visit",
                "client": "dag",
                "duration": 30,
                "window": ["12:00", "11:00"],
            },
            "window: the window ends at 11:00, before it starts at 12:00",
        ),
        (
            {"type": "pin_visit", "visit": "nothing@2024-03-04#0"},
            "visit: unknown visit 'nothing@2024-03-04#0'",
        ),
        (
            {"type": "client_isolated", "client": "nobody", "from": "09:00"},
            "client: unknown client 'nobody'",
        ),
        (
            [{"type": "caregiver_ill", "caregiver": "nurse", "from": "10:00", "colour": "red"}],
            "[0].colour: unknown field",
        ),
        ("{not json", "not valid JSON"),
    ],
)
def test_cli_refuses_bad_event_files_and_writes_nothing(
    files: tuple[Path, Path], tmp_path: Path, event: Any, expected: str
) -> None:
    result = cli_replan(files, event, tmp_path)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "new.json").exists()
    assert not (tmp_path / "new.scenario.json").exists()


def test_event_files_may_hold_one_event_or_a_list() -> None:
    one = parse_events('{"type": "caregiver_ill", "caregiver": "a", "from": "10:30"}')
    many = parse_events(
        '[{"type": "pin_visit", "visit": "v@2024-03-04#0"}, '
        '{"type": "client_isolated", "client": "c", "from": "09:00"}]'
    )
    assert [e.type for e in one] == ["caregiver_ill"]
    assert [e.type for e in many] == ["pin_visit", "client_isolated"]
    assert isinstance(one[0], CaregiverIll) and one[0].from_ == t("10:30")


# ------------------------------------------------------------ many districts


@st.composite
def crises(draw: st.DrawFn) -> tuple[GeneratorConfig, int, int]:
    clients = draw(st.integers(8, 40))
    config = GeneratorConfig(
        clients=clients,
        caregivers=draw(st.integers(3, 9)),
        absence=draw(st.sampled_from([0.0, 0.2, 0.3])),
        isolated=draw(st.integers(0, min(2, clients))),
        seed=draw(st.integers(0, 10_000)),
        days=draw(st.integers(1, 2)),
    )
    return config, draw(st.integers(t("07:30"), t("15:00"))), draw(st.integers(0, 3))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crises())
def test_replans_of_generated_districts_pass_the_checker(
    case: tuple[GeneratorConfig, int, int],
) -> None:
    """One event of each kind in turn, at a random time: the re-plan always passes the
    checker, keeps what was done and gives the ill caregiver nothing after ``from``."""
    config, at, kind = case
    scenario = generate_scenario(config)
    plan = plan_for(scenario, 5_000)
    day = plan.dates[0]
    working = sorted({r.caregiver for r in plan.routes if r.date == day})
    later = [
        e
        for e in plan.visits
        if e.date == day and e.decision is Decision.KEPT and (e.start or 0) >= at
    ]
    event: Event
    if kind == 0 and working:
        who = working[at % len(working)]
        shift = scenario.shift_on(scenario.caregiver_by_id[who], day)
        assume(shift is not None and at < shift.end)
        event = CaregiverIll(type="caregiver_ill", caregiver=who, from_=at)
    elif kind == 1:
        client = scenario.clients[at % len(scenario.clients)]
        assume(not scenario.needs_infection_team(client, day, at=at))
        event = ClientIsolated(type="client_isolated", client=client.id, from_=at)
    elif kind == 2:
        client = scenario.clients[at % len(scenario.clients)]
        event = emergency(client.id, "12:00", "13:00", duration=30, competence="health_worker")
    else:
        assume(bool(later))
        event = pin(later[at % len(later)].visit, **{"from": at})
    result = run(scenario, plan, event)
    assert_valid(result)
    info = result.plan.replan
    assert info is not None and 0.0 <= info.stability.share <= 1.0
    here = info.days[0]
    ill_from = {event.caregiver: event.from_} if isinstance(event, CaregiverIll) else {}
    assert_done_unchanged(plan, result.plan, day, here.at, ill_from)
    for entry in result.plan.visits:
        for caregiver, since in ill_from.items():
            if entry.date == day and caregiver in entry.caregivers:
                assert entry.start is not None and entry.start < since
