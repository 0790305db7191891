"""The manual-planning baseline: what a planner does by hand at 07:00.

Visits are taken in priority order (class 1 first, then by window); each goes to the
eligible caregiver who can fit it in with the least extra travel, preferring people the
client knows, without moving anything already placed. What does not fit gets the first
alternative the policy allows. It is deliberately simple: the benchmarks compare the
optimiser against it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from beredt.domain.clock import format_clock
from beredt.domain.model import Caregiver
from beredt.domain.plan import Plan, PlannedVisit, Route
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.decisions import kept_entry, not_kept_entry, start_bounds
from beredt.planning.eligibility import ineligibility, needs_team
from beredt.planning.language import _
from beredt.planning.schedule import Schedule, Slot
from beredt.planning.triage import effective_class, people_label, summarise_shortfall
from beredt.travel import MatrixCache, Place, TravelProvider, client_place, office_place

KNOWN_CAREGIVER_BONUS = 10
"""Minutes of extra travel worth accepting to send someone the client knows."""
SAME_DAY_CAREGIVER_BONUS = 15
"""... or someone who already visits the client today (fewer faces, esp. when isolated)."""

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Candidate:
    cost: int
    start: int
    placements: tuple[tuple[Schedule, Slot], ...]


class GreedyPlanner:
    """Plan every day of a scenario with the manual-planning heuristic."""

    name = "greedy"

    def __init__(self, scenario: Scenario, travel: TravelProvider) -> None:
        self.scenario = scenario
        self.travel = MatrixCache(travel)
        self.entries: list[PlannedVisit] = []
        self.routes: list[Route] = []
        self.missed: list[tuple[Visit, dt.date]] = []
        self._total = self._done = 0
        self._progress: ProgressCallback | None = None

    def plan(
        self, created_at: dt.datetime, seed: int = 0, progress: ProgressCallback | None = None
    ) -> Plan:
        carried: dict[dt.date, list[Visit]] = defaultdict(list)
        dates = self.scenario.dates
        self._total = sum(len(self.scenario.visits_on(day)) for day in dates)
        self._done = 0
        self._progress = progress
        for day in dates:
            visits = self.scenario.visits_on(day) + carried.pop(day, [])
            for entry in self._plan_day(day, visits):
                self.entries.append(entry)
                if entry.postponed_to is not None and entry.postponed_to in dates:
                    found = self.scenario.visit_by_id(entry.visit)
                    assert found is not None
                    carried[entry.postponed_to].append(found)
                    self._total += 1
        return Plan(
            scenario=self.scenario.name,
            scenario_digest=self.scenario.digest(),
            planner=self.name,
            seed=seed,
            created_at=created_at,
            dates=dates,
            visits=self.entries,
            routes=self.routes,
            shortfall=summarise_shortfall(self.scenario, self.missed),
        )

    # ----------------------------------------------------------------- one day

    def _plan_day(self, day: dt.date, visits: list[Visit]) -> list[PlannedVisit]:
        schedules = self._schedules(day)
        starts: dict[str, int] = {}
        served_today: dict[str, set[str]] = defaultdict(set)
        decided: list[PlannedVisit] = []
        for visit in sorted(visits, key=lambda v: self._order(v, day)):
            self._done += 1
            if self._progress is not None:
                self._progress(self._done, self._total)
            eligible = [
                s
                for s in schedules
                if ineligibility(self.scenario, s.caregiver, visit, day) is None
            ]
            candidate = self._best(visit, day, eligible, starts, served_today)
            if candidate is None:
                decided.append(self._not_kept(visit, day, schedules, eligible))
                continue
            for schedule, slot in candidate.placements:
                schedule.insert(slot, visit, self._place(visit), candidate.start)
            starts[visit.id] = candidate.start
            people = [schedule.caregiver for schedule, _ in candidate.placements]
            served_today[visit.client.id].update(c.id for c in people)
            decided.append(self._kept(visit, day, people, candidate.start))
        for schedule in schedules:
            route = schedule.to_route()
            if route is not None:
                self.routes.append(route)
        return sorted(decided, key=lambda e: (e.start if e.start is not None else -1, e.visit))

    def _schedules(self, day: dt.date) -> list[Schedule]:
        schedules = []
        for caregiver in self.scenario.caregivers:
            shift = self.scenario.shift_on(caregiver, day)
            if shift is None:
                continue
            unit = self.scenario.unit_by_id[caregiver.home_unit]
            office = office_place(unit.id, unit.office.location)
            schedules.append(Schedule(caregiver, day, shift, office, self.travel))
        return schedules

    def _order(self, visit: Visit, day: dt.date) -> tuple[int, int, int, int, int, str]:
        """Priority first; within a class the special-needs and most vulnerable first
        (so class 5 is cancelled for the least vulnerable), then the narrowest and
        earliest window, and double-staffed visits before single ones."""
        client = visit.client
        return (
            effective_class(self.scenario, visit, day),
            0 if client.special_needs else 1,
            -int(client.vulnerability),
            visit.window.start,
            -visit.task.caregivers,
            visit.id,
        )

    def _place(self, visit: Visit) -> Place:
        return client_place(visit.client.id, visit.client.location)

    def _bounds(self, visit: Visit, day: dt.date, starts: dict[str, int]) -> tuple[int, int]:
        """The start interval allowed by the window and by kept related visits."""
        return start_bounds(self.scenario, visit, starts)

    def _best(
        self,
        visit: Visit,
        day: dt.date,
        eligible: list[Schedule],
        starts: dict[str, int],
        served_today: dict[str, set[str]],
    ) -> Candidate | None:
        lo, hi = self._bounds(visit, day, starts)
        if lo > hi or len(eligible) < visit.task.caregivers:
            return None
        place, duration = self._place(visit), visit.task.duration
        options: list[tuple[Schedule, list[Slot]]] = [
            (s, list(s.slots(place, duration, lo, hi))) for s in eligible
        ]
        options = [(s, slots) for s, slots in options if slots]
        familiar = set(visit.client.recent_caregivers)
        today = served_today[visit.client.id]

        def bonus(caregiver: Caregiver) -> int:
            if caregiver.id in today:
                return SAME_DAY_CAREGIVER_BONUS
            return KNOWN_CAREGIVER_BONUS if caregiver.id in familiar else 0

        candidates: list[Candidate] = []
        if visit.task.caregivers == 1:
            for schedule, slots in options:
                for slot in slots:
                    cost = slot.added_travel - bonus(schedule.caregiver)
                    candidates.append(Candidate(cost, slot.earliest, ((schedule, slot),)))
        else:
            for i, (first, first_slots) in enumerate(options):
                for second, second_slots in options[i + 1 :]:
                    for a in first_slots:
                        for b in second_slots:
                            start = max(a.earliest, b.earliest)
                            if start <= min(a.latest, b.latest):
                                cost = (
                                    a.added_travel
                                    + b.added_travel
                                    - bonus(first.caregiver)
                                    - bonus(second.caregiver)
                                )
                                candidates.append(Candidate(cost, start, ((first, a), (second, b))))
        candidates.sort(key=lambda c: (c.cost, c.start))
        for candidate in candidates:
            if all(
                s.fits(slot, place, candidate.start, duration) for s, slot in candidate.placements
            ):
                return candidate
        return None

    # -------------------------------------------------------------- decisions

    def _kept(
        self, visit: Visit, day: dt.date, people: list[Caregiver], start: int
    ) -> PlannedVisit:
        return kept_entry(self.scenario, visit, day, people, start)

    def _not_kept(
        self, visit: Visit, day: dt.date, schedules: list[Schedule], eligible: list[Schedule]
    ) -> PlannedVisit:
        why_not = self._why_not(visit, day, schedules, eligible)
        entry, alternative = not_kept_entry(self.scenario, visit, day, why_not)
        if alternative.shortfall:
            self.missed.append((visit, day))
        return entry

    def _why_not(
        self, visit: Visit, day: dt.date, schedules: list[Schedule], eligible: list[Schedule]
    ) -> str:
        window = visit.window
        when = f"{format_clock(window.start)}-{format_clock(window.end)}"
        who = people_label(visit.task.competence, visit.task.caregivers)
        if needs_team(self.scenario, visit, day):
            who = _("infection-team members")
        if len(eligible) < visit.task.caregivers:
            reasons = Counter(
                ineligibility(self.scenario, s.caregiver, visit, day) for s in schedules
            )
            reasons.pop(None, None)
            common = reasons.most_common(1)[0][0] if reasons else _("nobody is at work")
            return _("no {who} at work who may do it ({common})").format(who=who, common=common)
        return _("no {who} free {when}").format(who=who, when=when)


def plan_greedy(
    scenario: Scenario,
    travel: TravelProvider,
    created_at: dt.datetime,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Plan ``scenario`` with the manual-planning baseline (``time_limit`` is unused:
    the heuristic runs once)."""
    return GreedyPlanner(scenario, travel).plan(created_at, seed, progress)
