"""Every route is a day a caregiver can actually walk (or drive, or cycle).

Rules: ``duplicate`` (two routes for one caregiver and day, a stop listed twice),
``unknown_caregiver``, ``route_mismatch`` (stops differ from the KEPT visits that name the
caregiver), ``shift`` (outside working hours or longer than allowed), ``overlap`` (two
visits at once), ``travel`` (not enough time to get there, or stops out of time order)
and ``break`` (missing, outside its window, on top of a visit or squeezing travel).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from beredt.checker.index import Entry, PlanIndex
from beredt.checker.report import Violation
from beredt.domain.clock import format_clock
from beredt.domain.model import BreakRule, Caregiver, Shift
from beredt.domain.plan import Route
from beredt.travel import Place


def check_routes(index: PlanIndex) -> Iterator[Violation]:
    seen: set[tuple[str, dt.date]] = set()
    for route in index.plan.routes:
        key = (route.caregiver, route.date)
        if key in seen:
            yield _violation("duplicate", route, "there is more than one route for this day")
            continue
        seen.add(key)
        yield from _route(index, route)
    for (caregiver, day), visits in index.expected_stops.items():
        if (caregiver, day) not in seen and caregiver in index.scenario.caregiver_by_id:
            yield Violation(
                "route_mismatch",
                f"caregiver {caregiver} is planned for {', '.join(visits)} on {day} "
                "but has no route that day",
                caregiver=caregiver,
                date=day,
            )


def _violation(rule: str, route: Route, message: str, visit: str | None = None) -> Violation:
    return Violation(
        rule,
        f"route of {route.caregiver} on {route.date}: {message}",
        visit=visit,
        caregiver=route.caregiver,
        date=route.date,
    )


def _route(index: PlanIndex, route: Route) -> Iterator[Violation]:
    if route.date not in index.dates:
        yield _violation("route_mismatch", route, "the day is not one of the plan's days")
    caregiver = index.scenario.caregiver_by_id.get(route.caregiver)
    if caregiver is None:
        yield _violation("unknown_caregiver", route, "the caregiver is not in the register")
        return
    yield from _stops_match(index, route)
    shift = index.scenario.shift_on(caregiver, route.date)
    if shift is None:
        status = index.scenario.status_on(caregiver, route.date)
        yield _violation("shift", route, f"the caregiver does not work that day ({status})")
        return
    yield from _shift_bounds(route, shift)
    entries = index.route_entries(route)
    yield from _overlaps(route, entries)
    office = index.office(caregiver)
    if office is not None:
        gaps = _gaps(index, route, entries, office)
        yield from _break_rules(route, shift.break_, gaps, bool(entries))
        yield from _travel(index, route, caregiver, shift.break_, gaps)


def _stops_match(index: PlanIndex, route: Route) -> Iterator[Violation]:
    expected = index.expected_stops.get((route.caregiver, route.date), [])
    for stop, count in Counter(route.stops).items():
        if count > 1:
            yield _violation("duplicate", route, f"stop {stop} is listed {count} times", stop)
    for stop in dict.fromkeys(route.stops):
        if stop not in expected:
            yield _violation(
                "route_mismatch",
                route,
                f"stop {stop} is not a KEPT visit of this caregiver on this day",
                stop,
            )
    for visit in expected:
        if visit not in route.stops:
            yield _violation(
                "route_mismatch",
                route,
                f"visit {visit} is KEPT with this caregiver but is not a stop",
                visit,
            )


def _shift_bounds(route: Route, shift: Shift) -> Iterator[Violation]:
    span = f"{format_clock(route.start)}-{format_clock(route.end)}"
    if route.end < route.start:
        yield _violation("shift", route, f"ends before it starts ({span})")
    if route.start < shift.start or route.end > shift.end:
        hours = f"{format_clock(shift.start)}-{format_clock(shift.end)}"
        yield _violation("shift", route, f"{span} is outside the shift {hours}")
    limit = shift.max_work_minutes
    if limit is not None and route.end - route.start > limit:
        yield _violation(
            "shift", route, f"{span} is {route.end - route.start} min, more than {limit} min"
        )


def _overlaps(route: Route, entries: Sequence[Entry]) -> Iterator[Violation]:
    """Visits at the same time, whatever order the route lists them in."""
    latest: Entry | None = None
    for entry in sorted(entries, key=lambda e: (e.start, e.end)):
        if latest is not None and entry.start < latest.end:
            yield _violation(
                "overlap",
                route,
                f"visit {entry.planned.visit} at {_span(entry)} overlaps "
                f"visit {latest.planned.visit} at {_span(latest)}",
                entry.planned.visit,
            )
        if latest is None or entry.end > latest.end:
            latest = entry


def _span(entry: Entry) -> str:
    return f"{format_clock(entry.start)}-{format_clock(entry.end)}"


@dataclass(frozen=True, slots=True)
class _Gap:
    """The time between two things a route does: leaving the office, visits, returning."""

    start: int
    end: int
    origin: Place
    destination: Place
    after: Entry | None  # None: the route's start at the office
    before: Entry | None  # None: the route's end at the office

    def describe(self) -> str:
        origin = "the office" if self.after is None else f"visit {self.after.planned.visit}"
        target = "the office" if self.before is None else f"visit {self.before.planned.visit}"
        return f"from {origin} ({format_clock(self.start)}) to {target} ({format_clock(self.end)})"


def _gaps(index: PlanIndex, route: Route, entries: Sequence[Entry], office: Place) -> list[_Gap]:
    places = [office, *(index.home(e.visit.client) for e in entries), office]
    starts = [route.start, *(e.end for e in entries)]
    ends = [*(e.start for e in entries), route.end]
    afters: list[Entry | None] = [None, *entries]
    befores: list[Entry | None] = [*entries, None]
    return [
        _Gap(starts[i], ends[i], places[i], places[i + 1], afters[i], befores[i])
        for i in range(len(starts))
    ]


def _break_gap(route: Route, rule: BreakRule | None, gaps: Sequence[_Gap]) -> _Gap | None:
    """The gap the break is taken in, or ``None`` if there is no break or it fits no gap."""
    if rule is None or route.break_start is None:
        return None
    end = route.break_start + rule.duration
    return next((g for g in gaps if g.start <= route.break_start and end <= g.end), None)


def _break_rules(
    route: Route, rule: BreakRule | None, gaps: Sequence[_Gap], has_stops: bool
) -> Iterator[Violation]:
    if rule is None:
        if route.break_start is not None:
            yield _violation("break", route, "has a break, but the shift has no break rule")
        return
    window = f"{format_clock(rule.window.start)}-{format_clock(rule.window.end)}"
    if route.break_start is None:
        if has_stops:
            yield _violation("break", route, f"needs a {rule.duration} min break starting {window}")
        return
    start = route.break_start
    if not rule.window.start <= start <= rule.window.end:
        yield _violation("break", route, f"break at {format_clock(start)} is not in {window}")
    if _break_gap(route, rule, gaps) is None:
        yield _violation(
            "break",
            route,
            f"break {format_clock(start)}-{format_clock(start + rule.duration)} overlaps a "
            "visit or lies outside the route",
        )


def _travel(
    index: PlanIndex,
    route: Route,
    caregiver: Caregiver,
    rule: BreakRule | None,
    gaps: Sequence[_Gap],
) -> Iterator[Violation]:
    pause = _break_gap(route, rule, gaps)
    for gap in gaps:
        after, before = gap.after, gap.before
        if after is not None and before is not None and before.start < after.end:
            if before.end <= after.start:  # not overlapping (that is reported), but backwards
                yield _violation(
                    "travel",
                    route,
                    f"stops are not in time order: {before.planned.visit} at {_span(before)} "
                    f"is listed after {after.planned.visit} at {_span(after)}",
                    before.planned.visit,
                )
            continue
        needed = index.minutes(gap.origin, gap.destination, caregiver)
        visit = None if before is None else before.planned.visit
        if gap.end - gap.start < needed:
            yield _violation(
                "travel",
                route,
                f"{gap.describe()} leaves {gap.end - gap.start} min, the trip takes {needed} min "
                f"by {caregiver.transport}",
                visit,
            )
        elif gap is pause and rule is not None and gap.end - gap.start < needed + rule.duration:
            yield _violation(
                "break",
                route,
                f"{gap.describe()} leaves {gap.end - gap.start} min, too little for "
                f"{needed} min travel and the {rule.duration} min break",
                visit,
            )
