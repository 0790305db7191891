"""Re-planning during the day: a new version of a published plan after events (a
caregiver falls ill, a client is isolated, an emergency visit, a pinned visit) that
changes as little as possible of what was published.

Steps, for each day the events reach (``docs/replanning.md`` has the details):

1. **Events** are checked and resolved (:mod:`beredt.planning.replan_events`) and
   written into the scenario: the re-plan belongs to the *modified* scenario, which
   ``beredt replan`` writes next to the new plan so ``beredt check`` can check them.
2. **Done** entries (started before the re-plan time and possible under the events, or
   not kept and too late to keep now) stay exactly as published.
3. **The engine model** of the day is the optimiser's (:mod:`beredt.planning.day_model`)
   with these changes: a done visit is a *fixed job* (only its caregiver, earliest =
   latest = hard latest = its published start, a penalty no other care outweighs), so
   the routes stay consistent with what happened; every other visit may start no
   earlier than the re-plan time; caregivers who fell ill get no new work; a break
   taken before the re-plan time stays where it was; each remaining visit gets a strong
   preference for its published caregiver(s) and a visit the published plan did not
   keep costs less to leave out, so that what the event does not touch stays as it was;
   a pinned visit may go only to its caregiver at its start.
4. **The search** starts from the published routes (minus what is no longer possible),
   then the optimiser's polish and repair steps run, and the result is translated to
   plan entries with reasons.
5. **Stability** is measured against the published plan (:func:`compare`).

Later days of a multi-day plan keep their entries unless the re-plan changes which
visits are postponed to them or an event reaches them (sick through ``until``, an
isolation that goes on); such a day is re-planned the same way from 00:00.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from beredt.domain.clock import format_clock
from beredt.domain.errors import BeredtError, InputError
from beredt.domain.events import Event
from beredt.domain.plan import (
    ChangeKind,
    EntryState,
    Plan,
    PlannedVisit,
    PlanReference,
    ReplanDay,
    ReplanInfo,
    Route,
    Stability,
    VisitChange,
)
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.day_model import (
    DayModel,
    build_day_model,
    infection_team_pairs,
    prefetch_travel,
    warm_start,
)
from beredt.planning.engine.model import Model, Result, SearchParameters
from beredt.planning.engine.model import ProgressCallback as EngineProgress
from beredt.planning.explain import describe_change
from beredt.planning.greedy import ProgressCallback
from beredt.planning.language import _, current_language, use_language
from beredt.planning.optimiser import Optimiser, OptimiserSettings, _DayProgress
from beredt.planning.replan_events import (
    DaySituation,
    apply_events,
    done_pin_problems,
    infection_team,
    is_done,
    resolve_events,
    situation,
    visit_of,
)
from beredt.planning.room import Verdict, job_routes, repair
from beredt.planning.triage import summarise_shortfall
from beredt.travel import MatrixCache, TravelProvider

STABILITY_TOLERANCE = 15
"""Minutes a kept visit's start may move and still count as unchanged."""
REPLAN_TIME_LIMIT = 5.0
"""Default seconds of search per re-planned day: with model building and checking, a
re-plan of the demo district's day stays well within 10 s."""
KEEP_CAREGIVER_BONUS = 4000.0
"""Saved (minutes-of-travel units) per job done by a caregiver the published plan gave
it: an untouched visit moves to someone else only to keep care worth more than this
(life-critical and necessary care, long supervision visits), never to save travel."""
SETTLE_CAREGIVER_BONUS = 30_000.0
"""The same preference in the second phase of the search (:meth:`_DayReplanner._settle`),
where the care kept is fixed and only changes are weighed."""
LATE_MINUTES_PER_CHANGE = 5.0
"""An untouched kept visit that starts more than :data:`STABILITY_TOLERANCE` after its
published start has changed as much as one given to someone else: each minute beyond
costs the caregiver preference divided by this, so five minutes late weigh like a
reassignment (the tardiness weight alone made pushing a whole route back cheap)."""
SEARCH_TEMPERATURE = 200.0
"""The annealing's starting temperature in a re-plan (cost units): a move that costs
this much is taken with probability 1/e at the start. Well below the preference for
published caregivers, so the search stays near the published plan, and far below
necessary care, so it still makes the chains of moves that keep it."""
CARE_SHARE = 0.6
"""Share of a re-planned day's search budget for the first phase (keeping care); the
rest settles the changes."""
FIXED_PENALTY = 1e9
"""Cost of leaving out a done visit's job: nothing outweighs what already happened."""
PIN_PENALTY = 1e8
"""Cost of leaving out a pinned visit's job: above life-critical care (10⁶ per job)."""

__all__ = [
    "KEEP_CAREGIVER_BONUS",
    "REPLAN_TIME_LIMIT",
    "STABILITY_TOLERANCE",
    "ReplanError",
    "ReplanSettings",
    "compare",
    "replan",
]


class ReplanError(BeredtError):
    """The plan and scenario do not fit together, or the re-plan cannot keep what
    already happened."""


@dataclass(frozen=True, slots=True)
class ReplanSettings:
    """``time_limit``: seconds of search per re-planned day (default
    :data:`REPLAN_TIME_LIMIT`); ``max_iterations`` replaces the clock (reproducible)."""

    time_limit: float | None = None
    max_iterations: int | None = None
    seed: int = 0

    def optimiser(self) -> OptimiserSettings:
        return OptimiserSettings(
            time_limit=self.time_limit or REPLAN_TIME_LIMIT,
            max_iterations=self.max_iterations,
            seed=self.seed,
        )


@dataclass(frozen=True, slots=True)
class Replanned:
    """The new plan and the scenario it belongs to (the events written in)."""

    plan: Plan
    scenario: Scenario


def replan(
    scenario: Scenario,
    plan: Plan,
    events: Sequence[Event],
    travel: TravelProvider,
    settings: ReplanSettings | None = None,
    created_at: dt.datetime | None = None,
    progress: ProgressCallback | None = None,
    language: str | None = None,
) -> Replanned:
    """Re-plan ``plan`` (made from ``scenario``) after ``events``, applied in order.
    ``language`` (one of :data:`beredt.planning.language.LANGUAGES`) is the language of
    the new reasons and warnings; by default the current one.

    Raises :class:`beredt.domain.errors.InputError` naming each problem in the events,
    and :class:`ReplanError` if the plan does not belong to the scenario.
    """
    with use_language(language or current_language()):
        return _replan(scenario, plan, events, travel, settings, created_at, progress)


def _replan(
    scenario: Scenario,
    plan: Plan,
    events: Sequence[Event],
    travel: TravelProvider,
    settings: ReplanSettings | None,
    created_at: dt.datetime | None,
    progress: ProgressCallback | None,
) -> Replanned:
    settings = settings or ReplanSettings()
    warnings: list[str] = []
    if plan.scenario_digest != scenario.digest():
        raise ReplanError(
            "the plan was not made from this scenario (its scenario_digest differs): "
            "re-plan with the scenario the plan came from (after an earlier re-plan: "
            "its .scenario.json)"
        )
    if plan.dates != scenario.dates:
        raise ReplanError(f"the plan covers {plan.dates}, the scenario {scenario.dates}")
    resolved = resolve_events(scenario, plan, events)
    days = situation(plan, resolved)
    problems = done_pin_problems(scenario, plan, resolved, days)
    if problems:
        raise InputError("events", problems)
    cache = MatrixCache(travel)
    modified = apply_events(scenario, plan, resolved, days, cache)
    first = min(event.date for event in resolved if event.date is not None)
    builder = _PlanBuilder(modified, plan, days, cache, settings, progress)
    builder.warnings += warnings
    for index, day in enumerate(plan.dates):
        builder.day(index, day, replan_day=day >= first)
    when = created_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    new = builder.plan(resolved, when)
    return Replanned(new, modified)


# ------------------------------------------------------------------ the new plan


class _PlanBuilder:
    """Goes through the plan's days in order, keeping or re-planning each."""

    def __init__(
        self,
        scenario: Scenario,
        plan: Plan,
        days: dict[dt.date, DaySituation],
        travel: MatrixCache,
        settings: ReplanSettings,
        progress: ProgressCallback | None,
    ) -> None:
        self.scenario = scenario
        self.old = plan
        self.situations = days
        self.travel = travel
        self.settings = settings
        self.progress = progress
        self.entries: list[PlannedVisit] = []
        self.routes: list[Route] = []
        self.missed: list[tuple[Visit, dt.date]] = []
        self.carried: dict[dt.date, list[Visit]] = defaultdict(list)
        self.replanned: list[ReplanDay] = []
        self.done: dict[dt.date, set[str]] = {}
        self.affected: dict[dt.date, set[str]] = {}
        self.warnings: list[str] = []

    def old_entries(self, day: dt.date) -> list[PlannedVisit]:
        return [e for e in self.old.visits if e.date == day]

    def day(self, index: int, day: dt.date, replan_day: bool) -> None:
        here = self.situations[day]
        published = self.old_entries(day)
        visits = self.scenario.visits_on(day) + self.carried.pop(day, [])
        old_carried = {
            e.visit for e in published if visit_of(self.scenario, e.visit).due_date != day
        }
        new_carried = {v.id for v in visits if v.due_date != day}
        working = {r.caregiver for r in self.old.routes if r.date == day}
        touched = (
            bool(here.events)
            or any(c in working for c in here.ill_from)
            or any(e.client in here.isolated_from for e in published)
        )
        if replan_day and (touched or old_carried != new_carried):
            entries = self._replan_day(index, day, visits, published, here)
        else:
            entries = published
            self.routes += [r for r in self.old.routes if r.date == day]
            for entry in entries:
                if entry.shortfall:
                    self.missed.append((visit_of(self.scenario, entry.visit), day))
        for entry in entries:
            self.entries.append(entry)
            if entry.postponed_to is not None and entry.postponed_to in self.old.dates:
                self.carried[entry.postponed_to].append(visit_of(self.scenario, entry.visit))

    def _replan_day(
        self,
        index: int,
        day: dt.date,
        visits: list[Visit],
        published: list[PlannedVisit],
        here: DaySituation,
    ) -> list[PlannedVisit]:
        team = infection_team(self.scenario)
        done = {e.visit for e in published if is_done(self.scenario, e, here, team)}
        self.done[day] = done
        self.affected[day] = _affected(published, here, done)
        optimiser = _DayReplanner(self.scenario, self.travel, self.settings.optimiser())
        settings = optimiser.settings
        tick = _DayProgress(
            self.progress, index, len(self.old.dates), settings.seconds_per_day, settings
        )
        routes = [r for r in self.old.routes if r.date == day]
        affected = self.affected[day]
        entries = optimiser.replan_day(day, visits, published, routes, here, done, affected, tick)
        tick.done()
        self.routes += optimiser.routes
        self.missed += optimiser.missed
        self.warnings += optimiser.warnings
        self.replanned.append(
            ReplanDay(date=day, at=here.at, done=len(done), remaining=len(entries) - len(done))
        )
        return entries

    def plan(self, events: list[Event], created_at: dt.datetime) -> Plan:
        draft = Plan(
            scenario=self.scenario.name,
            scenario_digest=self.scenario.digest(),
            planner="replan",
            seed=self.settings.seed,
            time_limit=None
            if self.settings.max_iterations
            else self.settings.optimiser().seconds_per_day,
            created_at=created_at,
            dates=self.old.dates,
            visits=self.entries,
            routes=self.routes,
            shortfall=summarise_shortfall(self.scenario, self.missed),
        )
        days = [d.date for d in self.replanned]
        stability, changes = compare(self.old, draft, days, self.done, self.affected)
        visits = _annotate(self.scenario, draft.visits, changes)
        info = ReplanInfo(
            events=events,
            based_on=PlanReference(
                created_at=self.old.created_at,
                digest=self.old.digest(),
                planner=self.old.planner,
                scenario_digest=self.old.scenario_digest,
            ),
            days=self.replanned,
            stability=stability,
            changes_by_kind=dict(sorted(Counter(c.kind for c in changes).items())),
            changes=changes,
            warnings=self.warnings,
        )
        return draft.model_copy(update={"visits": visits, "replan": info})


def _affected(published: list[PlannedVisit], here: DaySituation, done: set[str]) -> set[str]:
    """Published entries of the day the events touch directly: the remaining visits of a
    caregiver who fell ill and of a client who was isolated, and pinned visits."""
    touched: set[str] = set()
    for entry in published:
        if entry.visit in done:
            continue
        ill = any(c in here.ill_from for c in entry.caregivers)
        if ill or entry.client in here.isolated_from or entry.visit in here.pins:
            touched.add(entry.visit)
    return touched


# ------------------------------------------------------------------- one day


class _DayReplanner(Optimiser):
    """The optimiser's day, constrained by what was published and what happened."""

    name = "replan"

    def __init__(
        self, scenario: Scenario, travel: TravelProvider, settings: OptimiserSettings
    ) -> None:
        super().__init__(scenario, travel, settings)
        self.too_late: dict[str, str] = {}
        self.at = 0
        self.warnings: list[str] = []

    def replan_day(
        self,
        day: dt.date,
        visits: list[Visit],
        published: list[PlannedVisit],
        routes: list[Route],
        here: DaySituation,
        done: set[str],
        affected: set[str],
        tick: _DayProgress,
    ) -> list[PlannedVisit]:
        self.at = here.at
        by_visit = {e.visit: e for e in published}
        # Decisions that stand as published, outside the model: not kept and too late
        # to keep now, or not kept and untouched by the events (capacity can force a
        # kept visit out, never a reduced one back in).
        planned = {v.id for v in visits}
        held = {
            vid
            for vid, entry in by_visit.items()
            if vid in planned
            and entry.decision is not Decision.KEPT
            and (vid in done or vid not in affected)
        }
        fixed = (done & planned) - held
        modelled = [v for v in visits if v.id not in held]
        prefetch_travel(self.scenario, self.travel, day, modelled)
        blocked = frozenset(here.ill_from)
        pairs = infection_team_pairs(self.scenario, day, modelled, published, exclude=blocked)
        day_model = build_day_model(self.scenario, self.travel, day, modelled, pairs)
        self._constrain(day_model, by_visit, fixed, blocked, here, affected)
        busy = {c for vid in fixed for c in by_visit[vid].caregivers}
        self._breaks(day_model, routes, busy)
        result: Result | None = None
        verdicts: dict[str, Verdict] = {}
        if day_model.staff and day_model.job_visit:
            initial = warm_start(day_model, published, routes)
            skip = affected | fixed
            care = self._polish(day_model, self._phase(day_model, initial, CARE_SHARE, tick))
            if any(
                not self._as_published(day_model, care, e)
                for e in self._steady(by_visit, skip, day_model)
            ):
                care = self._settle(day_model, care, by_visit, skip, tick)
            restored = self._restore(day_model, care, by_visit, skip)
            result, verdicts = repair(self.scenario, day_model, restored, self.travel)
            self._check_fixed(day_model, result, by_visit, fixed)
        decided = self._translate(day_model, result, verdicts)
        self._check_pins(decided, here)
        entries = [by_visit[e.visit] if e.visit in fixed else e for e in decided]
        entries += [by_visit[vid] for vid in sorted(held)]
        self.missed += [
            (visit_of(self.scenario, vid), day) for vid in sorted(held) if by_visit[vid].shortfall
        ]
        return sorted(entries, key=lambda e: (e.start if e.start is not None else -1, e.visit))

    # ------------------------------------------------------------ constraints

    def _constrain(
        self,
        day_model: DayModel,
        by_visit: dict[str, PlannedVisit],
        fixed: set[str],
        blocked: frozenset[str],
        here: DaySituation,
        affected: set[str],
    ) -> None:
        """Done visits fixed, pins fixed, and for every other visit: no earlier than the
        re-plan time, nobody who fell ill, and for a kept visit the events did not touch
        a strong preference for its published caregivers and a start within
        :data:`STABILITY_TOLERANCE` of its published one (hard before, soft after: each
        minute later costs the tardiness weight and a fifth of the caregiver preference,
        :data:`LATE_MINUTES_PER_CHANGE`)."""
        model, staff_index = day_model.model, day_model.staff_index
        for visit in day_model.visits:
            entry = by_visit.get(visit.id)
            jobs = day_model.jobs_of[visit.id]
            if visit.id in fixed:
                assert entry is not None and entry.start is not None
                self._fix(day_model, visit, entry.caregivers, entry.start, FIXED_PENALTY)
                continue
            pin = here.pins.get(visit.id)
            if pin is not None:
                people = (
                    [pin.caregiver] if pin.caregiver else list(entry.caregivers if entry else [])
                )
                start = pin.start
                if start is None and entry is not None and pin.caregiver is None:
                    start = entry.start
                self._fix(day_model, visit, people, start, PIN_PENALTY)
                continue
            eligible = [
                k
                for k in day_model.eligible[visit.id]
                if day_model.staff[k].caregiver.id not in blocked
            ]
            job = model.jobs[jobs[0]]
            earliest, latest = max(job.earliest, float(self.at)), job.latest
            if earliest > job.hard_latest:
                eligible = []
                self.too_late[visit.id] = _(
                    "its latest start {latest} is before the re-plan at {at}"
                ).format(latest=format_clock(round(job.hard_latest)), at=format_clock(self.at))
            bonus: dict[int, float] = {}
            late_cost = 0.0
            steady = entry is not None and entry.decision is Decision.KEPT
            if steady and entry is not None and entry.start is not None:
                if visit.id not in affected:
                    published = float(entry.start)
                    earliest = max(earliest, published - STABILITY_TOLERANCE)
                    latest = min(latest, max(earliest, published + STABILITY_TOLERANCE))
                    late_cost = KEEP_CAREGIVER_BONUS / LATE_MINUTES_PER_CHANGE
                bonus = {
                    staff_index[c]: KEEP_CAREGIVER_BONUS
                    for c in entry.caregivers
                    if c in staff_index and staff_index[c] in eligible
                }
            for j in jobs:
                old = model.jobs[j]
                preference = dict(old.preference)
                for k, extra in bonus.items():
                    preference[k] = preference.get(k, 0.0) + extra
                model.jobs[j] = replace(
                    old,
                    earliest=earliest,
                    latest=latest,
                    eligible=tuple(eligible),
                    preference=tuple(sorted(preference.items())),
                    late_cost=late_cost,
                )
            day_model.eligible[visit.id] = eligible

    def _fix(
        self,
        day_model: DayModel,
        visit: Visit,
        people: Sequence[str],
        start: int | None,
        penalty: float,
    ) -> None:
        """Jobs of ``visit`` only for ``people`` (in job order; a double-staffed visit
        with one person named may take anyone eligible as the other), at ``start`` if
        given (else anywhere in the window from the re-plan time on)."""
        model, staff_index = day_model.model, day_model.staff_index
        jobs = day_model.jobs_of[visit.id]
        free = [
            k for k in day_model.eligible[visit.id] if day_model.staff[k].caregiver.id not in people
        ]
        everyone: set[int] = set()
        for number, j in enumerate(jobs):
            old = model.jobs[j]
            if number < len(people):
                k = staff_index.get(people[number])
                if k is None:
                    raise ReplanError(
                        f"{people[number]} is not at work on {day_model.day} for visit {visit.id}"
                    )
                eligible: tuple[int, ...] = (k,)
            else:
                eligible = tuple(free)
            everyone.update(eligible)
            if start is None:
                earliest = max(old.earliest, float(self.at))
                model.jobs[j] = replace(
                    old, earliest=earliest, eligible=eligible, penalty=penalty, preference=()
                )
            else:
                at = float(start)
                model.jobs[j] = replace(
                    old,
                    earliest=at,
                    latest=at,
                    hard_latest=at,
                    eligible=eligible,
                    penalty=penalty,
                    preference=(),
                )
        day_model.eligible[visit.id] = sorted(everyone)
        day_model.penalty[visit.id] = penalty * len(jobs)

    def _breaks(self, day_model: DayModel, routes: list[Route], busy: set[str]) -> None:
        """A break that started before the re-plan time stays where it was; a break
        still to come starts no earlier than the re-plan time. A caregiver with nothing
        done yet leaves the office no earlier than the re-plan time, if their break can
        still be taken after it."""
        model = day_model.model
        published = {r.caregiver: r for r in routes}
        for k, staff in enumerate(day_model.staff):
            caregiver = model.caregivers[k]
            route = published.get(staff.caregiver.id)
            window = caregiver.break_window
            taken = None if route is None else route.break_start
            if window is not None and taken is not None and taken < self.at:
                model.caregivers[k] = replace(caregiver, break_window=(float(taken), float(taken)))
                continue
            if staff.caregiver.id in busy:
                if window is not None and window[1] >= self.at:
                    start = max(window[0], float(self.at))
                    model.caregivers[k] = replace(caregiver, break_window=(start, window[1]))
                continue
            if window is None or window[1] >= self.at:
                # Not before the re-plan time, unless the published route had them
                # leave earlier (on their way now).
                leaves = self.at if route is None else min(self.at, route.start)
                shift_start = max(caregiver.shift_start, float(leaves))
                break_window = None if window is None else (max(window[0], shift_start), window[1])
                if shift_start < caregiver.shift_end:
                    model.caregivers[k] = replace(
                        caregiver, shift_start=shift_start, break_window=break_window
                    )

    # --------------------------------------------------------------- search

    def _phase(
        self, day_model: DayModel, initial: list[list[int]], share: float, tick: _DayProgress
    ) -> Result:
        """A search from ``initial`` with ``share`` of the day's budget (time or moves),
        without the class-1 repair (``docs/engine.md``, known weaknesses)."""
        settings = self.settings
        parameters = settings.phase_parameters(settings.seconds_per_day, share, class1_repair=False)
        found = _solve(day_model.model, parameters, initial, SEARCH_TEMPERATURE, tick.engine)
        return self._verified(day_model, found)

    def _settle(
        self,
        day_model: DayModel,
        result: Result,
        by_visit: dict[str, PlannedVisit],
        skip: set[str],
        tick: _DayProgress,
    ) -> Result:
        """Second phase: keep the care the first phase keeps and undo the changes it
        does not need.

        The first phase weighs a change to an untouched visit at
        :data:`KEEP_CAREGIVER_BONUS`, low enough to find the chains of reassignments
        that make room for life-critical care. On the way it also makes changes that
        gain nothing. Here every job the first phase serves becomes mandatory, the
        preference for published caregivers rises to :data:`SETTLE_CAREGIVER_BONUS`
        (and with it the cost of starting later than the tolerance allows), and the
        search runs again from the first phase's routes: it now gains most by putting
        visits back where they were.
        """
        model = day_model.model
        saved = list(model.jobs)
        staff_index = day_model.staff_index
        served = {j for route in result.routes for j in route.jobs}
        for entry in self._steady(by_visit, skip, day_model):
            for j in day_model.jobs_of[entry.visit]:
                job = model.jobs[j]
                extra = SETTLE_CAREGIVER_BONUS - KEEP_CAREGIVER_BONUS
                preference = dict(job.preference)
                for c in entry.caregivers:
                    k = staff_index[c]
                    if k in preference and k in job.eligible:
                        preference[k] += extra
                model.jobs[j] = replace(
                    job,
                    preference=tuple(sorted(preference.items())),
                    late_cost=SETTLE_CAREGIVER_BONUS / LATE_MINUTES_PER_CHANGE
                    if job.late_cost
                    else 0.0,
                )
        for j in served:
            job = model.jobs[j]
            model.jobs[j] = replace(job, penalty=max(job.penalty, PIN_PENALTY))
        try:
            settled = self._phase(day_model, job_routes(day_model, result), 1 - CARE_SHARE, tick)
        finally:
            model.jobs[:] = saved
        return replace(
            model.evaluate(job_routes(day_model, settled)),
            iterations=result.iterations + settled.iterations,
            seconds=result.seconds + settled.seconds,
        )

    @staticmethod
    def _steady(
        by_visit: dict[str, PlannedVisit], skip: set[str], day_model: DayModel
    ) -> list[PlannedVisit]:
        """Published kept visits the events did not touch, with their caregivers at
        work: what the re-plan should leave as it was."""
        staff = day_model.staff_index
        return sorted(
            (
                entry
                for vid, entry in by_visit.items()
                if vid not in skip
                and vid in day_model.jobs_of
                and entry.decision is Decision.KEPT
                and all(c in staff for c in entry.caregivers)
            ),
            key=lambda e: (e.start or 0, e.visit),
        )

    # -------------------------------------------------------------- restore

    def _restore(
        self,
        day_model: DayModel,
        result: Result,
        by_visit: dict[str, PlannedVisit],
        skip: set[str],
    ) -> Result:
        """Undo changes the search made that nothing needs.

        The search returns the best routes it visited; on the way to keeping more
        important care it can also have moved visits the event did not touch, changes
        that were not needed for that gain. Each such visit, earliest first, is put back
        with its published caregivers at its published place in their routes; the
        restoration stays when the engine finds the routes feasible and the cost no
        higher (it saves the preference bonus, so it stays unless it costs care or
        punctuality elsewhere).
        """
        staff_index = day_model.staff_index
        for entry in self._steady(by_visit, skip, day_model):
            if self._as_published(day_model, result, entry):
                continue
            jobs = day_model.jobs_of[entry.visit]
            routes = [
                [j for j in route if j not in jobs] for route in job_routes(day_model, result)
            ]
            assert entry.start is not None
            for job, caregiver in zip(jobs, entry.caregivers, strict=True):
                route = routes[staff_index[caregiver]]
                before = sum(
                    1 for j in route if result.served(j) and result.starts[j] < entry.start
                )
                route.insert(before, job)
            try:
                trial = day_model.model.evaluate(routes)
            except ValueError:
                continue
            if trial.cost <= result.cost + 1e-6:
                result = replace(trial, iterations=result.iterations, seconds=result.seconds)
        return result

    @staticmethod
    def _as_published(day_model: DayModel, result: Result, entry: PlannedVisit) -> bool:
        assert entry.start is not None
        jobs = day_model.jobs_of[entry.visit]
        who = {route.caregiver for route in result.routes for j in route.jobs if j in jobs}
        if len(who) != len(jobs) or not all(result.served(j) for j in jobs):
            return False
        people = {day_model.staff[k].caregiver.id for k in who}
        moved = abs(result.starts[jobs[0]] - entry.start)
        return people == set(entry.caregivers) and moved <= STABILITY_TOLERANCE

    # --------------------------------------------------------------- checks

    def _check_fixed(
        self,
        day_model: DayModel,
        result: Result,
        by_visit: dict[str, PlannedVisit],
        fixed: set[str],
    ) -> None:
        for vid in sorted(fixed):
            entry = by_visit[vid]
            for j in day_model.jobs_of[vid]:
                start = result.starts[j]
                if math.isnan(start) or round(start) != entry.start:
                    raise ReplanError(
                        f"{day_model.day}: visit {vid}, done before the re-plan at "
                        f"{format_clock(self.at)}, cannot stay as published (is the plan "
                        "valid for this scenario? run beredt check)"
                    )

    def _check_pins(self, decided: list[PlannedVisit], here: DaySituation) -> None:
        by_visit = {e.visit: e for e in decided}
        for vid, pin in here.pins.items():
            entry = by_visit.get(vid)
            honoured = entry is not None and entry.decision is Decision.KEPT
            if honoured and entry is not None:
                if pin.caregiver is not None and pin.caregiver not in entry.caregivers:
                    honoured = False
                if pin.start is not None and entry.start != pin.start:
                    honoured = False
            if not honoured:
                self.warnings.append(
                    _(
                        "{date}: the pin of visit {visit} could not be honoured (it clashes "
                        "with visits already done or with another pin)"
                    ).format(date=here.day, visit=vid)
                )

    def _why_not(self, visit: Visit, day_model: DayModel, verdict: Verdict | None) -> str:
        if visit.id in self.too_late:
            return self.too_late[visit.id]
        if verdict is not None and verdict.room.start < self.at:
            verdict = None  # room in the past is no room
        return super()._why_not(visit, day_model, verdict)


# ---------------------------------------------------------------- comparing


def compare(
    old: Plan,
    new: Plan,
    days: Sequence[dt.date],
    done: dict[dt.date, set[str]],
    affected: dict[dt.date, set[str]],
    tolerance: int = STABILITY_TOLERANCE,
) -> tuple[Stability, list[VisitChange]]:
    """Stability of ``new`` against ``old`` over the re-planned ``days`` and every
    entry that differs.

    *Remaining* visits are the published entries of those days that were not done;
    *unaffected* ones are those the events did not touch directly (``affected``); an
    unaffected visit is *unchanged* when its decision is the same and, if kept, its
    caregivers are the same and its start moved by at most ``tolerance`` minutes.
    """
    remaining = unaffected = unchanged = touched = 0
    changes: list[VisitChange] = []
    for day in days:
        before = {e.visit: e for e in old.visits if e.date == day}
        after = {e.visit: e for e in new.visits if e.date == day}
        hit = affected.get(day, set())
        for vid in sorted(before.keys() | after.keys()):
            kind = change_kind(before.get(vid), after.get(vid), tolerance)
            if vid in before and vid not in done.get(day, set()):
                remaining += 1
                if vid in hit:
                    touched += 1
                else:
                    unaffected += 1
                    unchanged += kind in (None, ChangeKind.SHIFTED)
            if kind is not None:
                entry = after.get(vid) or before[vid]
                changes.append(
                    VisitChange(
                        visit=vid,
                        client=entry.client,
                        date=day,
                        kind=kind,
                        affected=vid in hit or vid not in before,
                        before=_state(before.get(vid)),
                        after=_state(after.get(vid)),
                    )
                )
    stability = Stability(
        tolerance_minutes=tolerance,
        remaining=remaining,
        affected=touched,
        unaffected=unaffected,
        unchanged=unchanged,
        share=unchanged / unaffected if unaffected else 1.0,
    )
    return stability, changes


def change_kind(
    before: PlannedVisit | None, after: PlannedVisit | None, tolerance: int = STABILITY_TOLERANCE
) -> ChangeKind | None:
    """How ``after`` differs from ``before`` (``None``: identical in decision,
    caregivers and start)."""
    if before is None:
        return ChangeKind.ADDED
    if after is None:
        return ChangeKind.REMOVED
    was, now = before.decision is Decision.KEPT, after.decision is Decision.KEPT
    if was and not now:
        return ChangeKind.NO_LONGER_KEPT
    if now and not was:
        return ChangeKind.NEWLY_KEPT
    if not was:
        same = before.decision is after.decision and before.postponed_to == after.postponed_to
        return None if same else ChangeKind.DECISION_CHANGED
    if set(before.caregivers) != set(after.caregivers):
        return ChangeKind.REASSIGNED
    assert before.start is not None and after.start is not None
    moved = abs(after.start - before.start)
    if moved > tolerance:
        return ChangeKind.MOVED
    return ChangeKind.SHIFTED if moved else None


def _state(entry: PlannedVisit | None) -> EntryState | None:
    if entry is None:
        return None
    return EntryState(
        decision=entry.decision,
        caregivers=entry.caregivers,
        start=entry.start,
        postponed_to=entry.postponed_to,
    )


def _annotate(
    scenario: Scenario, entries: list[PlannedVisit], changes: list[VisitChange]
) -> list[PlannedVisit]:
    """Add what the re-plan changed to the reason of each changed entry."""
    notes = {
        (c.visit, c.date): describe_change(c, scenario)
        for c in changes
        if c.kind not in (ChangeKind.SHIFTED, ChangeKind.REMOVED)
    }
    out = []
    for entry in entries:
        note = notes.get((entry.visit, entry.date))
        if note:
            reason = entry.reason + _("; re-plan: ") + note
            entry = entry.model_copy(update={"reason": reason})
        out.append(entry)
    return out


def _solve(
    model: Model,
    parameters: SearchParameters,
    initial: list[list[int]],
    temperature: float,
    progress: EngineProgress | None,
) -> Result:
    """:meth:`Model.solve` started cool: the engine's own default samples the starting
    temperature from the moves of the starting solution, which in a re-plan include
    dropping care and giving up the published caregivers: far too hot for a search
    that should stay near the published plan."""
    return model.solve(replace(parameters, initial_temperature=temperature), initial, progress)
