"""Import and export actions: every register export and every applied import goes
through a function here, which checks, writes and records the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beredt.web import access
from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Unit
from beredt.web.transfer import formats
from beredt.web.transfer.models import ImportBatch, ImportStatus
from beredt.web.transfer.registers import (
    CREATE,
    ImportPlan,
    RowError,
    export_rows,
    plan_import,
    write_plan,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_register(
    user: Any, unit: Unit, register: str, file_format: str, *, request: Any = None
) -> ExportFile:
    """The unit's rows of ``register`` as a CSV or XLSX file (never identity numbers)."""
    access.require_read(user, unit)
    spec = formats.REGISTERS[register]
    rows = export_rows(register, unit)
    if file_format == "xlsx":
        content = formats.write_xlsx(spec, rows)
    else:
        content = formats.write_csv(spec, rows)
    record(
        user,
        AuditAction.EXPORT,
        "export",
        register,
        unit=unit.code,
        summary=f"{register} as {file_format}: {len(rows)} rows",
        detail={"register": register, "format": file_format, "rows": len(rows)},
        request=request,
    )
    return ExportFile(
        content,
        f"{unit.code}-{register}-{timezone.localdate().isoformat()}.{file_format}",
        CONTENT_TYPES[file_format],
    )


def read_plan(batch: ImportBatch, user: Any) -> ImportPlan:
    """Parse the batch's file and check every row against the registers as they are now."""
    register = formats.REGISTERS[batch.register]
    try:
        table = formats.read_table(bytes(batch.content), batch.file_format)
    except formats.CellError as exc:
        plan = ImportPlan(register)
        plan.errors.append(RowError(1, None, str(exc)))
        return plan
    return plan_import(batch.register, table, user, batch.unit)


def upload_import(
    user: Any, unit: Unit, register: str, file_name: str, content: bytes
) -> tuple[ImportBatch, ImportPlan]:
    """Keep an uploaded file as a batch and check it. A file with any error is stored as
    ``failed`` (it can never be applied); otherwise it waits, ``pending``, for apply."""
    access.require_edit(user, unit)
    if register not in formats.REGISTERS:
        raise ValueError(f"unknown register {register!r}")
    batch = ImportBatch(
        unit=unit,
        register=register,
        file_name=file_name[:200],
        file_format=formats.detect_format(file_name, content),
        content=content,
        created_by=user,
        created_by_name=user.username,
    )
    plan = read_plan(batch, user)
    batch.counts = plan.counts
    if plan.errors:
        batch.status = ImportStatus.FAILED
        batch.message = _("%(n)d errors in the file") % {"n": len(plan.errors)}
    batch.save()
    return batch, plan


class ImportRefused(Exception):
    """The batch cannot be applied (not pending, or its rows no longer check out)."""

    def __init__(self, message: str, plan: ImportPlan | None = None) -> None:
        super().__init__(message)
        self.plan = plan


def _record_rows(plan: ImportPlan, user: Any, batch: ImportBatch, request: Any) -> None:
    """One audit entry per row written, as the register pages write for a form: which
    row, created or changed, and the names of the changed columns (never their values)."""
    for row in plan.changed_rows:
        created = row.action == CREATE
        record(
            user,
            AuditAction.CREATE if created else AuditAction.CHANGE,
            f"import.{batch.register}",
            row.key,
            unit=batch.unit.code,
            summary=f"{batch.register} row {row.row} {'created' if created else 'changed'} "
            f"by import {batch.pk}",
            detail={"import": batch.pk, "fields": sorted({c.column for c in row.changes})},
            request=request,
        )


def apply_import(batch: ImportBatch, user: Any, *, request: Any = None) -> ImportPlan:
    """Check the batch again and write all its rows, or none. Raises ``ImportRefused``
    (the batch is then ``failed``, and nothing was written) if any row has an error."""
    access.require_edit(user, batch.unit)
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != ImportStatus.PENDING:
                raise ImportRefused(_("this import is %(status)s") % {"status": locked.status})
            plan = read_plan(locked, user)
            if plan.errors:
                raise ImportRefused(_("the file no longer checks out"), plan)
            write_plan(plan, user, locked.unit)
            counts = plan.counts
            _finish(locked, user, ImportStatus.APPLIED, counts=counts)
            record(
                user,
                AuditAction.IMPORT,
                "import",
                str(locked.pk),
                unit=locked.unit.code,
                summary=_summary(locked.register, counts),
                detail={"register": locked.register, "file_name": locked.file_name, **counts},
                request=request,
            )
            _record_rows(plan, user, locked, request)
    except ImportRefused as exc:
        if exc.plan is not None:
            _fail(batch, user, str(exc), exc.plan.counts)
        raise
    except DatabaseError as exc:
        _fail(batch, user, _("the database refused the import: %(error)s") % {"error": exc}, None)
        raise ImportRefused(str(exc)) from exc
    batch.refresh_from_db()
    return plan


def discard_import(batch: ImportBatch, user: Any) -> None:
    access.require_edit(user, batch.unit)
    if batch.status != ImportStatus.PENDING:
        raise PermissionDenied("only a pending import can be discarded")
    _finish(batch, user, ImportStatus.DISCARDED)


def _finish(
    batch: ImportBatch, user: Any, status: Any, *, counts: dict[str, int] | None = None
) -> None:
    batch.status = status
    batch.finished_by = user
    batch.finished_at = timezone.now()
    batch.content = b""  # the data is in the registers now (or was not wanted)
    if counts is not None:
        batch.counts = counts
    batch.save()


def _fail(batch: ImportBatch, user: Any, message: str, counts: dict[str, int] | None) -> None:
    batch.refresh_from_db()
    if batch.status != ImportStatus.PENDING:
        return
    batch.status = ImportStatus.FAILED
    batch.message = message[:2000]
    batch.finished_by = user
    batch.finished_at = timezone.now()
    if counts is not None:
        batch.counts = counts
    batch.save()


def _summary(register: str, counts: dict[str, int]) -> str:
    return (
        f"{register}: {counts['create']} created, {counts['change']} changed, "
        f"{counts['unchanged']} unchanged"
    )
