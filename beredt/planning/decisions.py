"""What every planner writes into a plan: the entry for a visit kept or not kept (with
its reason), and the start interval a visit's window and kept related visits allow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from beredt.domain.clock import format_clock
from beredt.domain.model import Caregiver
from beredt.domain.plan import PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit, visit_id
from beredt.planning.language import _, join_names
from beredt.planning.triage import Alternative, choose_alternative


def kept_entry(
    scenario: Scenario, visit: Visit, day: dt.date, people: Sequence[Caregiver], start: int
) -> PlannedVisit:
    """A KEPT entry whose reason names who comes when, and what a planner should know:
    someone new to the client, redeployed staff, a late start, a postponed visit."""
    notes = []
    familiar = set(visit.client.recent_caregivers)
    for person in people:
        if person.id not in familiar:
            notes.append(_("{name} is new to the client").format(name=person.name))
        if person.redeployed_from:
            notes.append(
                _("{name} is redeployed from {workplace}").format(
                    name=person.name, workplace=person.redeployed_from
                )
            )
    late = start - visit.window.end
    if late > 0:
        notes.append(
            _("starts {late} min after the window (tolerance {tolerance} min)").format(
                late=late, tolerance=scenario.rules.late_start_tolerance
            )
        )
    reason = _("kept: {who} at {time}").format(
        who=join_names(p.name for p in people), time=format_clock(start)
    )
    if day > visit.due_date:
        reason += _(" (postponed from {date})").format(date=visit.due_date.isoformat())
    if notes:
        reason += "; " + "; ".join(notes)
    return PlannedVisit(
        visit=visit.id,
        client=visit.client.id,
        task=visit.task.id,
        date=day,
        decision=Decision.KEPT,
        reason=reason,
        caregivers=[p.id for p in people],
        start=start,
        end=start + visit.task.duration,
    )


def not_kept_entry(
    scenario: Scenario, visit: Visit, day: dt.date, why_not: str
) -> tuple[PlannedVisit, Alternative]:
    """The entry for a visit caregivers will not do: the policy's alternative, or a
    shortfall (the caller collects those for the plan's shortfall summary)."""
    alternative = choose_alternative(scenario, visit, day, why_not)
    entry = PlannedVisit(
        visit=visit.id,
        client=visit.client.id,
        task=visit.task.id,
        date=day,
        decision=alternative.decision,
        reason=alternative.reason,
        postponed_to=alternative.postponed_to,
        relative=alternative.relative,
        shortfall=alternative.shortfall,
    )
    return entry, alternative


def start_bounds(scenario: Scenario, visit: Visit, starts: Mapping[str, int]) -> tuple[int, int]:
    """The start interval the window and the kept related visits allow (dependencies
    read as the checker reads them: the same task occurrence and due date)."""
    lo = visit.window.start
    hi = visit.window.end + scenario.rules.late_start_tolerance
    for dependency in visit.task.dependencies:
        before = starts.get(visit_id(dependency.after, visit.due_date, visit.occurrence))
        if before is not None:
            lo = max(lo, before + dependency.min_gap)
            if dependency.max_gap is not None:
                hi = min(hi, before + dependency.max_gap)
    for other in visit.client.tasks:
        for dependency in other.dependencies:
            if dependency.after != visit.task.id:
                continue
            after = starts.get(visit_id(other.id, visit.due_date, visit.occurrence))
            if after is not None:
                hi = min(hi, after - dependency.min_gap)
                if dependency.max_gap is not None:
                    lo = max(lo, after - dependency.max_gap)
    return lo, hi
