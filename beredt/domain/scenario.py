"""A scenario: the register plus the day(s) to plan, absences, infection status and policy.

One scenario file is one :class:`Scenario`. Field-level rules live on the models; the
rules that need the whole register (unknown ids, dependencies between tasks) are in
:meth:`Scenario.reference_problems`, which names the place of each problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, Self

from pydantic import Field

from beredt.domain.errors import Problem
from beredt.domain.model import (
    Availability,
    AvailabilityStatus,
    Caregiver,
    CareTask,
    Client,
    InfectionStatus,
    Municipality,
    Shift,
    Strict,
    TimeWindow,
    Unit,
)
from beredt.domain.policy import (
    ObjectiveWeights,
    SchedulingRules,
    TriagePolicy,
    default_policy,
)

SCENARIO_FORMAT_VERSION: Literal[1] = 1


@dataclass(frozen=True, slots=True)
class Visit:
    """One occurrence of a care task that is due on a day.

    ``id`` is stable across plans and re-plans: ``<task>@<due date>#<occurrence>``.
    A postponed visit keeps its id when it is planned again on a later day.
    """

    id: str
    client: Client
    task: CareTask
    due_date: dt.date
    occurrence: int

    @property
    def window(self) -> TimeWindow:
        return self.task.windows[self.occurrence]


def visit_id(task_id: str, due_date: dt.date, occurrence: int) -> str:
    return f"{task_id}@{due_date.isoformat()}#{occurrence}"


class Scenario(Strict):
    """Everything the planner needs to plan one or more days for one or more units."""

    format_version: Literal[1] = SCENARIO_FORMAT_VERSION
    name: str = Field(min_length=1)
    municipality: Municipality
    units: list[Unit] = Field(min_length=1)
    start_date: dt.date
    days: int = Field(default=1, ge=1, le=28)
    clients: list[Client] = Field(default_factory=list)
    caregivers: list[Caregiver] = Field(default_factory=list)
    availability: list[Availability] = Field(default_factory=list)
    policy: TriagePolicy = Field(default_factory=default_policy)
    rules: SchedulingRules = Field(default_factory=SchedulingRules)
    objective: ObjectiveWeights = Field(default_factory=ObjectiveWeights)

    # ------------------------------------------------------------------ look-ups

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy whose look-up caches are rebuilt (pydantic would copy them stale)."""
        copy = super().model_copy(update=update, deep=deep)
        for name in _CACHED_LOOKUPS:
            copy.__dict__.pop(name, None)
        return copy

    @property
    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(self.days)]

    @cached_property
    def client_by_id(self) -> dict[str, Client]:
        return {client.id: client for client in self.clients}

    @cached_property
    def caregiver_by_id(self) -> dict[str, Caregiver]:
        return {caregiver.id: caregiver for caregiver in self.caregivers}

    @cached_property
    def unit_by_id(self) -> dict[str, Unit]:
        return {unit.id: unit for unit in self.units}

    @cached_property
    def task_by_id(self) -> dict[str, tuple[Client, CareTask]]:
        return {task.id: (client, task) for client in self.clients for task in client.tasks}

    @cached_property
    def _availability_index(self) -> dict[tuple[str, dt.date], Availability]:
        return {(entry.caregiver, entry.date): entry for entry in self.availability}

    def shift_on(self, caregiver: Caregiver, day: dt.date) -> Shift | None:
        """The shift a caregiver works on ``day``, or ``None`` if they are not working."""
        entry = self._availability_index.get((caregiver.id, day))
        if entry is not None:
            if entry.status is not AvailabilityStatus.PRESENT:
                return None
            return entry.shift or caregiver.shift
        if day.isoweekday() not in caregiver.workdays:
            return None
        return caregiver.shift

    def status_on(self, caregiver: Caregiver, day: dt.date) -> AvailabilityStatus:
        entry = self._availability_index.get((caregiver.id, day))
        if entry is not None:
            return entry.status
        if day.isoweekday() not in caregiver.workdays:
            return AvailabilityStatus.OFF
        return AvailabilityStatus.PRESENT

    def needs_infection_team(self, client: Client, day: dt.date, at: int | None = None) -> bool:
        """True if only the infection team may serve ``client`` on ``day`` (at minute
        ``at``; without it, the status at the start of the day decides)."""
        status = client.infection_status_on(day, at)
        return status is not None and status in self.policy.infection_team_statuses

    def visits_on(self, day: dt.date) -> list[Visit]:
        """Every visit due on ``day`` according to the register, in a stable order."""
        return [
            Visit(visit_id(task.id, day, k), client, task, day, k)
            for client in self.clients
            for task in client.tasks
            if task.is_due(day)
            for k in range(len(task.windows))
        ]

    def visit_by_id(self, vid: str) -> Visit | None:
        """Resolve a visit id (which carries its due date) back to the register."""
        try:
            task_id, rest = vid.rsplit("@", 1)
            date_text, occurrence_text = rest.split("#", 1)
            due = dt.date.fromisoformat(date_text)
            occurrence = int(occurrence_text)
        except ValueError:
            return None
        found = self.task_by_id.get(task_id)
        if found is None:
            return None
        client, task = found
        if not task.is_due(due) or not 0 <= occurrence < len(task.windows):
            return None
        return Visit(vid, client, task, due, occurrence)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: ties a plan to the exact scenario it came from."""
        return hashlib.sha256(self.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()

    # ---------------------------------------------------------------- validation

    def reference_problems(self) -> list[Problem]:
        """Problems that only show when the whole register is seen at once."""
        return list(self._iter_reference_problems())

    def _iter_reference_problems(self) -> Iterator[Problem]:
        yield from _duplicates("units", [u.id for u in self.units])
        yield from _duplicates("clients", [c.id for c in self.clients])
        yield from _duplicates("caregivers", [c.id for c in self.caregivers])
        seen: set[str] = set()
        units = set(self.unit_by_id)
        caregivers = set(self.caregiver_by_id)
        for i, client in enumerate(self.clients):
            where = f"clients[{i}]"
            if client.unit not in units:
                yield Problem(f"{where}.unit", f"unknown unit {client.unit!r}")
            if client.contact_person is not None and client.contact_person not in caregivers:
                yield Problem(
                    f"{where}.contact_person", f"unknown caregiver {client.contact_person!r}"
                )
            for j, known in enumerate(client.recent_caregivers):
                if known not in caregivers:
                    yield Problem(f"{where}.recent_caregivers[{j}]", f"unknown caregiver {known!r}")
            own = {task.id: task for task in client.tasks}
            for j, task in enumerate(client.tasks):
                if task.id in seen:
                    yield Problem(f"{where}.tasks[{j}].id", f"task id {task.id!r} is used twice")
                seen.add(task.id)
                yield from dependency_problems(f"{where}.tasks[{j}]", task, own)
            for j, relative in enumerate(client.relatives):
                for k, agreed in enumerate(relative.agreed_tasks):
                    if agreed not in own:
                        yield Problem(
                            f"{where}.relatives[{j}].agreed_tasks[{k}]",
                            f"task {agreed!r} is not one of this client's tasks",
                        )
        for i, caregiver in enumerate(self.caregivers):
            if caregiver.home_unit not in units:
                yield Problem(f"caregivers[{i}].home_unit", f"unknown unit {caregiver.home_unit!r}")
        for i, entry in enumerate(self.availability):
            if entry.caregiver not in caregivers:
                yield Problem(
                    f"availability[{i}].caregiver", f"unknown caregiver {entry.caregiver!r}"
                )
        yield from _duplicates(
            "availability",
            [f"{entry.caregiver} on {entry.date}" for entry in self.availability],
        )

    def isolated_clients(self, day: dt.date) -> list[Client]:
        return [c for c in self.clients if c.infection_status_on(day) is InfectionStatus.ISOLATED]


_CACHED_LOOKUPS = (
    "client_by_id",
    "caregiver_by_id",
    "unit_by_id",
    "task_by_id",
    "_availability_index",
)


def _duplicates(where: str, keys: list[str]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in first:
            yield Problem(f"{where}[{i}]", f"{key!r} repeats {where}[{first[key]}]")
        else:
            first[key] = i


def dependency_problems(where: str, task: CareTask, own: dict[str, CareTask]) -> Iterator[Problem]:
    """Problems with ``task``'s dependencies on the other tasks ``own`` of its client
    (unknown, itself, or a cycle), each named by its place under ``where``."""
    for k, dependency in enumerate(task.dependencies):
        place = f"{where}.dependencies[{k}].after"
        before = own.get(dependency.after)
        if before is None:
            yield Problem(place, f"task {dependency.after!r} is not one of this client's tasks")
        elif before.id == task.id:
            yield Problem(place, "a task cannot depend on itself")
        elif len(before.windows) != len(task.windows):
            yield Problem(
                place,
                f"task {before.id!r} has {len(before.windows)} windows a day and this task "
                f"{len(task.windows)}; dependent tasks need the same number",
            )
        elif not set(task.weekdays) <= set(before.weekdays):
            yield Problem(place, f"task {before.id!r} is not given on every day this task is")
        elif before.dates is not None and (
            task.dates is None or not set(task.dates) <= set(before.dates)
        ):
            yield Problem(place, f"task {before.id!r} is not given on every date this task is")
