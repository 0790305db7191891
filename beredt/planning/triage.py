"""Triage rules shared by every planner: which alternative a visit that cannot be kept
gets under the municipality's policy, and how a capacity shortfall is summarised."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from beredt.domain.clock import format_clock
from beredt.domain.plan import Shortfall, ShortfallSlot
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.language import N_, _

COMPETENCE_LABELS = {
    "nurse": (N_("nurse"), N_("nurses")),
    "health_worker": (N_("health worker"), N_("health workers")),
    "assistant": (N_("assistant"), N_("assistants")),
}
"""The roles in words (English; :func:`competence_labels` translates them)."""

POLICY_LABELS = (
    N_("life-critical"),
    N_("necessary"),
    N_("supervision"),
    N_("deferrable"),
    N_("social/relief"),
)
"""The default policy's class labels, for the catalogues (see :func:`class_label`)."""


def competence_labels(competence: str) -> tuple[str, str] | None:
    """(singular, plural) of a role in the current language, or ``None`` for a skill."""
    labels = COMPETENCE_LABELS.get(competence)
    return None if labels is None else (_(labels[0]), _(labels[1]))


def class_label(label: str) -> str:
    """A policy class label ("necessary") in the current language; a label the
    municipality wrote itself stays as written."""
    return _(label) if label in POLICY_LABELS else label


def people_label(competence: str, count: int) -> str:
    """ "nurse", "two health workers together", "caregiver" (anyone may do assistant
    work), "caregiver with wound_care" (a named skill): who a visit needs, in words."""
    singular, plural = competence_labels(competence) or (
        _("caregiver with {skill}").format(skill=competence),
        _("caregivers with {skill}").format(skill=competence),
    )
    if competence == "assistant":
        singular, plural = _("caregiver"), _("caregivers")
    return _("two {people} together").format(people=plural) if count == 2 else singular


@dataclass(frozen=True, slots=True)
class Alternative:
    """The decision for a visit that caregivers will not do, and why that one."""

    decision: Decision
    reason: str
    postponed_to: dt.date | None = None
    relative: str | None = None
    shortfall: bool = False


def effective_class(scenario: Scenario, visit: Visit, day: dt.date) -> int:
    """A postponed visit that can be postponed no further is escalated (policy)."""
    task = visit.task
    if day > visit.due_date and not can_postpone(visit, day):
        return min(task.priority_class, scenario.policy.escalate_overdue_to_class)
    return task.priority_class


def can_postpone(visit: Visit, day: dt.date) -> bool:
    limit = visit.task.deferral_limit_days
    return limit is not None and (day + dt.timedelta(days=1) - visit.due_date).days <= limit


def choose_alternative(scenario: Scenario, visit: Visit, day: dt.date, why_not: str) -> Alternative:
    """The first alternative the policy allows and the client's data supports; a
    shortfall when there is none. Class 1 always ends here: life-critical care is
    KEEP only, whatever alternatives an edited policy lists for it."""
    client, task = visit.client, visit.task
    rule = scenario.policy.rule(task.priority_class)
    alternatives = [] if task.priority_class == 1 else rule.alternatives
    for decision in alternatives:
        if decision is Decision.REPLACED_BY_PHONE and client.can_use_phone and client.phone:
            return Alternative(
                decision, _("replaced by a phone call: {why_not}").format(why_not=why_not)
            )
        if decision is Decision.HANDED_TO_RELATIVE:
            relative = client.relative_agreed_to(task.id)
            if relative is not None:
                return Alternative(
                    decision,
                    _(
                        "handed to {relative} ({relation}), who agreed to this task: {why_not}"
                    ).format(
                        relative=relative.name,
                        relation=relative.relation or _("relative"),
                        why_not=why_not,
                    ),
                    relative=relative.name,
                )
        if decision is Decision.POSTPONED and can_postpone(visit, day):
            limit = task.deferral_limit_days
            to = day + dt.timedelta(days=1)
            used = (to - visit.due_date).days
            return Alternative(
                decision,
                _(
                    "postponed to {date}: {task}, limit {limit} days, day {day} of {limit}; "
                    "{why_not}"
                ).format(
                    date=to.isoformat(), task=task.name, limit=limit, day=used, why_not=why_not
                ),
                postponed_to=to,
            )
        if decision is Decision.CANCELLED and not (
            rule.keep_for_special_needs and client.special_needs
        ):
            return Alternative(
                decision, _("cancelled for the period: {why_not}").format(why_not=why_not)
            )
    label = scenario.policy.rule(effective_class(scenario, visit, day)).label
    return Alternative(
        Decision.CANCELLED,
        _("NOT KEPT - capacity shortfall on {label} care (class {number}): {why_not}").format(
            label=class_label(label), number=task.priority_class, why_not=why_not
        ),
        shortfall=True,
    )


SlotKey = tuple[dt.date, str, bool, int]
"""(day, competence, medication, hour of the window's start)."""


def slot_key(visit: Visit, day: dt.date) -> SlotKey:
    return (day, visit.task.competence, visit.task.medication, visit.window.start // 60)


def latest_ends(missed: list[tuple[Visit, dt.date]]) -> dict[SlotKey, int]:
    """Per slot, when the last missed visit of it would have ended at the latest."""
    ends: dict[SlotKey, int] = defaultdict(int)
    for visit, day in missed:
        key = slot_key(visit, day)
        ends[key] = max(ends[key], visit.window.end + visit.task.duration)
    return ends


def qualification_labels(competence: str, medication: bool) -> tuple[str, str]:
    """("nurse", "nurses"), or for medication below nurse level ("health worker who may
    give medication", ...): the fix must name delegation (nurses always may)."""
    singular, plural = competence_labels(competence) or (competence, competence)
    if medication and competence != "nurse":
        return (
            _("{person} who may give medication").format(person=singular),
            _("{people} who may give medication").format(people=plural),
        )
    return singular, plural


def summarise_shortfall(scenario: Scenario, missed: list[tuple[Visit, dt.date]]) -> Shortfall:
    """Caregiver-minutes missing by day, competence (medication or not) and hour, with a
    suggested fix for each stretch of consecutive hours ("2 more nurses 07:00-11:00")."""
    if not missed:
        return Shortfall()
    minutes: dict[SlotKey, int] = defaultdict(int)
    for visit, day in missed:
        minutes[slot_key(visit, day)] += visit.task.duration * visit.task.caregivers
    slots = [
        ShortfallSlot(date=day, competence=comp, medication=med, hour=hour, minutes=mins)
        for (day, comp, med, hour), mins in sorted(minutes.items())
    ]
    ends = latest_ends(missed)
    fixes = [shortfall_fix(stretch, ends) for stretch in shortfall_stretches(slots)]
    head = _("{count} visits that must be kept were not kept.").format(count=len(missed))
    message = head + " " + "; ".join(fixes)
    return Shortfall(visits=[visit.id for visit, _ in missed], slots=slots, message=message)


def shortfall_stretches(slots: list[ShortfallSlot]) -> list[list[ShortfallSlot]]:
    """Group sorted slots into runs of consecutive hours of one day and qualification."""
    runs: list[list[ShortfallSlot]] = []
    for slot in slots:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and (last.date, last.competence, last.medication)
            == (slot.date, slot.competence, slot.medication)
            and slot.hour == last.hour + 1
        ):
            runs[-1].append(slot)
        else:
            runs.append([slot])
    return runs


def shortfall_fix(stretch: list[ShortfallSlot], ends: dict[SlotKey, int]) -> str:
    """One line of the message: the stretch's missing minutes and how many more people
    would cover them, working from the first window's start to the last visit's end."""
    first = stretch[0].hour
    end = max(ends.get((s.date, s.competence, s.medication, s.hour), 0) for s in stretch)
    last = max(stretch[-1].hour + 1, math.ceil(end / 60))
    total = sum(s.minutes for s in stretch)
    # A caregiver spends ~75% of a stretch at clients (DOMAIN.md key figures).
    people = max(1, math.ceil(total / ((last - first) * 60 * 0.75)))
    singular, plural = qualification_labels(stretch[0].competence, stretch[0].medication)
    span = f"{format_clock(first * 60)}-{format_clock(last * 60)}"
    who = singular if people == 1 else plural
    return _(
        "{date} {span}: {people} short by {minutes} minutes (about {count} more {who} {span})"
    ).format(
        date=stretch[0].date.isoformat(),
        span=span,
        people=plural,
        minutes=total,
        count=people,
        who=who,
    )
