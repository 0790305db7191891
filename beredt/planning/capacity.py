"""A capacity bound for class-1 care that knows competence, time of day and shifts.

Can the staff at work keep every class-1 visit of a day at all? The bound answers with a
relaxation of the planning problem that is solved exactly as a maximum flow:

* every class-1 visit needs its duration once per caregiver it needs, somewhere between
  its earliest start and its latest allowed start plus its duration, from caregivers
  who may do it (:func:`~beredt.planning.eligibility.ineligibility`: competence,
  delegation, infection team, multi-site and redeployed staff);
* before each class-1 visit, each of its caregivers spends time getting there: the
  shortest trip to that home from any other place of the day (another client's home
  or an office), charged between the visit's earliest start less that trip and its
  latest start. If another class-1 visit of the same client may come straight before
  it on the same route, only the wait that chaining forces is charged, less a break
  that may be taken in it (nothing when their windows let one follow the other at
  once); a client all of whose visits may
  follow one another still gets one arrival per caregiver, in the span of their
  windows;
* a caregiver gives at most the minutes of each quarter-hour their shift covers, and at
  most their paid time less their break in all.

A visit may be split between caregivers and quarter-hours and the order of visits is
free, so anything a real plan does is a feasible flow: when the flow cannot carry every
required minute, **no plan can keep all class-1 care** (a true shortfall, not a search
miss). When it can, the bound *allows* full class-1 coverage; a plan may still fall
short where travel between homes or synchronised starts make it impossible, which the
bound does not see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from beredt.domain.model import TransportMode
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.day_model import Staff, staff_at_work
from beredt.planning.eligibility import ineligibility
from beredt.travel import MatrixCache, client_place, office_place

BUCKET = 15
"""Minutes per time bucket of the relaxation."""


@dataclass(frozen=True, slots=True)
class Class1Bound:
    """The class-1 capacity bound of one day."""

    day: dt.date
    required_minutes: int
    """Care minutes of class-1 visits (times the caregivers each needs) plus the least
    travel they need."""
    coverable_minutes: int
    """Of those, the most the staff at work could give (the maximum flow)."""
    visits: int
    """Class-1 visits of the day."""

    @property
    def allows_full_coverage(self) -> bool:
        return self.coverable_minutes >= self.required_minutes

    @property
    def missing_minutes(self) -> int:
        return self.required_minutes - self.coverable_minutes


def class1_bound(
    scenario: Scenario, travel: MatrixCache, day: dt.date, visits: list[Visit] | None = None
) -> Class1Bound:
    """The bound for ``day`` over ``visits`` (default: the visits due that day)."""
    todo = visits if visits is not None else scenario.visits_on(day)
    class1 = [v for v in todo if v.task.priority_class == 1]
    tolerance = scenario.rules.late_start_tolerance
    staff = staff_at_work(scenario, day)
    graph = nx.DiGraph()
    required = 0
    for k, member in enumerate(staff):
        shift = member.shift
        paid = shift.end - shift.start
        if shift.max_work_minutes is not None:
            paid = min(paid, shift.max_work_minutes)
        pause = shift.break_.duration if shift.break_ else 0
        graph.add_edge(("staff", k), "sink", capacity=max(0, paid - pause))
        for bucket in range(shift.start // BUCKET, -(-shift.end // BUCKET)):
            minutes = _overlap(shift.start, shift.end, bucket)
            if minutes > 0:
                graph.add_edge(("slot", k, bucket), ("staff", k), capacity=minutes)
    eligible: dict[str, list[int]] = {}
    for visit in class1:
        eligible[visit.id] = [
            k
            for k, member in enumerate(staff)
            if ineligibility(scenario, member.caregiver, visit, day) is None
        ]
        start, end = visit.window.start, visit.window.end + tolerance + visit.task.duration
        for part in range(visit.task.caregivers):
            node = ("visit", visit.id, part)
            graph.add_edge("source", node, capacity=visit.task.duration)
            required += visit.task.duration
            _connect(graph, node, eligible[visit.id], staff, start, end)
    arrivals = _least_arrivals(scenario, travel, todo, class1, staff)
    # A wait may hold a break, whose minutes the caregivers' totals already leave out.
    pause = max((s.shift.break_.duration for s in staff if s.shift.break_), default=0)
    by_client: dict[str, list[Visit]] = defaultdict(list)
    for visit in class1:
        by_client[visit.client.id].append(visit)
    for client_id, mine in by_client.items():
        trip = arrivals.get(client_id, 0)
        if trip <= 0:
            continue
        charged = False
        for visit in mine:
            wait = _least_lead(visit, mine, trip, tolerance, pause)
            if wait <= 0:
                continue
            charged = True
            for part in range(visit.task.caregivers):
                node = ("arrive", visit.id, part)
                graph.add_edge("source", node, capacity=wait)
                required += wait
                start, end = visit.window.start - trip, visit.window.end + tolerance
                _connect(graph, node, eligible[visit.id], staff, start, end)
        if not charged:
            # Every visit of the client may follow another of theirs: at least the
            # first caregiver of the day (each of a double-staffed visit's) arrives.
            people = max(v.task.caregivers for v in mine)
            start = min(v.window.start for v in mine) - trip
            end = max(v.window.end + tolerance for v in mine)
            able = sorted({k for v in mine for k in eligible[v.id]})
            for part in range(people):
                node = ("arrive", client_id, part)
                graph.add_edge("source", node, capacity=trip)
                required += trip
                _connect(graph, node, able, staff, start, end)
    coverable = 0
    if required and graph.has_node("sink"):
        coverable = round(nx.maximum_flow_value(graph, "source", "sink"))
    return Class1Bound(day, required, coverable, len(class1))


def _least_lead(visit: Visit, mine: list[Visit], trip: int, tolerance: int, pause: int) -> int:
    """The least time a caregiver of ``visit`` spends getting there or waiting there
    before it starts, within [earliest start - trip, latest start]: the trip from
    elsewhere, or, if another class-1 visit of the client may come straight before it
    on the same route, the wait from that one's latest end to this one's earliest
    start, less a break that may be taken in it (none if their times let one follow
    the other at once)."""
    lead = trip
    for other in mine:
        if other.id == visit.id:
            continue  # the parts of a double-staffed visit start together
        latest_end = other.window.end + tolerance + other.task.duration
        lead = min(lead, max(0, visit.window.start - latest_end - pause))
    return lead


def _overlap(start: int, end: int, bucket: int) -> int:
    return max(0, min(end, (bucket + 1) * BUCKET) - max(start, bucket * BUCKET))


def _connect(
    graph: nx.DiGraph, node: object, able: list[int], staff: list[Staff], start: int, end: int
) -> None:
    """Let ``node``'s minutes go to each able caregiver's quarter-hours in [start, end)."""
    for k in able:
        shift = staff[k].shift
        lo, hi = max(start, shift.start), min(end, shift.end)
        for bucket in range(lo // BUCKET, -(-hi // BUCKET)):
            minutes = _overlap(lo, hi, bucket)
            if minutes > 0:
                graph.add_edge(node, ("slot", k, bucket), capacity=minutes)


def _least_arrivals(
    scenario: Scenario,
    travel: MatrixCache,
    todo: list[Visit],
    class1: list[Visit],
    staff: list[Staff],
) -> dict[str, int]:
    """Per client with class-1 care: the shortest trip to their home from any other
    place of the day, by the fastest transport the staff at work use."""
    clients = {v.client.id: v.client for v in todo}
    places = [client_place(c.id, c.location) for c in clients.values()]
    places += [office_place(u.id, u.office.location) for u in scenario.units]
    index = {p.key: i for i, p in enumerate(places)}
    modes = list(dict.fromkeys(s.caregiver.transport for s in staff)) or [TransportMode.CAR]
    matrices = [travel.matrix(places, mode) for mode in modes]
    least: dict[str, int] = {}
    for visit in class1:
        client = visit.client
        if client.id in least:
            continue
        here = index[client_place(client.id, client.location).key]
        least[client.id] = min(
            (m[i][here] for m in matrices for i in range(len(places)) if i != here),
            default=0,
        )
    return least
