"""Look-ups the rules and key figures share, built once from the scenario and the plan.

Nothing here comes from the planner: every visit id is resolved against the register
again, and every travel time is asked from the travel provider again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from beredt.domain.model import Caregiver, Client
from beredt.domain.plan import Plan, PlannedVisit, Route
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit
from beredt.travel import MatrixCache, Place, TravelProvider, client_place, office_place

EntryKey = tuple[str, dt.date]
"""A plan entry is identified by its visit id and the day it plans the visit for."""


@dataclass(frozen=True, slots=True)
class Entry:
    """A plan entry whose visit id, client and task agree with the register."""

    planned: PlannedVisit
    visit: Visit

    @property
    def key(self) -> EntryKey:
        return (self.planned.visit, self.planned.date)

    @property
    def kept(self) -> bool:
        return self.planned.decision is Decision.KEPT

    @property
    def start(self) -> int:
        """Start of a KEPT entry (the plan model guarantees one)."""
        assert self.planned.start is not None
        return self.planned.start

    @property
    def end(self) -> int:
        """End of a KEPT entry (the plan model guarantees one)."""
        assert self.planned.end is not None
        return self.planned.end


def resolve(scenario: Scenario, planned: PlannedVisit) -> Visit | None:
    """The register's visit for a plan entry, or ``None`` if the id is unknown or the
    entry names another client or task than the id does."""
    visit = scenario.visit_by_id(planned.visit)
    if visit is None or visit.client.id != planned.client or visit.task.id != planned.task:
        return None
    return visit


class PlanIndex:
    """The scenario, the plan and the travel provider, with the look-ups every rule needs."""

    def __init__(self, scenario: Scenario, plan: Plan, travel: TravelProvider) -> None:
        self.scenario = scenario
        self.plan = plan
        self.travel = MatrixCache(travel)
        self.dates = frozenset(plan.dates)
        self.entries: list[Entry] = []
        self.unresolved: list[PlannedVisit] = []
        for planned in plan.visits:
            visit = resolve(scenario, planned)
            if visit is None:
                self.unresolved.append(planned)
            else:
                self.entries.append(Entry(planned, visit))
        self.by_key: dict[EntryKey, Entry] = {}
        for entry in self.entries:
            self.by_key.setdefault(entry.key, entry)
        self.kept = [entry for entry in self.entries if entry.kept]
        self.expected_stops = _expected_stops(plan.visits)

    # ------------------------------------------------------------------ places

    def office(self, caregiver: Caregiver) -> Place | None:
        """The office of the caregiver's home unit, where their routes start and end."""
        unit = self.scenario.unit_by_id.get(caregiver.home_unit)
        return None if unit is None else office_place(unit.id, unit.office.location)

    @staticmethod
    def home(client: Client) -> Place:
        return client_place(client.id, client.location)

    def minutes(self, origin: Place, destination: Place, caregiver: Caregiver) -> int:
        return self.travel.minutes(origin, destination, caregiver.transport)

    # ------------------------------------------------------------------ routes

    def route_entries(self, route: Route) -> list[Entry]:
        """The route's stops, in route order, that really are KEPT entries of this
        caregiver on the route's day; other stops are route mismatches."""
        found: list[Entry] = []
        for stop in route.stops:
            entry = self.by_key.get((stop, route.date))
            if entry is not None and entry.kept and route.caregiver in entry.planned.caregivers:
                found.append(entry)
        return found

    def route_travel(self, route: Route) -> int | None:
        """Minutes of travel office → stops → office, or ``None`` if the caregiver or their
        office is unknown."""
        caregiver = self.scenario.caregiver_by_id.get(route.caregiver)
        office = None if caregiver is None else self.office(caregiver)
        if caregiver is None or office is None:
            return None
        places = [office, *(self.home(e.visit.client) for e in self.route_entries(route))]
        places.append(office)
        return sum(self.minutes(a, b, caregiver) for a, b in pairwise(places))


def _expected_stops(visits: list[PlannedVisit]) -> dict[tuple[str, dt.date], list[str]]:
    """For every (caregiver, day): the visit ids the plan keeps with that caregiver."""
    expected: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for planned in visits:
        if planned.decision is Decision.KEPT:
            for caregiver in dict.fromkeys(planned.caregivers):
                expected[(caregiver, planned.date)].append(planned.visit)
    return dict(expected)
