"""User administration (administrators only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def user_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("users")


def user_create(request: HttpRequest) -> HttpResponse:
    return HttpResponse("new user")


def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("edit user")
