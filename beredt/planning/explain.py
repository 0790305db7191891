"""Explanations a planner understands: why each visit of a client got its decision,
who comes and whether they are new to the client, what capacity would have kept a
visit that was not kept, and what a re-plan changed against the published plan.

Pure functions over a plan (and, when given, the scenario it belongs to) returning
structured rows and text; ``beredt explain`` only prints them. Without the scenario the
rows carry what the plan itself says (ids, decisions, reasons, changes); with it they
add task names, windows, caregiver names, "new to client" marks and the capacity
context from ``plan.shortfall``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from beredt.domain.clock import format_clock
from beredt.domain.errors import BeredtError
from beredt.domain.plan import ChangeKind, Plan, PlannedVisit, VisitChange
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.language import N_, _, join_names, template_patterns, variants
from beredt.planning.replan_events import describe_event
from beredt.planning.triage import (
    competence_labels,
    latest_ends,
    qualification_labels,
    shortfall_fix,
    shortfall_stretches,
)

# ------------------------------------------------------------------ reason kinds

_CLOCK = r"\d\d:\d\d"
_FIELDS = {"when": f"{_CLOCK}-{_CLOCK}", "time": _CLOCK, "at": _CLOCK, "latest": _CLOCK}
"""What the planners' reasons put into these fields (times of day)."""


def _kind(english: str, *templates: str) -> re.Pattern[str]:
    """``english`` (a regular expression), or one of the planners' ``templates`` (their
    reasons' msgids) as translated into another language."""
    translated = [p for t in templates for p in template_patterns(t, _FIELDS)[1:]]
    return re.compile("|".join([english, *translated]))


REASON_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        N_("too late after a re-plan"),
        _kind(r"before the re-plan at", "its latest start {latest} is before the re-plan at {at}"),
    ),
    (
        N_("not worth the detour"),
        _kind(
            r"detour weighs more",
            "{names} could come at {time}, but the {detour} min detour weighs more than "
            "this {label} visit ({penalty} in the municipality's weights)",
        ),
    ),
    (
        N_("infection-team pair has no room"),
        _kind(
            r"infection-team members \(.*\) have no room",
            "the client's two infection-team members ({names}) have no room {when}; "
            "an isolated client gets no third caregiver except for life-critical care",
        ),
    ),
    (
        N_("nobody at work may do it"),
        _kind(r"at work who may do it \(", "no {who} at work who may do it ({common})"),
    ),
    (
        N_("nobody who may do it works then"),
        _kind(
            r"at work \d\d:\d\d-\d\d:\d\d who may do it",
            "no {who} at work {when} who may do it",
        ),
    ),
    (
        N_("everyone who may do it is busy"),
        _kind(
            r"\bfree\b",
            "no {who} free {when}",
            "no {who} free {when} ({name}, the only one who may, is busy)",
            "no {who} free {when} (all {count} at work then who may do it are busy)",
        ),
    ),
)
"""Why a visit was not kept, read from its reason (the planners' wording in any of the
languages), in order. The labels are English; summaries translate them."""

REPLAN_NOTE = re.compile("|".join(re.escape(v) for v in variants("; re-plan: ")))
"""Where a re-plan's note starts in a reason, in any language."""


def reason_kind(entry: PlannedVisit) -> str:
    """A short label for why the entry got its decision, for summaries."""
    if entry.decision is Decision.KEPT:
        return N_("kept")
    for label, pattern in REASON_KINDS:
        if pattern.search(entry.reason):
            return label
    return N_("other")


# --------------------------------------------------------------------- one client


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One plan entry of the client, explained."""

    date: dt.date
    visit: str
    task: str
    """The task's name (its id without the scenario)."""
    window: str | None
    decision: Decision
    caregivers: tuple[str, ...]
    """Names (ids without the scenario)."""
    new_to_client: tuple[str, ...]
    start: str | None
    reason: str
    kind: str
    shortfall: bool
    postponed_to: dt.date | None = None
    capacity: str | None = None
    """For a visit not kept: what keeping it needs and what the day lacked."""
    change: str | None = None
    """For a re-plan: what changed against the published plan."""

    def lines(self) -> list[str]:
        head = f"{self.date}  {self.window or '':11}  {self.task}  [{self.visit}]"
        if self.decision is Decision.KEPT:
            people = [
                _("{name} (new to client)").format(name=name)
                if name in self.new_to_client
                else name
                for name in self.caregivers
            ]
            what = _("KEPT: {who} at {time}").format(who=join_names(people), time=self.start)
        else:
            what = self.decision.value + (_(" - SHORTFALL") if self.shortfall else "")
            if self.postponed_to is not None:
                what += _(" to {date}").format(date=self.postponed_to)
        out = [head, f"    {what}", "    " + _("why: {reason}").format(reason=self.reason)]
        if self.capacity:
            out.append(
                "    " + _("capacity that would have kept it: {text}").format(text=self.capacity)
            )
        if self.change:
            out.append("    " + _("changed by the re-plan: {text}").format(text=self.change))
        return out


@dataclass(frozen=True, slots=True)
class ClientExplanation:
    client: str
    name: str | None
    rows: list[VisitRow]
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        title = _("Client {client}").format(client=self.client) + (
            f" ({self.name})" if self.name else ""
        )
        out = [title, *(_("note: {note}").format(note=note) for note in self.notes)]
        for row in self.rows:
            out += row.lines()
        return "\n".join(out)


def explain_client(
    plan: Plan, client_id: str, scenario: Scenario | None = None
) -> ClientExplanation:
    """Every entry of ``client_id`` in ``plan``, explained; raises
    :class:`BeredtError` if the plan has none."""
    entries = [e for e in plan.visits if e.client == client_id]
    if not entries:
        known = sorted({v.client for v in plan.visits})
        hint = ", ".join(known[:8]) + (" ..." if len(known) > 8 else "")
        raise BeredtError(
            _("client {client} has no visits in the plan (clients: {known})").format(
                client=repr(client_id), known=hint
            )
        )
    notes = _notes(plan, scenario)
    changes = {(c.visit, c.date): c for c in (plan.replan.changes if plan.replan else [])}
    rows = sorted(
        (_row(plan, entry, scenario, changes.get((entry.visit, entry.date))) for entry in entries),
        key=lambda row: (row.date, row.start or row.window or "", row.visit),
    )
    # Entries the re-plan removed (a postponement undone) are gone from the plan.
    for change in changes.values():
        if change.client == client_id and change.kind is ChangeKind.REMOVED:
            notes.append(
                _("{date}: {visit} is no longer planned on that day ({change})").format(
                    date=change.date, visit=change.visit, change=describe_change(change, scenario)
                )
            )
    client = scenario.client_by_id.get(client_id) if scenario else None
    return ClientExplanation(client_id, client.name if client else None, rows, notes)


def _notes(plan: Plan, scenario: Scenario | None) -> list[str]:
    notes = []
    if scenario is not None and scenario.digest() != plan.scenario_digest:
        notes.append(
            _(
                "the scenario's digest differs from the plan's: names and windows may not "
                "match (after a re-plan, give its .scenario.json)"
            )
        )
    if plan.replan is not None:
        based = plan.replan.based_on
        notes.append(
            _("this plan re-plans the {planner} plan of {created} after: {events}").format(
                planner=based.planner,
                created=f"{based.created_at:%Y-%m-%d %H:%M}",
                events=events_text(plan, scenario),
            )
        )
    return notes


def _row(
    plan: Plan, entry: PlannedVisit, scenario: Scenario | None, change: VisitChange | None
) -> VisitRow:
    visit = scenario.visit_by_id(entry.visit) if scenario else None
    if visit is not None and visit.client.id != entry.client:
        visit = None
    names = tuple(_name(scenario, c) for c in entry.caregivers)
    new: tuple[str, ...] = ()
    if visit is not None:
        familiar = visit.client.familiar_caregivers
        new = tuple(_name(scenario, c) for c in entry.caregivers if c not in familiar)
    capacity = None
    if entry.decision is not Decision.KEPT and visit is not None and scenario is not None:
        capacity = capacity_text(plan, scenario, visit, entry.date)
    return VisitRow(
        date=entry.date,
        visit=entry.visit,
        task=visit.task.name if visit else entry.task,
        window=_window(visit) if visit else None,
        decision=entry.decision,
        caregivers=names,
        new_to_client=new,
        start=None if entry.start is None else format_clock(entry.start),
        reason=REPLAN_NOTE.split(entry.reason)[0] if change else entry.reason,
        kind=reason_kind(entry),
        shortfall=entry.shortfall,
        postponed_to=entry.postponed_to,
        capacity=capacity,
        change=None
        if change is None or change.kind is ChangeKind.SHIFTED
        else describe_change(change, scenario),
    )


def _name(scenario: Scenario | None, caregiver_id: str) -> str:
    if scenario is None or caregiver_id not in scenario.caregiver_by_id:
        return caregiver_id
    return scenario.caregiver_by_id[caregiver_id].name


def _window(visit: Visit) -> str:
    return f"{format_clock(visit.window.start)}-{format_clock(visit.window.end)}"


# ---------------------------------------------------------------- capacity


def capacity_text(plan: Plan, scenario: Scenario, visit: Visit, day: dt.date) -> str:
    """What keeping ``visit`` on ``day`` needs, and the shortfall of that day,
    competence and time (``plan.shortfall``) with the capacity that would cover it, as
    the plan's shortfall message words it: "1 nurse for 30 min, starting 08:00-09:30;
    nurses short by 90 minutes 07:00-10:00 (about 1 more nurse 07:00-10:00)"."""
    task = visit.task
    singular, plural = competence_labels(task.competence) or (task.competence, task.competence)
    if task.caregivers == 2:
        who = _("2 {people} together").format(people=plural)
    else:
        who = _("1 {person}").format(person=singular)
    need = _("{who} for {minutes} min, starting {window}").format(
        who=who, minutes=task.duration, window=_window(visit)
    )
    first = visit.window.start // 60
    last = (visit.window.end + task.duration) // 60
    mine = [
        s
        for s in plan.shortfall.slots
        if (s.date, s.competence, s.medication) == (day, task.competence, task.medication)
    ]
    runs = [
        run
        for run in shortfall_stretches(sorted(mine, key=lambda s: s.hour))
        if run[0].hour <= last and run[-1].hour >= first
    ]
    if not runs:
        label = qualification_labels(task.competence, task.medication)[1]
        return _("{need}; the plan records no shortfall of {people} around then").format(
            need=need, people=label
        )
    missed = [
        (found, entry.date)
        for entry in plan.visits
        if entry.shortfall and (found := scenario.visit_by_id(entry.visit)) is not None
    ]
    fixes = [shortfall_fix(run, latest_ends(missed)).split(": ", 1)[1] for run in runs]
    return _("{need}; that day {fixes}").format(need=need, fixes=join_names(fixes))


# ------------------------------------------------------------------ changes


def describe_change(change: VisitChange, scenario: Scenario | None = None) -> str:
    """ "reassigned from Mona Vik to Nina Holm, moved from 10:40 to 11:05"."""
    before, after = change.before, change.after

    def names(ids: Sequence[str]) -> str:
        return join_names(_name(scenario, c) for c in ids) or _("nobody")

    def state(decision: Decision, caregivers: Sequence[str], start: int | None) -> str:
        if decision is Decision.KEPT and start is not None:
            return _("kept by {who} at {time}").format(
                who=names(caregivers), time=format_clock(start)
            )
        return decision.value

    if change.kind is ChangeKind.ADDED or before is None:
        if after is None:
            return _("added by the re-plan")
        return _("added by the re-plan: {state}").format(
            state=state(after.decision, after.caregivers, after.start)
        )
    was = state(before.decision, before.caregivers, before.start)
    if change.kind is ChangeKind.REMOVED or after is None:
        return _("no longer planned on this day (was {was})").format(was=was)
    if change.kind is ChangeKind.REASSIGNED:
        text = _("reassigned from {before} to {after}").format(
            before=names(before.caregivers), after=names(after.caregivers)
        )
        if before.start is not None and after.start is not None and before.start != after.start:
            text += _(", moved from {before} to {after}").format(
                before=format_clock(before.start), after=format_clock(after.start)
            )
        return text
    if change.kind in (ChangeKind.MOVED, ChangeKind.SHIFTED):
        assert before.start is not None and after.start is not None
        return _("moved from {before} to {after}").format(
            before=format_clock(before.start), after=format_clock(after.start)
        )
    return _("was {was}, now {state}").format(
        was=was, state=state(after.decision, after.caregivers, after.start)
    )


def events_text(plan: Plan, scenario: Scenario | None = None) -> str:
    """The events a re-plan was made for, one phrase each."""
    if plan.replan is None:
        return ""
    return "; ".join(describe_event(event, scenario) for event in plan.replan.events)


# ---------------------------------------------------------------------- summary


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """Counts per decision and per reason kind for the whole plan."""

    by_decision: dict[Decision, int]
    by_reason: dict[tuple[Decision, str], int]
    shortfall_visits: int
    shortfall_message: str
    new_to_client: int
    """Kept visits where a caregiver is new to the client (needs the scenario)."""
    replan: list[str]

    def text(self) -> str:
        out = [_("Decisions:")]
        for decision, count in self.by_decision.items():
            out.append(f"  {decision.value:20} {count:5}")
        out.append(_("Why (decision / reason kind):"))
        for (decision, kind), count in self.by_reason.items():
            out.append(f"  {decision.value:20} {_(kind):34} {count:5}")
        if self.new_to_client:
            out.append(
                _("Kept visits with a caregiver new to the client: {count}").format(
                    count=self.new_to_client
                )
            )
        if self.shortfall_visits:
            out.append(_("SHORTFALL: {message}").format(message=self.shortfall_message))
        else:
            out.append(_("No shortfall: all care the policy requires is kept."))
        out += self.replan
        return "\n".join(out)

    def replan_text(self) -> str:
        """The re-plan lines only (events, stability, changes, warnings)."""
        return "\n".join(self.replan)


def summarise_plan(plan: Plan, scenario: Scenario | None = None) -> PlanSummary:
    decisions = Counter(e.decision for e in plan.visits)
    reasons = Counter((e.decision, reason_kind(e)) for e in plan.visits)
    new = 0
    if scenario is not None:
        for entry in plan.visits:
            client = scenario.client_by_id.get(entry.client)
            if entry.decision is Decision.KEPT and client is not None:
                familiar = client.familiar_caregivers
                new += any(c not in familiar for c in entry.caregivers)
    lines = []
    if plan.replan is not None:
        info = plan.replan
        st = info.stability
        lines.append(_("Re-plan after: {events}").format(events=events_text(plan, scenario)))
        lines.append(
            _(
                "Stability: {share} of unaffected remaining visits unchanged ({unchanged} of "
                "{unaffected}; start moved at most {tolerance} min); {affected} visits touched "
                "by the events"
            ).format(
                share=f"{st.share:.1%}",
                unchanged=st.unchanged,
                unaffected=st.unaffected,
                tolerance=st.tolerance_minutes,
                affected=st.affected,
            )
        )
        kinds = ", ".join(f"{kind.value} {count}" for kind, count in info.changes_by_kind.items())
        lines.append(_("Changes: {changes}").format(changes=kinds or _("none")))
        lines += [_("Warning: {warning}").format(warning=w) for w in info.warnings]
    return PlanSummary(
        by_decision={d: decisions[d] for d in Decision if decisions[d]},
        by_reason=dict(
            sorted(reasons.items(), key=lambda kv: (list(Decision).index(kv[0][0]), -kv[1]))
        ),
        shortfall_visits=len(plan.shortfall.visits),
        shortfall_message=plan.shortfall.message,
        new_to_client=new,
        replan=lines,
    )
