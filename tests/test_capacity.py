"""The class-1 capacity bound: it knows competence, time of day and shifts, it never
says "impossible" where a plan keeps all class-1 care, and it says so where no plan can."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beredt.checker import check_plan
from beredt.domain.model import (
    Caregiver,
    CareTask,
    Client,
    Competence,
    Location,
    Municipality,
    Office,
    Shift,
    TimeWindow,
    Unit,
)
from beredt.domain.scenario import Scenario
from beredt.planning import make_plan
from beredt.planning.capacity import class1_bound
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.travel import MatrixCache
from tests.fixtures import TRAVEL

MONDAY = dt.date(2024, 3, 4)
OFFICE = Location(lat=60.3900, lon=5.3200)


def task(task_id: str, start: int, **more: object) -> CareTask:
    fields: dict[str, object] = {
        "name": task_id,
        "kind": "care",
        "windows": [TimeWindow(start=start, end=start + 15)],
        "duration": 60,
        "priority_class": 1,
        **more,
    }
    return CareTask(id=task_id, **fields)  # type: ignore[arg-type]


def client(number: int, *tasks: CareTask) -> Client:
    return Client(
        id=f"c{number}",
        name=f"Client {number}",
        unit="u",
        address=f"Gate {number}",
        location=Location(lat=60.3900 + 0.001 * number, lon=5.3200),
        tasks=list(tasks),
    )


def helper(number: int, start: int, end: int, competence: Competence) -> Caregiver:
    return Caregiver(
        id=f"h{number}",
        name=f"Helper {number}",
        competence=competence,
        home_unit="u",
        shift=Shift(start=start, end=end),
    )


def scenario(clients: list[Client], staff: list[Caregiver]) -> Scenario:
    return Scenario(
        name="Bound",
        municipality=Municipality(code="4601", name="Bergen"),
        units=[Unit(id="u", name="Unit", office=Office(address="Kontor", location=OFFICE))],
        start_date=MONDAY,
        days=1,
        clients=clients,
        caregivers=staff,
    )


def small_district(clients: int, absence: float, seed: int) -> Scenario:
    """A generated district for the bounds' property tests: one caregiver per five
    clients (at least four), one isolated client."""
    return generate_scenario(
        GeneratorConfig(
            clients=clients, caregivers=max(4, clients // 5), absence=absence, isolated=1, seed=seed
        )
    )


def bound(s: Scenario):
    return class1_bound(s, MatrixCache(TRAVEL), s.dates[0])


def test_a_nurse_task_with_no_nurse_at_work_cannot_be_covered() -> None:
    s = scenario(
        [client(1, task("med", 600, competence="nurse", medication=True))],
        [helper(1, 420, 900, Competence.ASSISTANT)],
    )
    b = bound(s)
    assert b.visits == 1
    assert not b.allows_full_coverage
    assert b.missing_minutes >= 60


def test_the_bound_knows_the_time_of_day() -> None:
    """Two hours of work for one assistant on a two-hour shift, but both visits must
    start 10:00-10:15 (+ the late-start tolerance): one person cannot do both."""
    clients = [client(1, task("a", 600)), client(2, task("b", 600))]
    alone = bound(scenario(clients, [helper(1, 570, 690, Competence.ASSISTANT)]))
    assert not alone.allows_full_coverage
    two = bound(
        scenario(
            clients,
            [helper(1, 570, 690, Competence.ASSISTANT), helper(2, 570, 690, Competence.ASSISTANT)],
        )
    )
    assert two.allows_full_coverage
    assert two.required_minutes > 120  # care and the trips to the two homes


def test_a_shift_that_misses_the_window_gives_nothing() -> None:
    s = scenario(
        [client(1, task("evening-med", 1200))],
        [helper(1, 420, 900, Competence.NURSE)],
    )
    assert not bound(s).allows_full_coverage


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(15, 40),
    st.sampled_from([0.0, 0.3, 0.5]),
    st.integers(0, 10_000),
)
def test_the_bound_never_rules_out_what_a_plan_keeps(
    clients: int, absence: float, seed: int
) -> None:
    s = small_district(clients, absence, seed)
    b = bound(s)
    assert 0 <= b.coverable_minutes <= b.required_minutes
    for planner in ("greedy", "optimiser"):
        plan = make_plan(s, TRAVEL, planner=planner, seed=seed, max_iterations=5_000)
        if check_plan(s, plan, TRAVEL).kpis.class1_coverage == 1.0:
            assert b.allows_full_coverage, (planner, b)
