"""Notice actions: keep the notices in step with the published plan, record calls, close
by hand, and the look-ups the call list and the oversight pages use.

Every state change writes the audit log (object ``notice``, id ``<client code>/<date>``).
What changes for a client is :func:`beredt.notices.client_changes` — the comparison is
with the client's normal care, so a decision a re-plan reverses drops out by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from beredt.notices import client_changes
from beredt.web.audit.log import acting_user, record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Caregiver, Client, Municipality, Unit
from beredt.web.notices.models import CallAttempt, ChangeKind, Notice, NoticeState, Outcome
from beredt.web.plans.models import PlanVersion


@dataclass
class SyncResult:
    """What :func:`sync_notices` did: counts, and the notices the clients must now hear
    about (created, or given a new revision)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0


RESTORED = str(ChangeKind.RESTORED)
REACHED, REFUSED = str(Outcome.REACHED), str(Outcome.REFUSED)


def _audit(
    notice: Notice,
    user: Any,
    action: Any,
    summary: str,
    request: HttpRequest | None,
    **detail: Any,
) -> None:
    record(
        user,
        action,
        "notice",
        f"{notice.client.code}/{notice.date}",
        unit=notice.unit.code,
        summary=summary,
        detail={
            "state": notice.state,
            "revision": notice.revision,
            "kinds": notice.kinds,
            **detail,
        },
        request=request,
    )


def _substance(changes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What the client is told, without the planner's reason: a re-plan that only words
    the reason differently is not a new change to call about."""
    return [(c["kind"], c["visit"], c["from"], c["to"], c["until"]) for c in changes]


def _kinds(changes: list[dict[str, Any]]) -> list[str]:
    return sorted({c["kind"] for c in changes})


def _restored() -> list[dict[str, Any]]:
    return [
        {
            "kind": RESTORED,
            "visit": "",
            "task": "",
            "from": "",
            "to": "",
            "until": None,
            "why": "",
        }
    ]


def _told(notice: Notice) -> bool:
    return notice.told_revision > 0 or notice.state == NoticeState.REACHED


@transaction.atomic
def sync_notices(
    version: PlanVersion, user: Any, *, request: HttpRequest | None = None
) -> SyncResult:
    """Bring the notices of the version's unit and day in step with its plan.

    A changed client without a notice gets an open one. A notice whose changes differ
    gets a new revision and is open again (the client must hear the new change, even if
    reached or closed before). A client with no change any more: a notice never told is
    withdrawn; a told one gets a new revision saying the care is back to normal."""
    unit, day = version.unit, version.date
    now = timezone.now()
    found = client_changes(version.plan, version.scenario, day, settings.BEREDT_NOTICE_MOVE_MARGIN)
    clients = {c.code: c for c in Client.objects.filter(code__in=found)}
    existing = {
        n.client.code: n
        for n in Notice.objects.select_for_update()
        .select_related("client", "unit")
        .filter(Q(unit=unit) | Q(client__code__in=found), date=day)
    }
    result = SyncResult()
    for code, changes in found.items():
        client = clients.get(code)
        if client is None:  # in the plan's scenario, since removed from the register
            continue
        items = [c.to_json() for c in changes]
        notice = existing.pop(code, None)
        if notice is None:
            notice = Notice.objects.create(
                client=client,
                unit=unit,
                date=day,
                version=version,
                kinds=_kinds(items),
                changes=items,
                revised_at=now,
            )
            _audit(notice, user, AuditAction.CREATE, "notice created", request)
            result.created += 1
        elif _substance(notice.changes) != _substance(items):
            _revise(notice, items, version, now)
            _audit(notice, user, AuditAction.CHANGE, f"revision {notice.revision}", request)
            result.updated += 1
        else:
            notice.version, notice.changes = version, items
            notice.save(update_fields=["version", "changes", "updated_at"])
            result.unchanged += 1
    for notice in existing.values():
        if notice.unit_id != unit.pk:
            continue
        if notice.state == NoticeState.OPEN and not _told(notice):
            notice.state, notice.version, notice.retry_at = NoticeState.WITHDRAWN, version, None
            notice.save(update_fields=["state", "version", "retry_at", "updated_at"])
            _audit(notice, user, AuditAction.CHANGE, "withdrawn: change reversed", request)
            result.withdrawn += 1
        elif _told(notice) and notice.kinds != [RESTORED]:
            _revise(notice, _restored(), version, now)
            _audit(notice, user, AuditAction.CHANGE, "care back to normal", request)
            result.updated += 1
        else:  # already withdrawn, closed by hand before anyone was told, or restored
            notice.version = version
            notice.save(update_fields=["version", "updated_at"])
            result.unchanged += 1
    return result


def _revise(
    notice: Notice, items: list[dict[str, Any]], version: PlanVersion, now: dt.datetime
) -> None:
    notice.changes, notice.kinds, notice.version = items, _kinds(items), version
    notice.revision += 1
    notice.revised_at = now
    notice.state = NoticeState.OPEN
    notice.retry_at = None
    notice.refused = False  # the refusal was of the previous revision
    notice.closed_reason = ""
    notice.save()


# ------------------------------------------------------------------ calls


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().select_related("client", "unit").get(pk=notice.pk)


@transaction.atomic
def record_outcome(
    notice: Notice,
    outcome: str,
    user: Any,
    *,
    note: str = "",
    request: HttpRequest | None = None,
) -> Notice:
    """Record one call to the client about the notice's current revision.

    Reached: the notice is done. Left a message or not reached: it stays open and comes
    back on the call list after ``BEREDT_NOTICE_RETRY_MINUTES``. Refused: the client
    was told but refuses the change; the notice stays open and flagged for the planner
    (who acts, then closes it by hand)."""
    if outcome not in Outcome.values:
        raise ValidationError(
            {"outcome": _("Unknown call outcome %(outcome)s.") % {"outcome": outcome}}
        )
    notice = _locked(notice)
    if notice.state != NoticeState.OPEN:
        raise ValidationError(
            _("This notice is %(state)s; there is no one to call about it.")
            % {"state": notice.get_state_display()}
        )
    now = timezone.now()
    CallAttempt.objects.create(
        notice=notice,
        revision=notice.revision,
        outcome=outcome,
        note=note[:300],
        by=acting_user(user),
    )
    notice.attempts += 1
    if outcome in (REACHED, REFUSED):
        notice.told_at, notice.told_revision, notice.retry_at = now, notice.revision, None
        notice.refused = outcome == REFUSED
        if outcome == REACHED:
            notice.state = NoticeState.REACHED
    else:
        notice.retry_at = now + dt.timedelta(minutes=settings.BEREDT_NOTICE_RETRY_MINUTES)
    notice.save()
    _audit(
        notice,
        user,
        AuditAction.CHANGE,
        f"call: {outcome}",
        request,
        outcome=outcome,
        attempts=notice.attempts,
    )
    return notice


@transaction.atomic
def close_by_hand(
    notice: Notice, reason: str, user: Any, *, request: HttpRequest | None = None
) -> Notice:
    """Close an open (or reached) notice without a call; the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for closing the notice by hand.")})
    notice = _locked(notice)
    if notice.state not in (NoticeState.OPEN, NoticeState.REACHED):
        raise ValidationError(
            _("This notice is %(state)s and cannot be closed.")
            % {"state": notice.get_state_display()}
        )
    notice.state, notice.closed_reason, notice.retry_at = NoticeState.CLOSED, reason[:300], None
    notice.save()
    _audit(notice, user, AuditAction.CHANGE, "closed by hand", request, reason=reason[:300])
    return notice


# ------------------------------------------------------------------ look-ups


def _notices() -> QuerySet[Notice]:
    return Notice.objects.select_related("client", "client__contact_person", "unit")


def due_notices(unit: Unit, now: dt.datetime | None = None) -> QuerySet[Notice]:
    """Open notices of ``unit`` to call about now (never called, or due for a retry)."""
    now = now or timezone.now()
    return _notices().filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now), unit=unit, state=NoticeState.OPEN
    )


def waiting_notices(unit: Unit, now: dt.datetime | None = None) -> QuerySet[Notice]:
    """Open notices of ``unit`` waiting for their retry time."""
    now = now or timezone.now()
    return _notices().filter(unit=unit, state=NoticeState.OPEN, retry_at__gt=now)


def caller_of(notice: Notice) -> Caregiver | None:
    """Who should call: the client's contact person if active, else ``None`` (the
    planner)."""
    person = notice.client.contact_person
    return person if person is not None and person.active else None


def overdue_notices(
    municipality: Municipality,
    hours: float | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Notice]:
    """Open notices across the municipality's units whose current revision is older than
    ``hours`` (default ``BEREDT_NOTICE_ALERT_HOURS``), oldest first.

    The age runs from ``revised_at`` — when the client's current change began (creation
    or the last publish that changed it) — not from ``created_at``: a notice reopened
    by a re-plan is a fresh task, and not from ``updated_at``, which every call moves."""
    hours = settings.BEREDT_NOTICE_ALERT_HOURS if hours is None else hours
    now = now or timezone.now()
    return (
        _notices()
        .annotate(opened=Coalesce("revised_at", "created_at"))
        .filter(
            unit__municipality=municipality,
            state=NoticeState.OPEN,
            opened__lte=now - dt.timedelta(hours=hours),
        )
        .order_by("opened", "pk")
    )
