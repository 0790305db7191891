"""The contingency planner: triage and routing over the domain model. Imports no Django.

Use :func:`make_plan` with a planner name from :data:`PLANNERS`. The default is the
optimiser (:mod:`beredt.planning.optimiser`); ``greedy`` is the manual-planning
baseline it is measured against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Protocol

from beredt.domain.errors import BeredtError
from beredt.domain.plan import Plan
from beredt.domain.scenario import Scenario
from beredt.planning.greedy import ProgressCallback, plan_greedy
from beredt.planning.language import LANGUAGES, check_language, current_language, use_language
from beredt.planning.optimiser import plan_optimised
from beredt.travel import TravelProvider


class PlannerFunction(Protocol):
    """Plan every day of a scenario. ``time_limit`` (seconds per day) and
    ``max_iterations`` (moves per day; reproducible) bound a search; planners that do
    not search ignore them."""

    def __call__(
        self,
        scenario: Scenario,
        travel: TravelProvider,
        created_at: dt.datetime,
        seed: int = 0,
        progress: ProgressCallback | None = None,
        time_limit: float | None = None,
        max_iterations: int | None = None,
    ) -> Plan: ...


def _greedy(
    scenario: Scenario,
    travel: TravelProvider,
    created_at: dt.datetime,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    time_limit: float | None = None,
    max_iterations: int | None = None,
) -> Plan:
    """The greedy baseline runs once: it has no search to bound."""
    return plan_greedy(scenario, travel, created_at, seed, progress, time_limit)


PLANNERS: dict[str, PlannerFunction] = {"optimiser": plan_optimised, "greedy": _greedy}
DEFAULT_PLANNER = "optimiser"


def make_plan(
    scenario: Scenario,
    travel: TravelProvider,
    *,
    planner: str = DEFAULT_PLANNER,
    created_at: dt.datetime | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    time_limit: float | None = None,
    max_iterations: int | None = None,
    language: str | None = None,
    class1_routes: Mapping[dt.date, Mapping[str, Sequence[str]]] | None = None,
) -> Plan:
    """Plan every day of ``scenario`` with the named planner, writing its reasons and
    shortfall message in ``language`` (one of :data:`LANGUAGES`; by default the current
    language, English unless :func:`use_language` says otherwise). ``class1_routes``
    (the optimiser only) start those days from the class-1 routes the class-1 check
    found (:func:`beredt.planning.optimiser.plan_optimised`)."""
    language = check_language(language or current_language())
    try:
        function = PLANNERS[planner]
    except KeyError:
        known = ", ".join(sorted(PLANNERS))
        raise BeredtError(f"unknown planner {planner!r}; choose one of: {known}") from None
    when = created_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    if class1_routes:
        if planner != "optimiser":
            raise BeredtError(f"only the optimiser starts from class-1 routes, not {planner!r}")
        function = partial(plan_optimised, class1_routes=class1_routes)
    with use_language(language):
        return function(
            scenario,
            travel,
            when,
            seed=seed,
            progress=progress,
            time_limit=time_limit,
            max_iterations=max_iterations,
        )


__all__ = [
    "DEFAULT_PLANNER",
    "LANGUAGES",
    "PLANNERS",
    "ProgressCallback",
    "make_plan",
    "use_language",
]
