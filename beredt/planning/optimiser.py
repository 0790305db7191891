"""The optimiser: each day's triage and routing solved as one optimisation.

For every day of the scenario (a rolling horizon: what is postponed today is planned
again on the day it was postponed to) the planner

1. collects the day's visits: those due, and those postponed to it;
2. builds the engine model (:mod:`beredt.planning.day_model`): caregivers at work,
   one job per caregiver a visit needs, and a penalty per job that says what leaving it
   undone costs under the municipality's triage policy and objective weights;
3. warm-starts the search with the greedy baseline's routes for the same visits, so
   the result keeps at least the care (by the objective) that manual planning keeps;
4. searches (simulated annealing in the compiled core) within the day's budget, has
   the engine's evaluator re-schedule the result from scratch, and offers the visits
   left out once more (:mod:`beredt.planning.room`);
5. translates the result: served visits are KEPT with their caregivers and start,
   every other visit gets the alternative the policy allows (phone, relative, postpone,
   cancel) or is a loud shortfall, each with a reason a planner understands.

The penalty formula and the objective's terms are in :func:`visit_penalty` and
``docs/optimiser.md``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from beredt.domain.clock import format_clock
from beredt.domain.errors import BeredtError
from beredt.domain.model import Caregiver
from beredt.domain.plan import Plan, PlannedVisit, Route
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.day_model import (
    MANDATORY,
    DayModel,
    build_day_model,
    can_do,
    infection_team_pairs,
    is_whole,
    mandatory,
    prefetch_travel,
    visit_penalty,
    warm_start,
)
from beredt.planning.decisions import kept_entry, not_kept_entry
from beredt.planning.eligibility import ineligibility, needs_team
from beredt.planning.engine.model import INF, Model, Result, SearchParameters
from beredt.planning.engine.model import Route as EngineRoute
from beredt.planning.greedy import GreedyPlanner, ProgressCallback
from beredt.planning.language import _, join_names
from beredt.planning.room import Verdict, job_routes, repair
from beredt.planning.triage import (
    class_label,
    effective_class,
    people_label,
    summarise_shortfall,
)
from beredt.travel import MatrixCache, TravelProvider

LOG = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 10.0
"""Seconds per day (on average over the horizon) when no limit is given: warm start,
model, search and the check of its routes."""
PROGRESS_STEPS = 100
"""Progress is reported in hundredths of each day's search."""
CLASS1_SHARE = 0.3
"""At most this share of a day's search goes to keeping class-1 care alone first
(:meth:`Optimiser._class1_first`)."""
CLASS1_MORE_SHARE = 0.4
"""When the class-1 phase ends with only a few class-1 jobs left out (at most
:data:`CLASS1_WARP_MAX_SHARE`), it goes on for up to this further share of the day's
search (:meth:`Optimiser._class1_more`)."""
CLASS1_MORE_ROUNDS = 3
"""That further search runs as this many searches, each twice as long as the one before."""
CLASS1_TIME_WARP = 1e4
"""The class-1 phase's cost per minute of time warp (:attr:`SearchParameters.time_warp`):
a hundred minutes weigh as much as leaving one class-1 job out. Once that phase has left
at most a few jobs out, it searches with time warp, which finds the last places far more
often than leaving them out does (``docs/engine.md``, eleventh round)."""
CLASS1_START_TEMPERATURE = MANDATORY / 20
"""The class-1 phase's annealing starts at this temperature
(:attr:`SearchParameters.initial_temperature`) rather than one sampled from its first
moves: there the median worsening move leaves a class-1 job out, which put the sampled
start near half a class-1 penalty, and the phase's first part kept taking class-1 jobs
out and putting them back. At a twentieth of one, leaving one out is all but never
accepted, while any rearrangement of the routes is (``docs/engine.md``, twelfth
round)."""
CLASS1_WARP_FOCUS = 1.0
"""In the class-1 phase's time-warp search, the share of moves that start in a route with
warp (:attr:`SearchParameters.warp_focus`; ``docs/engine.md``, twelfth round)."""
CLASS1_WARP_TEMPERATURE = 1.0
"""The class-1 phase's annealing temperature while warp is on, in minutes of warp, held
instead of cooling on (:attr:`SearchParameters.warp_temperature`)."""
CLASS1_WARP_RESTART = 0.1
"""The class-1 phase starts its warp again from the best when this share of its time
passes without a new best (:attr:`SearchParameters.warp_restart`)."""
CLASS1_WARP_MAX_SHARE = 0.05
"""The class-1 phase goes on with time warp as soon as at most this share of its jobs
is left out, from 30 % of its time on (:attr:`SearchParameters.warp_max_share`): a few
percent, not the hundreds of a day that cannot keep its class-1 care."""
MIN_SEARCH_SHARE = 0.25
"""With a time limit, the greedy warm start and the day's model are paid out of the day's
seconds; the search keeps at least this share of them however long those took."""
CHECK_SECONDS_PER_JOB = 0.0001
"""Seconds per job kept back from the search for checking its routes and writing the
day's entries afterwards."""
CHECK_SECONDS_PER_JOB_LEFT_OUT = 0.000002
"""Seconds per job and per job the greedy warm start leaves out, kept back as well: the
repair after the search offers every visit still left out to every eligible timetable
and checks each placement on the whole day, so its time grows with both. Measured on
this machine, 10 s plans: 0.04 s for 317 jobs (65 and 141 left out by the warm start),
0.1-0.3 s for 647 (148, 334), 0.4-0.6 s for 1 311 (230) and 1.1-1.6 s for 1 311 (596)."""
MIN_PHASE_SECONDS = 0.01
"""A search that finds its seconds used up before it starts still gets this long."""
DOUBLE_STAFFED_SHARE = 0.2
"""This share of a day's search goes to class-1 and double-staffed care together before
the whole day is searched (:meth:`Optimiser._double_staffed_first`)."""
DOUBLE_STAFFED_MAX_LOAD = 0.75
"""That phase runs only on days whose care takes at most this share of the working time
at hand (:func:`care_load`). On busier days most of the work is triage, which single
visits dominate: there it kept less care (``docs/engine.md``, sixth round)."""

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "Class1Search",
    "Optimiser",
    "OptimiserSettings",
    "care_load",
    "day_budget",
    "plan_optimised",
    "search_class1",
    "visit_penalty",
]


@dataclass(frozen=True, slots=True)
class OptimiserSettings:
    """How long the optimiser searches.

    ``time_limit`` is seconds per day of the horizon (``None``:
    :data:`DEFAULT_TIME_LIMIT`) for the greedy warm start, the day's model, the search
    and the check of its routes together: the search stops early enough to leave time
    for the check (:func:`check_reserve`), and keeps at least
    :data:`MIN_SEARCH_SHARE` of the seconds however long the rest took. The horizon's budget,
    ``time_limit × days``, is split over the days in proportion to their visits
    (:meth:`Optimiser.plan`), so a busy weekday gets more of it than a quiet Sunday.
    ``max_iterations``, when given, replaces the clock: each day's search stops after
    that many moves and cools by moves, so the same seed and iterations give the same
    plan on any machine. ``seed`` seeds every day's search.
    """

    time_limit: float | None = None
    max_iterations: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.time_limit is not None and not self.time_limit > 0:
            raise BeredtError(
                f"the time limit must be a positive number of seconds, got {self.time_limit}"
            )
        if self.max_iterations is not None and self.max_iterations < 1:
            raise BeredtError(f"iterations must be at least 1, got {self.max_iterations}")
        if self.seed < 0:
            raise BeredtError(f"the seed must be 0 or more, got {self.seed}")

    @property
    def seconds_per_day(self) -> float:
        return DEFAULT_TIME_LIMIT if self.time_limit is None else self.time_limit

    def search_parameters(
        self, seconds: float | None = None, *, class1_repair: bool = True
    ) -> SearchParameters:
        """The engine's parameters for one day given ``seconds`` of its budget; with
        ``class1_repair`` class-1 jobs left out get the engine's group repair too."""
        return SearchParameters(
            time_limit=self.seconds_per_day if seconds is None else seconds,
            max_iterations=self.max_iterations or 0,
            seed=self.seed,
            repair_single_penalty=MANDATORY if class1_repair else INF,
        )

    def phase_parameters(
        self, seconds: float, share: float, *, class1_repair: bool = True
    ) -> SearchParameters:
        """The parameters of a search phase that gets ``share`` of ``seconds``, or, with
        ``max_iterations``, that share of the moves (rounded, at least one)."""
        moves = self.max_iterations or 0
        return replace(
            self.search_parameters(seconds * share, class1_repair=class1_repair),
            max_iterations=max(1, round(moves * share)) if moves else 0,
        )


def class1_phase(parameters: SearchParameters) -> SearchParameters:
    """``parameters`` for a search of the class-1 jobs alone (the optimiser's class-1
    phase and :func:`search_class1`): it starts at a set temperature
    (:data:`CLASS1_START_TEMPERATURE`), stops as soon as every class-1 job is kept, and
    once only a few are left out (:data:`CLASS1_WARP_MAX_SHARE`) it goes on with time warp
    (:data:`CLASS1_TIME_WARP`), its moves starting where the routes overflow
    (:data:`CLASS1_WARP_FOCUS`)."""
    return replace(
        parameters,
        target_cost=MANDATORY / 2,
        initial_temperature=CLASS1_START_TEMPERATURE,
        time_warp=CLASS1_TIME_WARP,
        warp_focus=CLASS1_WARP_FOCUS,
        warp_temperature=CLASS1_WARP_TEMPERATURE,
        warp_restart=CLASS1_WARP_RESTART,
        warp_max_share=CLASS1_WARP_MAX_SHARE,
    )


def class1_component(
    model: Model, routes: Sequence[Sequence[int]], jobs: Sequence[int]
) -> tuple[set[int], list[int]]:
    """Where the class-1 jobs that ``routes`` leave out could go: the caregivers who may
    take one of them within their shift, then, closed under what ties routes together,
    every job on those caregivers' routes, the other job of a double-staffed visit and
    the jobs a dependency ties to one of them, with their caregivers. Returns the
    caregivers and the jobs (the jobs left out first). Searching only these jobs on only
    these caregivers leaves every other route as it is and valid."""
    placed = {j: k for k, route in enumerate(routes) for j in route}
    missing = [j for j in jobs if j not in placed]
    tied: dict[int, set[int]] = defaultdict(set)
    for sync in model.syncs:
        tied[sync.first].add(sync.second)
        tied[sync.second].add(sync.first)
    by_group: dict[int, list[int]] = defaultdict(list)
    for j in jobs:
        if model.jobs[j].group >= 0:
            by_group[model.jobs[j].group].append(j)
    wanted = set(jobs)
    staff: set[int] = set()
    for j in missing:
        job = model.jobs[j]
        for k in job.eligible:
            carer = model.caregivers[k]
            if (
                carer.shift_start <= job.hard_latest
                and job.earliest + job.duration <= carer.shift_end
            ):
                staff.add(k)

    def ties(j: int) -> list[int]:
        group = model.jobs[j].group
        return [*tied[j], *(by_group[group] if group >= 0 else ())]

    chosen = list(missing)
    seen = set(missing)
    queue = [j for k in staff for j in routes[k]] + [t for j in missing for t in ties(j)]
    while queue:
        j = queue.pop()
        if j in seen or j not in wanted:
            continue
        seen.add(j)
        chosen.append(j)
        holder = placed.get(j)
        if holder is not None and holder not in staff:
            staff.add(holder)
            queue.extend(routes[holder])
        queue.extend(ties(j))
    return staff, chosen


class EngineFault(RuntimeError):
    """The engine's search and its exact evaluator disagree: a bug, never bad input."""


class Optimiser:
    """Plan every day of a scenario with the engine, warm-started by the greedy plan."""

    name = "optimiser"

    def __init__(
        self,
        scenario: Scenario,
        travel: TravelProvider,
        settings: OptimiserSettings,
        class1_routes: Mapping[dt.date, Mapping[str, Sequence[str]]] | None = None,
    ) -> None:
        self.scenario = scenario
        self.travel = MatrixCache(travel)
        self.settings = settings
        self.class1_routes = dict(class1_routes or {})
        """Per day, routes of class-1 visits to start from (caregiver id → visit ids in
        order), such as those the class-1 check found (:func:`search_class1`)."""
        self.entries: list[PlannedVisit] = []
        self.routes: list[Route] = []
        self.missed: list[tuple[Visit, dt.date]] = []
        self.results: dict[dt.date, Result] = {}
        """The engine's result per day (cost components, iterations), for benchmarks."""

    def plan(self, created_at: dt.datetime, progress: ProgressCallback | None = None) -> Plan:
        """Plan the days in order; what a day postpones is planned again on the day
        it was postponed to. Each day gets the share of the remaining search budget
        that its visits are of the visits still to plan (later days counted by the
        visits due then, as their carried visits are not known yet)."""
        carried: dict[dt.date, list[Visit]] = defaultdict(list)
        dates = self.scenario.dates
        due = [len(self.scenario.visits_on(day)) for day in dates]
        budget = self.settings.seconds_per_day * len(dates)
        for index, day in enumerate(dates):
            visits = self.scenario.visits_on(day) + carried.pop(day, [])
            seconds = day_budget(budget, len(visits), sum(due[index + 1 :]))
            budget -= seconds
            tick = _DayProgress(progress, index, len(dates), seconds, self.settings)
            for entry in self._plan_day(day, visits, seconds, tick):
                self.entries.append(entry)
                if entry.postponed_to is not None and entry.postponed_to in dates:
                    found = self.scenario.visit_by_id(entry.visit)
                    assert found is not None
                    carried[entry.postponed_to].append(found)
            tick.done()
        return Plan(
            scenario=self.scenario.name,
            scenario_digest=self.scenario.digest(),
            planner=self.name,
            seed=self.settings.seed,
            time_limit=None if self.settings.max_iterations else self.settings.seconds_per_day,
            created_at=created_at,
            dates=dates,
            visits=self.entries,
            routes=self.routes,
            shortfall=summarise_shortfall(self.scenario, self.missed),
        )

    # ----------------------------------------------------------------- one day

    def _plan_day(
        self, day: dt.date, visits: list[Visit], seconds: float, tick: _DayProgress
    ) -> list[PlannedVisit]:
        started = time.perf_counter()
        day_model, initial = self._day_model(day, visits)
        if not self.settings.max_iterations:
            # The day's seconds cover the warm start, the model and the check after the
            # search as well as the search.
            spent = time.perf_counter() - started
            check = check_reserve(day_model, initial)
            seconds = max(seconds * MIN_SEARCH_SHARE, seconds - spent - check)
        result: Result | None = None
        verdicts: dict[str, Verdict] = {}
        if day_model.staff and day_model.job_visit:
            budget = seconds
            if (given := self.class1_routes.get(day)) is not None:
                initial = self._given_class1(day_model, given)
            initial, seconds = self._class1_first(day_model, initial, seconds, tick)
            initial, seconds = self._double_staffed_first(day_model, initial, budget, seconds, tick)
            found = self._search(day_model, initial, seconds, tick)
            result, verdicts = repair(
                self.scenario, day_model, self._polish(day_model, found), self.travel
            )
            self.results[day] = result
        decided = self._translate(day_model, result, verdicts)
        return sorted(decided, key=lambda e: (e.start if e.start is not None else -1, e.visit))

    def _day_model(self, day: dt.date, visits: list[Visit]) -> tuple[DayModel, list[list[int]]]:
        """The day's engine model and the warm start. The greedy baseline on the same
        visits gives the warm start and tells which infection-team members already
        serve each isolated client. (Its day planner is used directly: the rolling
        horizon here is the optimiser's own.)"""
        prefetch_travel(self.scenario, self.travel, day, visits)
        greedy = GreedyPlanner(self.scenario, self.travel)
        greedy_entries = greedy._plan_day(day, visits)
        pairs = infection_team_pairs(self.scenario, day, visits, greedy_entries)
        day_model = build_day_model(self.scenario, self.travel, day, visits, pairs)
        if not (day_model.staff and day_model.job_visit):
            return day_model, []
        return day_model, warm_start(day_model, greedy_entries, greedy.routes)

    def _given_class1(
        self, day_model: DayModel, given: Mapping[str, Sequence[str]]
    ) -> list[list[int]]:
        """The day's start from given class-1 routes (caregiver id → visit ids), checked
        against the day as it is now: every caregiver at work, every visit a class-1
        visit of the day, each visit's jobs on different routes, and the routes
        scheduled by the engine's evaluator. Anything else is refused with a reason (the
        day has changed since the routes were found)."""
        day = day_model.day
        staff = day_model.staff_index
        routes: list[list[int]] = [[] for _ in day_model.staff]
        used: set[int] = set()
        for caregiver, visits in given.items():
            if caregiver not in staff:
                raise BeredtError(
                    f"{day}: the class-1 routes give visits to {caregiver}, who is not at work "
                    "that day now; plan without them"
                )
            for visit in visits:
                jobs = day_model.jobs_of.get(visit, ())
                free = [j for j in jobs if j not in used]
                if not jobs or not mandatory(day_model.job_visit[jobs[0]]) or not free:
                    raise BeredtError(
                        f"{day}: the class-1 routes name visit {visit}, which is not a class-1 "
                        "visit of the day now (or is given twice); plan without them"
                    )
                used.add(free[0])
                routes[staff[caregiver]].append(free[0])
        try:
            day_model.model.evaluate(routes)
        except ValueError as exc:
            raise BeredtError(
                f"{day}: the class-1 routes no longer fit the day ({exc}); plan without them"
            ) from exc
        return routes

    def _class1_first(
        self, day_model: DayModel, initial: list[list[int]], seconds: float, tick: _DayProgress
    ) -> tuple[list[list[int]], float]:
        """When the warm start leaves class-1 care out, first search with the class-1
        jobs alone (up to :data:`CLASS1_SHARE` of the day's budget, stopping as soon as
        all are kept), and start the whole day's search from those routes.

        Triage then never trades class-1 care for other care the way a single search
        can when the other care fills the routes first: the whole search keeps every
        class-1 job the class-1 search placed (dropping one costs a mandatory penalty)
        and may add more. When it ends with only a few class-1 jobs left out, it goes
        on where they are missing (:meth:`_class1_more`). Returns the warm start and
        the seconds left for the day.
        """
        mandatory_jobs = [j for j, visit in enumerate(day_model.job_visit) if mandatory(visit)]
        placed = {j for route in initial for j in route}
        if not mandatory_jobs or all(j in placed for j in mandatory_jobs):
            return initial, seconds
        base = self.settings.search_parameters(seconds * CLASS1_SHARE)
        parameters = class1_phase(
            replace(
                base,
                max_iterations=max(1, base.max_iterations // 3) if base.max_iterations else 0,
            )
        )
        routes, found = self._search_part(day_model, initial, mandatory_jobs, parameters, tick)
        left = max(0.0, seconds - found.seconds)
        out = len(mandatory_jobs) - sum(len(r) for r in routes)
        if 0 < out <= max(2.0, CLASS1_WARP_MAX_SHARE * len(mandatory_jobs)):
            routes, left = self._class1_more(day_model, routes, mandatory_jobs, seconds, left, tick)
        if sum(len(r) for r in routes) <= sum(1 for j in mandatory_jobs if j in placed):
            return initial, left  # no more class-1 care than the warm start keeps
        return routes, left

    def _class1_more(
        self,
        day_model: DayModel,
        routes: list[list[int]],
        jobs: list[int],
        seconds: float,
        left: float,
        tick: _DayProgress,
    ) -> tuple[list[list[int]], float]:
        """The class-1 phase ended with only a few class-1 jobs left out: the day looks
        keepable in full and the search is close. Go on for up to
        :data:`CLASS1_MORE_SHARE` of the day's search (or that share of its moves),
        stopping as soon as all are kept, with the part of the day where the missing
        jobs could go (:func:`class1_component`): the jobs left out, the caregivers who
        could take them and everything on their routes. The rest of the routes stay as
        they are, so every move is spent where places are missing (on a day whose
        mornings are complete, the evening: a third of the jobs). It runs as
        :data:`CLASS1_MORE_ROUNDS` searches under new seeds, each twice as long as the
        one before and starting from the best routes so far: the last places are found
        within a second or not for a long while (``docs/engine.md``, thirteenth round).
        Returns the routes and the seconds left for the day."""
        base = self.settings.phase_parameters(seconds, CLASS1_MORE_SHARE)
        parts = 2**CLASS1_MORE_ROUNDS - 1
        for round_ in range(CLASS1_MORE_ROUNDS):
            share = 2**round_ / parts
            parameters = replace(
                class1_phase(base),
                time_limit=base.time_limit * share,
                seed=base.seed + 1 + round_,
                warp_after=0.0,
                warp_restart=0.0,
                max_iterations=max(1, round(base.max_iterations * share / 3))
                if base.max_iterations
                else 0,
            )
            more, found = self._search_component(day_model, routes, jobs, parameters, tick)
            left = max(0.0, left - found.seconds)
            if sum(len(r) for r in more) > sum(len(r) for r in routes):
                routes = more
            if sum(len(r) for r in routes) == len(jobs):
                break
        return routes, left

    def _search_component(
        self,
        day_model: DayModel,
        routes: list[list[int]],
        jobs: list[int],
        parameters: SearchParameters,
        tick: _DayProgress,
    ) -> tuple[list[list[int]], Result]:
        """Search the class-1 jobs of :func:`class1_component` on its caregivers alone,
        from ``routes``; the other routes are returned as they were."""
        staff, part = class1_component(day_model.model, routes, jobs)
        return self._search_part(day_model, routes, part, parameters, tick, staff)

    def _double_staffed_first(
        self,
        day_model: DayModel,
        initial: list[list[int]],
        budget: float,
        seconds: float,
        tick: _DayProgress,
    ) -> tuple[list[list[int]], float]:
        """Before the whole day, search the class-1 and double-staffed jobs alone for
        :data:`DOUBLE_STAFFED_SHARE` of the day's ``budget`` (or that share of its moves)
        and start the whole day's search from their routes; the single visits of other
        classes are then inserted around them.

        A double-staffed visit needs two routes free at the same time. When single
        visits fill the routes first, as in the greedy warm start, the search has to
        take several of them out at once to fit one in, which a short search rarely
        does; planned first, the double-staffed visits form teams (the same two
        caregivers through several of them) and the single visits go to whoever is
        free. It runs only on days with room to spare, where fitting the double-staffed
        visits in is the hard part, not triage (:data:`DOUBLE_STAFFED_MAX_LOAD`).
        Measured in ``docs/engine.md`` (sixth round). Returns the start and the seconds
        left for the day.
        """
        if not any(visit.task.caregivers == 2 for visit in day_model.job_visit):
            return initial, seconds
        if care_load(day_model.model) > DOUBLE_STAFFED_MAX_LOAD:
            return initial, seconds
        jobs = [
            j
            for j, visit in enumerate(day_model.job_visit)
            if mandatory(visit) or visit.task.caregivers == 2
        ]
        parameters = self.settings.phase_parameters(budget, DOUBLE_STAFFED_SHARE)
        routes, found = self._search_part(day_model, initial, jobs, parameters, tick)
        return routes, max(0.0, seconds - found.seconds)

    def _search_part(
        self,
        day_model: DayModel,
        initial: list[list[int]],
        jobs: list[int],
        parameters: SearchParameters,
        tick: _DayProgress,
        staff: set[int] | None = None,
    ) -> tuple[list[list[int]], Result]:
        """Search the day's model with only ``jobs``, from ``initial`` without the other
        jobs; the routes found (in the day's job indices) and the engine's result.

        With ``staff``, the jobs may go only to those caregivers, and the other
        caregivers' routes are returned as they are in ``initial`` (none of ``jobs`` may
        be on them: :func:`class1_component` gives such a part)."""
        part, old_of = day_model.model.subset(jobs)
        if staff is not None:
            part.jobs = [
                replace(job, eligible=tuple(k for k in job.eligible if k in staff))
                for job in part.jobs
            ]
        new_of = {old: new for new, old in enumerate(old_of)}
        start = [[new_of[j] for j in route if j in new_of] for route in initial]
        found = part.solve(parameters, start, tick.engine)
        routes: list[list[int]] = [[] for _ in day_model.staff]
        if staff is not None:
            for k, kept in enumerate(initial):
                if k not in staff:
                    routes[k] = list(kept)
        for route in found.routes:
            routes[route.caregiver] = [old_of[j] for j in route.jobs]
        tick.offset += found.seconds
        return routes, found

    def _search(
        self, day_model: DayModel, initial: list[list[int]], seconds: float, tick: _DayProgress
    ) -> Result:
        """The day's search from the warm start, checked by the engine's evaluator."""
        parameters = self.settings.search_parameters(seconds)
        return self._verified(day_model, day_model.model.solve(parameters, initial, tick.engine))

    def _polish(self, day_model: DayModel, result: Result) -> Result:
        """Offer every job left out to the best routes once more, in the engine.

        The search returns the best solution it visited, which need not be one where
        no left-out job can be added at a profit (after a short search especially).
        The engine's construction step inserts each unserved job where it costs least
        and keeps it only if that lowers the cost; restarting from the result with a
        single move runs exactly that step.
        """
        if not result.unserved:
            return result
        parameters = SearchParameters(
            time_limit=1.0, max_iterations=1, seed=self.settings.seed, repair_share=0.0
        )
        routes = job_routes(day_model, result)
        polished = self._verified(day_model, day_model.model.solve(parameters, routes))
        if polished.cost > result.cost:
            return result
        return replace(
            polished,
            iterations=result.iterations + polished.iterations,
            seconds=result.seconds + polished.seconds,
        )

    def _verified(self, day_model: DayModel, result: Result) -> Result:
        """The engine's routes, scheduled and costed again from scratch by the engine's
        own evaluator, which is what the plan is built from. A disagreement is an engine
        bug and stops the planning loudly (:class:`EngineFault`)."""
        try:
            checked = day_model.model.evaluate(job_routes(day_model, result))
        except ValueError as exc:
            raise EngineFault(
                f"{day_model.day}: the search returned routes the engine's evaluator refuses "
                f"({exc}; {result.iterations} moves, seed {self.settings.seed})"
            ) from exc
        if not math.isclose(checked.cost, result.cost, rel_tol=1e-6, abs_tol=1e-6):
            raise EngineFault(
                f"{day_model.day}: the search costed its routes at {result.cost:.2f}, "
                f"the evaluator at {checked.cost:.2f} (seed {self.settings.seed})"
            )
        return replace(checked, iterations=result.iterations, seconds=result.seconds)

    def _translate(
        self, day_model: DayModel, result: Result | None, verdicts: dict[str, Verdict]
    ) -> list[PlannedVisit]:
        day = day_model.day
        caregiver_of: dict[int, int] = {}
        if result is not None:
            for route in result.routes:
                self.routes.append(self._route(day_model, route))
                caregiver_of.update(dict.fromkeys(route.jobs, route.caregiver))
        decided: list[PlannedVisit] = []
        unserved: list[Visit] = []
        for visit in day_model.visits:
            jobs = day_model.jobs_of[visit.id]
            if result is None or not all(j in caregiver_of for j in jobs):
                unserved.append(visit)
                continue
            start = _whole(result.starts[jobs[0]], f"start of {visit.id}")
            if any(_whole(result.starts[j], visit.id) != start for j in jobs):
                raise AssertionError(f"the caregivers of {visit.id} start at different times")
            people = [day_model.staff[caregiver_of[j]].caregiver for j in jobs]
            decided.append(self._kept(visit, day, people, start))
        for visit in unserved:
            why_not = self._why_not(visit, day_model, verdicts.get(visit.id))
            decided.append(self._not_kept(visit, day, why_not))
        return decided

    def _route(self, day_model: DayModel, route: EngineRoute) -> Route:
        caregiver = day_model.staff[route.caregiver].caregiver
        what = f"route of {caregiver.id} on {day_model.day}"
        return Route(
            caregiver=caregiver.id,
            date=day_model.day,
            start=_whole(route.start, what),
            end=_whole(route.end, what),
            stops=[day_model.job_visit[j].id for j in route.jobs],
            break_start=None
            if route.break_start is None
            else _whole(route.break_start, f"break of {what}"),
        )

    # -------------------------------------------------------------- decisions

    def _kept(
        self, visit: Visit, day: dt.date, people: list[Caregiver], start: int
    ) -> PlannedVisit:
        return kept_entry(self.scenario, visit, day, people, start)

    def _not_kept(self, visit: Visit, day: dt.date, why_not: str) -> PlannedVisit:
        entry, alternative = not_kept_entry(self.scenario, visit, day, why_not)
        if alternative.shortfall:
            self.missed.append((visit, day))
        return entry

    def _why_not(self, visit: Visit, day_model: DayModel, verdict: Verdict | None) -> str:
        """Why no caregiver does the visit, in the planner's terms: nobody at work may
        do it; everyone who may is busy in its window; the client's two infection-team
        members have no room; or someone had room, but the trip weighs more than the
        visit does under the municipality's weights."""
        scenario, day, task = self.scenario, day_model.day, visit.task
        when = f"{format_clock(visit.window.start)}-{format_clock(visit.window.end)}"
        if verdict is not None and verdict.feasible:
            room, klass = verdict.room, effective_class(scenario, visit, day)
            return _(
                "{names} could come at {time}, but the {detour} min detour weighs more than "
                "this {label} visit ({penalty} in the municipality's weights)"
            ).format(
                names=room.names,
                time=format_clock(room.start),
                detour=room.detour,
                label=class_label(scenario.policy.rule(klass).label),
                penalty=f"{day_model.penalty[visit.id]:.0f}",
            )
        pair = day_model.pairs.get(visit.client.id, ())
        others = [s.caregiver for s in day_model.staff if s.caregiver.id not in pair]
        third = any(ineligibility(scenario, c, visit, day) is None for c in others)
        if pair and not mandatory(visit) and third:
            names = join_names(scenario.caregiver_by_id[c].name for c in pair)
            return _(
                "the client's two infection-team members ({names}) have no room {when}; "
                "an isolated client gets no third caregiver except for life-critical care"
            ).format(names=names, when=when)
        who = people_label(task.competence, task.caregivers)
        if needs_team(scenario, visit, day):
            who = (
                _("two infection-team members")
                if task.caregivers == 2
                else _("infection-team member")
            )
        eligible = [day_model.staff[k].caregiver for k in day_model.eligible[visit.id]]
        if len(eligible) < task.caregivers:
            reasons = Counter(
                ineligibility(scenario, s.caregiver, visit, day) for s in day_model.staff
            )
            reasons.pop(None, None)
            common = reasons.most_common(1)[0][0] if reasons else _("nobody is at work")
            return _("no {who} at work who may do it ({common})").format(who=who, common=common)
        then = [c for c in eligible if can_do(scenario, c, visit, day)]
        if len(then) < task.caregivers:
            return _("no {who} at work {when} who may do it").format(who=who, when=when)
        if len(then) == 1:
            return _("no {who} free {when} ({name}, the only one who may, is busy)").format(
                who=who, when=when, name=then[0].name
            )
        return _("no {who} free {when} (all {count} at work then who may do it are busy)").format(
            who=who, when=when, count=len(then)
        )


# ------------------------------------------------------------------- helpers


class _DayProgress:
    """Forwards the engine's reports (seconds elapsed) to the planner's progress
    callback as hundredths of each day's search: ``done`` of ``100 × days``."""

    def __init__(
        self,
        progress: ProgressCallback | None,
        index: int,
        days: int,
        seconds: float,
        settings: OptimiserSettings,
    ) -> None:
        self.progress = progress
        self.base = index * PROGRESS_STEPS
        self.total = days * PROGRESS_STEPS
        self.seconds = None if settings.max_iterations or seconds <= 0 else seconds
        self.offset = 0.0
        """Seconds of the day's budget spent by earlier searches of the day."""
        if progress is not None:
            progress(self.base, self.total)

    def engine(self, elapsed: float, best_cost: float) -> None:
        if self.progress is not None and self.seconds is not None:
            done = (self.offset + elapsed) / self.seconds
            share = min(PROGRESS_STEPS - 1, int(PROGRESS_STEPS * done))
            self.progress(self.base + share, self.total)

    def done(self) -> None:
        if self.progress is not None:
            self.progress(self.base + PROGRESS_STEPS, self.total)


def check_reserve(day_model: DayModel, initial: list[list[int]]) -> float:
    """Seconds to keep back from a day's search for what comes after it: per job
    :data:`CHECK_SECONDS_PER_JOB`, and :data:`CHECK_SECONDS_PER_JOB_LEFT_OUT` more for
    each job the warm start ``initial`` leaves out (an upper estimate of what the repair
    will be offered)."""
    jobs = len(day_model.job_visit)
    left_out = jobs - sum(len(route) for route in initial)
    return jobs * (CHECK_SECONDS_PER_JOB + CHECK_SECONDS_PER_JOB_LEFT_OUT * max(0, left_out))


def care_load(model: Model) -> float:
    """The day's care (every job's duration) as a share of the caregivers' working time
    (shift or maximum working time, whichever is shorter, less the break); travel is
    not counted. Above 1 not all care can be kept."""
    work = sum(
        max(0.0, min(c.shift_end - c.shift_start, c.max_work) - c.break_duration)
        for c in model.caregivers
    )
    care = sum(job.duration for job in model.jobs)
    return care / work if work > 0 else math.inf


def day_budget(remaining: float, today: int, later: int) -> float:
    """Seconds for a day with ``today`` visits out of the ``remaining`` budget, when
    ``later`` visits are due on the days after it: each visit still to plan gets an
    equal share."""
    return remaining * today / (today + later) if today else 0.0


def _whole(value: float, what: str) -> int:
    """Every input is whole minutes, so every time the engine computes is too."""
    if not is_whole(value):
        raise AssertionError(f"{what}: the engine returned {value}, not a whole minute")
    return round(value)


def plan_optimised(
    scenario: Scenario,
    travel: TravelProvider,
    created_at: dt.datetime,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    time_limit: float | None = None,
    max_iterations: int | None = None,
    class1_routes: Mapping[dt.date, Mapping[str, Sequence[str]]] | None = None,
) -> Plan:
    """Plan ``scenario`` with the optimiser: ``time_limit`` seconds per day for warm
    start, model, search and check (default :data:`DEFAULT_TIME_LIMIT`; over several days the
    budget is shared out by each day's visits), or exactly ``max_iterations`` moves per
    day when given (reproducible: the same seed and iterations give the same plan).
    ``class1_routes`` (per day, caregiver id → class-1 visit ids in order, as the class-1
    check found them) are where those days' search starts, in place of the class-1 phase's
    own start; routes that no longer fit the day are refused (:class:`BeredtError`)."""
    settings = OptimiserSettings(time_limit=time_limit, max_iterations=max_iterations, seed=seed)
    return Optimiser(scenario, travel, settings, class1_routes).plan(created_at, progress)


@dataclass(frozen=True, slots=True)
class Class1Search:
    """What a search of one day's class-1 care alone kept (:func:`search_class1`)."""

    day: dt.date
    kept: int
    """Class-1 jobs (one per caregiver a visit needs) the routes found keep in window."""
    jobs: int
    """Class-1 jobs of the day."""
    seconds: float
    routes: dict[str, list[str]] = field(default_factory=dict)
    """Caregiver id → the class-1 visits of their route, in order (every caregiver with
    one); :class:`Optimiser` can start from them (``class1_routes``)."""

    @property
    def complete(self) -> bool:
        """Routes keeping every class-1 visit of the day were found: a plan that keeps
        all class-1 care exists."""
        return self.jobs > 0 and self.kept == self.jobs


def search_class1(
    scenario: Scenario,
    travel: TravelProvider,
    day: dt.date,
    *,
    seconds: float,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> Class1Search:
    """Search routes for the class-1 visits of ``day`` alone, as the optimiser's first
    phase does (:meth:`Optimiser._class1_first`), but for up to ``seconds``, stopping as
    soon as every class-1 visit is kept.

    The routes obey every rule of the day's model: competence and delegation, windows,
    shifts, breaks, working time, double staffing, the infection team. Every other
    visit may be left to triage (phoned, postponed, cancelled), so when they keep every
    class-1 visit, a plan that keeps all class-1 care exists: a plan of that day that
    leaves some out is short because its search was, not the staff. The routes are
    scheduled once more by the engine's evaluator before they count. ``progress`` is
    told the share of the ``seconds`` used."""
    began = time.perf_counter()
    settings = OptimiserSettings(time_limit=seconds, seed=seed)
    optimiser = Optimiser(scenario, travel, settings)
    visits = scenario.visits_on(day)
    day_model, initial = optimiser._day_model(day, visits)
    jobs = [j for j, visit in enumerate(day_model.job_visit) if mandatory(visit)]
    needed = sum(v.task.caregivers for v in visits if mandatory(v))
    if not jobs or not day_model.staff or len(jobs) != needed:
        return Class1Search(day, 0, needed, time.perf_counter() - began)

    # The model may have taken the time: the search then only completes the start.
    left = max(MIN_PHASE_SECONDS, seconds - (time.perf_counter() - began))
    parameters = class1_phase(settings.search_parameters(left))
    report = None if progress is None else (lambda done, total: progress(done / total))
    tick = _DayProgress(report, 0, 1, left, settings)
    routes, _ = optimiser._search_part(day_model, initial, jobs, parameters, tick)
    try:
        checked = day_model.model.evaluate(routes)
    except ValueError as exc:
        raise EngineFault(f"{day}: the engine's class-1 routes do not schedule: {exc}") from exc
    model_jobs = day_model.model.jobs
    kept = sum(
        1 for j in jobs if checked.served(j) and checked.starts[j] <= model_jobs[j].hard_latest
    )
    named = {
        day_model.staff[k].caregiver.id: [day_model.job_visit[j].id for j in route]
        for k, route in enumerate(routes)
        if route
    }
    return Class1Search(day, kept, len(jobs), time.perf_counter() - began, named)
