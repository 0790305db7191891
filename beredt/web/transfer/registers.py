"""Register rows ⇄ spreadsheet rows: export, validate an upload row by row, and write it.

One adapter per register knows the ORM model and the domain model of its rows. An upload
becomes an :class:`ImportPlan`: for every row what would be created or changed (field:
old → new), or the row's errors naming row number (header = row 1), column and problem.
Nothing here writes the audit log: :mod:`beredt.web.transfer.actions` does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from beredt.domain.clock import format_clock, parse_clock
from beredt.domain.model import (
    Availability as DomainAvailability,
)
from beredt.domain.model import (
    BreakRule,
    Dependency,
    Location,
    Office,
    Shift,
    TimeWindow,
)
from beredt.domain.model import (
    Caregiver as DomainCaregiver,
)
from beredt.domain.model import (
    CareTask as DomainTask,
)
from beredt.domain.model import (
    Client as DomainClient,
)
from beredt.domain.model import (
    InfectionPeriod as DomainInfection,
)
from beredt.domain.model import (
    Relative as DomainRelative,
)
from beredt.domain.model import (
    Unit as DomainUnit,
)
from beredt.domain.scenario import dependency_problems
from beredt.web.access import can_edit_unit
from beredt.web.audit.log import acting_user
from beredt.web.care.models import (
    Availability,
    Caregiver,
    CareTask,
    Client,
    InfectionPeriod,
    Relative,
    Unit,
)
from beredt.web.care.scenario import domain_task, minutes
from beredt.web.transfer import formats
from beredt.web.transfer.formats import REGISTERS, Register, Table

Errors = list[tuple[str, str]]
"""(column, message) pairs for one row."""


# ------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("row %(row)d, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass(frozen=True)
class Change:
    column: str
    old: str
    new: str


CREATE, CHANGE, UNCHANGED = "create", "change", "unchanged"


@dataclass
class RowPlan:
    row: int
    key: str
    action: str
    changes: list[Change]
    values: dict[str, Any]
    instance: Any
    refs: dict[str, Any]


@dataclass
class ImportPlan:
    register: Register
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        actions = [r.action for r in self.rows]
        return {
            CREATE: actions.count(CREATE),
            CHANGE: actions.count(CHANGE),
            UNCHANGED: actions.count(UNCHANGED),
            "errors": len(self.errors),
            "error_rows": len({e.row for e in self.errors}),
        }

    @property
    def changed_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action != UNCHANGED]


# ---------------------------------------------------------------------- the context


class Context:
    """What the rows of one upload are checked against: the user, the unit imported into,
    the register rows in the database, and the rows met earlier in the same file."""

    def __init__(self, user: Any, unit: Unit) -> None:
        self.user = user
        self.unit = unit
        self.file_tasks: dict[str, dict[str, DomainTask]] = {}

    @cached_property
    def units(self) -> dict[str, Unit]:
        return {u.code: u for u in Unit.objects.all()}

    @cached_property
    def clients(self) -> dict[str, Client]:
        return {c.code: c for c in Client.objects.select_related("unit")}

    @cached_property
    def caregivers(self) -> dict[str, Caregiver]:
        return {c.code: c for c in Caregiver.objects.select_related("home_unit")}

    @cached_property
    def tasks(self) -> dict[str, CareTask]:
        return {t.code: t for t in CareTask.objects.select_related("client__unit")}

    def may_edit(self, unit: Unit) -> bool:
        return unit.pk == self.unit.pk and can_edit_unit(self.user, unit)

    def unit_ref(self, code: str, column: str, errors: Errors) -> Unit | None:
        unit = self.units.get(code)
        if unit is None:
            errors.append((column, _("unknown unit code %(code)s") % {"code": code}))
        elif not self.may_edit(unit):
            errors.append((column, _("you may not import into unit %(code)s") % {"code": code}))
            return None
        return unit

    def client_ref(self, code: str, column: str, errors: Errors) -> Client | None:
        client = self.clients.get(code)
        if client is None:
            errors.append((column, _("unknown client code %(code)s") % {"code": code}))
        elif client.unit_id != self.unit.pk:
            errors.append((column, self._elsewhere(_("client"), code)))
            return None
        return client

    def caregiver_ref(self, code: str, column: str, errors: Errors) -> Caregiver | None:
        caregiver = self.caregivers.get(code)
        if caregiver is None:
            errors.append((column, _("unknown caregiver code %(code)s") % {"code": code}))
        elif caregiver.home_unit_id != self.unit.pk:
            errors.append((column, self._elsewhere(_("caregiver"), code)))
            return None
        return caregiver

    def _elsewhere(self, what: str, code: str) -> str:
        return _("%(what)s %(code)s is not in unit %(unit)s") % {
            "what": what,
            "code": code,
            "unit": self.unit.code,
        }

    @cached_property
    def stored_tasks(self) -> dict[int, dict[str, DomainTask]]:
        """Every stored task as the domain sees it, by client, built once per check."""
        by_client: dict[int, dict[str, DomainTask]] = {}
        for task in self.tasks.values():
            try:
                by_client.setdefault(task.client_id, {})[task.code] = domain_task(task)
            except (PydanticError, ValueError):
                continue  # a stored task the domain rejects cannot be depended on
        return by_client

    def client_tasks(self, client: Client) -> dict[str, DomainTask]:
        """The client's tasks as the domain sees them: the database, then this file."""
        return {**self.stored_tasks.get(client.pk, {}), **self.file_tasks.get(client.code, {})}


# ------------------------------------------------------------------ error mapping


def domain_errors(
    build: Callable[[], Any],
    register: Register,
    *,
    paths: dict[str, str] | None = None,
    hints: tuple[tuple[str, str], ...] = (),
    default: str | None = None,
) -> Errors:
    """Build a domain object; its validation errors as (column, message).

    ``paths`` maps a dotted error location (longest prefix wins) to a column; an error
    of the whole object goes to the column a ``hint`` substring names, else to the first
    column its message mentions, else to ``default``."""
    try:
        build()
    except PydanticError as exc:
        return [_domain_error(e, register, paths or {}, hints, default) for e in exc.errors()]
    except ValueError as exc:
        return [(default or register.key[0], str(exc))]
    return []


def _domain_error(
    error: Any,
    register: Register,
    paths: dict[str, str],
    hints: tuple[tuple[str, str], ...],
    default: str | None,
) -> tuple[str, str]:
    message = str(error["msg"]).removeprefix("Value error, ")
    loc = ".".join(str(part) for part in error["loc"])
    for prefix in sorted(paths, key=len, reverse=True):
        if loc == prefix or loc.startswith(prefix + "."):
            return paths[prefix], message
    top = str(error["loc"][0]) if error["loc"] else ""
    if top in register.column_names:
        return top, message
    for needle, column in hints:
        if needle in message:
            return column, message
    for name in register.column_names:
        if re.search(rf"\b{re.escape(name)}\b", message):
            return name, message
    return default or register.key[0], message


def model_errors(
    model: type[models.Model], values: dict[str, Any], columns: dict[str, str] | None = None
) -> Errors:
    """Django's field checks (lengths, choices, validators) on the row's plain fields."""
    instance = model(**values)
    exclude = [f.name for f in model._meta.fields if f.name not in values]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return [
            ((columns or {}).get(name, name), str(messages[0]))
            for name, messages in exc.message_dict.items()
        ]
    return []


def _or_none(value: str | None) -> str | None:
    return value or None


def _clock(value: dt.time | None) -> int | None:
    return None if value is None else minutes(value)


# ------------------------------------------------------------------------- adapters


class Adapter:
    """How one register's rows are read from and written to the database."""

    register: Register

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        raise NotImplementedError

    def values(self, obj: Any) -> dict[str, Any]:
        """The typed value of every column for a stored row."""
        raise NotImplementedError

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        """The stored row the file row's key names, or ``None`` for a new row."""
        raise NotImplementedError

    def normalize(self, values: dict[str, Any]) -> None:
        """Put values in their stored order (sets kept as sorted lists)."""

    def resolve(self, ctx: Context, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
        """The rows the values refer to (unit, client, caregivers, tasks)."""
        return {}

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        """The domain model's and the database's rules for the row."""

    def remember(self, ctx: Context, values: dict[str, Any], refs: dict[str, Any]) -> None:
        """Note a valid row that later rows of the same file may refer to."""

    def write(self, ctx: Context, row: RowPlan) -> None:
        raise NotImplementedError

    def export(self, unit: Unit) -> list[dict[str, Any]]:
        return [self.values(obj) for obj in self.queryset(unit)]


class UnitAdapter(Adapter):
    register = formats.UNITS

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        return Unit.objects.filter(pk=unit.pk)

    def values(self, obj: Unit) -> dict[str, Any]:
        return {
            "code": obj.code,
            "name": obj.name,
            "office_address": obj.office_address,
            "office_lat": obj.office_lat,
            "office_lon": obj.office_lon,
        }

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        code = parsed["code"]
        unit = ctx.units.get(code)
        if unit is None:
            errors.append(
                (
                    "code",
                    _("unknown unit code %(code)s: units are created by an administrator")
                    % {"code": code},
                )
            )
        elif not ctx.may_edit(unit):
            errors.append(("code", _("you may not change unit %(code)s") % {"code": code}))
        return unit

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        errors += domain_errors(
            lambda: DomainUnit(
                id=values["code"],
                name=values["name"],
                office=Office(
                    address=values["office_address"],
                    location=Location(lat=values["office_lat"], lon=values["office_lon"]),
                ),
            ),
            self.register,
            paths={
                "id": "code",
                "address": "office_address",
                "lat": "office_lat",
                "lon": "office_lon",
            },
        )
        errors += model_errors(
            Unit,
            {k: values[k] for k in ("code", "name", "office_address", "office_lat", "office_lon")},
        )

    def write(self, ctx: Context, row: RowPlan) -> None:
        unit = row.instance
        for name in ("name", "office_address", "office_lat", "office_lon"):
            setattr(unit, name, row.values[name])
        unit.save()


class ClientAdapter(Adapter):
    register = formats.CLIENTS
    plain = (
        "code", "name", "address", "lat", "lon", "phone", "can_use_phone", "language",
        "vulnerability", "special_needs", "key_notes", "national_id", "active",
    )  # fmt: skip

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        return (
            Client.objects.filter(unit=unit)
            .select_related("unit", "contact_person")
            .prefetch_related("recent_caregivers")
            .order_by("code")
        )

    def values(self, obj: Client) -> dict[str, Any]:
        values = {name: getattr(obj, name) for name in self.plain}
        values["unit"] = obj.unit.code
        values["contact_person"] = obj.contact_person.code if obj.contact_person else None
        values["recent_caregivers"] = sorted(c.code for c in obj.recent_caregivers.all())
        return values

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        client = ctx.clients.get(parsed["code"])
        if client is not None and client.unit_id != ctx.unit.pk:
            errors.append(("code", ctx._elsewhere(_("client"), parsed["code"])))
        return client

    def normalize(self, values: dict[str, Any]) -> None:
        values["recent_caregivers"] = sorted(set(values["recent_caregivers"]))

    def resolve(self, ctx: Context, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
        refs: dict[str, Any] = {"unit": ctx.unit_ref(values["unit"], "unit", errors)}
        contact = values["contact_person"]
        refs["contact_person"] = (
            ctx.caregiver_ref(contact, "contact_person", errors) if contact else None
        )
        refs["recent_caregivers"] = [
            ctx.caregiver_ref(code, "recent_caregivers", errors)
            for code in values["recent_caregivers"]
        ]
        return refs

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        errors += domain_errors(
            lambda: DomainClient(
                id=values["code"],
                name=values["name"],
                unit=values["unit"],
                address=values["address"],
                location=Location(lat=values["lat"], lon=values["lon"]),
                phone=_or_none(values["phone"]),
                can_use_phone=values["can_use_phone"],
                language=values["language"],
                vulnerability=values["vulnerability"],
                special_needs=values["special_needs"],
                key_notes=values["key_notes"],
                national_id=_or_none(values["national_id"]),
                contact_person=values["contact_person"],
                recent_caregivers=values["recent_caregivers"],
            ),
            self.register,
            paths={"id": "code", "location.lat": "lat", "location.lon": "lon"},
        )
        errors += model_errors(Client, {k: values[k] for k in self.plain})

    def write(self, ctx: Context, row: RowPlan) -> None:
        client = row.instance or Client()
        for name in self.plain:
            setattr(client, name, row.values[name])
        client.unit = row.refs["unit"]
        client.contact_person = row.refs["contact_person"]
        client.save()
        client.recent_caregivers.set(row.refs["recent_caregivers"])


class TaskAdapter(Adapter):
    register = formats.TASKS
    plain = (
        "code", "name", "kind", "service_type", "weekdays", "duration", "competence",
        "medication", "caregivers", "priority_class", "deferral_limit_days",
        "suitable_for_redeployed", "instructions", "active",
    )  # fmt: skip

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        # The order of the care decisions: a dependency's task usually comes first.
        return CareTask.objects.filter(client__unit=unit).select_related("client").order_by("pk")

    def values(self, obj: CareTask) -> dict[str, Any]:
        values = {name: getattr(obj, name) for name in self.plain}
        values["weekdays"] = list(obj.weekdays)
        values["client"] = obj.client.code
        values["dates"] = [dt.date.fromisoformat(d) for d in obj.dates] if obj.dates else None
        values["windows"] = [(parse_clock(s), parse_clock(e)) for s, e in obj.windows]
        values["dependencies"] = [
            (d["after"], d.get("min_gap", 0), d.get("max_gap")) for d in obj.dependencies
        ]
        return values

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        task = ctx.tasks.get(parsed["code"])
        if task is not None and task.client.unit_id != ctx.unit.pk:
            errors.append(("code", ctx._elsewhere(_("task"), parsed["code"])))
        return task

    def normalize(self, values: dict[str, Any]) -> None:
        values["weekdays"] = sorted(values["weekdays"])
        if values["dates"] is not None:
            values["dates"] = sorted(values["dates"])

    def resolve(self, ctx: Context, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
        return {"client": ctx.client_ref(values["client"], "client", errors)}

    def domain(self, values: dict[str, Any]) -> DomainTask:
        return DomainTask(
            id=values["code"],
            name=values["name"],
            kind=values["kind"],
            service_type=values["service_type"],
            weekdays=values["weekdays"],
            dates=values["dates"],
            windows=[TimeWindow(start=s, end=e) for s, e in values["windows"]],
            duration=values["duration"],
            competence=values["competence"],
            medication=values["medication"],
            caregivers=values["caregivers"],
            dependencies=[
                Dependency(after=a, min_gap=lo, max_gap=hi) for a, lo, hi in values["dependencies"]
            ],
            priority_class=values["priority_class"],
            deferral_limit_days=values["deferral_limit_days"],
            suitable_for_redeployed=values["suitable_for_redeployed"],
            instructions=values["instructions"],
        )

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        found = domain_errors(
            lambda: self.domain(values),
            self.register,
            paths={"id": "code"},
            hints=(("ISO weekday", "dates"), ("windows[", "windows")),
        )
        errors += found
        errors += model_errors(CareTask, {k: values[k] for k in self.plain})
        client = refs["client"]
        if not found and client is not None:
            task = self.domain(values)
            own = ctx.client_tasks(client)
            own[task.id] = task
            for problem in dependency_problems("", task, own):
                errors.append(("dependencies", problem.message))

    def remember(self, ctx: Context, values: dict[str, Any], refs: dict[str, Any]) -> None:
        ctx.file_tasks.setdefault(values["client"], {})[values["code"]] = self.domain(values)

    def write(self, ctx: Context, row: RowPlan) -> None:
        task = row.instance or CareTask()
        values = row.values
        for name in self.plain:
            setattr(task, name, values[name])
        task.client = row.refs["client"]
        task.dates = [d.isoformat() for d in values["dates"]] if values["dates"] else None
        task.windows = [[format_clock(s), format_clock(e)] for s, e in values["windows"]]
        task.dependencies = [
            {"after": a, "min_gap": lo, "max_gap": hi} for a, lo, hi in values["dependencies"]
        ]
        task.save()


class CaregiverAdapter(Adapter):
    register = formats.CAREGIVERS
    plain = (
        "code", "name", "phone", "competence", "skills", "medication_delegation",
        "employment_fraction", "other_workplaces", "infection_team", "redeployed_from",
        "transport", "shift_start", "shift_end", "max_work_minutes", "break_window_start",
        "break_window_end", "break_minutes", "workdays", "active",
    )  # fmt: skip

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        return Caregiver.objects.filter(home_unit=unit).select_related("home_unit").order_by("code")

    def values(self, obj: Caregiver) -> dict[str, Any]:
        values = {name: getattr(obj, name) for name in self.plain}
        for name in ("skills", "other_workplaces", "workdays"):
            values[name] = list(values[name])
        values["home_unit"] = obj.home_unit.code
        return values

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        caregiver = ctx.caregivers.get(parsed["code"])
        if caregiver is not None and caregiver.home_unit_id != ctx.unit.pk:
            errors.append(("code", ctx._elsewhere(_("caregiver"), parsed["code"])))
        return caregiver

    def resolve(self, ctx: Context, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
        return {"home_unit": ctx.unit_ref(values["home_unit"], "home_unit", errors)}

    def shift(self, values: dict[str, Any]) -> Shift:
        brk = None
        start, end = values["break_window_start"], values["break_window_end"]
        if start is not None and end is not None and values["break_minutes"]:
            brk = BreakRule(
                window=TimeWindow(start=minutes(start), end=minutes(end)),
                duration=values["break_minutes"],
            )
        return Shift.model_validate(
            {
                "start": minutes(values["shift_start"]),
                "end": minutes(values["shift_end"]),
                "max_work_minutes": values["max_work_minutes"],
                "break": brk,
            }
        )

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        if (values["break_window_start"] is None) != (values["break_window_end"] is None):
            errors.append(
                ("break_window_end", _("give both break window start and end, or neither"))
            )
        shift_errors = domain_errors(
            lambda: self.shift(values),
            self.register,
            paths={
                "break.window": "break_window_end",
                "break.duration": "break_minutes",
                "max_work_minutes": "max_work_minutes",
            },
            hints=(("break", "break_window_start"),),
            default="shift_end",
        )
        errors += shift_errors
        shift = Shift(start=0, end=1) if shift_errors else self.shift(values)
        errors += domain_errors(
            lambda: DomainCaregiver(
                id=values["code"],
                name=values["name"],
                phone=_or_none(values["phone"]),
                competence=values["competence"],
                skills=values["skills"],
                medication_delegation=values["medication_delegation"],
                employment_fraction=values["employment_fraction"],
                other_workplaces=values["other_workplaces"],
                infection_team=values["infection_team"],
                home_unit=values["home_unit"],
                redeployed_from=_or_none(values["redeployed_from"]),
                transport=values["transport"],
                shift=shift,
                workdays=values["workdays"],
            ),
            self.register,
            paths={"id": "code"},
        )
        errors += model_errors(Caregiver, {k: values[k] for k in self.plain})

    def write(self, ctx: Context, row: RowPlan) -> None:
        caregiver = row.instance or Caregiver()
        for name in self.plain:
            setattr(caregiver, name, row.values[name])
        caregiver.home_unit = row.refs["home_unit"]
        caregiver.save()


class AvailabilityAdapter(Adapter):
    register = formats.AVAILABILITY
    plain = ("date", "status", "shift_start", "shift_end", "note")

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        return (
            Availability.objects.filter(caregiver__home_unit=unit)
            .select_related("caregiver")
            .order_by("date", "caregiver__code")
        )

    def values(self, obj: Availability) -> dict[str, Any]:
        values = {name: getattr(obj, name) for name in self.plain}
        values["caregiver"] = obj.caregiver.code
        return values

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        caregiver = ctx.caregiver_ref(parsed["caregiver"], "caregiver", errors)
        if caregiver is None:
            return None
        return Availability.objects.filter(caregiver=caregiver, date=parsed["date"]).first()

    def resolve(self, ctx: Context, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
        return {"caregiver": ctx.caregivers.get(values["caregiver"])}

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        start, end = values["shift_start"], values["shift_end"]
        if (start is None) != (end is None):
            errors.append(("shift_end", _("give both shift start and end, or neither")))
            start = end = None
        errors += domain_errors(
            lambda: DomainAvailability(
                caregiver=values["caregiver"],
                date=values["date"],
                status=values["status"],
                shift=None if start is None else Shift(start=_clock(start), end=_clock(end)),
            ),
            self.register,
            paths={"shift": "shift_end"},
            default="shift_end",
        )
        errors += model_errors(Availability, {k: values[k] for k in self.plain})

    def write(self, ctx: Context, row: RowPlan) -> None:
        entry = row.instance or Availability(caregiver=row.refs["caregiver"])
        for name in self.plain:
            setattr(entry, name, row.values[name])
        entry.recorded_by = acting_user(ctx.user)
        entry.save()


class RelativeAdapter(Adapter):
    register = formats.RELATIVES

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        return (
            Relative.objects.filter(client__unit=unit)
            .select_related("client")
            .prefetch_related("agreed_tasks")
            .order_by("client__code", "pk")
        )

    def values(self, obj: Relative) -> dict[str, Any]:
        return {
            "client": obj.client.code,
            "name": obj.name,
            "relation": obj.relation,
            "phone": obj.phone,
            "agreed_tasks": sorted(t.code for t in obj.agreed_tasks.all()),
        }

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        client = ctx.client_ref(parsed["client"], "client", errors)
        if client is None:
            return None
        return Relative.objects.filter(client=client, name=parsed["name"]).order_by("pk").first()

    def normalize(self, values: dict[str, Any]) -> None:
        values["agreed_tasks"] = sorted(set(values["agreed_tasks"]))

    def resolve(self, ctx: Context, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
        client = ctx.clients[values["client"]]
        tasks = []
        for code in values["agreed_tasks"]:
            task = ctx.tasks.get(code)
            if task is None or task.client_id != client.pk:
                errors.append(
                    (
                        "agreed_tasks",
                        _("task %(code)s is not one of client %(client)s's tasks")
                        % {"code": code, "client": client.code},
                    )
                )
            else:
                tasks.append(task)
        return {"client": client, "agreed_tasks": tasks}

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        errors += domain_errors(
            lambda: DomainRelative(
                name=values["name"],
                relation=values["relation"],
                phone=_or_none(values["phone"]),
                agreed_tasks=values["agreed_tasks"],
            ),
            self.register,
        )
        errors += model_errors(Relative, {k: values[k] for k in ("name", "relation", "phone")})

    def write(self, ctx: Context, row: RowPlan) -> None:
        relative = row.instance or Relative(client=row.refs["client"])
        for name in ("name", "relation", "phone"):
            setattr(relative, name, row.values[name])
        relative.save()
        relative.agreed_tasks.set(row.refs["agreed_tasks"])


class InfectionAdapter(Adapter):
    register = formats.INFECTION

    def queryset(self, unit: Unit) -> models.QuerySet[Any]:
        return (
            InfectionPeriod.objects.filter(client__unit=unit)
            .select_related("client")
            .order_by("client__code", "since", "pk")
        )

    def values(self, obj: InfectionPeriod) -> dict[str, Any]:
        return {
            "client": obj.client.code,
            "status": obj.status,
            "from": obj.since,
            "from_time": obj.since_time,
            "until": obj.until,
        }

    def locate(self, ctx: Context, parsed: dict[str, Any], errors: Errors) -> Any:
        client = ctx.client_ref(parsed["client"], "client", errors)
        if client is None:
            return None
        return (
            InfectionPeriod.objects.filter(
                client=client,
                status=parsed["status"],
                since=parsed["from"],
                since_time=parsed.get("from_time"),
            )
            .order_by("pk")
            .first()
        )

    def resolve(self, ctx: Context, values: dict[str, Any], errors: Errors) -> dict[str, Any]:
        return {"client": ctx.clients[values["client"]]}

    def check(
        self, ctx: Context, values: dict[str, Any], refs: dict[str, Any], errors: Errors
    ) -> None:
        errors += domain_errors(
            lambda: DomainInfection(
                status=values["status"],
                since=values["from"],
                since_time=_clock(values["from_time"]),
                until=values["until"],
            ),
            self.register,
            paths={"since": "from", "since_time": "from_time"},
            default="until",
        )
        errors += model_errors(
            InfectionPeriod,
            {
                "status": values["status"],
                "since": values["from"],
                "since_time": values["from_time"],
                "until": values["until"],
            },
            {"since": "from", "since_time": "from_time"},
        )

    def write(self, ctx: Context, row: RowPlan) -> None:
        period = row.instance or InfectionPeriod(
            client=row.refs["client"],
            status=row.values["status"],
            since=row.values["from"],
            since_time=row.values["from_time"],
            recorded_by=acting_user(ctx.user),
        )
        period.until = row.values["until"]
        period.save()


ADAPTERS: dict[str, Adapter] = {
    a.register.name: a
    for a in (
        UnitAdapter(),
        ClientAdapter(),
        TaskAdapter(),
        CaregiverAdapter(),
        AvailabilityAdapter(),
        RelativeAdapter(),
        InfectionAdapter(),
    )
}
assert set(ADAPTERS) == set(REGISTERS)


# ---------------------------------------------------------------- export and import


def export_rows(register_name: str, unit: Unit) -> list[dict[str, str]]:
    """The unit's rows of the register as cell text (no national identity numbers)."""
    adapter = ADAPTERS[register_name]
    return [formats.format_row(adapter.register, values) for values in adapter.export(unit)]


def header_errors(register: Register, header: list[str]) -> list[RowError]:
    errors = []
    known = set(register.column_names)
    seen: set[str] = set()
    for name in header:
        if not name:
            errors.append(RowError(1, None, _("a column has no header name")))
        elif name not in known:
            errors.append(
                RowError(
                    1,
                    name,
                    _("unknown column; the columns of %(register)s are: %(columns)s")
                    % {"register": register.name, "columns": ", ".join(register.column_names)},
                )
            )
        elif name in seen:
            errors.append(RowError(1, name, _("the column appears twice")))
        seen.add(name)
    for column in register.columns:
        if column.required and column.name not in seen:
            errors.append(RowError(1, column.name, _("required column is missing")))
    return errors


def plan_import(register_name: str, table: Table, user: Any, unit: Unit) -> ImportPlan:
    """Check every row of ``table`` against the domain rules and the database, and work
    out what applying it would create and change. Writes nothing."""
    register = REGISTERS[register_name]
    adapter = ADAPTERS[register_name]
    plan = ImportPlan(register)
    plan.errors = header_errors(register, table.header)
    if plan.errors:
        return plan
    ctx = Context(user, unit)
    seen: dict[tuple[Any, ...], int] = {}
    for number, cells in table.rows:
        errors: Errors = []
        row = _plan_row(adapter, ctx, table.header, cells, seen, number, errors)
        if errors:
            plan.errors.extend(RowError(number, column, message) for column, message in errors)
        elif row is not None:
            plan.rows.append(row)
    return plan


def _parse_cells(
    register: Register, header: list[str], cells: list[str], errors: Errors
) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for index, name in enumerate(header):
        column = register.column(name)
        text = cells[index] if index < len(cells) else ""
        if not text.strip():
            if column.required:
                errors.append((name, _("a value is required")))
                continue
            if column.keep_if_blank:
                continue
        try:
            parsed[name] = column.parse(text)
        except formats.CellError as exc:
            errors.append((name, str(exc)))
    if any(c.strip() for c in cells[len(header) :]):
        errors.append(("", _("the row has more cells than the header has columns")))
    return parsed


def _plan_row(
    adapter: Adapter,
    ctx: Context,
    header: list[str],
    cells: list[str],
    seen: dict[tuple[Any, ...], int],
    number: int,
    errors: Errors,
) -> RowPlan | None:
    register = adapter.register
    parsed = _parse_cells(register, header, cells, errors)
    if errors:
        return None
    key = tuple(parsed.get(name) for name in register.key)
    shown = " / ".join(
        register.column(name).format(value) for name, value in zip(register.key, key, strict=True)
    )
    if key in seen:
        errors.append(
            (
                register.key[0],
                _("duplicate %(key)s: also in row %(row)d") % {"key": shown, "row": seen[key]},
            )
        )
        return None
    seen[key] = number
    instance = adapter.locate(ctx, parsed, errors)
    if errors:
        return None
    old = adapter.values(instance) if instance is not None else None
    base = dict(old) if old is not None else {c.name: c.parse("") for c in register.columns}
    values = {**base, **parsed}
    adapter.normalize(values)
    refs = adapter.resolve(ctx, values, errors)
    if errors:
        return None
    adapter.check(ctx, values, refs, errors)
    if errors:
        return None
    adapter.remember(ctx, values, refs)
    changes = []
    for column in register.columns:
        if column.name not in parsed:
            continue
        before = None if old is None else old.get(column.name)
        if old is not None and before == values[column.name]:
            continue
        old_text, new_text = column.format(before), column.format(values[column.name])
        if old is None and not new_text:
            continue
        if column.sensitive:
            old_text, new_text = ("•••" if old_text else ""), "•••"
        changes.append(Change(column.name, old_text, new_text))
    action = CREATE if instance is None else (CHANGE if changes else UNCHANGED)
    return RowPlan(number, shown, action, changes, values, instance, refs)


def write_plan(plan: ImportPlan, user: Any, unit: Unit) -> None:
    """Write the plan's created and changed rows. The caller holds the transaction."""
    adapter = ADAPTERS[plan.register.name]
    ctx = Context(user, unit)
    for row in plan.changed_rows:
        adapter.write(ctx, row)
