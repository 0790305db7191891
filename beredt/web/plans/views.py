"""Plan pages (to be filled in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def today(request: HttpRequest, unit: str) -> HttpResponse:
    return HttpResponse(f"today {unit}")


def my_route(request: HttpRequest) -> HttpResponse:
    return HttpResponse("my route")
