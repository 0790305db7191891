"""Register actions: every change of client data goes through a function here that
validates, writes and records the audit log. Views stay thin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from beredt.domain.model import CareTask as DomainTask
from beredt.domain.policy import TriagePolicy
from beredt.web.audit.log import acting_user, record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import (
    Availability,
    Caregiver,
    CareTask,
    Client,
    InfectionPeriod,
    Municipality,
    PolicySetting,
    Relative,
    Unit,
)
from beredt.web.care.scenario import task_values

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def set_infection_status(
    client: Client,
    status: str | None,
    since: dt.date,
    user: Any,
    *,
    since_time: dt.time | None = None,
    until: dt.date | None = None,
    request: Any = None,
) -> InfectionPeriod | None:
    """From ``since`` (at ``since_time``) the client's status is ``status`` (``None``:
    no infection status). A period in force at ``since`` ends there; nothing is deleted,
    so the history stays readable."""
    if until is not None and until < since:
        raise ValidationError({"until": f"until {until} is before from {since}"})
    ended = []
    for period in client.infection_periods.select_for_update().order_by("since", "pk"):
        if period.since > since or (period.until is not None and period.until < since):
            continue  # over before, or a later dated status that stays as planned
        # In force at `since`: it ends. Where it would still cover `since` (it began that
        # day, or the new status begins during the day), the newer period wins by order.
        same_day = since_time is not None or period.since == since
        period.until = since if same_day else since - dt.timedelta(days=1)
        period.save(update_fields=["until"])
        ended.append(period.pk)
    new = None
    if status:
        new = InfectionPeriod.objects.create(
            client=client,
            status=status,
            since=since,
            since_time=since_time,
            until=until,
            recorded_by=acting_user(user),
        )
    record(
        user,
        AuditAction.CHANGE,
        "client.infection",
        client.code,
        unit=client.unit.code,
        summary=f"infection status {status or 'none'} from {since}",
        detail={
            "status": status,
            "since": since.isoformat(),
            "since_time": since_time.isoformat() if since_time else None,
            "until": until.isoformat() if until else None,
            "ended_periods": ended,
        },
        request=request,
    )
    return new


@transaction.atomic
def set_availability(
    caregiver: Caregiver,
    date: dt.date,
    status: str,
    user: Any,
    *,
    shift_start: dt.time | None = None,
    shift_end: dt.time | None = None,
    note: str = "",
    request: Any = None,
) -> Availability | None:
    """The caregiver's status on ``date``. ``present`` with no shift of its own removes
    the day's row (they work their usual shift). Returns the row, or ``None``."""
    if (shift_start is None) != (shift_end is None):
        raise ValidationError({"shift_end": "give both shift start and end, or neither"})
    if shift_start is not None and shift_end is not None and shift_end <= shift_start:
        raise ValidationError(
            {"shift_end": f"shift end {shift_end} is not after start {shift_start}"}
        )
    row = Availability.objects.filter(caregiver=caregiver, date=date).first()
    before = row.status if row else "present"
    if status == "present" and shift_start is None:
        if row is not None:
            row.delete()
        row = None
    else:
        row, _ = Availability.objects.update_or_create(
            caregiver=caregiver,
            date=date,
            defaults={
                "status": status,
                "shift_start": shift_start,
                "shift_end": shift_end,
                "note": note,
                "recorded_by": acting_user(user),
            },
        )
    if before != status or shift_start is not None:
        record(
            user,
            AuditAction.CHANGE,
            "caregiver.availability",
            caregiver.code,
            unit=caregiver.home_unit.code,
            summary=f"{date}: {before} → {status}",
            detail={"date": date.isoformat(), "before": before, "after": status},
            request=request,
        )
    return row


# ----------------------------------------------------------------- register editing
#
# The functions below take values a form has already cleaned; they validate again at
# the model (``full_clean``), write, and record one audit entry naming the fields that
# changed (never their values: those may be health data or identity numbers).

_SENSITIVE = frozenset({"national_id"})


def _assign(row: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Set ``fields`` of ``row`` from ``data``; the names of the fields that changed."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        field = row._meta.get_field(name)
        value = data[name]
        if field.many_to_one:
            before = getattr(row, field.attname)
            after = value.pk if value is not None else None
        else:
            before, after = getattr(row, name), value
        if before != after:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _fresh(model: type[M], row: M | None) -> M:
    """The row as stored (a form may have changed the instance it was given)."""
    if row is None or row.pk is None:
        return model()
    return model.objects.select_for_update().get(pk=row.pk)


def _m2m_changed(row: models.Model, name: str, values: Iterable[models.Model]) -> bool:
    manager = getattr(row, name)
    new = {v.pk for v in values}
    if set(manager.values_list("pk", flat=True)) == new:
        return False
    manager.set(list(new))
    return True


def _audit_detail(changed: list[str]) -> dict[str, Any]:
    detail: dict[str, Any] = {"fields": [f for f in changed if f not in _SENSITIVE]}
    if any(f in _SENSITIVE for f in changed):
        detail["identity_number_changed"] = True
    return detail


def _record_saved(
    user: Any,
    creating: bool,
    object_type: str,
    object_id: str,
    unit: str,
    what: str,
    changed: list[str],
    request: Any,
    verbs: tuple[str, str] = ("created", "changed"),
) -> None:
    """The audit entry of a saved register row: created or changed, and which fields."""
    record(
        user,
        AuditAction.CREATE if creating else AuditAction.CHANGE,
        object_type,
        object_id,
        unit=unit,
        summary=f"{what} {verbs[0] if creating else verbs[1]}",
        detail=_audit_detail(changed),
        request=request,
    )


def record_view(
    user: Any,
    object_type: str,
    object_id: str = "",
    *,
    unit: str = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
    request: Any = None,
) -> None:
    """A page showed client data to ``user``."""
    record(
        user,
        AuditAction.VIEW,
        object_type,
        object_id,
        unit=unit,
        summary=summary,
        detail=detail,
        request=request,
    )


UNIT_FIELDS = ("office_address", "office_lat", "office_lon")


@transaction.atomic
def save_unit(unit: Unit, data: Mapping[str, Any], user: Any, *, request: Any = None) -> Unit:
    row = _fresh(Unit, unit)
    changed = _assign(row, data, UNIT_FIELDS)
    if changed:
        row.full_clean()
        row.save(update_fields=changed)
        record(
            user,
            AuditAction.CHANGE,
            "unit",
            row.code,
            unit=row.code,
            summary=f"unit {row.code}: {', '.join(changed)}",
            detail=_audit_detail(changed),
            request=request,
        )
    return row


CLIENT_FIELDS = (
    "code",
    "name",
    "address",
    "lat",
    "lon",
    "phone",
    "can_use_phone",
    "language",
    "vulnerability",
    "special_needs",
    "key_notes",
    "national_id",
    "contact_person",
)


@transaction.atomic
def save_client(
    client: Client | None,
    data: Mapping[str, Any],
    user: Any,
    *,
    unit: Unit | None = None,
    request: Any = None,
) -> Client:
    """Create a client in ``unit`` (``client`` None) or change one. ``data`` holds
    :data:`CLIENT_FIELDS` and optionally ``recent_caregivers``. The code of an existing
    client does not change: plans and audit entries refer to it."""
    row = _fresh(Client, client)
    creating = row.pk is None
    if creating:
        if unit is None:
            raise ValueError("a new client needs a unit")
        row.unit = unit
    fields = CLIENT_FIELDS if creating else CLIENT_FIELDS[1:]
    changed = _assign(row, data, fields)
    if not creating and not changed and "recent_caregivers" not in data:
        return row
    row.full_clean()
    row.save()
    if "recent_caregivers" in data and _m2m_changed(
        row, "recent_caregivers", data["recent_caregivers"]
    ):
        changed.append("recent_caregivers")
    if creating or changed:
        _record_saved(
            user,
            creating,
            "client",
            row.code,
            row.unit.code,
            f"client {row.code}",
            changed,
            request,
        )
    return row


@transaction.atomic
def set_client_active(client: Client, active: bool, user: Any, *, request: Any = None) -> Client:
    """Deactivate (or reactivate) a client: an inactive client keeps its history and
    audit trail but is left out of plans. Clients are never deleted."""
    row = _fresh(Client, client)
    if row.active != active:
        row.active = active
        row.save(update_fields=["active"])
        record(
            user,
            AuditAction.CHANGE,
            "client",
            row.code,
            unit=row.unit.code,
            summary=f"client {row.code} {'reactivated' if active else 'deactivated'}",
            detail={"fields": ["active"], "active": active},
            request=request,
        )
    return row


def deactivate_client(client: Client, user: Any, *, request: Any = None) -> Client:
    return set_client_active(client, False, user, request=request)


@transaction.atomic
def save_task(
    task: CareTask | None,
    client: Client,
    domain: DomainTask,
    user: Any,
    *,
    active: bool = True,
    request: Any = None,
) -> CareTask:
    """Create or change a care task from a validated domain task (so the domain's rules
    on windows, weekdays and dates have already held)."""
    row = _fresh(CareTask, task)
    creating = row.pk is None
    values = task_values(domain) | {"active": active}
    if creating:
        row.client = client
    else:
        values.pop("code")  # dependencies and plans refer to it
    changed = _assign(row, values, values)
    if creating or changed:
        row.full_clean()
        row.save()
        _record_saved(
            user,
            creating,
            "client.task",
            row.code,
            client.unit.code,
            f"care task {row.code} of {client.code}",
            changed,
            request,
        )
    return row


CAREGIVER_FIELDS = (
    "code",
    "name",
    "phone",
    "competence",
    "skills",
    "medication_delegation",
    "employment_fraction",
    "other_workplaces",
    "infection_team",
    "redeployed_from",
    "transport",
    "shift_start",
    "shift_end",
    "max_work_minutes",
    "break_window_start",
    "break_window_end",
    "break_minutes",
    "workdays",
    "active",
)


@transaction.atomic
def save_caregiver(
    caregiver: Caregiver | None,
    data: Mapping[str, Any],
    user: Any,
    *,
    unit: Unit | None = None,
    request: Any = None,
) -> Caregiver:
    row = _fresh(Caregiver, caregiver)
    creating = row.pk is None
    if creating:
        if unit is None:
            raise ValueError("a new caregiver needs a home unit")
        row.home_unit = unit
    fields = CAREGIVER_FIELDS if creating else CAREGIVER_FIELDS[1:]
    changed = _assign(row, data, fields)
    if creating or changed:
        row.full_clean()
        row.save()
        _record_saved(
            user,
            creating,
            "caregiver",
            row.code,
            row.home_unit.code,
            f"caregiver {row.code}",
            changed,
            request,
        )
    return row


def _relative_id(relative: Relative) -> str:
    return f"{relative.client.code}/relative/{relative.pk}"


@transaction.atomic
def save_relative(
    relative: Relative | None,
    client: Client,
    data: Mapping[str, Any],
    user: Any,
    *,
    request: Any = None,
) -> Relative:
    """Add or change a relative. ``agreed_tasks`` must be tasks of the same client."""
    agreed = list(data.get("agreed_tasks", []))
    foreign = [t.code for t in agreed if t.client_id != client.pk]
    if foreign:
        raise ValidationError(
            {"agreed_tasks": f"not tasks of client {client.code}: {', '.join(foreign)}"}
        )
    row = _fresh(Relative, relative)
    creating = row.pk is None
    if creating:
        row.client = client
    changed = _assign(row, data, ("name", "relation", "phone"))
    if creating or changed:
        row.full_clean()
        row.save()
    if _m2m_changed(row, "agreed_tasks", agreed):
        changed.append("agreed_tasks")
    if creating or changed:
        _record_saved(
            user,
            creating,
            "client.relative",
            _relative_id(row),
            client.unit.code,
            f"relative of {client.code}",
            changed,
            request,
            verbs=("added", "changed"),
        )
    return row


@transaction.atomic
def delete_relative(relative: Relative, user: Any, *, request: Any = None) -> None:
    client = relative.client
    object_id = _relative_id(relative)
    relative.delete()
    record(
        user,
        AuditAction.DELETE,
        "client.relative",
        object_id,
        unit=client.unit.code,
        summary=f"relative of {client.code} removed",
        request=request,
    )


@dataclass(frozen=True)
class AvailabilityChange:
    """One row of the "who is absent" checklist that the planner changed."""

    caregiver: Caregiver
    status: str
    shift_start: dt.time | None = None
    shift_end: dt.time | None = None
    note: str = ""


@transaction.atomic
def set_availability_many(
    date: dt.date, changes: Iterable[AvailabilityChange], user: Any, *, request: Any = None
) -> int:
    """Save a whole checklist at once: all rows or none. Returns how many changed."""
    count = 0
    for change in changes:
        set_availability(
            change.caregiver,
            date,
            change.status,
            user,
            shift_start=change.shift_start,
            shift_end=change.shift_end,
            note=change.note,
            request=request,
        )
        count += 1
    return count


@transaction.atomic
def save_policy(
    municipality: Municipality, policy: TriagePolicy, user: Any, *, request: Any = None
) -> PolicySetting:
    """Store the municipality's triage policy (validated again by the domain model)."""
    data = TriagePolicy.model_validate(policy.model_dump(mode="json")).model_dump(mode="json")
    setting = PolicySetting.objects.select_for_update().filter(municipality=municipality).first()
    before = setting.policy if setting else None
    if setting is None:
        setting = PolicySetting(municipality=municipality, policy=data)
    setting.policy = data
    setting.updated_by = acting_user(user)
    setting.save()
    changed_classes = []
    if before:
        old = {r.get("priority_class"): r for r in before.get("classes", [])}
        changed_classes = [
            r["priority_class"] for r in data["classes"] if old.get(r["priority_class"]) != r
        ]
    record(
        user,
        AuditAction.CHANGE,
        "policy",
        municipality.code,
        summary=f"triage policy of {municipality.code} saved",
        detail={
            "classes_changed": changed_classes,
            "escalate_overdue_to_class": data["escalate_overdue_to_class"],
        },
        request=request,
    )
    return setting
