"""A plan: the triage decision for every visit, the caregivers' routes and key figures."""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from beredt.domain.clock import Clock, format_clock
from beredt.domain.events import Event
from beredt.domain.model import Id, Strict
from beredt.domain.policy import Decision

PLAN_FORMAT_VERSION: Literal[1] = 1


class PlannedVisit(Strict):
    """The decision for one visit on one day. A visit postponed from an earlier day
    appears again, with the same ``visit`` id, on the day it was postponed to."""

    visit: str
    client: Id
    task: Id
    date: dt.date = Field(description="The day this entry plans the visit for")
    decision: Decision
    reason: str = Field(min_length=1)
    caregivers: list[Id] = Field(default_factory=list, max_length=2)
    start: Clock | None = None
    end: Clock | None = None
    postponed_to: dt.date | None = None
    relative: str | None = Field(default=None, description="Who takes over, if handed over")
    shortfall: bool = Field(
        default=False, description="Not kept for lack of capacity, against the policy"
    )

    @model_validator(mode="after")
    def _decision_fields(self) -> PlannedVisit:
        kept = self.decision is Decision.KEPT
        if kept and (self.start is None or self.end is None or not self.caregivers):
            raise ValueError("a KEPT visit needs caregivers, start and end")
        if not kept and (self.caregivers or self.start is not None):
            raise ValueError(f"a {self.decision.value} visit has no caregivers or start")
        if (self.decision is Decision.POSTPONED) != (self.postponed_to is not None):
            raise ValueError("postponed_to is given exactly when the decision is POSTPONED")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(
                f"end {format_clock(self.end)} is before start {format_clock(self.start)}"
            )
        return self


class Route(Strict):
    """One caregiver's day: leave the office at ``start``, visit ``stops`` in order, take
    the break at ``break_start``, be back at ``end``."""

    caregiver: Id
    date: dt.date
    start: Clock
    end: Clock
    stops: list[str] = Field(default_factory=list, description="Visit ids in order")
    break_start: Clock | None = None


class ShortfallSlot(Strict):
    """Care that could not be kept, by day, competence (and whether it is medication,
    which needs delegation) and hour of the day."""

    date: dt.date
    competence: str
    medication: bool = False
    hour: int = Field(ge=0, le=23)
    minutes: int = Field(ge=0)


class Shortfall(Strict):
    """Care the policy says must be kept but the plan could not keep."""

    visits: list[str] = Field(default_factory=list)
    slots: list[ShortfallSlot] = Field(default_factory=list)
    message: str = ""


class PlanKpis(Strict):
    """The key figures of DOMAIN.md, computed by the plan checker."""

    class1_coverage: float
    essential_coverage: float
    visits_total: int
    visits_kept: int
    visits_by_decision: dict[str, int]
    care_minutes: int
    travel_minutes: int
    paid_minutes: int
    care_share_of_paid_time: float
    travel_minutes_per_visit: float
    deferred_minutes: int
    tardiness_minutes: int
    max_distinct_caregivers_per_isolated_client: int
    mean_distinct_caregivers_per_client: float
    multi_site_vulnerable_contacts: int
    shortfall_visits: int


class ChangeKind(StrEnum):
    """How a re-plan changed one visit's entry against the plan it is based on."""

    ADDED = "added"  # a visit the published plan did not have (an emergency visit)
    REMOVED = "removed"  # an entry the re-plan no longer needs (a postponement undone)
    NEWLY_KEPT = "newly_kept"
    NO_LONGER_KEPT = "no_longer_kept"
    DECISION_CHANGED = "decision_changed"  # not kept before or after, another way
    REASSIGNED = "reassigned"  # kept, by other caregivers (the start may move too)
    MOVED = "moved"  # kept by the same caregivers, start moved more than the tolerance
    SHIFTED = "shifted"  # same caregivers, start moved within the tolerance: unchanged


class EntryState(Strict):
    """What a plan entry said: decision, caregivers and start."""

    decision: Decision
    caregivers: list[Id] = Field(default_factory=list, max_length=2)
    start: Clock | None = None
    postponed_to: dt.date | None = None


class VisitChange(Strict):
    """One visit whose entry differs between the published plan and the re-plan."""

    visit: str
    client: Id
    date: dt.date
    kind: ChangeKind
    affected: bool = Field(description="The event touched this visit directly")
    before: EntryState | None = None
    after: EntryState | None = None


class PlanReference(Strict):
    """Which plan a re-plan is based on."""

    created_at: dt.datetime
    digest: str = Field(description="SHA-256 of the published plan's canonical JSON")
    planner: str
    scenario_digest: str


class ReplanDay(Strict):
    """One day the re-plan planned again."""

    date: dt.date
    at: Clock = Field(description="The re-plan's time: visits that started before it are done")
    done: int = Field(ge=0, description="Entries kept exactly as published (already happened)")
    remaining: int = Field(ge=0, description="Entries planned again")


class Stability(Strict):
    """How much of what the event did not touch the re-plan left as it was.

    ``share`` = ``unchanged / unaffected``: among the visits planned again that the
    published plan had and the event did not touch, those with the same decision and,
    if kept, the same caregivers and a start moved by at most ``tolerance_minutes``.
    """

    tolerance_minutes: int = Field(ge=0)
    remaining: int = Field(ge=0)
    affected: int = Field(ge=0)
    unaffected: int = Field(ge=0)
    unchanged: int = Field(ge=0)
    share: float = Field(ge=0, le=1)


class ReplanInfo(Strict):
    """What made this plan a re-plan: the events, the plan it is based on, the days
    planned again, how stable it is and what changed."""

    events: list[Event] = Field(min_length=1)
    based_on: PlanReference
    days: list[ReplanDay]
    stability: Stability
    changes_by_kind: dict[ChangeKind, int] = Field(default_factory=dict)
    changes: list[VisitChange] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class Plan(Strict):
    """A versioned plan for one scenario."""

    format_version: Literal[1] = PLAN_FORMAT_VERSION
    scenario: str = Field(description="The scenario's name")
    scenario_digest: str = Field(description="SHA-256 of the scenario it was made from")
    planner: str
    seed: int = 0
    time_limit: float | None = None
    created_at: dt.datetime
    dates: list[dt.date] = Field(min_length=1)
    visits: list[PlannedVisit]
    routes: list[Route]
    shortfall: Shortfall = Field(default_factory=Shortfall)
    kpis: PlanKpis | None = None
    replan: ReplanInfo | None = Field(
        default=None, description="Set when this plan re-plans another after events"
    )

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: names this exact version of the plan."""
        return hashlib.sha256(self.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()


class Class1Routes(Strict):
    """Routes that keep every class-1 visit of some days, as a plan's class-1 check found
    them (``beredt bound SCENARIO --plan PLAN --routes-out FILE``), for a new plan to
    start its search from (``beredt plan SCENARIO --class1-routes FILE``)."""

    format_version: Literal[1] = PLAN_FORMAT_VERSION
    scenario: str = Field(description="The scenario's name")
    scenario_digest: str = Field(
        description="SHA-256 of the scenario the routes were found for: a plan from them "
        "is refused for any other"
    )
    plan_digest: str = Field(description="SHA-256 of the plan whose check found them")
    days: dict[dt.date, dict[Id, list[str]]] = Field(
        min_length=1,
        description="Per day, caregiver id → the class-1 visit ids of the route, in order",
    )
