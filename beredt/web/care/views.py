"""Register pages: units, clients, care tasks, caregivers, relatives, the daily
"who is absent" checklist and the triage policy.

Views are thin: they find the object among the units the user may see (else 404, so
that other units' clients do not even show they exist), check the right to change it
(else 403), parse the form and call a function of :mod:`beredt.web.care.actions`,
which writes and records the audit log. Pages that show client data record a VIEW.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from beredt.web import access
from beredt.web.care import actions, forms
from beredt.web.care.models import (
    Availability,
    Caregiver,
    CareTask,
    Client,
    Municipality,
    Relative,
    Unit,
)
from beredt.web.care.scenario import policy_for

PAGE_SIZE = 50


# -------------------------------------------------------------------------- helpers


def _require_register_role(request: HttpRequest) -> QuerySet[Unit]:
    """The units the user may read; roles without client data get 403."""
    if access.role_of(request.user) not in access.CLIENT_DATA_ROLES:
        raise PermissionDenied(_("Your role gives no access to the registers."))
    return access.visible_units(request.user).select_related("municipality")


def _unit_or_404(request: HttpRequest, code: str) -> Unit:
    return get_object_or_404(
        access.visible_units(request.user).select_related("municipality"), code=code
    )


def _client_or_404(request: HttpRequest, code: str) -> Client:
    return get_object_or_404(
        Client.objects.select_related("unit", "contact_person"),
        code=code,
        unit__in=access.visible_units(request.user),
    )


def _task_or_404(request: HttpRequest, code: str) -> CareTask:
    return get_object_or_404(
        CareTask.objects.select_related("client__unit"),
        code=code,
        client__unit__in=access.visible_units(request.user),
    )


def _caregiver_or_404(request: HttpRequest, code: str) -> Caregiver:
    return get_object_or_404(
        Caregiver.objects.select_related("home_unit"),
        code=code,
        home_unit__in=access.visible_units(request.user),
    )


def _relative_or_404(request: HttpRequest, pk: int) -> Relative:
    return get_object_or_404(
        Relative.objects.select_related("client__unit"),
        pk=pk,
        client__unit__in=access.visible_units(request.user),
    )


def _own_unit(request: HttpRequest) -> Unit:
    """The unit a planner or manager creates register rows in (403 for other roles)."""
    unit = getattr(request.user, "unit", None)
    if unit is None or not access.can_edit_unit(request.user, unit):
        raise PermissionDenied(_("Only the unit's planners and managers can add to its registers."))
    return unit


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _mask(national_id: str) -> str:
    return "•" * (len(national_id) - 2) + national_id[-2:] if national_id else ""


# ----------------------------------------------------------------------------- units


def unit_list(request: HttpRequest) -> HttpResponse:
    units = _require_register_role(request).annotate(
        n_clients=Count("clients", filter=Q(clients__active=True), distinct=True),
        n_caregivers=Count("caregivers", filter=Q(caregivers__active=True), distinct=True),
    )
    return render(request, "care/unit_list.html", {"units": units})


def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code)
    context = {
        "unit": unit,
        "can_edit": access.can_edit_unit(request.user, unit),
        "n_clients": unit.clients.filter(active=True).count(),
        "n_caregivers": unit.caregivers.filter(active=True).count(),
        "n_tasks": CareTask.objects.filter(client__unit=unit, active=True).count(),
        "today": timezone.localdate(),
    }
    return render(request, "care/unit_detail.html", context)


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code)
    access.require_edit(request.user, unit)
    form = forms.UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        actions.save_unit(unit, form.cleaned_data, request.user, request=request)
        messages.success(request, _("The unit was saved."))
        return redirect("unit-detail", code=unit.code)
    return render(request, "care/unit_form.html", {"unit": unit, "form": form})


# --------------------------------------------------------------------------- clients


def client_list(request: HttpRequest) -> HttpResponse:
    units = list(_require_register_role(request))
    form = forms.ClientSearchForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    clients = (
        Client.objects.filter(unit__in=units)
        .select_related("unit")
        .prefetch_related("infection_periods")
    )
    if data.get("unit"):
        clients = clients.filter(unit__code=data["unit"])
    if not data.get("inactive"):
        clients = clients.filter(active=True)
    if q := data.get("q", "").strip():
        clients = clients.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q)
        )
    today = timezone.localdate()
    rows = [(c, c.infection_status_on(today)) for c in clients]
    if status := data.get("status"):
        rows = [(c, s) for c, s in rows if (s or "none") == status]
    page = _page(request, rows)
    actions.record_view(
        request.user,
        "client.list",
        unit=data.get("unit", ""),
        summary=f"client list: {len(rows)} found",
        detail={"q": q, "status": data.get("status", ""), "shown": len(page.object_list)},
        request=request,
    )
    context = {
        "form": form,
        "page": page,
        "count": len(rows),
        "query": _query_without_page(request),
        "status_labels": dict(forms.INFECTION_CHOICES),
        "can_create": any(access.can_edit_unit(request.user, u) for u in units),
    }
    return render(request, "care/client_list.html", context)


def client_detail(request: HttpRequest, code: str) -> HttpResponse:
    client = _client_or_404(request, code)
    today = timezone.localdate()
    periods = client.infection_periods.select_related("recorded_by").order_by("-since", "-pk")
    tasks = client.tasks.prefetch_related("relatives").order_by("-active", "pk")
    relatives = client.relatives.prefetch_related("agreed_tasks")
    can_edit = access.can_edit_unit(request.user, client.unit)
    actions.record_view(request.user, "client", client.code, unit=client.unit.code, request=request)
    context = {
        "client": client,
        "masked_id": _mask(client.national_id),
        "status": client.infection_status_on(today),
        "status_labels": dict(forms.INFECTION_CHOICES),
        "periods": periods,
        "tasks": tasks,
        "relatives": relatives,
        "recent": client.recent_caregivers.all(),
        "can_edit": can_edit,
        "infection_form": forms.InfectionStatusForm(initial={"since": today}) if can_edit else None,
        "weekday_names": dict(forms.WEEKDAY_CHOICES),
    }
    return render(request, "care/client_detail.html", context)


@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    unit = _own_unit(request)
    form = forms.ClientForm(request.POST or None, unit=unit, initial={"language": "nb"})
    if request.method == "POST" and form.is_valid():
        client = actions.save_client(
            None, form.cleaned_data, request.user, unit=unit, request=request
        )
        messages.success(request, _("The client was created."))
        return redirect("client-detail", code=client.code)
    return render(request, "care/client_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, code: str) -> HttpResponse:
    client = _client_or_404(request, code)
    access.require_edit(request.user, client.unit)
    form = forms.ClientForm(request.POST or None, instance=client, unit=client.unit)
    if request.method == "POST":
        if form.is_valid():
            actions.save_client(client, form.cleaned_data, request.user, request=request)
            messages.success(request, _("The client was saved."))
            return redirect("client-detail", code=client.code)
    else:
        actions.record_view(
            request.user,
            "client",
            client.code,
            unit=client.unit.code,
            summary="edit form",
            request=request,
        )
    return render(
        request, "care/client_form.html", {"form": form, "client": client, "unit": client.unit}
    )


@require_POST
def client_infection(request: HttpRequest, code: str) -> HttpResponse:
    client = _client_or_404(request, code)
    access.require_edit(request.user, client.unit)
    form = forms.InfectionStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_infection_status(
                client,
                data["status"] or None,
                data["since"],
                request.user,
                since_time=data["since_time"],
                until=data["until"],
                request=request,
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("The infection status was changed."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for text in errors:
                messages.error(request, f"{label}: {text}" if label else text)
    return redirect("client-detail", code=client.code)


@require_POST
def client_deactivate(request: HttpRequest, code: str) -> HttpResponse:
    client = _client_or_404(request, code)
    access.require_edit(request.user, client.unit)
    actions.deactivate_client(client, request.user, request=request)
    messages.success(request, _("The client was deactivated; their history is kept."))
    return redirect("client-detail", code=client.code)


@require_POST
def client_reactivate(request: HttpRequest, code: str) -> HttpResponse:
    client = _client_or_404(request, code)
    access.require_edit(request.user, client.unit)
    actions.set_client_active(client, True, request.user, request=request)
    messages.success(request, _("The client is active again."))
    return redirect("client-detail", code=client.code)


# ------------------------------------------------------------------------ care tasks


def task_list(request: HttpRequest) -> HttpResponse:
    units = list(_require_register_role(request))
    form = forms.TaskSearchForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    tasks = CareTask.objects.filter(client__unit__in=units).select_related("client__unit")
    if data.get("unit"):
        tasks = tasks.filter(client__unit__code=data["unit"])
    if data.get("client"):
        tasks = tasks.filter(client__code=data["client"])
    if data.get("priority_class"):
        tasks = tasks.filter(priority_class=data["priority_class"])
    if not data.get("inactive"):
        tasks = tasks.filter(active=True, client__active=True)
    if q := data.get("q", "").strip():
        tasks = tasks.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(kind__icontains=q)
            | Q(client__name__icontains=q)
            | Q(client__code__icontains=q)
        )
    tasks = tasks.order_by("client__name", "client__code", "pk")
    page = _page(request, tasks)
    actions.record_view(
        request.user,
        "client.task.list",
        unit=data.get("unit", ""),
        summary=f"care task list: {page.paginator.count} found",
        detail={"q": q, "client": data.get("client", ""), "shown": len(page.object_list)},
        request=request,
    )
    context = {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "windows": forms.format_windows,
    }
    return render(request, "care/task_list.html", context)


def task_detail(request: HttpRequest, code: str) -> HttpResponse:
    task = _task_or_404(request, code)
    client = task.client
    actions.record_view(
        request.user, "client.task", task.code, unit=client.unit.code, request=request
    )
    weekday_names = dict(forms.WEEKDAY_CHOICES)
    context = {
        "task": task,
        "client": client,
        "weekdays": [weekday_names[d] for d in task.weekdays],
        "windows": forms.format_windows(task.windows),
        "relatives": task.relatives.all(),
        "dependants": [
            t for t in client.tasks.all() if any(d["after"] == task.code for d in t.dependencies)
        ],
        "can_edit": access.can_edit_unit(request.user, client.unit),
    }
    return render(request, "care/task_detail.html", context)


def _task_form_page(request: HttpRequest, client: Client, task: CareTask | None) -> HttpResponse:
    form = forms.CareTaskForm(request.POST or None, client=client, task=task)
    if request.method == "POST":
        if form.is_valid() and form.domain is not None:
            saved = actions.save_task(
                task,
                client,
                form.domain,
                request.user,
                active=form.cleaned_data["active"],
                request=request,
            )
            messages.success(request, _("The care task was saved."))
            return redirect("task-detail", code=saved.code)
    else:
        actions.record_view(
            request.user,
            "client.task",
            task.code if task else "",
            unit=client.unit.code,
            summary=f"task form for {client.code}",
            request=request,
        )
    return render(request, "care/task_form.html", {"form": form, "client": client, "task": task})


@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, code: str) -> HttpResponse:
    client = _client_or_404(request, code)
    access.require_edit(request.user, client.unit)
    return _task_form_page(request, client, None)


@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, code: str) -> HttpResponse:
    task = _task_or_404(request, code)
    access.require_edit(request.user, task.client.unit)
    return _task_form_page(request, task.client, task)


# ------------------------------------------------------------------------- relatives


def _relative_form_page(
    request: HttpRequest, client: Client, relative: Relative | None
) -> HttpResponse:
    form = forms.RelativeForm(request.POST or None, instance=relative, client=client)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.save_relative(
                    relative, client, form.cleaned_data, request.user, request=request
                )
            except ValidationError as error:
                _show_errors(request, error)
            else:
                messages.success(request, _("The relative was saved."))
                return redirect("client-detail", code=client.code)
    else:
        actions.record_view(
            request.user,
            "client.relative",
            f"{client.code}/relative/{relative.pk}" if relative else client.code,
            unit=client.unit.code,
            summary="relative form",
            request=request,
        )
    return render(
        request, "care/relative_form.html", {"form": form, "client": client, "relative": relative}
    )


@require_http_methods(["GET", "POST"])
def relative_create(request: HttpRequest, code: str) -> HttpResponse:
    client = _client_or_404(request, code)
    access.require_edit(request.user, client.unit)
    return _relative_form_page(request, client, None)


@require_http_methods(["GET", "POST"])
def relative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    relative = _relative_or_404(request, pk)
    access.require_edit(request.user, relative.client.unit)
    return _relative_form_page(request, relative.client, relative)


@require_http_methods(["GET", "POST"])
def relative_delete(request: HttpRequest, pk: int) -> HttpResponse:
    relative = _relative_or_404(request, pk)
    client = relative.client
    access.require_edit(request.user, client.unit)
    if request.method == "POST":
        actions.delete_relative(relative, request.user, request=request)
        messages.success(request, _("The relative was removed."))
        return redirect("client-detail", code=client.code)
    actions.record_view(
        request.user,
        "client.relative",
        f"{client.code}/relative/{relative.pk}",
        unit=client.unit.code,
        summary="confirm removal",
        request=request,
    )
    return render(
        request, "care/relative_confirm_delete.html", {"relative": relative, "client": client}
    )


# ------------------------------------------------------------------------ caregivers


def caregiver_list(request: HttpRequest) -> HttpResponse:
    units = list(_require_register_role(request))
    form = forms.CaregiverSearchForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    caregivers = Caregiver.objects.filter(home_unit__in=units).select_related("home_unit")
    if data.get("unit"):
        caregivers = caregivers.filter(home_unit__code=data["unit"])
    if data.get("competence"):
        caregivers = caregivers.filter(competence=data["competence"])
    if not data.get("inactive"):
        caregivers = caregivers.filter(active=True)
    if q := data.get("q", "").strip():
        needle = q.lower()
        caregivers = caregivers.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(redeployed_from__icontains=q)
        ) | caregivers.filter(pk__in=[c.pk for c in caregivers if _skill_match(c, needle)])
    today = timezone.localdate()
    absent = dict(
        Availability.objects.filter(caregiver__home_unit__in=units, date=today)
        .exclude(status="present")
        .values_list("caregiver_id", "status")
    )
    page = _page(request, caregivers.order_by("name", "code"))
    labels = dict(forms.AVAILABILITY_CHOICES)
    for caregiver in page.object_list:
        status = absent.get(caregiver.pk)
        caregiver.today_status = labels.get(status, status) if status else ""
    context = {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "today": today,
        "can_create": any(access.can_edit_unit(request.user, u) for u in units),
        "units": units,
    }
    return render(request, "care/caregiver_list.html", context)


def _skill_match(caregiver: Caregiver, needle: str) -> bool:
    return any(needle in skill.lower() for skill in caregiver.skills)


def caregiver_detail(request: HttpRequest, code: str) -> HttpResponse:
    caregiver = _caregiver_or_404(request, code)
    today = timezone.localdate()
    upcoming = caregiver.availability.filter(
        date__gte=today - dt.timedelta(days=7), date__lte=today + dt.timedelta(days=14)
    ).order_by("date")
    contact_for = caregiver.contact_for.filter(active=True).order_by("name")
    actions.record_view(
        request.user,
        "caregiver",
        caregiver.code,
        unit=caregiver.home_unit.code,
        summary="caregiver detail (lists contact clients)",
        request=request,
    )
    weekday_names = dict(forms.WEEKDAY_CHOICES)
    context = {
        "caregiver": caregiver,
        "availability": upcoming,
        "contact_for": contact_for,
        "workdays": [weekday_names[d] for d in caregiver.workdays],
        "can_edit": access.can_edit_unit(request.user, caregiver.home_unit),
        "today": today,
    }
    return render(request, "care/caregiver_detail.html", context)


@require_http_methods(["GET", "POST"])
def caregiver_create(request: HttpRequest) -> HttpResponse:
    unit = _own_unit(request)
    form = forms.CaregiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        caregiver = actions.save_caregiver(
            None, form.cleaned_data, request.user, unit=unit, request=request
        )
        messages.success(request, _("The caregiver was created."))
        return redirect("caregiver-detail", code=caregiver.code)
    return render(request, "care/caregiver_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
def caregiver_edit(request: HttpRequest, code: str) -> HttpResponse:
    caregiver = _caregiver_or_404(request, code)
    access.require_edit(request.user, caregiver.home_unit)
    form = forms.CaregiverForm(request.POST or None, instance=caregiver)
    if request.method == "POST" and form.is_valid():
        actions.save_caregiver(caregiver, form.cleaned_data, request.user, request=request)
        messages.success(request, _("The caregiver was saved."))
        return redirect("caregiver-detail", code=caregiver.code)
    return render(
        request,
        "care/caregiver_form.html",
        {"form": form, "caregiver": caregiver, "unit": caregiver.home_unit},
    )


# ---------------------------------------------------------------------- availability


def _day_from(request: HttpRequest) -> dt.date:
    """``?date=YYYY-MM-DD``, else today in the municipality's time zone (Europe/Oslo)."""
    text = request.GET.get("date", "")
    if text:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            messages.error(
                request,
                _("“%(date)s” is not a date like 2026-11-23; showing today.") % {"date": text},
            )
    return timezone.localdate()


@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest, unit: str) -> HttpResponse:
    """Who is absent on a day: one row per active caregiver of the unit, one Save."""
    the_unit = _unit_or_404(request, unit)
    can_edit = access.can_edit_unit(request.user, the_unit)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("No right to change this unit's availability."))
    day = _day_from(request)
    caregivers = list(Caregiver.objects.filter(home_unit=the_unit, active=True).order_by("name"))
    by_code = {c.code: c for c in caregivers}
    rows = {
        a.caregiver_id: a for a in Availability.objects.filter(caregiver__in=caregivers, date=day)
    }
    initial = []
    for c in caregivers:
        row = rows.get(c.pk)
        initial.append(
            {
                "caregiver": c.code,
                "status": row.status if row else "present",
                "shift_start": row.shift_start if row else None,
                "shift_end": row.shift_end if row else None,
                "note": row.note if row else "",
            }
        )
    formset = forms.AvailabilityFormSet(
        request.POST or None, initial=initial, prefix="rows", caregivers=by_code
    )
    if request.method == "POST" and formset.is_valid():
        changes = [
            actions.AvailabilityChange(
                caregiver=by_code[form.cleaned_data["caregiver"]],
                status=form.cleaned_data["status"],
                shift_start=form.cleaned_data["shift_start"],
                shift_end=form.cleaned_data["shift_end"],
                note=form.cleaned_data["note"],
            )
            for form in formset
            if form.has_changed()
        ]
        try:
            count = actions.set_availability_many(day, changes, request.user, request=request)
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(
                request,
                _("Saved %(count)s changed rows for %(date)s.") % {"count": count, "date": day},
            )
            return redirect(f"{request.path}?date={day.isoformat()}")
    if not can_edit:
        for form in formset:
            for field in form.fields.values():
                field.disabled = True
    lines = [(by_code.get(form["caregiver"].value()), form) for form in formset.forms]
    absent = sum(1 for c in caregivers if c.pk in rows and rows[c.pk].status != "present")
    context = {
        "unit": the_unit,
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "formset": formset,
        "lines": lines,
        "can_edit": can_edit,
        "n_caregivers": len(caregivers),
        "n_absent": absent,
        "n_workday": sum(1 for c in caregivers if day.isoweekday() in c.workdays),
        "weekday": dict(forms.WEEKDAY_CHOICES)[day.isoweekday()],
    }
    return render(request, "care/availability.html", context)


# --------------------------------------------------------------------- triage policy


@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, municipality: str) -> HttpResponse:
    """The municipality's triage policy: readable by anyone who sees one of its units,
    changed by the crisis team and unit managers (``access.can_edit_policy``)."""
    the_municipality = get_object_or_404(Municipality, code=municipality)
    can_edit = access.can_edit_policy(request.user, the_municipality.pk)
    readable = access.visible_units(request.user).filter(municipality=the_municipality).exists()
    if not (can_edit or readable):
        raise Http404
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("No right to change the triage policy."))
    current, _rules, _objective = policy_for(the_municipality)
    form = forms.PolicyForm(request.POST or None, current=current, readonly=not can_edit)
    if request.method == "POST":
        if form.is_valid() and form.policy is not None:
            actions.save_policy(the_municipality, form.policy, request.user, request=request)
            messages.success(request, _("The triage policy was saved."))
            return redirect("policy-edit", municipality=the_municipality.code)
        messages.error(request, _("The policy was not saved: see the errors below."))
    context = {
        "municipality": the_municipality,
        "form": form,
        "can_edit": can_edit,
        "decision_labels": forms.DECISION_LABELS,
        "infection_team_statuses": [
            dict(forms.INFECTION_CHOICES).get(s.value, s.value)
            for s in current.infection_team_statuses
        ],
        "multi_site_excluded_vulnerability": int(current.multi_site_excluded_vulnerability),
    }
    return render(request, "care/policy_form.html", context)
