from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def audit_log(request: HttpRequest) -> HttpResponse:
    return HttpResponse("audit")


def audit_export(request: HttpRequest) -> HttpResponse:
    return HttpResponse("audit csv")
