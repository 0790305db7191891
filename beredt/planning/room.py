"""Room left in a solved day: where a visit that was not kept would still fit without
moving anything, and the last repair step that uses it.

The engine's search returns the best solution it visited; a short search can leave a
visit out that fits into a gap at a profit, and the engine's insertion places a
double-staffed visit's two jobs one after the other, so it can miss a pair of gaps at
the same time. :func:`repair` offers every visit left out, most important first, to
the caregivers' timetables (:class:`beredt.planning.schedule.Schedule`, the greedy
baseline's) and keeps it when the engine confirms the routes are feasible and cheaper.
What is left out afterwards has a truthful reason: nobody free, or not worth the trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from beredt.domain.scenario import Scenario, Visit
from beredt.planning.day_model import DayModel
from beredt.planning.decisions import start_bounds
from beredt.planning.engine.model import Result
from beredt.planning.language import join_names
from beredt.planning.schedule import Schedule, Stop
from beredt.travel import MatrixCache, client_place


@dataclass(frozen=True, slots=True)
class Room:
    """Where a visit fits: ``(engine caregiver, position in route)`` per job, the
    common start and the extra travel it takes."""

    placements: tuple[tuple[int, int], ...]
    names: str
    start: int
    detour: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why :func:`repair` left a visit out although it found room for it."""

    room: Room
    feasible: bool
    """``False``: the engine's own timetable (breaks, synchronisation) had no room."""


def job_routes(day_model: DayModel, result: Result) -> list[list[int]]:
    routes: list[list[int]] = [[] for _ in day_model.staff]
    for route in result.routes:
        routes[route.caregiver] = list(route.jobs)
    return routes


def kept_starts(day_model: DayModel, result: Result) -> dict[str, int]:
    """Visit id → start of every visit the result serves."""
    served = {j for route in result.routes for j in route.jobs}
    return {
        vid: round(result.starts[jobs[0]])
        for vid, jobs in day_model.jobs_of.items()
        if all(j in served for j in jobs)
    }


def timetables(day_model: DayModel, result: Result | None, travel: MatrixCache) -> list[Schedule]:
    """Each caregiver's timetable as the result leaves it, in engine caregiver order."""
    schedules = [
        Schedule(s.caregiver, day_model.day, s.shift, s.office, travel) for s in day_model.staff
    ]
    if result is None:
        return schedules
    for route in result.routes:
        for j in route.jobs:
            visit = day_model.job_visit[j]
            start = round(result.starts[j])
            place = client_place(visit.client.id, visit.client.location)
            schedules[route.caregiver].stops.append(
                Stop(visit.id, place, start, start + visit.task.duration)
            )
    return schedules


def find_room(
    visit: Visit, schedules: Sequence[Schedule], eligible: Sequence[int], lo: int, hi: int
) -> Room | None:
    """The placement with the least extra travel where ``visit`` fits the timetables
    (window, travel, break, maximum working time) without moving anything."""
    if lo > hi:
        return None
    place = client_place(visit.client.id, visit.client.location)
    duration = visit.task.duration
    options = [(k, slot) for k in eligible for slot in schedules[k].slots(place, duration, lo, hi)]
    options.sort(key=lambda option: option[1].added_travel)
    if visit.task.caregivers == 1:
        for k, slot in options:
            if schedules[k].fits(slot, place, slot.earliest, duration):
                name = schedules[k].caregiver.name
                return Room(((k, slot.position),), name, slot.earliest, slot.added_travel)
        return None
    for i, (first, a) in enumerate(options):
        for second, b in options[i + 1 :]:
            start = max(a.earliest, b.earliest)
            if (
                first != second
                and start <= min(a.latest, b.latest)
                and schedules[first].fits(a, place, start, duration)
                and schedules[second].fits(b, place, start, duration)
            ):
                names = join_names(
                    (schedules[first].caregiver.name, schedules[second].caregiver.name)
                )
                placements = ((first, a.position), (second, b.position))
                return Room(placements, names, start, a.added_travel + b.added_travel)
    return None


def repair(
    scenario: Scenario, day_model: DayModel, result: Result, travel: MatrixCache
) -> tuple[Result, dict[str, Verdict]]:
    """Insert visits left out where they fit and lower the cost, most important first.

    Returns the improved result and, for each visit still left out although room was
    found, whether the engine found that placement infeasible or merely costlier.
    """
    verdicts: dict[str, Verdict] = {}
    served = {j for route in result.routes for j in route.jobs}
    left_out = [
        visit
        for visit in day_model.visits
        if not all(j in served for j in day_model.jobs_of[visit.id])
        and len(day_model.eligible[visit.id]) >= visit.task.caregivers
    ]
    left_out.sort(key=lambda visit: -day_model.penalty[visit.id])
    schedules = timetables(day_model, result, travel)
    starts = kept_starts(day_model, result)
    for visit in left_out:
        lo, hi = start_bounds(scenario, visit, starts)
        room = find_room(visit, schedules, day_model.eligible[visit.id], lo, hi)
        if room is None:
            continue
        routes = job_routes(day_model, result)
        for job, (k, position) in zip(day_model.jobs_of[visit.id], room.placements, strict=True):
            routes[k].insert(position, job)
        try:
            candidate = day_model.model.evaluate(routes)
        except ValueError:
            verdicts[visit.id] = Verdict(room, feasible=False)
            continue
        if candidate.cost >= result.cost - 1e-9:
            verdicts[visit.id] = Verdict(room, feasible=True)
            continue
        result = replace(candidate, iterations=result.iterations, seconds=result.seconds)
        schedules = timetables(day_model, result, travel)
        starts = kept_starts(day_model, result)
    return result, verdicts
