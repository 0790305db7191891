"""After a plan: could any plan have kept the class-1 care this one leaves out?

A plan that leaves life-critical care out says which visits and what capacity is
missing (:mod:`beredt.planning.shortfall`). This check says whether the shortfall is
the day's or the plan's: for each day the plan leaves class-1 care out, the flow bound
(:func:`beredt.planning.capacity.class1_bound`) is asked whether any plan can keep
every class-1 visit; where it allows that, a search of the class-1 care alone
(:func:`beredt.planning.optimiser.search_class1`, a third of the time, stopping when it
keeps them all) looks for routes that do, and where it finds none, the route bound
(:func:`beredt.planning.routebound.day_route_bound`, pointed first at the windows the
plan missed) gets the rest of the time.

* :attr:`Verdict.CAPACITY`: the staff at work lack the care and travel minutes;
* :attr:`Verdict.ROUTES`: they have the minutes, but no set of routes fits the windows;
* :attr:`Verdict.POSSIBLE`: routes that keep every class-1 visit were found, so the
  shortfall is the plan's: a longer search can keep it all;
* :attr:`Verdict.OPEN`: nothing settled in the time given.

The search runs only for plans made from the scenario as it is, not for re-plans: a
re-plan keeps what was already done, which a search of the whole day from scratch does
not, so routes it found would prove nothing there.

On a day a client's isolation begins during the day (a re-plan after
``client_isolated``) the bounds leave out that client's visits whose window spans the
moment it begins (:func:`settled_visits`).

Either way the verdict is never wrong; "open" may only mean the check needed more time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from beredt.domain.clock import format_clock
from beredt.domain.errors import BeredtError
from beredt.domain.plan import Plan
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.capacity import class1_bound
from beredt.planning.optimiser import search_class1
from beredt.planning.routebound import ROUTE_BOUND_SECONDS, day_route_bound
from beredt.travel import MatrixCache


class Verdict(StrEnum):
    CAPACITY = "capacity"
    """Proven by the flow bound: too few care and travel minutes at work."""
    ROUTES = "routes"
    """Proven by the route bound: no routes through the windows keep it all."""
    POSSIBLE = "possible"
    """Found: routes that keep every class-1 visit of the day exist."""
    OPEN = "open"
    """Nothing settled in the time given."""


SEARCH_SHARE = 1 / 3
"""Share of each day's seconds the search for routes keeping all class-1 care may use
(it stops as soon as it finds them); the route bound gets the rest."""


@dataclass(frozen=True, slots=True)
class Class1Check:
    """The check of one day the plan leaves class-1 care out."""

    day: dt.date
    missed_visits: int
    """Class-1 visits the plan does not keep in their window that day."""
    missing_minutes: int
    """Proven short, at least: care and travel minutes the staff lack (capacity), or
    class-1 care minutes no routes keep (routes); 0 when possible or open."""
    verdict: Verdict
    peak: tuple[int, int] | None
    """Where the route bound proved it: the visits whose window opens in this span of
    the day (minutes), or ``None`` (the whole day, or not the route bound)."""
    seconds: float
    routes: dict[str, list[str]] | None = None
    """With :attr:`Verdict.POSSIBLE`: the routes found (caregiver id → class-1 visit
    ids in order), for a new plan to start from (``make_plan(class1_routes=…)``)."""

    @property
    def proven(self) -> bool:
        """The day's shortfall is proven (capacity or routes)."""
        return self.verdict in (Verdict.CAPACITY, Verdict.ROUTES)

    @property
    def settled(self) -> bool:
        """Whose shortfall it is, the day's or the plan's, is known."""
        return self.verdict != Verdict.OPEN

    @property
    def summary(self) -> str:
        """The verdict in a line, for terminals (the CLI, ``beredt demo``)."""
        if self.verdict == Verdict.CAPACITY:
            return f"the day's: the staff lack {self.missing_minutes} min of care and travel"
        if self.verdict == Verdict.ROUTES:
            return f"the day's: routes fall {self.missing_minutes} min short{opening(self.peak)}"
        if self.verdict == Verdict.POSSIBLE:
            return "the plan's: routes keeping every class-1 visit exist; plan with a longer search"
        return "not settled in time: a plan may keep more"

    def to_json(self) -> dict[str, Any]:
        """As stored with a plan version (``PlanVersion.class1_check``)."""
        return {
            "day": self.day.isoformat(),
            "missed_visits": self.missed_visits,
            "missing_minutes": self.missing_minutes,
            "verdict": self.verdict.value,
            "peak": list(self.peak) if self.peak else None,
            "seconds": self.seconds,
            **({"routes": self.routes} if self.routes else {}),
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Class1Check:
        """Back from :meth:`to_json`."""
        peak = row.get("peak")
        return cls(
            day=dt.date.fromisoformat(row["day"]),
            missed_visits=row["missed_visits"],
            missing_minutes=row["missing_minutes"],
            verdict=Verdict(row["verdict"]),
            peak=(peak[0], peak[1]) if peak else None,
            seconds=row["seconds"],
            routes=row.get("routes"),
        )


def found_routes(checks: Iterable[Class1Check]) -> dict[dt.date, dict[str, list[str]]]:
    """Per day, the routes keeping all class-1 care that the checks found (caregiver id →
    visit ids in order), as ``make_plan(class1_routes=…)`` takes them; days without
    routes are left out."""
    return {check.day: check.routes for check in checks if check.routes}


def opening(peak: tuple[int, int] | None) -> str:
    """Where a route bound proved its shortfall, for terminal lines (empty: the whole
    day)."""
    return (
        "" if peak is None else f" (visits opening {format_clock(peak[0])}-{format_clock(peak[1])})"
    )


def missed_class1(scenario: Scenario, plan: Plan) -> dict[dt.date, list[int]]:
    """Per day, when the windows open of the class-1 visits the plan did not keep in
    window (where the route bound should look first)."""
    tolerance = scenario.rules.late_start_tolerance
    missed: dict[dt.date, list[int]] = defaultdict(list)
    for entry in plan.visits:
        visit = scenario.visit_by_id(entry.visit)
        if visit is None or visit.task.priority_class != 1:
            continue
        start = entry.start if entry.decision == Decision.KEPT else None
        if start is None or start > visit.window.end + tolerance:
            missed[entry.date].append(visit.window.start)
    return missed


def settled_visits(scenario: Scenario, day: dt.date) -> list[Visit]:
    """The day's visits for the bounds: all but those whose need for the infection team
    changes inside their window (an isolation that begins during the day).

    The bounds decide who may give a visit once, by its latest start, as the planners
    do. For a visit whose window spans the moment the isolation begins, that would make
    it the infection team's work even where it was given before, by someone else (a
    re-plan keeps what was done), so a bound could claim more than the day lacks.
    Leaving such visits out only frees time, so the bounds stay valid."""
    tolerance = scenario.rules.late_start_tolerance
    return [
        visit
        for visit in scenario.visits_on(day)
        if scenario.needs_infection_team(visit.client, day, at=visit.window.start)
        == scenario.needs_infection_team(visit.client, day, at=visit.window.end + tolerance)
    ]


def check_class1(
    scenario: Scenario,
    plan: Plan,
    travel: MatrixCache,
    *,
    seconds: float = ROUTE_BOUND_SECONDS,
    progress: Callable[[float], None] | None = None,
) -> list[Class1Check]:
    """Check every day on which ``plan`` leaves class-1 care out, ``seconds`` per such
    day (the search for routes keeping it all gets :data:`SEARCH_SHARE` of them, the
    route bound the rest). ``progress`` is told the share done (0-1) as it goes."""
    if plan.scenario_digest != scenario.digest():
        raise BeredtError(
            "the plan was not made from this scenario (its scenario_digest differs): check "
            "it with the scenario the plan came from"
        )
    missed = missed_class1(scenario, plan)
    days = [day for day in scenario.dates if missed.get(day)]
    checks: list[Class1Check] = []

    def report(index: int, share: float) -> None:
        if progress is not None:
            progress((index + share) / len(days))

    def stage(index: int, start: float, width: float) -> Callable[[float], None]:
        """Progress of one stage of day ``index``, which fills ``width`` of the day's
        share from ``start``."""
        return lambda share: report(index, start + width * share)

    for index, day in enumerate(days):
        report(index, 0.0)
        began = time.perf_counter()
        visits = settled_visits(scenario, day)
        search_seconds = seconds * SEARCH_SHARE if plan.replan is None else 0.0
        routes = None
        if not (flow := class1_bound(scenario, travel, day, visits)).allows_full_coverage:
            verdict, minutes, peak = Verdict.CAPACITY, flow.missing_minutes, None
        elif (
            search_seconds > 0
            and (
                search := search_class1(
                    scenario,
                    travel,
                    day,
                    seconds=search_seconds,
                    seed=plan.seed,
                    progress=stage(index, 0.0, SEARCH_SHARE),
                )
            ).complete
        ):
            verdict, minutes, peak, routes = Verdict.POSSIBLE, 0, None, search.routes
        else:
            used = time.perf_counter() - began
            done = min(1.0, used / seconds) if seconds > 0 else 0.0
            route = day_route_bound(
                scenario,
                travel,
                day,
                visits,
                seconds=max(0.0, seconds - used),
                focus=missed[day],
                progress=stage(index, done, 1 - done),
            )
            proven = route.proves_shortfall
            verdict = Verdict.ROUTES if proven else Verdict.OPEN
            minutes, peak = route.missing_minutes, route.peak if proven else None
        checks.append(
            Class1Check(
                day=day,
                missed_visits=len(missed[day]),
                missing_minutes=minutes,
                verdict=verdict,
                peak=peak,
                seconds=round(time.perf_counter() - began, 1),
                routes=routes,
            )
        )
        report(index, 1.0)
    return checks
