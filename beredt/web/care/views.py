"""Register pages (to be filled in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def client_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("clients")


def caregiver_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("caregivers")
