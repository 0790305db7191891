"""Every triage decision is one the policy allows for the visit.

Rules: ``policy`` (a decision the class does not allow, a phone call to a client who
cannot take one, a hand-over no relative agreed to, reducing a protected service for a
client with special needs), ``class1_not_kept`` (life-critical care dropped without
saying so in the shortfall) and ``deferral_limit`` (postponed backwards or too far).
"""

from __future__ import annotations

from collections.abc import Iterator

from beredt.checker.index import Entry, PlanIndex
from beredt.checker.report import Violation
from beredt.domain.policy import Decision


def check_triage(index: PlanIndex) -> Iterator[Violation]:
    shortfall = set(index.plan.shortfall.visits)
    for entry in index.entries:
        if entry.visit.task.priority_class == 1:
            yield from _class1(entry, shortfall)
        else:
            yield from _allowed(index, entry)
        yield from _conditions(index, entry)
        yield from _deferral(entry)


def _violation(rule: str, entry: Entry, message: str) -> Violation:
    planned = entry.planned
    return Violation(
        rule,
        f"visit {planned.visit} ({entry.visit.task.name} for client {planned.client}) on "
        f"{planned.date}: {message}",
        visit=planned.visit,
        date=planned.date,
    )


def _class1(entry: Entry, shortfall: set[str]) -> Iterator[Violation]:
    """Class 1 is KEEP only; anything else must be flagged and listed as shortfall.

    ``class1_not_kept`` replaces ``policy`` here: it is the same fault, said louder.
    """
    planned = entry.planned
    if planned.decision is Decision.KEPT:
        return
    if not planned.shortfall or planned.visit not in shortfall:
        yield _violation(
            "class1_not_kept",
            entry,
            f"life-critical care is {planned.decision.value} without being flagged as "
            "shortfall and listed in the plan's shortfall",
        )


def _allowed(index: PlanIndex, entry: Entry) -> Iterator[Violation]:
    planned, task = entry.planned, entry.visit.task
    allowed = index.scenario.policy.allowed(task.priority_class)
    if planned.decision not in allowed and not planned.shortfall:
        names = ", ".join(sorted(decision.value for decision in allowed))
        yield _violation(
            "policy",
            entry,
            f"{planned.decision.value} is not allowed for priority class "
            f"{task.priority_class} (allowed: {names})",
        )
    rule = index.scenario.policy.rule(task.priority_class)
    reduced = planned.decision is not Decision.KEPT and not planned.shortfall
    if rule.keep_for_special_needs and entry.visit.client.special_needs and reduced:
        yield _violation(
            "policy",
            entry,
            f"client has special needs, so class {task.priority_class} care is kept, "
            f"not {planned.decision.value}",
        )


def _conditions(index: PlanIndex, entry: Entry) -> Iterator[Violation]:
    """Conditions on the client that no shortfall can excuse."""
    client, decision = entry.visit.client, entry.planned.decision
    if decision is Decision.REPLACED_BY_PHONE and not (client.can_use_phone and client.phone):
        yield _violation(
            "policy", entry, "replaced by a phone call, but the client has no usable phone"
        )
    if decision is Decision.HANDED_TO_RELATIVE and not client.relative_agreed_to(
        entry.visit.task.id
    ):
        yield _violation(
            "policy", entry, "handed to a relative, but no relative agreed to take this task"
        )


def _deferral(entry: Entry) -> Iterator[Violation]:
    planned, visit = entry.planned, entry.visit
    target = planned.postponed_to
    if planned.decision is not Decision.POSTPONED or target is None:
        return
    limit = visit.task.deferral_limit_days
    if target <= planned.date:
        yield _violation("deferral_limit", entry, f"postponed to {target}, which is not later")
    elif limit is None:
        yield _violation("deferral_limit", entry, "postponed, but the task may not be postponed")
    elif (target - visit.due_date).days > limit:
        yield _violation(
            "deferral_limit",
            entry,
            f"postponed to {target}, {(target - visit.due_date).days} days after it was due "
            f"on {visit.due_date}; the task may wait at most {limit} days",
        )
