"""Events that change a day that is already planned and published: a caregiver falls
ill, a client is isolated, an emergency visit comes in, the planner pins a visit.

``beredt replan`` reads them from a JSON file (one event object, or a list of them
applied in order); ``docs/replanning.md`` describes the format and what a re-plan does
with each. Field-level rules live here; the rules that need the scenario and the plan
(unknown ids, a caregiver who does not work that day) are checked by
:func:`beredt.planning.replan.event_problems`, which names the place of each problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, RootModel, ValidationInfo, field_validator

from beredt.domain.clock import Clock, format_clock
from beredt.domain.model import Id, InfectionStatus, Strict


def _until_not_before_date(value: dt.date | None, info: ValidationInfo) -> dt.date | None:
    date = info.data.get("date")
    if value is not None and date is not None and value < date:
        raise ValueError(f"{value} is before the event's date {date}")
    return value


class _Event(Strict):
    date: dt.date | None = Field(
        default=None,
        description="The day of the plan the event happens on (default: the plan's first day)",
    )

    @property
    def at(self) -> int | None:
        """When the event takes effect on its day (minutes), if it says."""
        value = getattr(self, "from_", None)
        return value if isinstance(value, int) else None


class CaregiverIll(_Event):
    """The caregiver stops working at ``from``: visits they started before it are done,
    the rest of their day goes to others (or is reduced as the policy allows)."""

    type: Literal["caregiver_ill"]
    caregiver: Id
    from_: Clock = Field(alias="from", description="When they stop, HH:MM")
    until: dt.date | None = Field(
        default=None,
        description="Also sick on every later day of the plan up to this date (inclusive)",
    )

    _until = field_validator("until")(_until_not_before_date)


class ClientIsolated(_Event):
    """From ``from`` on, the client is served only by the infection team."""

    type: Literal["client_isolated"]
    client: Id
    from_: Clock = Field(alias="from", description="When the isolation begins, HH:MM")
    status: InfectionStatus = Field(
        default=InfectionStatus.ISOLATED,
        description="isolated (default), or another status the policy sends the infection "
        "team to (suspected by default)",
    )
    until: dt.date | None = Field(
        default=None, description="Last day of the isolation (inclusive); null: ongoing"
    )

    _until = field_validator("until")(_until_not_before_date)


class EmergencyVisit(_Event):
    """A new one-off life-critical (class 1) visit to a client that day."""

    type: Literal["emergency_visit"]
    client: Id
    duration: int = Field(ge=1, le=8 * 60, description="Minutes at the client")
    window: tuple[Clock, Clock] = Field(description="[earliest start, latest start], HH:MM")
    competence: str = Field(
        default="assistant",
        min_length=1,
        description="A role (assistant, health_worker, nurse) or a named skill",
    )
    caregivers: Literal[1, 2] = 1
    medication: bool = Field(default=False, description="Administers medication")
    name: str = Field(default="Emergency visit", min_length=1, max_length=120)
    from_: Clock | None = Field(
        default=None,
        alias="from",
        description="When the call came in (default: the window's start); visits that "
        "started before it are done",
    )

    @field_validator("window")
    @classmethod
    def _window_ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        start, end = value
        if end < start:
            raise ValueError(
                f"the window ends at {format_clock(end)}, before it starts at {format_clock(start)}"
            )
        return value


class PinVisit(_Event):
    """Keep a visit with this caregiver and/or at this start, whatever else moves."""

    type: Literal["pin_visit"]
    visit: str = Field(min_length=1, max_length=200, description="Visit id from the plan")
    caregiver: Id | None = Field(
        default=None, description="Who does it (default: who the plan says)"
    )
    start: Clock | None = Field(default=None, description="When (default: when the plan says)")
    from_: Clock | None = Field(
        default=None,
        alias="from",
        description="When the pin is made (default: before the day starts)",
    )
    date: dt.date | None = Field(
        default=None,
        description="The day the visit is planned on (default: the day the plan last plans it)",
    )


Event = Annotated[
    CaregiverIll | ClientIsolated | EmergencyVisit | PinVisit, Field(discriminator="type")
]
"""One event; the ``type`` field says which."""

EVENT_TYPES: tuple[str, ...] = ("caregiver_ill", "client_isolated", "emergency_visit", "pin_visit")


class EventFile(RootModel[list[Event] | Event]):
    """An event file: one event object, or a list of them applied in order. (Used for
    the published JSON Schema; files are read by :func:`beredt.io.load_events`.)"""
