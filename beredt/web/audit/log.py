"""Write audit entries. Every action that reads or changes client data, plans or notices
calls :func:`record` (views that only read call it too)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest

from beredt.web.audit.models import AuditEntry

SENSITIVE_FIELDS = frozenset({"national_id", "password"})
_ID_NUMBER = re.compile(r"\b\d{11,12}\b")


def scrub(value: Any) -> Any:
    """Drop sensitive fields and mask anything that looks like an identity number."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k not in SENSITIVE_FIELDS}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return _ID_NUMBER.sub("[id]", value)
    return value


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def acting_user(user: Any) -> Any:
    """``user`` if logged in, else ``None`` (jobs, commands and the system act for no one)."""
    return user if getattr(user, "is_authenticated", False) else None


def record(
    user: Any,
    action: Any,
    object_type: str,
    object_id: str = "",
    *,
    unit: str = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry: ``user`` did ``action`` to ``object_type`` ``object_id``."""
    return AuditEntry.objects.create(
        user=acting_user(user),
        username=getattr(user, "username", "") or ("system" if user is None else "anonymous"),
        action=str(action),
        object_type=object_type,
        object_id=str(object_id)[:200],
        unit=unit,
        summary=scrub(summary)[:300],
        detail=scrub(detail or {}),
        ip=_client_ip(request),
    )
