"""Every KEPT visit is staffed by people who may do it, when it may be done.

Rules: ``double_staffing`` (wrong number of caregivers, or one listed twice),
``duration`` (end is not start + the task's duration), ``unknown_caregiver``, ``shift``
(a caregiver who does not work that day), ``competence``, ``infection_team``,
``multi_site``, ``redeployed``, ``time_window`` and ``dependency``.
"""

from __future__ import annotations

from collections.abc import Iterator

from beredt.checker.index import Entry, PlanIndex
from beredt.checker.report import Violation
from beredt.domain.clock import format_clock
from beredt.domain.model import Caregiver
from beredt.domain.scenario import visit_id


def check_kept_visits(index: PlanIndex) -> Iterator[Violation]:
    for entry in index.kept:
        yield from _staffing(entry)
        yield from _times(index, entry)
        for caregiver_id in dict.fromkeys(entry.planned.caregivers):
            caregiver = index.scenario.caregiver_by_id.get(caregiver_id)
            if caregiver is None:
                yield _violation(
                    "unknown_caregiver", entry, f"caregiver {caregiver_id} is not in the register"
                )
            else:
                yield from _caregiver_fit(index, entry, caregiver)
        yield from _dependencies(index, entry)


def _violation(rule: str, entry: Entry, message: str, caregiver: str | None = None) -> Violation:
    planned = entry.planned
    return Violation(
        rule,
        f"visit {planned.visit} ({entry.visit.task.name} for client {planned.client}) on "
        f"{planned.date} at {format_clock(entry.start)}: {message}",
        visit=planned.visit,
        caregiver=caregiver,
        date=planned.date,
    )


def _staffing(entry: Entry) -> Iterator[Violation]:
    caregivers, needed = entry.planned.caregivers, entry.visit.task.caregivers
    if len(caregivers) != needed or len(set(caregivers)) != len(caregivers):
        yield _violation(
            "double_staffing",
            entry,
            f"needs {needed} different caregiver(s), has {', '.join(caregivers) or 'none'}",
        )


def _times(index: PlanIndex, entry: Entry) -> Iterator[Violation]:
    task, window = entry.visit.task, entry.visit.window
    if entry.end != entry.start + task.duration:
        yield _violation(
            "duration",
            entry,
            f"ends at {format_clock(entry.end)}, but the task takes {task.duration} min",
        )
    latest = window.end + index.scenario.rules.late_start_tolerance
    if not window.start <= entry.start <= latest:
        yield _violation(
            "time_window",
            entry,
            f"must start between {format_clock(window.start)} and {format_clock(latest)}",
        )


def _caregiver_fit(index: PlanIndex, entry: Entry, caregiver: Caregiver) -> Iterator[Violation]:
    scenario, task, client = index.scenario, entry.visit.task, entry.visit.client
    day, who = entry.planned.date, caregiver.id

    def violation(rule: str, message: str) -> Violation:
        return _violation(rule, entry, f"caregiver {who} {message}", caregiver=who)

    if scenario.shift_on(caregiver, day) is None:
        yield violation("shift", f"does not work that day ({scenario.status_on(caregiver, day)})")
    if task.competence not in caregiver.competences:
        yield violation("competence", f"lacks the competence {task.competence}")
    if task.medication and not caregiver.may_give_medication:
        yield violation("competence", "may not give medication (no delegation)")
    # Judged at the visit's start: a client isolated from 09:00 may have been visited
    # by anyone before then.
    isolated = scenario.needs_infection_team(client, day, at=entry.planned.start)
    if isolated and not caregiver.infection_team:
        yield violation("infection_team", "is not on the infection team")
    threshold = scenario.policy.multi_site_excluded_vulnerability
    if caregiver.is_multi_site and (isolated or client.vulnerability >= threshold):
        why = "needs the infection team" if isolated else "is highly vulnerable"
        yield violation("multi_site", f"also works elsewhere, and the client {why}")
    if caregiver.redeployed_from is not None and not task.suitable_for_redeployed:
        yield violation(
            "redeployed",
            f"is redeployed (from {caregiver.redeployed_from}) and the task is not marked "
            "suitable for redeployed staff",
        )


def _dependencies(index: PlanIndex, entry: Entry) -> Iterator[Violation]:
    """Gaps after the visits this one depends on.

    The visit depended on is the one of task ``after`` with the same due date and
    occurrence, planned on the same day; if it is not KEPT there is nothing to check.
    """
    visit = entry.visit
    for dependency in visit.task.dependencies:
        before_id = visit_id(dependency.after, visit.due_date, visit.occurrence)
        before = index.by_key.get((before_id, entry.planned.date))
        if before is None or not before.kept:
            continue
        gap = entry.start - before.start
        too_late = dependency.max_gap is not None and gap > dependency.max_gap
        if gap < dependency.min_gap or too_late:
            most = "" if dependency.max_gap is None else f" and at most {dependency.max_gap}"
            yield _violation(
                "dependency",
                entry,
                f"starts {gap} min after {before_id} at {format_clock(before.start)}; it must "
                f"start at least {dependency.min_gap}{most} min after it",
            )
