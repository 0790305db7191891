"""The key figures of DOMAIN.md, recomputed from the plan and the register.

Entries whose visit id does not resolve (see ``unknown_visit``) carry no task, so they
count in ``visits_total``, ``visits_by_decision``, ``visits_kept`` and
``shortfall_visits`` only. Every entry counts on the day it is planned for: a visit
postponed from Monday and kept on Wednesday is one POSTPONED entry on Monday and one
KEPT entry on Wednesday.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from beredt.checker.index import Entry, PlanIndex
from beredt.domain.plan import PlanKpis
from beredt.domain.policy import Decision


def compute_kpis_from_index(index: PlanIndex) -> PlanKpis:
    """Fill every field of :class:`PlanKpis`; each helper's docstring defines its figure."""
    plan = index.plan
    kept = sum(1 for planned in plan.visits if planned.decision is Decision.KEPT)
    care, travel, paid = _care_minutes(index), _travel_minutes(index), _paid_minutes(index)
    return PlanKpis(
        class1_coverage=_coverage(index, classes={1}),
        essential_coverage=_coverage(index, classes={1, 2}),
        visits_total=len(plan.visits),
        visits_kept=kept,
        visits_by_decision=_by_decision(index),
        care_minutes=care,
        travel_minutes=travel,
        paid_minutes=paid,
        care_share_of_paid_time=care / paid if paid else 0.0,
        travel_minutes_per_visit=travel / max(1, kept),
        deferred_minutes=_deferred_minutes(index),
        tardiness_minutes=_tardiness_minutes(index),
        max_distinct_caregivers_per_isolated_client=_max_isolated_caregivers(index),
        mean_distinct_caregivers_per_client=_mean_caregivers_per_client(index),
        multi_site_vulnerable_contacts=_multi_site_contacts(index),
        shortfall_visits=sum(1 for planned in plan.visits if planned.shortfall),
    )


def _coverage(index: PlanIndex, classes: set[int]) -> float:
    """Share of the entries of these priority classes that are KEPT and start no later
    than the window's latest start plus the late-start tolerance; 1.0 if there are none.

    Entries count on the day they are planned for (a carried entry on its new day, its
    POSTPONED entry on the day it was postponed from)."""
    tolerance = index.scenario.rules.late_start_tolerance
    relevant = [e for e in index.entries if e.visit.task.priority_class in classes]
    if not relevant:
        return 1.0
    delivered = sum(1 for e in relevant if e.kept and e.start <= e.visit.window.end + tolerance)
    return delivered / len(relevant)


def _by_decision(index: PlanIndex) -> dict[str, int]:
    """Number of entries per decision; every decision is a key, zero if unused."""
    counts = dict.fromkeys((decision.value for decision in Decision), 0)
    for planned in index.plan.visits:
        counts[planned.decision.value] += 1
    return counts


def _care_minutes(index: PlanIndex) -> int:
    """Minutes of caregiver time at clients: task duration × caregivers listed, over KEPT
    entries."""
    return sum(e.visit.task.duration * len(e.planned.caregivers) for e in index.kept)


def _travel_minutes(index: PlanIndex) -> int:
    """Travel office → stops → office over all routes, by each caregiver's transport.
    Stops that are not KEPT visits of the caregiver that day are left out."""
    return sum(index.route_travel(route) or 0 for route in index.plan.routes)


def _paid_minutes(index: PlanIndex) -> int:
    """Shift length of every caregiver working on each plan day, routed or not."""
    scenario = index.scenario
    total = 0
    for day in index.plan.dates:
        for caregiver in scenario.caregivers:
            shift = scenario.shift_on(caregiver, day)
            total += 0 if shift is None else shift.paid_minutes
    return total


def _deferred_minutes(index: PlanIndex) -> int:
    """Care minutes postponed: task duration × caregivers the task needs, over POSTPONED
    entries (a visit postponed twice counts twice)."""
    return sum(
        e.visit.task.duration * e.visit.task.caregivers
        for e in index.entries
        if e.planned.decision is Decision.POSTPONED
    )


def _tardiness_minutes(index: PlanIndex) -> int:
    """Minutes KEPT entries start after their window's latest start (tolerance ignored)."""
    return sum(max(0, e.start - e.visit.window.end) for e in index.kept)


def _distinct_caregivers(entries: Iterable[Entry], by_day: bool) -> dict[object, set[str]]:
    seen: dict[object, set[str]] = defaultdict(set)
    for e in entries:
        key: tuple[str, dt.date] | str = (
            (e.visit.client.id, e.planned.date) if by_day else e.visit.client.id
        )
        seen[key].update(e.planned.caregivers)
    return seen


def _max_isolated_caregivers(index: PlanIndex) -> int:
    """Most distinct caregivers on KEPT visits to one client on one day when that client
    needs the infection team that day; 0 if no such visit."""
    isolated = [
        e for e in index.kept if index.scenario.needs_infection_team(e.visit.client, e.planned.date)
    ]
    return max((len(s) for s in _distinct_caregivers(isolated, by_day=True).values()), default=0)


def _mean_caregivers_per_client(index: PlanIndex) -> float:
    """Mean, over clients with at least one KEPT visit in the plan, of the number of
    distinct caregivers on their KEPT visits over the whole horizon; 0.0 if none."""
    sizes = [len(s) for s in _distinct_caregivers(index.kept, by_day=False).values()]
    return sum(sizes) / len(sizes) if sizes else 0.0


def _multi_site_contacts(index: PlanIndex) -> int:
    """Distinct (caregiver, client, day) where a caregiver who also works elsewhere has a
    KEPT visit to a client at or above the policy's vulnerability threshold or needing
    the infection team."""
    scenario = index.scenario
    threshold = scenario.policy.multi_site_excluded_vulnerability
    contacts: set[tuple[str, str, dt.date]] = set()
    for e in index.kept:
        client, day = e.visit.client, e.planned.date
        if client.vulnerability < threshold and not scenario.needs_infection_team(client, day):
            continue
        for caregiver_id in e.planned.caregivers:
            caregiver = scenario.caregiver_by_id.get(caregiver_id)
            if caregiver is not None and caregiver.is_multi_site:
                contacts.add((caregiver_id, client.id, day))
    return len(contacts)
