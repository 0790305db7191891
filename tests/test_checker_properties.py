"""Property tests: every random corruption of the valid plan is caught.

Each strategy builds a corruption that is invalid by construction (the comments say why),
so "at least one violation" is the exact expectation, not a hope.
"""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from beredt.checker import RULES, CheckReport, check_plan
from beredt.domain.plan import Plan, PlannedVisit, Route
from tests.fixtures import TRAVEL, small_scenario, small_valid_plan

SCENARIO = small_scenario()
PLAN = small_valid_plan(SCENARIO)
KEPT = [i for i, v in enumerate(PLAN.visits) if v.caregivers]
DOUBLE = [i for i in KEPT if len(PLAN.visits[i].caregivers) == 2]
CAREGIVERS = [c.id for c in SCENARIO.caregivers]
MULTI_STOP_ROUTES = [i for i, r in enumerate(PLAN.routes) if len(r.stops) >= 2]
ROUTES_WITH_STOPS = [i for i, r in enumerate(PLAN.routes) if r.stops]

checker_settings = settings(max_examples=60, deadline=None)


def check(plan: Plan) -> CheckReport:
    return check_plan(SCENARIO, plan, TRAVEL)


def with_visit(index: int, visit: PlannedVisit) -> Plan:
    visits = list(PLAN.visits)
    visits[index] = visit
    return PLAN.model_copy(update={"visits": visits})


def with_routes(routes: list[Route]) -> Plan:
    return PLAN.model_copy(update={"routes": routes})


def assert_caught(plan: Plan) -> None:
    report = check(plan)
    assert report.violations, "corruption not caught"
    assert report.rules <= RULES
    assert all(v.message for v in report.violations)


def test_the_valid_plan_is_valid() -> None:
    assert check(PLAN).ok


@checker_settings
@given(st.data())
def test_swapping_a_caregiver_is_caught(data: st.DataObject) -> None:
    # The new caregiver's route does not list the stop (or they have none), and the old
    # caregiver's route lists a visit that no longer names them: route_mismatch. Swapping
    # in the partner of a double-staffed visit lists one person twice: double_staffing.
    index = data.draw(st.sampled_from(KEPT))
    visit = PLAN.visits[index]
    position = data.draw(st.integers(0, len(visit.caregivers) - 1))
    old = visit.caregivers[position]
    new = data.draw(st.sampled_from([c for c in CAREGIVERS if c != old]))
    caregivers = list(visit.caregivers)
    caregivers[position] = new
    assert_caught(with_visit(index, visit.model_copy(update={"caregivers": caregivers})))


@checker_settings
@given(st.data())
def test_shifting_a_visit_in_time_is_caught(data: st.DataObject) -> None:
    index = data.draw(st.sampled_from(KEPT))
    visit = PLAN.visits[index]
    assert visit.start is not None and visit.end is not None
    how = data.draw(st.sampled_from(["start", "end", "both"]))
    if how == "both":
        # Moved out of its window (start earlier than allowed or later than the latest
        # start plus tolerance): time_window. Inside the window a move could be fine.
        due = SCENARIO.visit_by_id(visit.visit)
        assert due is not None
        latest = due.window.end + SCENARIO.rules.late_start_tolerance
        distance = data.draw(st.integers(1, 120))
        start = data.draw(st.sampled_from([due.window.start - distance, latest + distance]))
        delta = start - visit.start
        update = {"start": visit.start + delta, "end": visit.end + delta}
    else:
        # Only one end moves: the visit no longer lasts the task's duration.
        delta = data.draw(st.integers(-60, 60).filter(lambda d: d != 0))
        update = {how: getattr(visit, how) + delta}
    assert_caught(with_visit(index, visit.model_copy(update=update)))


@checker_settings
@given(st.integers(0, len(PLAN.visits) - 1))
def test_dropping_an_entry_is_caught(index: int) -> None:
    # A due visit loses its decision, or a postponement loses its follow-up (or the
    # other way round): coverage.
    visits = [v for i, v in enumerate(PLAN.visits) if i != index]
    assert_caught(PLAN.model_copy(update={"visits": visits}))


@checker_settings
@given(st.sampled_from(DOUBLE), st.integers(0, 1), st.booleans())
def test_breaking_a_double_staffed_pair_is_caught(index: int, keep: int, duplicate: bool) -> None:
    # One caregiver alone, or the same caregiver twice: double_staffing.
    visit = PLAN.visits[index]
    kept = visit.caregivers[keep]
    caregivers = [kept, kept] if duplicate else [kept]
    assert_caught(with_visit(index, visit.model_copy(update={"caregivers": caregivers})))


@checker_settings
@given(st.data())
def test_reordering_a_route_is_caught(data: st.DataObject) -> None:
    # Stops in a valid route start strictly one after the other, so any other order puts
    # a later visit first: overlap or travel.
    index = data.draw(st.sampled_from(MULTI_STOP_ROUTES))
    route = PLAN.routes[index]
    order = data.draw(st.permutations(route.stops))
    assume(order != route.stops)
    routes = list(PLAN.routes)
    routes[index] = route.model_copy(update={"stops": order})
    assert_caught(with_routes(routes))


@checker_settings
@given(st.data())
def test_moving_a_stop_to_another_route_is_caught(data: st.DataObject) -> None:
    # The visit still names its caregiver, whose route no longer lists it: route_mismatch.
    index = data.draw(st.sampled_from(ROUTES_WITH_STOPS))
    route = PLAN.routes[index]
    stop = data.draw(st.sampled_from(route.stops))
    other = data.draw(st.sampled_from([c for c in CAREGIVERS if c != route.caregiver]))
    routes = list(PLAN.routes)
    routes[index] = route.model_copy(update={"stops": [s for s in route.stops if s != stop]})
    target = next(
        (i for i, r in enumerate(routes) if (r.caregiver, r.date) == (other, route.date)), None
    )
    if target is None:
        routes.append(route.model_copy(update={"caregiver": other, "stops": [stop]}))
    else:
        stops = list(routes[target].stops)
        stops.insert(data.draw(st.integers(0, len(stops))), stop)
        routes[target] = routes[target].model_copy(update={"stops": stops})
    assert_caught(with_routes(routes))
