"""The care register: municipality, units, clients, care tasks, caregivers, availability.

Plain pydantic models with validation and no I/O. Field names follow DOMAIN.md.
Cross-references (a dependency naming another task, a relative agreeing to a task, a
caregiver's home unit) are checked by :class:`beredt.domain.scenario.Scenario`, which
sees the whole register.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import IntEnum, StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from beredt.domain.clock import Clock, format_clock

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""Identifiers are short, stable and safe to put in file names and URLs."""


class Strict(BaseModel):
    """Base for all domain models: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- places


class Country(StrEnum):
    NO = "NO"
    SE = "SE"


class Location(Strict):
    """WGS84 coordinates in decimal degrees."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Municipality(Strict):
    """A municipality (NO kommunenummer / SE kommunkod, both four digits)."""

    code: str = Field(pattern=r"^\d{4}$", description="4-digit kommunenummer/kommunkod")
    name: str = Field(min_length=1)
    country: Country = Country.NO


class Office(Strict):
    """Where a unit's routes start and end."""

    address: str = Field(min_length=1)
    location: Location


class Unit(Strict):
    """A home-care district or team inside a municipality."""

    id: Id
    name: str = Field(min_length=1)
    office: Office


# -------------------------------------------------------------------------- clients


class Language(StrEnum):
    NB = "nb"
    SV = "sv"
    EN = "en"


class Vulnerability(IntEnum):
    """How badly the client would fare if infected or left without care."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3


class InfectionStatus(StrEnum):
    ISOLATED = "isolated"  # confirmed infectious
    SUSPECTED = "suspected"  # symptoms, awaiting test
    QUARANTINED = "quarantined"  # exposed, no symptoms
    RECOVERED = "recovered"


class InfectionPeriod(Strict):
    """A dated infection status. ``until`` is inclusive; ``None`` means still ongoing.

    ``since_time`` is for a status that begins during a day (a re-plan after a client is
    isolated at 09:00): on ``since`` it holds from that time on. A question about the
    whole day (``at=None``) gets the status at the start of the day, so on ``since`` the
    period counts only for times at or after ``since_time``.
    """

    status: InfectionStatus
    since: dt.date
    since_time: Clock | None = Field(
        default=None, description="Time of day on `since` the status begins (null: 00:00)"
    )
    until: dt.date | None = None

    @model_validator(mode="after")
    def _until_not_before_since(self) -> InfectionPeriod:
        if self.until is not None and self.until < self.since:
            raise ValueError(f"until {self.until} is before since {self.since}")
        return self

    def covers(self, day: dt.date, at: int | None = None) -> bool:
        """True if the status holds on ``day`` (at minute ``at`` of it, if given)."""
        if not (self.since <= day and (self.until is None or day <= self.until)):
            return False
        if day == self.since and self.since_time:
            return at is not None and at >= self.since_time
        return True

    @property
    def begins(self) -> tuple[dt.date, int]:
        """(day, minute) the status begins, for ordering overlapping periods."""
        return self.since, self.since_time or 0


_PHONE = re.compile(r"^\+?[0-9 ]{5,20}$")


def _check_phone(value: str | None) -> str | None:
    if value is not None and not _PHONE.match(value):
        raise ValueError(f"phone {value!r} is not a phone number (digits, spaces, optional +)")
    return value


class Relative(Strict):
    """Next of kin. ``agreed_tasks`` lists task ids they have agreed to take over."""

    name: str = Field(min_length=1)
    relation: str = ""
    phone: str | None = None
    agreed_tasks: list[Id] = Field(default_factory=list)

    _phone = field_validator("phone")(_check_phone)


class TimeWindow(Strict):
    """When a visit may start: ``start`` is the earliest start, ``end`` the latest start."""

    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _end_not_before_start(self) -> TimeWindow:
        if self.end < self.start:
            raise ValueError(
                f"end {format_clock(self.end)} is before start {format_clock(self.start)}"
            )
        return self


class ServiceType(IntEnum):
    """KPR (formerly IPLOS) codes for home-dwelling services."""

    PRACTICAL_ASSISTANCE_DAILY = 1
    PRACTICAL_ASSISTANCE_TRAINING = 2
    USER_CONTROLLED_PERSONAL_ASSISTANCE = 3
    DAY_ACTIVITY = 4
    MEAL_DELIVERY = 5
    SAFETY_ALARM = 6
    RESPITE_OUTSIDE_INSTITUTION = 7
    SUPPORT_CONTACT = 9
    CARE_ALLOWANCE = 11
    HOME_NURSING = 15


class Competence(StrEnum):
    """Formal role; a higher role may do the tasks of a lower one."""

    ASSISTANT = "assistant"
    HEALTH_WORKER = "health_worker"  # helsefagarbeider / undersköterska
    NURSE = "nurse"


COMPETENCE_LADDER: tuple[Competence, ...] = (
    Competence.ASSISTANT,
    Competence.HEALTH_WORKER,
    Competence.NURSE,
)


class Dependency(Strict):
    """This task's visit starts between ``min_gap`` and ``max_gap`` minutes after the
    start of the visit of task ``after`` on the same day and occurrence (e.g. insulin
    before breakfast: the meal task depends on the insulin task with min_gap 10)."""

    after: Id
    min_gap: int = Field(default=0, ge=0, le=24 * 60)
    max_gap: int | None = Field(default=None, ge=0, le=24 * 60)

    @model_validator(mode="after")
    def _gaps_ordered(self) -> Dependency:
        if self.max_gap is not None and self.max_gap < self.min_gap:
            raise ValueError(f"max_gap {self.max_gap} is below min_gap {self.min_gap}")
        return self


Weekday = Annotated[int, Field(ge=1, le=7, description="ISO weekday, 1 = Monday")]
PriorityClass = Annotated[int, Field(ge=1, le=5)]


class CareTask(Strict):
    """A task from a care decision (*vedtak/tiltak*), given on ``weekdays``, once per
    entry in ``windows`` (times per day = number of windows)."""

    id: Id
    name: str = Field(min_length=1, description="Short task name shown to caregivers")
    kind: str = Field(min_length=1, description="Task kind, e.g. medication, shower")
    service_type: ServiceType = ServiceType.HOME_NURSING
    weekdays: list[Weekday] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7], min_length=1)
    dates: list[dt.date] | None = Field(
        default=None,
        min_length=1,
        max_length=366,
        description="One-off or dated tasks: due only on these dates (each also one of "
        "`weekdays`); null: on every matching weekday",
    )
    windows: list[TimeWindow] = Field(min_length=1, max_length=8)
    duration: int = Field(ge=1, le=8 * 60, description="Minutes at the client")
    competence: str = Field(
        default=Competence.ASSISTANT.value,
        min_length=1,
        description="A role (assistant, health_worker, nurse) or a named skill",
    )
    medication: bool = Field(default=False, description="Administers medication")
    caregivers: Literal[1, 2] = 1
    dependencies: list[Dependency] = Field(default_factory=list)
    priority_class: PriorityClass
    deferral_limit_days: int | None = Field(
        default=None, ge=0, le=60, description="How many days a visit may be postponed"
    )
    suitable_for_redeployed: bool = Field(
        default=False, description="Simple and well described enough for redeployed staff"
    )
    instructions: str = ""

    @field_validator("weekdays")
    @classmethod
    def _unique_weekdays(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("weekdays repeat")
        return sorted(value)

    @field_validator("dates")
    @classmethod
    def _unique_dates(cls, value: list[dt.date] | None) -> list[dt.date] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("dates repeat")
        return None if value is None else sorted(value)

    @model_validator(mode="after")
    def _windows_ordered(self) -> CareTask:
        for i in range(1, len(self.windows)):
            if self.windows[i].start < self.windows[i - 1].start:
                raise ValueError(f"windows[{i}] starts before windows[{i - 1}]")
        return self

    @model_validator(mode="after")
    def _dates_on_weekdays(self) -> CareTask:
        for day in self.dates or []:
            if day.isoweekday() not in self.weekdays:
                raise ValueError(
                    f"date {day} is ISO weekday {day.isoweekday()}, not one of the task's "
                    f"weekdays {self.weekdays}: the task would never be due on it"
                )
        return self

    def is_due(self, day: dt.date) -> bool:
        """Due on ``day``: its weekday is one of ``weekdays`` and, for a dated task, the
        day is one of ``dates``."""
        if day.isoweekday() not in self.weekdays:
            return False
        return self.dates is None or day in self.dates


class Client(Strict):
    """A home-care client (*tjenestemottaker/brukare*)."""

    id: Id
    name: str = Field(min_length=1)
    unit: Id
    address: str = Field(min_length=1)
    location: Location
    phone: str | None = None
    can_use_phone: bool = True
    language: Language = Language.NB
    vulnerability: Vulnerability = Vulnerability.MEDIUM
    special_needs: bool = Field(
        default=False, description="Keep social/relief services even in a crisis"
    )
    key_notes: str = ""
    national_id: str | None = Field(
        default=None,
        repr=False,
        pattern=r"^\d{11}$|^\d{12}$",
        description="Sensitive: only stored if needed; never written to plans, logs or reports",
    )
    infection: list[InfectionPeriod] = Field(default_factory=list)
    relatives: list[Relative] = Field(default_factory=list)
    contact_person: Id | None = Field(default=None, description="Caregiver id (primærkontakt)")
    recent_caregivers: list[Id] = Field(
        default_factory=list, description="Caregivers who served the client in the last 14 days"
    )
    tasks: list[CareTask] = Field(default_factory=list)

    _phone = field_validator("phone")(_check_phone)

    def infection_status_on(self, day: dt.date, at: int | None = None) -> InfectionStatus | None:
        """The status in force on ``day`` (at minute ``at`` of it, if given; else at the
        start of the day); the latest period wins where they overlap."""
        current: InfectionPeriod | None = None
        for period in self.infection:
            if period.covers(day, at) and (current is None or period.begins >= current.begins):
                current = period
        return None if current is None else current.status

    @property
    def familiar_caregivers(self) -> frozenset[str]:
        """Caregivers the client knows: those of the last 14 days and the contact person."""
        known = set(self.recent_caregivers)
        if self.contact_person is not None:
            known.add(self.contact_person)
        return frozenset(known)

    def relative_agreed_to(self, task_id: str) -> Relative | None:
        for relative in self.relatives:
            if task_id in relative.agreed_tasks:
                return relative
        return None


# ------------------------------------------------------------------------ caregivers


class TransportMode(StrEnum):
    CAR = "car"
    BIKE = "bike"
    WALK = "walk"


class BreakRule(Strict):
    """A break of ``duration`` minutes that must start inside ``window``."""

    window: TimeWindow
    duration: int = Field(default=30, ge=0, le=120)


class Shift(Strict):
    """A caregiver's working hours on a day."""

    start: Clock
    end: Clock
    max_work_minutes: int | None = Field(default=None, ge=0, le=16 * 60)
    break_: BreakRule | None = Field(default=None, alias="break")

    @model_validator(mode="after")
    def _end_after_start(self) -> Shift:
        if self.end <= self.start:
            raise ValueError(
                f"end {format_clock(self.end)} is not after start {format_clock(self.start)}"
            )
        if self.break_ is not None:
            window = self.break_.window
            if window.start < self.start or window.end + self.break_.duration > self.end:
                raise ValueError("break window does not fit inside the shift")
        return self

    @property
    def paid_minutes(self) -> int:
        return self.end - self.start


class Caregiver(Strict):
    """A member of staff who can be sent on visits."""

    id: Id
    name: str = Field(min_length=1)
    phone: str | None = None
    competence: Competence
    skills: list[str] = Field(default_factory=list, description="Extra named skills")
    medication_delegation: bool = Field(
        default=False, description="Delegated to administer medication (nurses always are)"
    )
    employment_fraction: float = Field(default=1.0, gt=0, le=1)
    other_workplaces: list[str] = Field(
        default_factory=list, description="Other institutions worked at this week"
    )
    infection_team: bool = False
    home_unit: Id
    redeployed_from: str | None = Field(
        default=None, description="The service this person was redeployed from, if any"
    )
    transport: TransportMode = TransportMode.CAR
    shift: Shift
    workdays: list[Weekday] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7], min_length=1)

    _phone = field_validator("phone")(_check_phone)

    @property
    def competences(self) -> frozenset[str]:
        """Every competence this caregiver holds: their role, the roles below it, skills."""
        rank = COMPETENCE_LADDER.index(self.competence)
        return frozenset([c.value for c in COMPETENCE_LADDER[: rank + 1]] + self.skills)

    @property
    def may_give_medication(self) -> bool:
        return self.competence is Competence.NURSE or self.medication_delegation

    @property
    def is_multi_site(self) -> bool:
        return bool(self.other_workplaces)


class AvailabilityStatus(StrEnum):
    PRESENT = "present"
    SICK = "sick"
    QUARANTINE = "quarantine"
    CARING_FOR_CHILD = "caring_for_child"
    OFF = "off"


class Availability(Strict):
    """A caregiver's status on one day. Without an entry a caregiver works their shift on
    their workdays; an entry may also give a different shift for that day."""

    caregiver: Id
    date: dt.date
    status: AvailabilityStatus
    shift: Shift | None = None
