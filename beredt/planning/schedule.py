"""One caregiver's timetable for one day, with insertion that never moves what is
already placed. Used by the greedy baseline and by repair steps of other planners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from beredt.domain.model import BreakRule, Caregiver, Shift
from beredt.domain.plan import Route
from beredt.domain.scenario import Visit
from beredt.travel import Place, TravelProvider


@dataclass(slots=True)
class Stop:
    visit_id: str
    place: Place
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Slot:
    """A feasible insertion: at ``position``, starting anywhere in ``[earliest, latest]``."""

    position: int
    earliest: int
    latest: int
    added_travel: int


@dataclass(slots=True)
class Schedule:
    caregiver: Caregiver
    day: dt.date
    shift: Shift
    office: Place
    travel: TravelProvider
    stops: list[Stop] = field(default_factory=list)

    def _minutes(self, a: Place, b: Place) -> int:
        return self.travel.minutes(a, b, self.caregiver.transport)

    def _gap(self, position: int) -> tuple[Place, int, Place, int]:
        """(place, free-from) before ``position`` and (place, must-start-by) after it."""
        if position == 0:
            before, free_from = self.office, self.shift.start
        else:
            prev = self.stops[position - 1]
            before, free_from = prev.place, prev.end
        if position == len(self.stops):
            after, busy_from = self.office, self.shift.end
        else:
            nxt = self.stops[position]
            after, busy_from = nxt.place, nxt.start
        return before, free_from, after, busy_from

    def slots(self, place: Place, duration: int, earliest: int, latest: int) -> Iterator[Slot]:
        """Every position where a visit at ``place`` fits with a start in the window.

        The stops are in time order, so once a gap opens after ``latest`` no later gap
        can hold the visit, and a gap that closes before ``earliest`` plus the visit's
        duration cannot either: neither needs its travel looked up."""
        for position in range(len(self.stops) + 1):
            before, free_from, after, busy_from = self._gap(position)
            if free_from > latest:
                break
            if busy_from - duration < earliest:
                continue
            to_visit = self._minutes(before, place)
            from_visit = self._minutes(place, after)
            lo = max(earliest, free_from + to_visit)
            hi = min(latest, busy_from - from_visit - duration)
            if lo <= hi:
                added = to_visit + from_visit - self._minutes(before, after)
                yield Slot(position, lo, hi, added)

    def fits(self, slot: Slot, place: Place, start: int, duration: int) -> bool:
        """True if placing the visit at ``start`` still leaves room for the break and
        keeps the working time within the shift's maximum."""
        trial = list(self.stops)
        trial.insert(slot.position, Stop("", place, start, start + duration))
        feasible, break_start = self._break_start(trial)
        if not feasible:
            return False
        limit = self.shift.max_work_minutes
        if limit is None:
            return True
        first, last = self._span(trial, break_start)
        return last - first <= limit

    def insert(self, slot: Slot, visit: Visit, place: Place, start: int) -> None:
        self.stops.insert(slot.position, Stop(visit.id, place, start, start + visit.task.duration))

    def _break_start(self, stops: list[Stop]) -> tuple[bool, int | None]:
        """(feasible, earliest break start); the start is ``None`` when no break is
        needed (no break rule, or nothing to do that day)."""
        rule: BreakRule | None = self.shift.break_
        if rule is None or not stops:
            return True, None
        for position in range(len(stops) + 1):
            if position == 0:
                before, free_from = self.office, self.shift.start
            else:
                before, free_from = stops[position - 1].place, stops[position - 1].end
            if position == len(stops):
                after, busy_from = self.office, self.shift.end
            else:
                after, busy_from = stops[position].place, stops[position].start
            start = max(free_from, rule.window.start)
            latest = min(rule.window.end, busy_from - rule.duration)
            room = busy_from - free_from - self._minutes(before, after) - rule.duration
            if start <= latest and room >= 0:
                return True, start
        return False, None

    def _span(self, stops: list[Stop], break_start: int | None) -> tuple[int, int]:
        """When the caregiver leaves the office and is back, break included: a break
        before the first or after the last stop lengthens the route by its duration."""
        to_first = self._minutes(self.office, stops[0].place)
        from_last = self._minutes(stops[-1].place, self.office)
        start = stops[0].start - to_first
        end = stops[-1].end + from_last
        rule = self.shift.break_
        if break_start is not None and rule is not None:
            if break_start + rule.duration <= stops[0].start:
                start = min(break_start, stops[0].start - to_first - rule.duration)
            elif break_start >= stops[-1].end:
                end = max(break_start + rule.duration, stops[-1].end + from_last + rule.duration)
        return start, end

    def to_route(self) -> Route | None:
        if not self.stops:
            return None
        feasible, break_start = self._break_start(self.stops)
        if not feasible:  # insertion checks the break first, so this is a planner bug
            raise AssertionError(f"no room for the break of {self.caregiver.id} on {self.day}")
        start, end = self._span(self.stops, break_start)
        return Route(
            caregiver=self.caregiver.id,
            date=self.day,
            start=max(start, self.shift.start),
            end=min(end, self.shift.end),
            stops=[stop.visit_id for stop in self.stops],
            break_start=break_start,
        )
