"""Who may see and change what: least privilege by role (DOMAIN.md "Users and roles").

- planner, unit manager: their own unit's registers and plans (read and write);
- crisis team: every unit of their municipality (read), the triage policy (write);
- caregiver: their own published route sheet, nothing else;
- administrator: users and the audit log, no client data;
- survey coordinator: no client data.

Views call these helpers; a denied request raises ``PermissionDenied`` (HTTP 403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from beredt.web.accounts.models import UNIT_ROLES, Role, User
from beredt.web.care.models import Unit

F = TypeVar("F", bound=Callable[..., Any])

CLIENT_DATA_ROLES = frozenset({Role.PLANNER, Role.UNIT_MANAGER, Role.CRISIS_TEAM})
"""Roles that may read the registers (clients, tasks, caregivers) of some unit."""


def role_of(user: Any) -> Role | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def visible_units(user: User) -> QuerySet[Unit]:
    """The units whose client data ``user`` may read."""
    role = role_of(user)
    if role in UNIT_ROLES and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    if role is Role.CRISIS_TEAM and user.municipality_id:
        return Unit.objects.filter(municipality_id=user.municipality_id)
    return Unit.objects.none()


def can_read_unit(user: User, unit: Unit) -> bool:
    return visible_units(user).filter(pk=unit.pk).exists()


def can_edit_unit(user: User, unit: Unit) -> bool:
    """Registers, availability, imports and plans: the unit's own planners and managers."""
    return role_of(user) in UNIT_ROLES and user.unit_id == unit.pk


def can_edit_policy(user: User, municipality_id: int) -> bool:
    role = role_of(user)
    if role is Role.CRISIS_TEAM:
        return user.municipality_id == municipality_id
    if role is Role.UNIT_MANAGER and user.unit_id:
        return user.unit.municipality_id == municipality_id
    return False


def require_read(user: User, unit: Unit) -> None:
    if not can_read_unit(user, unit):
        raise PermissionDenied("no access to this unit")


def require_edit(user: User, unit: Unit) -> None:
    if not can_edit_unit(user, unit):
        raise PermissionDenied("no right to change this unit's data")


def roles_required(*roles: str) -> Callable[[F], F]:
    """View decorator: only users with one of ``roles`` get past (else HTTP 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if role_of(request.user) not in roles:
                raise PermissionDenied("your role does not give access to this page")
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
