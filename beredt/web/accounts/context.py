"""Template context for the navigation bar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from beredt.web.access import role_of, visible_units
from beredt.web.accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = role_of(getattr(request, "user", None))
    units = list(visible_units(request.user)) if role else []
    return {
        "nav_role": role,
        "nav_units": units,
        "nav_is_admin": role is Role.ADMINISTRATOR,
        "nav_is_caregiver": role is Role.CAREGIVER,
        "LANGUAGES": settings.LANGUAGES,
    }
