"""The route bound: its pricing finds the best route (checked against enumerating every
route), it proves shortfalls the flow bound cannot see, and it never rules out what a
plan keeps."""

from __future__ import annotations

import itertools
import math
import time
from pathlib import Path

import pytest
from beredt_core import price_routes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from beredt.checker import check_plan
from beredt.cli import app
from beredt.domain.errors import BeredtError
from beredt.domain.model import (
    Client,
    Competence,
    InfectionPeriod,
    InfectionStatus,
    TimeWindow,
)
from beredt.domain.plan import Plan, ReplanInfo
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.io import load_class1_routes, load_plan, save_model
from beredt.planning import make_plan
from beredt.planning.capacity import class1_bound
from beredt.planning.class1check import (
    Class1Check,
    Verdict,
    check_class1,
    missed_class1,
    settled_visits,
)
from beredt.planning.routebound import _Group, _Search, day_route_bound, route_bound
from beredt.travel import MatrixCache
from tests.fixtures import TRAVEL
from tests.test_capacity import (
    client,
    helper,
    scenario,
    small_district,
    task,
)

Shift = tuple[int, int, bool, int, int, int]


def feasible(
    route: list[int], visits: list[tuple[int, int, int]], travel: list[list[int]], shift: Shift
) -> bool:
    """Can one caregiver drive ``route``? Tries the break before each stop and at the end."""
    office = len(visits)
    start_at, end_by, has_break, rest_from, rest_to, rest = shift
    for pause in range(len(route) + 1) if has_break else [-1]:
        finish, here, ok = start_at, office, True
        for k, visit in enumerate(route):
            earliest, latest, duration = visits[visit]
            arrive = finish + travel[here][visit]
            if k == pause:
                ok = ok and max(finish, rest_from) <= rest_to
                arrive = max(arrive, rest_from) + rest
            start = max(earliest, arrive)
            ok = ok and start <= latest
            finish, here = start + duration, visit
        end = finish + travel[here][office]
        if pause == len(route):
            ok = ok and max(finish, rest_from) <= rest_to
            end = max(end, rest_from) + rest
        if ok and end <= end_by:
            return True
    return False


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[tuple[int, int, int]], list[list[int]], Shift]:
    n = draw(st.integers(1, 6))
    points = [(draw(st.integers(0, 12)), draw(st.integers(0, 12))) for _ in range(n + 1)]
    travel = [[abs(a - c) + abs(b - d) for c, d in points] for a, b in points]  # a metric
    visits = []
    for _ in range(n):
        earliest = draw(st.integers(0, 80))
        visits.append((earliest, earliest + draw(st.integers(0, 40)), draw(st.integers(1, 20))))
    has_break = draw(st.booleans())
    rest_from = draw(st.integers(0, 60))
    shift = (
        draw(st.integers(0, 20)),
        draw(st.integers(60, 200)),
        has_break,
        rest_from,
        rest_from + draw(st.integers(0, 30)),
        draw(st.integers(5, 30)),
    )
    return visits, travel, shift


@settings(max_examples=120, deadline=None)
@given(instances(), st.integers(1, 3))
def test_branch_and_price_proves_exactly_what_whole_routes_cannot_keep(
    instance: tuple[list[tuple[int, int, int]], list[list[int]], Shift], caregivers: int
) -> None:
    """On small instances, against the best set of whole routes found by enumeration:
    the bound never falls below it (valid), and it proves a shortfall whenever whole
    routes cannot keep everything (branching finishes on instances this small)."""
    visits, travel, shift = instance
    n = len(visits)
    care = sum(d for _, _, d in visits)
    routes = [
        frozenset(order)
        for k in range(1, n + 1)
        for order in itertools.permutations(range(n), k)
        if feasible(list(order), visits, travel, shift)
    ]
    best = 0
    for count in range(1, caregivers + 1):
        for chosen in itertools.combinations(set(routes), count):
            if sum(len(r) for r in chosen) == len(frozenset().union(*chosen)):
                best = max(best, sum(visits[i][2] for r in chosen for i in r))
    group = _Group(caregivers, list(range(n)), travel, shift)
    search = _Search(visits, [1] * n, [group], time.perf_counter() + 30)
    keepable, root, _ = search.bound(stop_when_proven=False, branch=True)
    assert root.converged
    assert best <= keepable <= care
    assert (keepable < care) == (best < care)


@settings(max_examples=120, deadline=None)
@given(instances(), instances(), st.lists(st.booleans(), min_size=6, max_size=6))
def test_branching_on_groups_proves_exactly_what_whole_routes_cannot_keep(
    instance: tuple[list[tuple[int, int, int]], list[list[int]], Shift],
    other: tuple[list[tuple[int, int, int]], list[list[int]], Shift],
    may: list[bool],
) -> None:
    """Two caregivers alike in nothing (their own shift and break; the second may do
    only some visits): the relaxation splits visits between them, and branching on who
    gives a visit (then on arcs) must still prove exactly what whole routes cannot keep."""
    visits, travel, shift = instance
    second_shift = other[2]
    n = len(visits)
    care = sum(d for _, _, d in visits)
    allowed = [v for v in range(n) if may[v]]

    def routes(eligible: list[int], their_shift: Shift) -> list[frozenset[int]]:
        return [
            frozenset(order)
            for k in range(len(eligible) + 1)
            for order in itertools.permutations(eligible, k)
            if not order or feasible(list(order), visits, travel, their_shift)
        ]

    best = max(
        sum(visits[i][2] for i in first | second)
        for first in routes(list(range(n)), shift)
        for second in routes(allowed, second_shift)
        if not first & second
    )
    groups = [_Group(1, list(range(n)), travel, shift)]
    if allowed:
        groups.append(_Group(1, allowed, travel, second_shift))
    search = _Search(visits, [1] * n, groups, time.perf_counter() + 30)
    keepable, root, _ = search.bound(stop_when_proven=False, branch=True)
    assert root.converged
    assert best <= keepable <= care
    assert (keepable < care) == (best < care)


@settings(max_examples=300, deadline=None)
@given(instances(), st.lists(st.floats(-5, 20, allow_nan=False), min_size=6, max_size=6))
def test_the_pricing_finds_the_most_profitable_route(
    instance: tuple[list[tuple[int, int, int]], list[list[int]], Shift], raw: list[float]
) -> None:
    visits, travel, shift = instance
    n = len(visits)
    profit = raw[:n]
    everyone = [[i, *(j for j in range(n) if j != i)] for i in range(n)]  # elementary routes
    best, routes = price_routes(
        visits, travel, shift, list(range(n)), profit, everyone, 0.0, 50, 10**6, 60.0
    )
    brute = max(
        (
            sum(profit[i] for i in order)
            for k in range(1, n + 1)
            for order in itertools.permutations(range(n), k)
            if feasible(list(order), visits, travel, shift)
        ),
        default=0.0,
    )
    assert math.isclose(best, max(0.0, brute), abs_tol=1e-6)
    for value, route in routes:
        assert feasible(route, visits, travel, shift)
        assert len(set(route)) == len(route)
        assert math.isclose(value, sum(profit[i] for i in route), abs_tol=1e-6)
    assert routes == [] or math.isclose(routes[0][0], best, abs_tol=1e-6)


def test_ng_routes_may_come_back_and_a_cut_short_pricing_says_so() -> None:
    """With no memory beyond itself a route may visit a home twice (the relaxation a
    bound may use); a pricing cut short by its label limit or its time says so with -1."""
    visits = [(0, 100, 10), (0, 100, 10)]
    travel = [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    shift = (0, 200, False, 0, 0, 0)
    forgetful = [[0], [1]]
    profit = [5.0, 1.0]
    best, routes = price_routes(
        visits, travel, shift, [0, 1], profit, forgetful, 0.0, 5, 10**6, 9.0
    )
    assert best > 6.0 and max(len(r) for _, r in routes) > 2
    best, _ = price_routes(visits, travel, shift, [0, 1], profit, forgetful, 0.0, 5, 3, 9.0)
    assert best == -1.0
    best, _ = price_routes(visits, travel, shift, [0, 1], profit, forgetful, 0.0, 5, 10**6, 0.0)
    assert best == -1.0  # out of time


def far_apart(caregivers: int):
    """Two medications at 10:00-10:15 at homes some 40 minutes apart by car, each with a
    neighbour next door (whose care is not class 1)."""
    med = {"competence": "nurse", "medication": True, "duration": 10}
    other = {"priority_class": 3, "duration": 10}
    clients = [
        client(1, task("a", 600, **med)),
        client(2, task("a-next-door", 600, **other)),
        client(200, task("b", 600, **med)),
        client(201, task("b-next-door", 600, **other)),
    ]
    return with_nurses(clients, caregivers)


def as_replan(plan: Plan) -> Plan:
    """``plan`` marked as a re-plan (after a caregiver fell ill at 11:50)."""
    info = ReplanInfo.model_validate(
        {
            "events": [{"type": "caregiver_ill", "caregiver": "h1", "from": "11:50"}],
            "based_on": {
                "created_at": plan.created_at,
                "digest": plan.digest(),
                "planner": plan.planner,
                "scenario_digest": plan.scenario_digest,
            },
            "days": [],
            "stability": {
                "tolerance_minutes": 0, "remaining": 0, "affected": 0, "unaffected": 0,
                "unchanged": 0, "share": 1.0,
            },
        }
    )  # fmt: skip
    return plan.model_copy(update={"replan": info})


def with_nurses(clients: list[Client], caregivers: int) -> Scenario:
    """The clients, and that many nurses working 09:00-12:00."""
    return scenario(
        clients, [helper(k, 540, 720, Competence.NURSE) for k in range(1, caregivers + 1)]
    )


def test_the_route_bound_proves_what_the_flow_bound_cannot() -> None:
    s = far_apart(caregivers=1)
    cache = MatrixCache(TRAVEL)
    # The flow bound charges each visit one minute from next door, and the nurse has
    # the minutes in the quarter-hours: it allows both.
    assert class1_bound(s, cache, s.dates[0]).allows_full_coverage
    bound = route_bound(s, cache, s.dates[0], seconds=10)
    assert bound.care_minutes == 20
    assert bound.proves_shortfall
    assert bound.missing_minutes == 10
    assert bound.converged
    plan = make_plan(s, TRAVEL, planner="optimiser", seed=1, max_iterations=2_000)
    assert check_plan(s, plan, TRAVEL).kpis.class1_coverage == 0.5
    # The bench looks first where the plan fell short: the 10:00 window.
    missed = missed_class1(s, plan)
    assert missed == {s.dates[0]: [600]}
    focused = day_route_bound(s, cache, s.dates[0], seconds=10, focus=missed[s.dates[0]])
    assert focused.missing_minutes == 10

    two = route_bound(far_apart(caregivers=2), MatrixCache(TRAVEL), s.dates[0], seconds=10)
    assert not two.proves_shortfall
    assert two.keepable_minutes == two.care_minutes == 20


def two_triangles(caregivers: int):
    """Six medications at 10:00-10:20, ten minutes each, in two clusters of three homes
    a minute apart, the clusters a quarter of an hour apart: one caregiver can give two of a
    cluster (not three, not across). Half of each of a cluster's three pairs covers it
    with one and a half caregivers; whole routes need two per cluster."""
    med = {"competence": "nurse", "medication": True, "duration": 10}
    clients = [
        client(number, task(f"m{number}", 600, windows=[TimeWindow(start=600, end=620)], **med))
        for number in (1, 2, 3, 60, 61, 62)
    ]
    return with_nurses(clients, caregivers)


def test_branching_proves_what_fractional_routes_hide() -> None:
    s = two_triangles(caregivers=3)
    cache = MatrixCache(TRAVEL)
    assert class1_bound(s, cache, s.dates[0]).allows_full_coverage
    root = route_bound(s, cache, s.dates[0], seconds=30, branch=False)
    assert root.converged and not root.proves_shortfall  # 60 of 60 with half routes
    assert math.isclose(root.relaxation_minutes, 60)
    bound = route_bound(s, cache, s.dates[0], seconds=30)
    assert bound.proves_shortfall and bound.nodes > 1
    assert 0 < bound.missing_minutes <= 10
    plan = make_plan(s, TRAVEL, planner="optimiser", seed=1, max_iterations=2_000)
    assert check_plan(s, plan, TRAVEL).kpis.class1_coverage == 5 / 6
    day = day_route_bound(s, cache, s.dates[0], seconds=30)
    assert day.missing_minutes == bound.missing_minutes and day.peak == (0, 720)

    four = route_bound(two_triangles(caregivers=4), cache, s.dates[0], seconds=30)
    assert not four.proves_shortfall


@pytest.mark.parametrize("caregivers", [3, 4])
def test_branching_on_who_gives_a_visit(caregivers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The two triangles again, each caregiver a group of their own (as staff with
    different shifts or transport are): the relaxation splits the visits between
    groups, and branching on who gives them must close every node."""
    spot = [(0, 0), (1, 0), (0, 1), (15, 15), (16, 15), (15, 16), (5, 5)]  # office last
    travel = [[abs(a - c) + abs(b - d) for c, d in spot] for a, b in spot]
    visits = [(600, 620, 10)] * 6
    shift = (540, 720, False, 0, 0, 0)
    groups = [_Group(1, list(range(6)), travel, shift) for _ in range(caregivers)]
    splits: list[tuple[int, int]] = []
    split_visit = _Search._split_visit

    def spy(self: _Search, node: object) -> tuple[int, int] | None:
        found = split_visit(self, node)  # type: ignore[arg-type]
        if found is not None:
            splits.append(found)
        return found

    monkeypatch.setattr(_Search, "_split_visit", spy)
    search = _Search(visits, [1] * 6, groups, time.perf_counter() + 30)
    keepable, root, nodes = search.bound(stop_when_proven=False, branch=True)
    assert root.converged and math.isclose(root.value, 60)
    if caregivers == 3:
        assert 50 <= keepable < 60 and nodes > 1 and splits  # whole routes keep 50
    else:
        assert keepable == 60


def test_a_day_without_class_1_care_or_staff_for_it() -> None:
    cache = MatrixCache(TRAVEL)
    nobody = scenario(
        [client(1, task("med", 600, competence="nurse", medication=True))],
        [helper(1, 420, 900, Competence.ASSISTANT)],
    )
    bound = route_bound(nobody, cache, nobody.dates[0])
    assert bound.missing_minutes == bound.care_minutes == 60
    calm = scenario(
        [client(1, task("walk", 600, priority_class=3))],
        [helper(1, 420, 900, Competence.ASSISTANT)],
    )
    assert not route_bound(calm, cache, calm.dates[0]).proves_shortfall


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(15, 40), st.sampled_from([0.3, 0.5]), st.integers(0, 10_000))
def test_the_route_bound_never_rules_out_what_a_plan_keeps(
    clients: int, absence: float, seed: int
) -> None:
    s = small_district(clients, absence, seed)
    day = s.dates[0]
    bound = day_route_bound(s, MatrixCache(TRAVEL), day, seconds=20)
    assert 0 <= bound.keepable_minutes <= bound.care_minutes
    plan = make_plan(s, TRAVEL, planner="optimiser", seed=seed, max_iterations=5_000)
    tolerance = s.rules.late_start_tolerance
    kept = 0
    for entry in plan.visits:
        visit = s.visit_by_id(entry.visit)
        assert visit is not None
        if entry.decision == Decision.KEPT and visit.task.priority_class == 1:
            assert entry.start is not None
            if entry.start <= visit.window.end + tolerance:
                kept += visit.task.duration * len(entry.caregivers)
    assert kept <= bound.keepable_minutes


def test_the_bound_command_prints_both_bounds_per_day(tmp_path: Path) -> None:
    path = tmp_path / "far-apart.json"
    save_model(far_apart(caregivers=1), path)
    result = CliRunner().invoke(app, ["bound", str(path), "--seconds", "10"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "2024-03-04" in line)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells[:6] == ["2024-03-04", "2", "20", "allows all", "10", "10 min short"]
    refused = CliRunner().invoke(app, ["bound", str(path), "--seconds", "0"])
    assert refused.exit_code == 2 and "--seconds" in refused.output


def test_the_check_says_whose_shortfall_the_plans_is(tmp_path: Path) -> None:
    cache = MatrixCache(TRAVEL)
    # One nurse, two medications 40 minutes apart at the same time: the routes'.
    one = far_apart(caregivers=1)
    plan = make_plan(one, TRAVEL, planner="optimiser", seed=1, max_iterations=2_000)
    shares: list[float] = []
    (check,) = check_class1(one, plan, cache, seconds=10, progress=shares.append)
    assert shares[0] == 0.0 and shares[-1] == 1.0 and shares == sorted(shares)
    assert len(shares) > 2  # also while the route bound runs
    assert check.day == one.dates[0] and check.missed_visits == 1
    assert check.verdict == Verdict.ROUTES and check.proven and check.missing_minutes == 10

    # An isolation that begins during the day (a re-plan's): a visit whose window spans
    # that moment is left out of the bounds, as it may have been given before it.
    def isolated_from(minute: int) -> Scenario:
        period = InfectionPeriod(
            status=InfectionStatus.ISOLATED, since=one.dates[0], since_time=minute
        )
        first = one.clients[0].model_copy(update={"infection": [period]})
        return Scenario.model_validate(
            {**one.model_dump(by_alias=True), "clients": [first, *one.clients[1:]]}
        )

    spanned = isolated_from(605)  # c1's medication may start 10:00-10:15
    assert [v.client.id for v in settled_visits(spanned, one.dates[0])] == ["c2", "c200", "c201"]
    spanned_plan = make_plan(spanned, TRAVEL, planner="optimiser", seed=1, max_iterations=2_000)
    (check,) = check_class1(spanned, spanned_plan, cache, seconds=10)
    assert check.verdict == Verdict.OPEN and not check.proven  # one medication left: keepable
    later = isolated_from(720)  # after every window: nothing left out, still proven
    assert len(settled_visits(later, one.dates[0])) == 4
    later_plan = make_plan(later, TRAVEL, planner="optimiser", seed=1, max_iterations=2_000)
    (check,) = check_class1(later, later_plan, cache, seconds=10)
    assert check.verdict == Verdict.ROUTES and check.missing_minutes == 10
    spanned_path = tmp_path / "isolated.json"
    save_model(spanned, spanned_path)
    result = CliRunner().invoke(app, ["bound", str(spanned_path), "--seconds", "10"])
    row = next(line for line in result.output.splitlines() if "2024-03-04" in line)
    assert result.exit_code == 0 and [c.strip() for c in row.split("│")[1:-1]][1] == "1"
    # A nurse's medication and only an assistant at work: the staff's minutes.
    nurse_task = scenario(
        [client(1, task("med", 600, competence="nurse", medication=True))],
        [helper(1, 420, 900, Competence.ASSISTANT)],
    )
    alone = make_plan(nurse_task, TRAVEL, planner="optimiser", seed=1, max_iterations=500)
    (check,) = check_class1(nurse_task, alone, cache, seconds=10)
    assert check.verdict == Verdict.CAPACITY and check.missing_minutes >= 60
    # Two nurses keep both: nothing to check, and a plan of another scenario is refused.
    two = far_apart(caregivers=2)
    both = make_plan(two, TRAVEL, planner="optimiser", seed=1, max_iterations=2_000)
    assert check_class1(two, both, cache, seconds=10) == []
    # The same plan with one medication given an hour late: the search of the class-1
    # care alone finds routes that keep both in window, so the shortfall is the plan's.
    late = [
        entry.model_copy(update={"start": entry.start + 60})
        if entry.decision == Decision.KEPT and entry.start is not None and i == 0
        else entry
        for i, entry in enumerate(both.visits)
    ]
    worse = both.model_copy(update={"visits": late})
    (check,) = check_class1(two, worse, cache, seconds=10)
    assert check.verdict == Verdict.POSSIBLE and check.settled and not check.proven
    assert check.missed_visits == 1 and check.missing_minutes == 0
    assert "the plan's: routes keeping every class-1 visit exist" in check.summary
    assert Class1Check.from_json(check.to_json()) == check  # as a plan version stores it
    # A plan started from the routes the check found keeps both medications.
    assert check.routes and sum(len(r) for r in check.routes.values()) == 2
    routes = {two.dates[0]: check.routes}
    again = make_plan(two, TRAVEL, seed=1, max_iterations=50, class1_routes=routes)
    assert check_plan(two, again, TRAVEL).kpis.class1_coverage == 1.0
    # Routes the day no longer fits are refused, naming what.
    with pytest.raises(BeredtError, match="h9, who is not at work"):
        make_plan(two, TRAVEL, max_iterations=50, class1_routes={two.dates[0]: {"h9": []}})
    other = {two.dates[0]: {"h1": [v.id for v in two.visits_on(two.dates[0])][:2]}}
    with pytest.raises(BeredtError, match="not a class-1 visit of the day"):
        make_plan(two, TRAVEL, max_iterations=50, class1_routes=other)
    with pytest.raises(BeredtError, match="only the optimiser"):
        make_plan(two, TRAVEL, planner="greedy", class1_routes=routes)
    # A re-plan keeps what was done, which a search from scratch does not: no search.
    replanned = as_replan(worse)
    (check,) = check_class1(two, replanned, cache, seconds=10)
    assert check.verdict == Verdict.OPEN
    with pytest.raises(BeredtError, match="not made from this scenario"):
        check_class1(two, plan, cache, seconds=10)

    # The same from the command line.
    scenario_path, plan_path = tmp_path / "one.json", tmp_path / "plan.json"
    save_model(one, scenario_path)
    save_model(plan, plan_path)
    result = CliRunner().invoke(
        app, ["bound", str(scenario_path), "--plan", str(plan_path), "--seconds", "10"]
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "2024-03-04" in line)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells[:3] == ["2024-03-04", "1", "the day's: routes fall 10 min short"]
    save_model(both, plan_path)
    mismatch = CliRunner().invoke(app, ["bound", str(scenario_path), "--plan", str(plan_path)])
    assert mismatch.exit_code != 0 and "not made from this scenario" in mismatch.output


def test_routes_the_check_found_are_planned_from_on_the_command_line(tmp_path: Path) -> None:
    """``beredt bound --plan PLAN --routes-out ROUTES`` writes the routes its search
    found; ``beredt plan --class1-routes ROUTES`` starts from them and keeps all class-1
    care; a file of another scenario, a malformed one and the greedy planner are refused
    with the reason."""
    two = far_apart(caregivers=2)
    both = make_plan(two, TRAVEL, planner="optimiser", seed=1, max_iterations=2_000)
    late = [
        entry.model_copy(update={"start": entry.start + 60, "end": entry.end + 60})
        if entry.decision == Decision.KEPT and entry.start is not None and entry.end and i == 0
        else entry
        for i, entry in enumerate(both.visits)
    ]
    scenario_path, plan_path = tmp_path / "two.json", tmp_path / "late.json"
    routes_path, new_path = tmp_path / "routes.json", tmp_path / "new.json"
    save_model(two, scenario_path)
    save_model(both.model_copy(update={"visits": late}), plan_path)
    runner = CliRunner()
    bound = ["bound", str(scenario_path), "--plan", str(plan_path), "--seconds", "10"]
    hint = runner.invoke(app, bound)
    assert hint.exit_code == 0 and "add --routes-out ROUTES to keep them" in words(hint.output)
    result = runner.invoke(app, [*bound, "--routes-out", str(routes_path)])
    assert result.exit_code == 0, result.output
    assert "the plan's" in result.output and "1 day(s) written to" in words(result.output)
    routes = load_class1_routes(routes_path)
    assert routes.scenario_digest == two.digest() and list(routes.days) == two.dates
    assert sorted(v for r in routes.days[two.dates[0]].values() for v in r) == sorted(
        v.id for v in two.visits_on(two.dates[0]) if v.task.priority_class == 1
    )

    plan = ["plan", str(scenario_path), "-o", str(new_path), "--iterations", "50"]
    result = runner.invoke(app, [*plan, "--class1-routes", str(routes_path)])
    assert result.exit_code == 0, result.output
    assert check_plan(two, load_plan(new_path), TRAVEL).kpis.class1_coverage == 1.0

    # Refused: another scenario's routes, a malformed file, the greedy planner, and
    # --routes-out without a plan. Nothing is written.
    new_path.unlink()
    one_path = tmp_path / "one.json"
    save_model(far_apart(caregivers=1), one_path)
    other = runner.invoke(
        app, ["plan", str(one_path), "-o", str(new_path), "--class1-routes", str(routes_path)]
    )
    assert other.exit_code != 0 and "the routes were found for scenario" in other.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": 1, "days": {}}', encoding="utf-8")
    malformed = runner.invoke(app, [*plan, "--class1-routes", str(broken)])
    assert malformed.exit_code != 0 and "scenario_digest" in malformed.output
    assert "days" in malformed.output
    greedy = runner.invoke(app, [*plan, "--planner", "greedy", "--class1-routes", str(routes_path)])
    assert greedy.exit_code != 0 and "only the optimiser" in greedy.output
    assert not new_path.exists()
    alone = runner.invoke(
        app, ["bound", str(scenario_path), "--routes-out", str(tmp_path / "no.json")]
    )
    assert alone.exit_code != 0 and "--routes-out needs --plan" in alone.output

    # A plan whose misses no search can avoid: nothing found, nothing written.
    one_plan = tmp_path / "one-plan.json"
    save_model(make_plan(far_apart(caregivers=1), TRAVEL, seed=1, max_iterations=2_000), one_plan)
    nothing = tmp_path / "nothing.json"
    result = runner.invoke(
        app,
        ["bound", str(one_path), "--plan", str(one_plan), "--seconds", "10",
         "--routes-out", str(nothing)],
    )  # fmt: skip
    assert result.exit_code == 0 and "No routes keeping all class-1 care" in words(result.output)
    assert not nothing.exists()


def words(output: str) -> str:
    """Terminal output with its line breaks (rich wraps at the terminal's width) undone."""
    return " ".join(output.split())
