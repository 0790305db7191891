"""The start page: sends each role to where its work is."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from beredt.web.access import role_of, visible_units
from beredt.web.accounts.models import Role


def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    units = list(visible_units(request.user))
    if role is Role.CAREGIVER:
        return redirect("my-route")
    if role is Role.ADMINISTRATOR:
        return redirect("audit-log")
    if len(units) == 1:
        return redirect("today", unit=units[0].code)
    return render(
        request, "home.html", {"units": units, "today": timezone.localdate(), "role": role}
    )
