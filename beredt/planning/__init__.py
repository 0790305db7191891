"""The contingency planner: triage and routing over the domain model. Imports no Django.

Use :func:`make_plan` with a planner name from :data:`PLANNERS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from beredt.domain.errors import BeredtError
from beredt.domain.plan import Plan
from beredt.domain.scenario import Scenario
from beredt.planning.greedy import ProgressCallback, plan_greedy
from beredt.travel import TravelProvider


class PlannerFunction(Protocol):
    def __call__(
        self,
        scenario: Scenario,
        travel: TravelProvider,
        created_at: dt.datetime,
        seed: int = 0,
        progress: ProgressCallback | None = None,
        time_limit: float | None = None,
    ) -> Plan: ...


PLANNERS: dict[str, PlannerFunction] = {"greedy": plan_greedy}
DEFAULT_PLANNER = "greedy"


def make_plan(
    scenario: Scenario,
    travel: TravelProvider,
    *,
    planner: str = DEFAULT_PLANNER,
    created_at: dt.datetime | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Plan every day of ``scenario`` with the named planner."""
    try:
        function = PLANNERS[planner]
    except KeyError:
        known = ", ".join(sorted(PLANNERS))
        raise BeredtError(f"unknown planner {planner!r}; choose one of: {known}") from None
    when = created_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return function(scenario, travel, when, seed=seed, progress=progress, time_limit=time_limit)


__all__ = ["DEFAULT_PLANNER", "PLANNERS", "ProgressCallback", "make_plan"]
