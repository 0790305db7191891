"""Every due visit is in the plan exactly once, and carried visits follow a postponement.

Rules: ``coverage`` (missing due visits, days outside the plan, carried visits without
their postponement, postponements without their follow-up), ``duplicate`` (an entry
twice on a day) and ``unknown_visit`` (an id the register does not know, or one that
names another client or task than the entry says).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from beredt.checker.index import Entry, EntryKey, PlanIndex
from beredt.checker.report import Violation
from beredt.domain.policy import Decision


def check_coverage(index: PlanIndex) -> Iterator[Violation]:
    yield from _horizon(index)
    yield from _unresolved(index)
    yield from _due_visits(index)
    yield from _carried(index)
    yield from _follow_ups(index)


def _horizon(index: PlanIndex) -> Iterator[Violation]:
    plan_dates, scenario_dates = index.plan.dates, index.scenario.dates
    if plan_dates != scenario_dates:
        shown = ", ".join(day.isoformat() for day in plan_dates)
        wanted = ", ".join(day.isoformat() for day in scenario_dates)
        yield Violation(
            "coverage", f"the plan covers the days {shown} but the scenario asks for {wanted}"
        )
    for entry in index.entries:
        if entry.planned.date not in index.dates:
            yield Violation(
                "coverage",
                f"visit {entry.planned.visit} is planned for {entry.planned.date}, "
                "a day outside the plan",
                visit=entry.planned.visit,
                date=entry.planned.date,
            )


def _unresolved(index: PlanIndex) -> Iterator[Violation]:
    for planned in index.unresolved:
        visit = index.scenario.visit_by_id(planned.visit)
        if visit is None:
            why = "is not a visit the register has due (check task id, date and occurrence)"
        else:
            why = (
                f"belongs to client {visit.client.id} and task {visit.task.id}, "
                f"not client {planned.client} and task {planned.task}"
            )
        yield Violation(
            "unknown_visit",
            f"plan entry {planned.visit} on {planned.date} {why}",
            visit=planned.visit,
            date=planned.date,
        )


def _due_visits(index: PlanIndex) -> Iterator[Violation]:
    counts = Counter(entry.key for entry in index.entries)
    for (visit_id, day), count in counts.items():
        if count > 1:
            yield Violation(
                "duplicate",
                f"visit {visit_id} has {count} entries on {day}; it needs exactly one",
                visit=visit_id,
                date=day,
            )
    for day in index.plan.dates:
        for visit in index.scenario.visits_on(day):
            if (visit.id, day) not in counts:
                yield Violation(
                    "coverage",
                    f"visit {visit.id} ({visit.task.name} for client {visit.client.id}) is due "
                    f"on {day} but the plan has no decision for it",
                    visit=visit.id,
                    date=day,
                )


def _postponements(index: PlanIndex) -> set[EntryKey]:
    """(visit id, day) for every day some earlier entry postponed a visit to."""
    return {
        (entry.planned.visit, entry.planned.postponed_to)
        for entry in index.entries
        if entry.planned.decision is Decision.POSTPONED
        and entry.planned.postponed_to is not None
        and entry.planned.date < entry.planned.postponed_to
    }


def _carried(index: PlanIndex) -> Iterator[Violation]:
    postponed = _postponements(index)
    for entry in index.entries:
        if entry.planned.date != entry.visit.due_date and entry.key not in postponed:
            yield Violation(
                "coverage",
                f"visit {entry.planned.visit} is due on {entry.visit.due_date} but planned on "
                f"{entry.planned.date}, and no earlier entry postponed it to that day",
                visit=entry.planned.visit,
                date=entry.planned.date,
            )


def _follow_ups(index: PlanIndex) -> Iterator[Violation]:
    for entry in _postponed(index):
        target = entry.planned.postponed_to
        if target in index.dates and (entry.planned.visit, target) not in index.by_key:
            yield Violation(
                "coverage",
                f"visit {entry.planned.visit} is postponed from {entry.planned.date} to "
                f"{target} but the plan has no entry for it on {target}",
                visit=entry.planned.visit,
                date=entry.planned.date,
            )


def _postponed(index: PlanIndex) -> Iterator[Entry]:
    return (e for e in index.entries if e.planned.decision is Decision.POSTPONED)
