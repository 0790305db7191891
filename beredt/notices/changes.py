"""How a plan's decisions change each client's care on one day.

The comparison is with the client's *normal* care — every due visit kept, in its
window, by people the client knows — not with the previous plan. A notice says what
differs from what the client expects, so a decision that a re-plan reverses simply
drops out of the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from beredt.domain.clock import format_clock
from beredt.domain.model import Caregiver, Client, TimeWindow
from beredt.domain.plan import Plan, PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.planning.language import _, join_names, use_language


class ChangeKind(StrEnum):
    """What changes for the client (the values are the notice's ``kinds``)."""

    PHONE = "phone"
    RELATIVE = "relative"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    NEW_CAREGIVER = "new_caregiver"
    REDEPLOYED = "redeployed"
    MOVED = "moved"
    RESTORED = "restored"
    """Not produced here: the web app's item for a client who was told of a change that
    a later plan has taken back (their care is back to normal)."""


_DECISION_KINDS = {
    Decision.REPLACED_BY_PHONE: ChangeKind.PHONE,
    Decision.HANDED_TO_RELATIVE: ChangeKind.RELATIVE,
    Decision.POSTPONED: ChangeKind.POSTPONED,
    Decision.CANCELLED: ChangeKind.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class Change:
    """One change to one visit, in plain words (``from_text`` → ``to_text``)."""

    kind: ChangeKind
    visit: str
    task: str
    from_text: str
    to_text: str
    until: dt.date | None
    why: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "visit": self.visit,
            "task": self.task,
            "from": self.from_text,
            "to": self.to_text,
            "until": self.until.isoformat() if self.until else None,
            "why": self.why,
        }


def client_changes(
    plan: Plan, scenario: Scenario, day: dt.date, margin: int
) -> dict[str, list[Change]]:
    """For each client whose care on ``day`` differs from normal, the changes (client
    id → changes: visits not kept first, then kept ones by start). A kept visit counts
    as moved when it starts more than ``margin`` minutes outside its window. The texts
    are in the client's language."""
    result: dict[str, list[Change]] = {}
    entries = sorted(
        (e for e in plan.visits if e.date == day),
        key=lambda e: (e.client, e.start if e.start is not None else -1, e.visit),
    )
    for entry in entries:
        client = scenario.client_by_id.get(entry.client)
        if client is None:
            continue
        with use_language(client.language.value):  # nb, sv and en all have catalogues
            changes = list(_entry_changes(entry, client, scenario, margin))
        if changes:
            result.setdefault(client.id, []).extend(changes)
    return result


def _entry_changes(
    entry: PlannedVisit, client: Client, scenario: Scenario, margin: int
) -> list[Change]:
    visit = scenario.visit_by_id(entry.visit)
    task = visit.task.name if visit is not None else entry.task
    window = visit.window if visit is not None else None
    normal = (
        _("visit {start}–{end}").format(
            start=format_clock(window.start), end=format_clock(window.end)
        )
        if window is not None
        else _("visit")
    )

    def change(kind: ChangeKind, to_text: str, until: dt.date | None = None) -> Change:
        return Change(kind, entry.visit, task, normal, to_text, until, entry.reason)

    kind = _DECISION_KINDS.get(entry.decision)
    if kind is ChangeKind.PHONE:
        return [change(kind, _("a phone call instead"))]
    if kind is ChangeKind.RELATIVE:
        return [change(kind, _("{name} takes over").format(name=entry.relative or _("a relative")))]
    if kind is ChangeKind.POSTPONED:
        until = entry.postponed_to
        text = _("postponed to {date}").format(date=until.isoformat() if until else "?")
        return [change(kind, text, until)]
    if kind is ChangeKind.CANCELLED:
        return [change(kind, _("cancelled"))]
    return _kept_changes(entry, client, scenario, margin, window, change)


def _kept_changes(
    entry: PlannedVisit,
    client: Client,
    scenario: Scenario,
    margin: int,
    window: TimeWindow | None,
    change: Callable[[ChangeKind, str], Change],
) -> list[Change]:
    assert entry.start is not None and entry.end is not None
    people = [
        scenario.caregiver_by_id[c] for c in entry.caregivers if c in scenario.caregiver_by_id
    ]
    known = client.familiar_caregivers
    changes: list[Change] = []
    new = [c for c in people if c.id not in known]
    if new:
        changes.append(change(ChangeKind.NEW_CAREGIVER, _names(new)))
    redeployed = [c for c in people if c.redeployed_from]
    if redeployed:
        text = "; ".join(
            _("{name} (from {service})").format(name=c.name, service=c.redeployed_from)
            for c in redeployed
        )
        changes.append(change(ChangeKind.REDEPLOYED, text))
    if window is not None and not (window.start - margin <= entry.start <= window.end + margin):
        text = _("visit {start}–{end}").format(
            start=format_clock(entry.start), end=format_clock(entry.end)
        )
        changes.append(change(ChangeKind.MOVED, text))
    return changes


def _names(people: list[Caregiver]) -> str:
    return join_names(c.name for c in people)
