"""The audit log for administrators: search and CSV export (append-only, never edited)."""

from __future__ import annotations

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from beredt.web.access import roles_required
from beredt.web.accounts.models import Role
from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction, AuditEntry

FILTERS = ("username", "action", "object_type", "object_id", "unit")


def _filtered(request: HttpRequest) -> tuple[QuerySet[AuditEntry], dict[str, str]]:
    entries = AuditEntry.objects.all()
    params = {name: request.GET.get(name, "").strip() for name in (*FILTERS, "since", "until")}
    for name in FILTERS:
        if params[name]:
            lookup = "exact" if name == "action" else "icontains"
            entries = entries.filter(**{f"{name}__{lookup}": params[name]})
    for name, lookup in (("since", "gte"), ("until", "lte")):
        if params[name]:
            try:
                day = dt.date.fromisoformat(params[name])
            except ValueError:
                params[name] = ""
                continue
            entries = entries.filter(**{f"at__date__{lookup}": day})
    return entries, params


@roles_required(Role.ADMINISTRATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries, params = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(
        request,
        "audit/log.html",
        {"page": page, "params": params, "actions": AuditAction.choices, "query": query},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@roles_required(Role.ADMINISTRATOR)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    entries, params = _filtered(request)
    record(
        request.user,
        AuditAction.EXPORT,
        "audit",
        summary="audit log CSV",
        detail={k: v for k, v in params.items() if v},
        request=request,
    )
    writer = csv.writer(_Echo())
    header = ["at", "username", "action", "object_type", "object_id", "unit", "summary", "ip"]

    def rows():  # type: ignore[no-untyped-def]
        yield writer.writerow(header)
        for e in entries.iterator(chunk_size=2000):
            at = timezone.localtime(e.at).isoformat(timespec="seconds")
            fields = [at, e.username, e.action, e.object_type, e.object_id, e.unit, e.summary]
            yield writer.writerow([*fields, e.ip or ""])

    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="beredt-audit-{stamp}.csv"'
    return response
