"""The optimiser: triage and routing as one optimisation. Its plans pass the independent
checker; it keeps what the policy says matters most, at least as much as the greedy
baseline; it follows the infection-control, double-staffing and dependency rules; it
reduces visits only in the ways the policy and the client's data allow, over a rolling
horizon; and a fixed seed and iteration budget give the same plan every time.

Every run here uses a small iteration budget (``--iterations``), not the clock, so the
tests are fast and reproducible."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from beredt.checker import check_plan
from beredt.cli import app
from beredt.domain.errors import BeredtError
from beredt.domain.model import (
    Caregiver,
    CareTask,
    Client,
    Competence,
    Location,
    Municipality,
    Office,
    Relative,
    ServiceType,
    Shift,
    TimeWindow,
    Unit,
    Vulnerability,
)
from beredt.domain.plan import Plan, PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit
from beredt.io import load_plan
from beredt.planning import DEFAULT_PLANNER, PLANNERS, make_plan
from beredt.planning.day_model import MANDATORY, DayModel, mandatory, visit_penalty
from beredt.planning.engine.model import (
    EngineCaregiver,
    Job,
    Model,
    Result,
    SearchParameters,
    Sync,
)
from beredt.planning.engine.model import ProgressCallback as EngineProgress
from beredt.planning.engine.model import Route as EngineRoute
from beredt.planning.optimiser import (
    DOUBLE_STAFFED_MAX_LOAD,
    MIN_SEARCH_SHARE,
    EngineFault,
    Optimiser,
    OptimiserSettings,
    _DayProgress,
    care_load,
    class1_component,
    class1_phase,
    day_budget,
)
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from tests.fixtures import TRAVEL, small_scenario

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ITERATIONS = 20_000


def optimise(scenario: Scenario, iterations: int = ITERATIONS, seed: int = 0) -> Plan:
    return make_plan(
        scenario,
        TRAVEL,
        planner="optimiser",
        created_at=WHEN,
        seed=seed,
        max_iterations=iterations,
    )


def greedy(scenario: Scenario) -> Plan:
    return make_plan(scenario, TRAVEL, planner="greedy", created_at=WHEN)


def assert_valid(scenario: Scenario, plan: Plan) -> None:
    report = check_plan(scenario, plan, TRAVEL)
    assert report.violations == [], [str(v) for v in report.violations[:5]]


def priority(scenario: Scenario, entry: PlannedVisit) -> int:
    return scenario.task_by_id[entry.task][1].priority_class


def kept(plan: Plan) -> list[PlannedVisit]:
    return [v for v in plan.visits if v.decision is Decision.KEPT]


# ------------------------------------------------------------------ registration


def test_the_optimiser_is_the_default_planner_and_greedy_still_runs() -> None:
    assert DEFAULT_PLANNER == "optimiser"
    assert {"optimiser", "greedy"} <= set(PLANNERS)
    scenario = small_scenario()
    assert greedy(scenario).planner == "greedy"


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(BeredtError, match="time limit"):
        OptimiserSettings(time_limit=0)
    with pytest.raises(BeredtError, match="iterations"):
        OptimiserSettings(max_iterations=0)
    assert OptimiserSettings().seconds_per_day == 10.0
    assert OptimiserSettings(max_iterations=5).search_parameters().max_iterations == 5


# ------------------------------------------------------------------ the fixture


def test_plan_of_the_small_district_passes_the_checker() -> None:
    scenario = small_scenario()
    plan = optimise(scenario)
    report = check_plan(scenario, plan, TRAVEL)
    assert report.violations == []
    assert report.kpis.class1_coverage == 1.0
    assert plan.planner == "optimiser"
    assert plan.scenario_digest == scenario.digest()
    assert all(entry.reason for entry in plan.visits)


def test_double_staffed_visit_gets_two_caregivers_at_one_start() -> None:
    scenario = small_scenario()
    plan = optimise(scenario)
    doubles = [v for v in kept(plan) if scenario.task_by_id[v.task][1].caregivers == 2]
    assert doubles
    for entry in doubles:
        assert len(set(entry.caregivers)) == 2
        routes = [r for r in plan.routes if r.date == entry.date and entry.visit in r.stops]
        assert {r.caregiver for r in routes} == set(entry.caregivers)
        assert entry.start is not None and entry.end == entry.start + 30


def test_dependencies_hold() -> None:
    """Insulin first, breakfast 10-90 minutes later, on both days."""
    scenario = small_scenario()
    plan = optimise(scenario)
    starts = {(v.task, v.date): v.start for v in kept(plan)}
    for day in scenario.dates:
        insulin, breakfast = starts[("bjorn-insulin", day)], starts[("bjorn-breakfast", day)]
        assert insulin is not None and breakfast is not None
        assert 10 <= breakfast - insulin <= 90


def test_kept_visits_say_who_comes_when() -> None:
    scenario = small_scenario()
    plan = optimise(scenario)
    for entry in kept(plan):
        names = [scenario.caregiver_by_id[c].name for c in entry.caregivers]
        assert entry.reason.startswith("kept: ")
        assert all(name in entry.reason for name in names)


# ----------------------------------------------------------- generated districts


@st.composite
def configs(draw: st.DrawFn) -> GeneratorConfig:
    clients = draw(st.integers(5, 40))
    return GeneratorConfig(
        clients=clients,
        caregivers=draw(st.integers(2, 10)),
        absence=draw(st.sampled_from([0.0, 0.2, 0.3, 0.5])),
        isolated=draw(st.integers(0, min(3, clients))),
        seed=draw(st.integers(0, 10_000)),
        days=draw(st.integers(1, 2)),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.integers(0, 3))
def test_plans_of_generated_districts_pass_the_checker(config: GeneratorConfig, seed: int) -> None:
    scenario = generate_scenario(config)
    plan = optimise(scenario, iterations=10_000, seed=seed)
    report = check_plan(scenario, plan, TRAVEL)
    assert report.violations == [], [str(v) for v in report.violations[:5]]
    for entry in plan.visits:
        if priority(scenario, entry) == 1 and entry.decision is not Decision.KEPT:
            assert entry.shortfall and entry.visit in plan.shortfall.visits
    baseline = check_plan(scenario, greedy(scenario), TRAVEL).kpis
    if baseline.class1_coverage == 1.0:
        assert report.kpis.class1_coverage == 1.0


def care_value(scenario: Scenario, plan: Plan) -> float:
    """What the kept care is worth by the objective: the penalty each KEPT visit avoids."""
    total = 0.0
    for entry in kept(plan):
        visit = scenario.visit_by_id(entry.visit)
        assert visit is not None
        total += visit_penalty(scenario, visit, entry.date)
    return total


def essential_minutes(scenario: Scenario, plan: Plan) -> int:
    return sum(
        scenario.task_by_id[v.task][1].duration for v in kept(plan) if priority(scenario, v) <= 2
    )


def test_keeps_at_least_the_care_greedy_keeps_at_30_percent_absence() -> None:
    scenario = generate_scenario(GeneratorConfig(clients=60, caregivers=12, absence=0.3, seed=3))
    baseline, plan = greedy(scenario), optimise(scenario, iterations=60_000)
    assert_valid(scenario, plan)
    ours, theirs = (check_plan(scenario, p, TRAVEL).kpis for p in (plan, baseline))
    assert ours.class1_coverage >= theirs.class1_coverage
    assert ours.essential_coverage >= theirs.essential_coverage
    assert essential_minutes(scenario, plan) >= essential_minutes(scenario, baseline)
    assert care_value(scenario, plan) >= care_value(scenario, baseline)


def test_isolated_clients_see_only_the_infection_team_and_at_most_two_faces() -> None:
    """A team of three at work (two by day, one in the evening); without the pair rule
    this district gave one isolated client three different people."""
    scenario = generate_scenario(
        GeneratorConfig(clients=90, caregivers=22, absence=0.2, isolated=4, seed=7)
    )
    day = scenario.start_date
    team = {c.id for c in scenario.caregivers if c.infection_team and scenario.shift_on(c, day)}
    assert len(team) == 3
    isolated = {c.id for c in scenario.clients if scenario.needs_infection_team(c, day)}
    assert isolated
    plan = optimise(scenario, iterations=60_000)
    assert_valid(scenario, plan)
    faces: dict[str, set[str]] = defaultdict(set)
    for entry in kept(plan):
        if entry.client in isolated:
            assert set(entry.caregivers) <= team
            faces[entry.client].update(entry.caregivers)
    assert faces, "no isolated client was served at all"
    assert max(len(people) for people in faces.values()) <= 2
    kpis = check_plan(scenario, plan, TRAVEL).kpis
    assert kpis.max_distinct_caregivers_per_isolated_client <= 2


# ------------------------------------------------------------------ triage actions

MONDAY = dt.date(2024, 3, 4)
OFFICE = Location(lat=60.3900, lon=5.3200)


def _task(task_id: str, priority_class: int, **more: object) -> CareTask:
    fields: dict[str, object] = {
        "name": task_id,
        "kind": task_id.split("-")[-1],
        "windows": [TimeWindow(start=600, end=615)],
        "duration": 60,
        "priority_class": priority_class,
        **more,
    }
    return CareTask(id=task_id, **fields)  # type: ignore[arg-type]


def _client(number: int, task: CareTask, **more: object) -> Client:
    fields: dict[str, object] = {
        "name": f"Client {number}",
        "unit": "u",
        "address": f"Gate {number}",
        "location": Location(lat=60.3900 + 0.001 * number, lon=5.3200),
        "tasks": [task],
        **more,
    }
    return Client(id=f"c{number}", **fields)  # type: ignore[arg-type]


def scarce_scenario(days: int = 1) -> Scenario:
    """One assistant, 09:30-11:30, and two clients of each kind all wanting 60 minutes
    at 10:00: at most one visit can be kept, so every alternative must be used."""
    kinds: list[tuple[str, CareTask, dict[str, object]]] = []
    for n in range(2):
        kinds += [
            ("phone", _task(f"p{n}-check", 3), {"phone": "+47 900 00 00" + str(n)}),
            (
                "relative",
                _task(f"r{n}-check", 3),
                {
                    "can_use_phone": False,
                    "relatives": [Relative(name=f"Kari {n}", agreed_tasks=[f"r{n}-check"])],
                },
            ),
            (
                "relative2",
                _task(f"h{n}-care", 2),
                {"relatives": [Relative(name=f"Ola {n}", agreed_tasks=[f"h{n}-care"])]},
            ),
            ("postpone", _task(f"s{n}-shower", 4, deferral_limit_days=1), {}),
            (
                "cancel",
                _task(f"x{n}-support", 5, service_type=ServiceType.SUPPORT_CONTACT),
                {"vulnerability": Vulnerability.LOW},
            ),
        ]
    kinds.append(("nurse", _task("m-med", 1, competence="nurse", medication=True), {}))
    clients = [_client(i, task, **more) for i, (_, task, more) in enumerate(kinds)]
    return Scenario(
        name="Scarce",
        municipality=Municipality(code="4601", name="Bergen"),
        units=[Unit(id="u", name="Unit", office=Office(address="Kontor", location=OFFICE))],
        start_date=MONDAY,
        days=days,
        clients=clients,
        caregivers=[
            Caregiver(
                id="a1",
                name="Anne Assistent",
                competence=Competence.ASSISTANT,
                home_unit="u",
                shift=Shift(start=570, end=690),
            )
        ],
    )


EXPECTED = {
    "p": Decision.REPLACED_BY_PHONE,
    "r": Decision.HANDED_TO_RELATIVE,
    "h": Decision.HANDED_TO_RELATIVE,
    "s": Decision.POSTPONED,
    "x": Decision.CANCELLED,
}


def test_every_triage_action_is_used_where_the_policy_and_data_allow_it() -> None:
    scenario = scarce_scenario()
    plan = optimise(scenario)
    assert_valid(scenario, plan)
    assert len(kept(plan)) == 1
    seen = set()
    for entry in plan.visits:
        if entry.decision is Decision.KEPT or entry.task == "m-med":
            continue
        expected = EXPECTED[entry.task[0]]
        assert entry.decision is expected, entry
        assert not entry.shortfall
        seen.add(expected)
        if expected is Decision.HANDED_TO_RELATIVE:
            assert entry.relative is not None and entry.relative in entry.reason
        if expected is Decision.POSTPONED:
            assert entry.postponed_to == MONDAY + dt.timedelta(days=1)
            assert "limit 1 days" in entry.reason
    assert seen == set(EXPECTED.values())


def test_life_critical_care_nobody_may_do_is_a_loud_shortfall() -> None:
    scenario = scarce_scenario()
    plan = optimise(scenario)
    medication = next(v for v in plan.visits if v.task == "m-med")
    assert medication.decision is Decision.CANCELLED and medication.shortfall
    assert "no nurse at work who may do it (needs nurse)" in medication.reason
    assert plan.shortfall.visits == [medication.visit]
    assert "nurses short by 60 minutes" in plan.shortfall.message


def test_busy_staff_is_named_in_the_reason() -> None:
    scenario = scarce_scenario()
    plan = optimise(scenario)
    phoned = next(v for v in plan.visits if v.decision is Decision.REPLACED_BY_PHONE)
    assert "no caregiver free 10:00-10:15 (Anne Assistent, the only one who may, is busy)" in (
        phoned.reason
    )


def test_special_needs_keep_their_social_care_or_it_is_a_shortfall() -> None:
    base = scarce_scenario()
    clients = [
        c.model_copy(update={"special_needs": True}) if c.tasks[0].priority_class == 5 else c
        for c in base.clients
    ]
    scenario = base.model_copy(update={"clients": clients})
    plan = optimise(scenario)
    assert_valid(scenario, plan)
    for entry in plan.visits:
        if priority(scenario, entry) == 5:
            assert entry.decision is Decision.KEPT or entry.shortfall


def test_the_most_important_care_is_kept() -> None:
    """Class 2 (undiscounted, no relative) beats everything else the assistant could
    do at 10:00."""
    base = scarce_scenario()
    extra = _client(99, _task("z-care", 2), vulnerability=Vulnerability.HIGH)
    scenario = base.model_copy(update={"clients": [*base.clients, extra]})
    plan = optimise(scenario)
    assert [v.task for v in kept(plan)] == ["z-care"]


# ---------------------------------------------------------------- the penalties


def _visit(scenario: Scenario, task_id: str) -> Visit:
    return next(v for v in scenario.visits_on(scenario.start_date) if v.task.id == task_id)


def test_penalties_follow_priority_policy_and_vulnerability() -> None:
    scenario = scarce_scenario()
    day = scenario.start_date
    w = scenario.objective

    def penalty(task_id: str, on: dt.date = day) -> float:
        return visit_penalty(scenario, _visit(scenario, task_id), on)

    assert penalty("m-med") >= MANDATORY
    # class 3 by phone: class value × minutes × vulnerability × the phone discount
    expected = w.class_value[3] * 60 * w.vulnerability_factor[2]
    assert penalty("p0-check") == pytest.approx(
        expected * w.alternative_discount[Decision.REPLACED_BY_PHONE]
    )
    assert penalty("s0-shower") == pytest.approx(
        w.class_value[4] * 60 * w.alternative_discount[Decision.POSTPONED]
    )
    # the next day the shower is at its limit: escalated to class 2, no alternative left
    next_day = day + dt.timedelta(days=1)
    assert penalty("s0-shower", next_day) == pytest.approx(
        w.class_value[2] * 60 * (1 + w.postponement_growth)
    )
    assert penalty("x0-support") == pytest.approx(w.class_value[5] * 60 * w.vulnerability_factor[1])
    assert penalty("h0-care") < penalty("m-med")
    assert penalty("h0-care") > penalty("p0-check") > penalty("x0-support")


# ------------------------------------------------------------------ rolling horizon


def test_postponed_visits_reappear_and_never_pass_their_limit_unreported() -> None:
    scenario = scarce_scenario(days=3)
    plan = optimise(scenario)
    assert_valid(scenario, plan)
    entries = {(v.visit, v.date): v for v in plan.visits}
    postponed = [v for v in plan.visits if v.decision is Decision.POSTPONED]
    assert postponed
    for entry in postponed:
        assert entry.postponed_to is not None
        follow_up = entries.get((entry.visit, entry.postponed_to))
        if entry.postponed_to in plan.dates:
            assert follow_up is not None
        visit = scenario.visit_by_id(entry.visit)
        assert visit is not None and visit.task.deferral_limit_days is not None
        assert (entry.postponed_to - visit.due_date).days <= visit.task.deferral_limit_days
    # The showers wait at most one day; after that they are kept or reported.
    for (vid, day), entry in entries.items():
        visit = scenario.visit_by_id(vid)
        assert visit is not None
        if day > visit.due_date:
            assert "postponed from" in entry.reason or entry.decision is not Decision.KEPT
            assert entry.decision is Decision.KEPT or entry.shortfall


def test_multi_day_generated_district_passes_the_checker() -> None:
    scenario = generate_scenario(
        GeneratorConfig(clients=40, caregivers=9, absence=0.3, isolated=2, seed=11, days=3)
    )
    plan = optimise(scenario)
    assert_valid(scenario, plan)
    carried = [v for v in plan.visits if v.visit.split("@")[1][:10] != v.date.isoformat()]
    assert carried, "nothing postponed was planned again"
    assert all("postponed from" in v.reason for v in carried if v.decision is Decision.KEPT)


# ------------------------------------------------------------------ reproducibility


def test_same_seed_and_iterations_give_the_same_plan() -> None:
    scenario = generate_scenario(GeneratorConfig(clients=30, caregivers=7, absence=0.3, seed=2))
    first, second = optimise(scenario, seed=4), optimise(scenario, seed=4)
    assert first == second
    assert first.time_limit is None


def test_progress_is_reported_to_the_end() -> None:
    calls: list[tuple[int, int]] = []
    scenario = small_scenario()
    make_plan(
        scenario,
        TRAVEL,
        planner="optimiser",
        created_at=WHEN,
        max_iterations=ITERATIONS,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1][0] == calls[-1][1] == 100 * scenario.days
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_time_limit_is_recorded_in_the_plan() -> None:
    scenario = small_scenario().model_copy(update={"days": 1})
    plan = make_plan(scenario, TRAVEL, planner="optimiser", created_at=WHEN, time_limit=0.2)
    assert plan.time_limit == 0.2
    assert_valid(scenario, plan)


def _search_seconds(
    monkeypatch: pytest.MonkeyPatch,
    settings: OptimiserSettings,
    jobs: list[int] | None = None,
    scenario: Scenario | None = None,
) -> float:
    """The seconds the day's search phases get when the warm start and model take at
    least 0.3 s (a sleep added to them); ``jobs`` gets the day's number of jobs and how
    many of them the warm start leaves out. ``scenario``: one day of the fixture."""
    given_seconds: list[float] = []
    day_model = Optimiser._day_model
    class1_first = Optimiser._class1_first

    def slow_day_model(self: Optimiser, day: dt.date, visits: list[Visit]) -> object:
        time.sleep(0.3)
        return day_model(self, day, visits)

    def spy(
        self: Optimiser, model: DayModel, initial: list[list[int]], seconds: float, tick: object
    ) -> object:
        given_seconds.append(seconds)
        if jobs is not None:
            jobs.append(len(model.job_visit))
            jobs.append(len(model.job_visit) - sum(len(route) for route in initial))
        return class1_first(self, model, initial, seconds, tick)  # type: ignore[arg-type]

    monkeypatch.setattr(Optimiser, "_day_model", slow_day_model)
    monkeypatch.setattr(Optimiser, "_class1_first", spy)
    if scenario is None:
        scenario = small_scenario().model_copy(update={"days": 1})
    plan = Optimiser(scenario, TRAVEL, settings).plan(WHEN)
    assert_valid(scenario, plan)
    (seconds,) = given_seconds
    return seconds


def test_the_time_limit_pays_for_the_warm_start_and_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a time limit the day's seconds cover the greedy warm start and the model as
    well as the search, so a 30 s limit means a plan in about 30 s; the search keeps at
    least a quarter of them however slow the first two were."""
    assert _search_seconds(monkeypatch, OptimiserSettings(time_limit=0.4)) == pytest.approx(
        0.4 * MIN_SEARCH_SHARE
    )


def test_the_time_limit_keeps_time_back_for_the_check_after_the_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each job keeps CHECK_SECONDS_PER_JOB back from the search for checking its
    routes, and CHECK_SECONDS_PER_JOB_LEFT_OUT more per job the warm start leaves out
    for the repair, so the whole day fits in the limit."""
    import beredt.planning.optimiser as optimiser_module

    monkeypatch.setattr(optimiser_module, "CHECK_SECONDS_PER_JOB", 0.001)
    monkeypatch.setattr(optimiser_module, "CHECK_SECONDS_PER_JOB_LEFT_OUT", 0.0002)
    short = generate_scenario(GeneratorConfig(clients=16, caregivers=4, absence=0.5, seed=2))
    jobs: list[int] = []
    seconds = _search_seconds(monkeypatch, OptimiserSettings(time_limit=1.0), jobs, short)
    count, left_out = jobs
    assert count > 0 and left_out > 0  # staff short: the warm start leaves jobs out
    reserve = count * (0.001 + 0.0002 * left_out)
    assert 1.0 - 0.3 - reserve > MIN_SEARCH_SHARE  # the floor does not decide here
    assert MIN_SEARCH_SHARE <= seconds <= 1.0 - 0.3 - reserve


def test_with_iterations_the_budget_does_not_depend_on_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = OptimiserSettings(time_limit=0.4, max_iterations=2_000)
    assert _search_seconds(monkeypatch, settings) == pytest.approx(0.4)


# ------------------------------------------------------------------------- the CLI

runner = CliRunner()


def test_cli_plans_with_the_optimiser_reproducibly(tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    result = runner.invoke(
        app,
        [
            "scenario",
            "generate",
            "--clients",
            "25",
            "--caregivers",
            "6",
            "--seed",
            "3",
            "--isolated",
            "1",
            "-o",
            str(scenario),
        ],
    )
    assert result.exit_code == 0, result.output
    plans = []
    for name in ("a.json", "b.json"):
        path = tmp_path / name
        result = runner.invoke(
            app,
            [
                "plan",
                str(scenario),
                "-o",
                str(path),
                "--planner",
                "optimiser",
                "--iterations",
                "20000",
                "--seed",
                "5",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "Plan checker: no violations" in result.output
        plans.append(load_plan(path))
    first, second = plans
    assert first.planner == "optimiser" and first.seed == 5
    assert first.visits == second.visits and first.routes == second.routes


def test_cli_refuses_a_bad_iteration_count(tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    runner.invoke(app, ["scenario", "generate", "--clients", "5", "-o", str(scenario)])
    result = runner.invoke(
        app, ["plan", str(scenario), "-o", str(tmp_path / "p.json"), "--iterations", "0"]
    )
    assert result.exit_code == 2
    assert "iterations must be at least 1" in result.output
    assert not (tmp_path / "p.json").exists()


# --------------------------------------------------------------- budget and faults


def test_the_time_budget_is_shared_out_by_each_days_visits() -> None:
    assert day_budget(30.0, 100, 200) == pytest.approx(10.0)
    assert day_budget(20.0, 150, 50) == pytest.approx(15.0)
    assert day_budget(5.0, 40, 0) == pytest.approx(5.0)  # the last day takes the rest
    assert day_budget(5.0, 0, 40) == 0.0  # nothing to plan, nothing to search


def test_a_visit_not_worth_a_long_trip_says_so() -> None:
    """Class-5 care 30 km out: the caregiver is free, but the drive weighs more."""
    far = Location(lat=OFFICE.lat + 0.27, lon=OFFICE.lon)
    task = _task("x-support", 5, duration=15, windows=[TimeWindow(start=600, end=840)])
    scenario = scarce_scenario().model_copy(
        update={
            "clients": [_client(1, task, location=far, vulnerability=Vulnerability.LOW)],
            "caregivers": [
                Caregiver(
                    id="a1",
                    name="Anne Assistent",
                    competence=Competence.ASSISTANT,
                    home_unit="u",
                    shift=Shift(start=480, end=960),
                )
            ],
        }
    )
    plan = optimise(scenario)
    assert_valid(scenario, plan)
    (entry,) = plan.visits
    assert entry.decision is Decision.CANCELLED and not entry.shortfall
    assert "Anne Assistent could come at 10:00, but the" in entry.reason
    assert "detour weighs more than this social/relief visit" in entry.reason


def test_an_engine_fault_stops_planning_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the search ever return routes its own exact evaluator refuses, planning
    stops with an EngineFault naming the day: a bug is never papered over."""
    original = Model.solve

    def faulty(
        self: Model,
        parameters: SearchParameters | None = None,
        initial: Sequence[Sequence[int]] | None = None,
        progress: EngineProgress | None = None,
    ) -> Result:
        result = original(self, parameters, initial, progress)
        everything = tuple(j for route in result.routes for j in route.jobs)
        crammed = EngineRoute(caregiver=0, jobs=everything, break_start=None, start=0, end=0)
        return replace(result, routes=(crammed,))

    monkeypatch.setattr(Model, "solve", faulty)
    scenario = small_scenario()
    optimiser = Optimiser(scenario, TRAVEL, OptimiserSettings(max_iterations=1_000))
    with pytest.raises(EngineFault, match="evaluator refuses"):
        optimiser.plan(WHEN)


def test_a_warm_start_the_engine_refuses_is_trimmed_not_dropped() -> None:
    """On day 3 of this district an earlier engine refused the greedy routes (its
    break placement ran before a double-staffed partner's start was known; fixed, see
    docs/optimiser.md): the plan is valid and keeps all the life-critical care greedy
    keeps."""
    scenario = generate_scenario(
        GeneratorConfig(clients=72, caregivers=19, absence=0.3, isolated=6, seed=9200, days=3)
    )
    plan = optimise(scenario, iterations=5_000)
    assert_valid(scenario, plan)
    ours = check_plan(scenario, plan, TRAVEL).kpis
    theirs = check_plan(scenario, greedy(scenario), TRAVEL).kpis
    assert ours.class1_coverage >= theirs.class1_coverage


# ------------------------------------------------------- double-staffed care first


def _double_staffed_day(caregivers: int) -> tuple[Optimiser, DayModel, list[list[int]]]:
    scenario = generate_scenario(
        GeneratorConfig(clients=40, caregivers=caregivers, absence=0.3, isolated=1, seed=31)
    )
    optimiser = Optimiser(scenario, TRAVEL, OptimiserSettings(max_iterations=100_000, seed=1))
    day_model, initial = optimiser._day_model(
        scenario.start_date, scenario.visits_on(scenario.start_date)
    )
    return optimiser, day_model, initial


def test_double_staffed_care_is_planned_before_the_single_visits() -> None:
    """The phase before the whole day's search keeps only class-1 and double-staffed
    jobs in its routes, each double-staffed visit on two routes at one start, and at
    least as many of them as the warm start, where single visits fill the routes."""
    optimiser, day_model, initial = _double_staffed_day(caregivers=12)
    assert care_load(day_model.model) <= DOUBLE_STAFFED_MAX_LOAD
    tick = _DayProgress(None, 0, 1, 10.0, optimiser.settings)
    jobs = day_model.job_visit
    doubles = {j for j, visit in enumerate(jobs) if visit.task.caregivers == 2}
    assert doubles
    routes, seconds = optimiser._double_staffed_first(day_model, initial, 10.0, 10.0, tick)
    served = [j for route in routes for j in route]
    assert served and all(mandatory(jobs[j]) or j in doubles for j in served)
    result = day_model.model.evaluate(routes)  # feasible as it stands
    route_of = {j: route.caregiver for route in result.routes for j in route.jobs}
    for visit_id, pair in day_model.jobs_of.items():
        if len(pair) == 2:
            kept = [result.served(j) for j in pair]
            assert kept[0] == kept[1], visit_id
            if kept[0]:
                assert result.starts[pair[0]] == result.starts[pair[1]]
                assert route_of[pair[0]] != route_of[pair[1]]
    before = sum(1 for route in initial for j in route if j in doubles)
    assert sum(1 for j in served if j in doubles) >= before
    assert 0 <= seconds <= 10.0


def test_the_phase_is_skipped_on_a_day_short_of_staff() -> None:
    """Above :data:`DOUBLE_STAFFED_MAX_LOAD` the day is mostly triage, and the whole
    day's search starts from the warm start as it is."""
    optimiser, day_model, initial = _double_staffed_day(caregivers=8)
    assert care_load(day_model.model) > DOUBLE_STAFFED_MAX_LOAD
    tick = _DayProgress(None, 0, 1, 10.0, optimiser.settings)
    assert optimiser._double_staffed_first(day_model, initial, 10.0, 7.0, tick) == (initial, 7.0)


def test_care_load_is_care_over_working_time() -> None:
    model = Model(matrices=[[[0.0]]])
    model.add_caregiver(EngineCaregiver(0, 0, shift_start=0, shift_end=480, break_duration=30))
    model.add_caregiver(EngineCaregiver(0, 0, shift_start=0, shift_end=600, max_work=450))
    for duration in (300, 240, 180):
        model.add_job(Job(location=0, duration=duration, earliest=0, latest=600))
    assert care_load(model) == pytest.approx(720 / (450 + 450))
    assert care_load(Model(matrices=[[[0.0]]])) == float("inf")


def test_without_double_staffed_visits_the_phase_is_skipped() -> None:
    scenario = small_scenario()
    day = scenario.start_date
    singles = [v for v in scenario.visits_on(day) if v.task.caregivers == 1]
    optimiser = Optimiser(scenario, TRAVEL, OptimiserSettings(max_iterations=10**9))
    day_model, initial = optimiser._day_model(day, singles)
    tick = _DayProgress(None, 0, 1, 10.0, optimiser.settings)
    assert optimiser._double_staffed_first(day_model, initial, 10.0, 7.0, tick) == (initial, 7.0)


def test_a_plan_with_double_staffed_care_first_passes_the_checker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a day with room to spare the phase runs inside ``plan`` (its search holds
    only class-1 and double-staffed jobs), and the plan is valid, with every kept
    double-staffed visit on two caregivers at one start."""
    scenario = generate_scenario(
        GeneratorConfig(clients=15, caregivers=6, absence=0.2, isolated=1, seed=5)
    )
    visits = scenario.visits_on(scenario.start_date)
    parts: list[int] = []
    search_part = Optimiser._search_part

    def spy(self: Optimiser, day_model: DayModel, *args: object, **kwargs: object) -> object:
        parts.append(len(args[1]))  # type: ignore[arg-type]
        return search_part(self, day_model, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Optimiser, "_search_part", spy)
    plan = optimise(scenario, iterations=50_000, seed=2)
    assert_valid(scenario, plan)
    first = sum(v.task.caregivers for v in visits if v.task.caregivers == 2 or mandatory(v))
    assert first in parts  # the double-staffed phase's search over exactly those jobs
    doubles = [e for e in kept(plan) if scenario.task_by_id[e.task][1].caregivers == 2]
    assert doubles
    assert all(len(set(entry.caregivers)) == 2 for entry in doubles)


# ------------------------------------------------- the class-1 phase goes on


def test_class1_component_holds_what_is_tied_to_the_missing_jobs() -> None:
    """The part of the day searched again for class-1 jobs left out: the caregivers who
    may take one in their shift, everything on their routes, and, closed over that, the
    other half of a double-staffed visit and a dependency's other job with their
    caregivers' routes. Nothing else."""
    model = Model(matrices=[[[0.0]]])
    day, evening = (0.0, 480.0), (600.0, 900.0)
    for shift in (day, day, evening, day, day, day):  # A B C D E F
        model.add_caregiver(EngineCaregiver(0, 0, shift_start=shift[0], shift_end=shift[1]))
    a, b, c, d, e, f = range(6)

    def job(eligible: tuple[int, ...], group: int = -1, earliest: float = 60.0) -> int:
        return model.add_job(
            Job(0, 30.0, earliest, earliest + 60, earliest + 60, eligible=eligible, group=group)
        )

    missing = job((a, b, c))  # C's evening shift cannot reach its window
    on_a = job((a,))
    pair_b, pair_d = job((b, d), group=7), job((b, d), group=7)  # double-staffed, B with D
    also_d = job((d,))
    tied_a = job((a,))
    on_e = job((e,))  # a dependency ties it to A's job: E's route comes in
    model.add_sync(Sync(tied_a, on_e, 0.0, 120.0))
    on_c, on_f = job((c,), earliest=700.0), job((f,))
    routes = [[on_a, tied_a], [pair_b], [on_c], [pair_d, also_d], [on_e], [on_f]]
    staff, jobs = class1_component(model, routes, range(len(model.jobs)))
    assert staff == {a, b, d, e}
    assert jobs[0] == missing
    assert sorted(jobs) == sorted([missing, on_a, tied_a, pair_b, pair_d, also_d, on_e])


def test_the_class1_phase_goes_on_where_class1_visits_are_missing() -> None:
    """When the class-1 phase leaves a few class-1 jobs out, the search goes on with the
    part of the day where they could go: it puts back class-1 visits there is room for,
    leaves every route outside that part as it was, and its routes schedule."""
    scenario = generate_scenario(
        GeneratorConfig(clients=40, caregivers=14, absence=0.0, isolated=1, seed=8)
    )
    optimiser = Optimiser(scenario, TRAVEL, OptimiserSettings(max_iterations=200_000, seed=3))
    day = scenario.start_date
    day_model, initial = optimiser._day_model(day, scenario.visits_on(day))
    tick = _DayProgress(None, 0, 1, 10.0, optimiser.settings)
    jobs = [j for j, visit in enumerate(day_model.job_visit) if mandatory(visit)]
    class1 = class1_phase(optimiser.settings.search_parameters(10.0))
    complete, _ = optimiser._search_part(day_model, initial, jobs, class1, tick)
    assert sorted(j for route in complete for j in route) == sorted(jobs)
    singles = [j for j in jobs if day_model.model.jobs[j].group < 0]
    taken = {singles[0], singles[-1]}
    short = [[j for j in route if j not in taken] for route in complete]
    staff, _part = class1_component(day_model.model, short, jobs)
    routes, left = optimiser._class1_more(day_model, short, jobs, 10.0, 4.0, tick)
    assert sorted(j for route in routes for j in route) == sorted(jobs)
    assert all(routes[k] == short[k] for k in range(len(short)) if k not in staff)
    assert any(routes[k] != short[k] for k in staff)
    day_model.model.evaluate(routes)  # raises if they do not schedule
    assert 0.0 <= left <= 4.0


def test_a_plan_whose_class1_phase_goes_on_keeps_all_class1_care(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a day whose class-1 phase ends a class-1 job short, the continuation runs
    inside ``plan``, finds the last place in its first round and stops; the plan is
    valid and keeps all class-1 care, where the same plan without the continuation
    does not."""
    scenario = generate_scenario(
        GeneratorConfig(clients=80, caregivers=18, absence=0.3, isolated=1, seed=3)
    )
    rounds: list[tuple[int, int]] = []
    search_component = Optimiser._search_component

    def spy(
        self: Optimiser, day_model: DayModel, routes: list[list[int]], *args: object
    ) -> tuple[list[list[int]], Result]:
        found = search_component(self, day_model, routes, *args)  # type: ignore[arg-type]
        rounds.append((sum(len(r) for r in routes), sum(len(r) for r in found[0])))
        return found

    monkeypatch.setattr(Optimiser, "_search_component", spy)
    plan = optimise(scenario)
    assert len(rounds) == 1 and rounds[0][1] == rounds[0][0] + 1
    assert_valid(scenario, plan)
    assert check_plan(scenario, plan, TRAVEL).kpis.class1_coverage == 1.0

    def without(
        self: Optimiser,
        day_model: DayModel,
        routes: list[list[int]],
        jobs: list[int],
        seconds: float,
        left: float,
        tick: object,
    ) -> tuple[list[list[int]], float]:
        return routes, left

    monkeypatch.setattr(Optimiser, "_class1_more", without)
    plain = optimise(scenario)
    assert check_plan(scenario, plain, TRAVEL).kpis.class1_coverage < 1.0
