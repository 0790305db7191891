"""User administration: administrators create users, set roles and passwords, unlock."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beredt.web.access import roles_required
from beredt.web.accounts.forms import UserForm
from beredt.web.accounts.models import Role, User
from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction


@roles_required(Role.ADMINISTRATOR)
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("unit", "municipality").order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    role = request.GET.get("role", "")
    if role:
        users = users.filter(role=role)
    return render(
        request,
        "accounts/user_list.html",
        {"users": users, "q": query, "role": role, "roles": Role.choices()},
    )


def _save(request: HttpRequest, form: UserForm, created: bool) -> HttpResponse:
    user = form.save()
    record(
        request.user,
        AuditAction.CREATE if created else AuditAction.CHANGE,
        "user",
        user.username,
        unit=user.unit.code if user.unit else "",
        summary=f"role {user.role}",
        detail={"fields": sorted(f for f in form.changed_data if f != "password")},
        request=request,
    )
    messages.success(request, _("User %(name)s saved.") % {"name": user.username})
    return redirect("user-list")


@roles_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, created=True)
    return render(request, "accounts/user_form.html", {"form": form, "new": True})


@roles_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    if request.method == "POST" and "unlock" in request.POST:
        axes_reset(username=user.username)
        record(request.user, AuditAction.CHANGE, "user", user.username, summary="unlocked")
        messages.success(request, _("Login lock lifted for %(name)s.") % {"name": user.username})
        return redirect("user-edit", pk=pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, created=False)
    return render(request, "accounts/user_form.html", {"form": form, "new": False, "subject": user})
