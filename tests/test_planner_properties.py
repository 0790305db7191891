"""Every plan beredt produces passes the independent checker, on many generated
districts (sizes, absence rates, isolation, horizons and seeds drawn by hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beredt.checker import check_plan
from beredt.planning import PLANNERS, make_plan
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.travel import HaversineTravel

TRAVEL = HaversineTravel()
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ITERATIONS = 10_000
"""Moves per day for planners that search (the optimiser): enough to move well away
from the greedy warm start, and reproducible, where a time limit would be neither."""


@st.composite
def configs(draw: st.DrawFn) -> GeneratorConfig:
    clients = draw(st.integers(5, 45))
    return GeneratorConfig(
        clients=clients,
        caregivers=draw(st.integers(2, 12)),
        absence=draw(st.sampled_from([0.0, 0.2, 0.3, 0.5])),
        isolated=draw(st.integers(0, min(3, clients))),
        seed=draw(st.integers(0, 10_000)),
        days=draw(st.integers(1, 3)),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.sampled_from(sorted(PLANNERS)))
def test_every_plan_passes_the_checker(config: GeneratorConfig, planner: str) -> None:
    scenario = generate_scenario(config)
    plan = make_plan(
        scenario,
        TRAVEL,
        planner=planner,
        created_at=WHEN,
        seed=config.seed,
        max_iterations=ITERATIONS,
    )
    report = check_plan(scenario, plan, TRAVEL)
    assert report.violations == [], [str(v) for v in report.violations[:5]]
    # Every class-1 visit is kept or loudly reported as shortfall.
    for entry in plan.visits:
        if (
            scenario.task_by_id[entry.task][1].priority_class == 1
            and entry.decision.value != "KEPT"
        ):
            assert entry.visit in plan.shortfall.visits
