"""Register actions: every change of client data goes through a function here that
validates, writes and records the audit log. Views stay thin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Availability, Caregiver, Client, InfectionPeriod


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
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
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
                "recorded_by": user if getattr(user, "is_authenticated", False) else None,
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
