"""Plan pages: the planner's crisis day (quick edits, plan, versions, map, timeline,
decisions, controls), job progress, route sheets (page and PDF) and a caregiver's own
route. Views parse, authorise and call :mod:`beredt.web.plans.actions` or
:mod:`beredt.web.care.actions`; the pages' rows come from
:mod:`beredt.web.plans.presenters`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beredt.domain.model import AvailabilityStatus, InfectionStatus
from beredt.domain.policy import Decision
from beredt.web.access import can_edit_unit, require_edit, require_read, role_of
from beredt.web.accounts.models import Role
from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction
from beredt.web.care import actions as care_actions
from beredt.web.care.models import Availability, Caregiver, Client, Unit
from beredt.web.notices import oversight
from beredt.web.plans import actions, presenters
from beredt.web.plans.forms import (
    AVAILABILITY_CHOICES,
    AvailabilityForm,
    IsolationForm,
    ReplanForm,
    StartPlanForm,
    VisitCaregiverForm,
    VisitForm,
    caregiver_choices,
)
from beredt.web.plans.models import JobKind, JobStatus, PlanJob, PlanStatus, PlanVersion
from beredt.web.plans.pdf import pdf_response

# ------------------------------------------------------------------ helpers


def _unit(request: HttpRequest, code: str, *, edit: bool = False) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("municipality"), code=code)
    (require_edit if edit else require_read)(request.user, unit)
    return unit


def _version(request: HttpRequest, pk: int, *, edit: bool = False) -> PlanVersion:
    version = get_object_or_404(PlanVersion.objects.select_related("unit"), pk=pk)
    (require_edit if edit else require_read)(request.user, version.unit)
    return version


def _day(value: str | None) -> dt.date:
    """``YYYY-MM-DD`` or today in Europe/Oslo (``TIME_ZONE``)."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return timezone.localdate()


def _today_url(unit: Unit, day: dt.date, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"date": day.isoformat(), **params}.items())
    return f"{reverse('today', kwargs={'unit': unit.code})}?{query}"


def _version_url(version: PlanVersion, job: PlanJob | None = None) -> str:
    url = reverse("plan-version", kwargs={"pk": version.pk})
    return f"{url}?job={job.pk}" if job is not None else url


def _errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{field}: {error}" if field != "__all__" else error)


# ------------------------------------------------------------------ the day page


@require_GET
def today(request: HttpRequest, unit: str) -> HttpResponse:
    """The planner's day: quick edits, the plan button, versions and the current plan
    (the published version, else the newest; ``?version=N`` picks another)."""
    the_unit = _unit(request, unit)
    day = _day(request.GET.get("date"))
    versions = PlanVersion.objects.filter(unit=the_unit, date=day)
    version = None
    number = request.GET.get("version", "")
    if number.isdigit():
        version = versions.filter(number=int(number)).first()
    if version is None:
        version = versions.filter(status=PlanStatus.PUBLISHED).first() or versions.first()
    return _day_page(request, the_unit, day, version)


@require_GET
def plan_version(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    return _day_page(request, version.unit, version.date, version)


def _day_page(
    request: HttpRequest, unit: Unit, day: dt.date, version: PlanVersion | None
) -> HttpResponse:
    job = _job(request, unit, day)
    if version is not None:
        # Read the check's verdict after the jobs: a check that ended after the version
        # was loaded and before the jobs were read would otherwise leave a page with
        # neither the verdict nor a job to follow (one that waits forever).
        version.refresh_from_db(fields=["class1_check"])
    context: dict[str, Any] = {
        "unit": unit,
        "day": day,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "can_edit": can_edit_unit(request.user, unit),
        "caregivers": _caregiver_statuses(unit, day),
        "clients": _client_statuses(unit, day),
        "availability_choices": AVAILABILITY_CHOICES,
        "plan_form": StartPlanForm(),
        "job": job,
        "versions": list(
            PlanVersion.objects.filter(unit=unit, date=day)
            .defer("plan_json", "scenario_json")  # the list shows key figures only
            .select_related("created_by", "published_by")
        ),
        "version": version,
        "notice_ages": oversight.open_by_age(unit, timezone.now()),
    }
    if version is not None:
        context.update(_version_context(request, version))
        record(
            request.user,
            AuditAction.VIEW,
            "plan",
            version.ref,
            unit=unit.code,
            summary=f"viewed plan v{version.number}",
            request=request,
        )
    return render(request, "plans/today.html", context)


def _caregiver_statuses(unit: Unit, day: dt.date) -> list[dict[str, Any]]:
    rows = {
        a.caregiver_id: a for a in Availability.objects.filter(caregiver__home_unit=unit, date=day)
    }
    out = []
    for caregiver in Caregiver.objects.filter(home_unit=unit, active=True).order_by("name"):
        row = rows.get(caregiver.pk)
        if row is not None:
            status = row.status
        elif day.isoweekday() in caregiver.workdays:
            status = AvailabilityStatus.PRESENT.value
        else:
            status = AvailabilityStatus.OFF.value
        out.append({"caregiver": caregiver, "status": status, "absent": status != "present"})
    return out


def _client_statuses(unit: Unit, day: dt.date) -> list[dict[str, Any]]:
    clients = Client.objects.filter(unit=unit, active=True).prefetch_related("infection_periods")
    out = []
    for client in clients.order_by("name"):
        status = client.infection_status_on(day)
        out.append(
            {
                "client": client,
                "status": status or "",
                "isolated": status == InfectionStatus.ISOLATED.value,
            }
        )
    return out


def _job(request: HttpRequest, unit: Unit, day: dt.date) -> PlanJob | None:
    """The job the page follows: ``?job=`` (just started), else one still running. When
    the job asked for is already done and another runs for the day (the class-1 check a
    plan queues when it ends), the page follows that one, so that a plan finishing
    before its page is drawn does not leave the check unfollowed."""
    jobs = PlanJob.objects.filter(unit=unit)
    running = (
        jobs.filter(date=day, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .select_related("result")
        .first()
    )
    wanted = request.GET.get("job", "")
    if wanted:
        try:
            found = jobs.filter(pk=uuid.UUID(wanted)).select_related("result").first()
        except ValueError:
            return None
        return running if found is not None and found.finished and running else found
    return running


def _version_context(request: HttpRequest, version: PlanVersion) -> dict[str, Any]:
    plan, scenario, day = version.plan, version.scenario, version.date
    rows = presenters.decision_rows(plan, scenario, day)
    classes = sorted({r.priority_class for r in rows if r.priority_class is not None})
    # Filters work without JavaScript too (plan.js filters the same rows in place).
    wanted_decision = request.GET.get("decision", "")
    wanted_class = request.GET.get("class", "")
    if wanted_decision:
        rows = [r for r in rows if r.decision == wanted_decision]
    if wanted_class.isdigit():
        rows = [r for r in rows if r.priority_class == int(wanted_class)]
    return {
        "plan": plan,
        "cards": presenters.kpi_cards(plan),
        "rows": rows,
        "filter_decision": wanted_decision,
        "filter_class": wanted_class,
        "decisions": [(d.value, presenters.decision_label(d)) for d in Decision],
        "classes": classes,
        "timeline": presenters.timeline(plan, scenario, day),
        "map_data": presenters.map_data(plan, scenario, day),
        "tile_url": settings.BEREDT_MAP_TILE_URL,
        "tile_attribution": settings.BEREDT_MAP_ATTRIBUTION,
        "working": caregiver_choices(scenario, day),
        "route_caregivers": presenters.routed_caregivers(plan, scenario, day),
        "replan_form": ReplanForm(scenario=scenario, day=day),
        "can_publish": version.status != PlanStatus.PUBLISHED and not version.violations,
        "class1_lines": presenters.class1_check_lines(version.class1_check),
        "class1_checking": _checking(version),
        "class1_routes_found": bool(actions.check_routes(version)),
        "class1_next_seconds": _whole_seconds(next_check_seconds(version)),
    }


def _checking(version: PlanVersion) -> bool:
    """A class-1 check of ``version`` is queued or running."""
    return PlanJob.objects.filter(
        kind=JobKind.CHECK,
        params__version=version.pk,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).exists()


def _whole_seconds(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds)


# ------------------------------------------------------------------ quick edits


@require_POST
def set_availability(request: HttpRequest, unit: str) -> HttpResponse:
    the_unit = _unit(request, unit, edit=True)
    form = AvailabilityForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_today_url(the_unit, _day(request.POST.get("date"))))
    data = form.cleaned_data
    caregiver = get_object_or_404(Caregiver, code=data["caregiver"], home_unit=the_unit)
    try:
        care_actions.set_availability(
            caregiver, data["date"], data["status"], request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s on %(date)s")
            % {
                "name": caregiver.name,
                "status": dict(AVAILABILITY_CHOICES).get(data["status"], data["status"]),
                "date": data["date"].isoformat(),
            },
        )
    return redirect(_today_url(the_unit, data["date"]))


@require_POST
def set_isolation(request: HttpRequest, unit: str) -> HttpResponse:
    the_unit = _unit(request, unit, edit=True)
    form = IsolationForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_today_url(the_unit, _day(request.POST.get("date"))))
    data = form.cleaned_data
    client = get_object_or_404(Client, code=data["client"], unit=the_unit)
    status = InfectionStatus.ISOLATED.value if data["isolated"] else None
    care_actions.set_infection_status(client, status, data["date"], request.user, request=request)
    if status:
        text = _("%(name)s is isolated from %(date)s")
    else:
        text = _("%(name)s has no infection status from %(date)s")
    messages.success(request, text % {"name": client.name, "date": data["date"].isoformat()})
    return redirect(_today_url(the_unit, data["date"]))


# ------------------------------------------------------------------ planning


@require_POST
def start_plan(request: HttpRequest, unit: str) -> HttpResponse:
    """Queue a planning run and return at once; the page follows the job."""
    the_unit = _unit(request, unit, edit=True)
    form = StartPlanForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_today_url(the_unit, _day(None)))
    day = form.cleaned_data["date"]
    job = actions.start_plan_job(
        the_unit, day, request.user, seconds=form.cleaned_data.get("seconds")
    )
    return redirect(_today_url(the_unit, day, job=str(job.pk)))


@require_GET
def job_status(request: HttpRequest, job: uuid.UUID) -> JsonResponse:
    """What the progress bar polls: status, progress (0-1), message, and where the
    resulting version is once the job is done."""
    found = get_object_or_404(PlanJob.objects.select_related("unit", "result"), pk=job)
    require_read(request.user, found.unit)
    result = found.result
    return JsonResponse(
        {
            "id": str(found.pk),
            "kind": found.kind,
            "status": found.status,
            "status_label": str(found.get_status_display()),
            "progress": round(found.progress, 3),
            "message": found.message,
            "error": found.error,
            "finished": found.finished,
            "version": result.number if result else None,
            "version_url": _version_url(result) if result else None,
        }
    )


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, edit=True)
    try:
        actions.publish(version, request.user, request=request)
    except actions.PlanActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Version %(number)s is published.") % {"number": version.number}
        )
    return redirect(_version_url(version))


@require_POST
def pin(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, edit=True)
    form = VisitForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_version_url(version))
    return _queued(
        request, version, lambda: actions.pin(version, form.cleaned_data["visit"], request.user)
    )


@require_POST
def keep(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, edit=True)
    form = VisitCaregiverForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_version_url(version))
    data = form.cleaned_data
    return _queued(
        request,
        version,
        lambda: actions.force_keep(version, data["visit"], data["caregiver"], request.user),
    )


@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the move with the plan checker first; refused moves show its messages."""
    version = _version(request, pk, edit=True)
    form = VisitCaregiverForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_version_url(version))
    data = form.cleaned_data
    try:
        job = actions.move(version, data["visit"], data["caregiver"], request.user)
    except actions.MoveRefused as refused:
        messages.error(
            request,
            _("The move of %(visit)s was refused: it breaks %(count)s rule(s).")
            % {"visit": data["visit"], "count": len(refused.violations)},
        )
        for violation in refused.violations:
            messages.error(request, violation.message)
        return redirect(_version_url(version))
    except actions.PlanActionError as error:
        messages.error(request, str(error))
        return redirect(_version_url(version))
    messages.success(request, _("Re-planning with the move…"))
    return redirect(_version_url(version, job))


@require_POST
def replan(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, edit=True)
    form = ReplanForm(request.POST, scenario=version.scenario, day=version.date)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_version_url(version))
    event = form.event()
    note = form.cleaned_data.get("note") or ""
    return _queued(
        request,
        version,
        lambda: actions.queue_replan(version, [event], request.user, note=note),
    )


CHECK_SECONDS_MIN = 60.0
CHECK_SECONDS_MAX = 1200.0
"""A check asked for by hand gets at least a minute per day; one after an unproven
check four times as long as that one, up to 20 minutes."""


def next_check_seconds(version: PlanVersion) -> float | None:
    """The route bound's seconds per day a check by hand would get now: ``None`` when
    there is nothing to check (all class-1 care kept, every day proven, or the
    longest check already done)."""
    done = version.class1_check
    if not done:
        if not actions.needs_class1_check(version):
            return None
        return max(CHECK_SECONDS_MIN, settings.BEREDT_CHECK_SECONDS)
    if all(day["verdict"] != "open" for day in done.get("days", [])):
        return None  # every day proven: a longer check changes nothing
    longer = min(CHECK_SECONDS_MAX, 4 * float(done.get("seconds", CHECK_SECONDS_MIN)))
    return longer if longer > float(done.get("seconds", 0)) else None


@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the class-1 check of a version by hand (or again, longer)."""
    version = _version(request, pk, edit=True)
    if _checking(version):
        messages.error(request, _("A check of this plan is already running."))
        return redirect(_version_url(version))
    seconds = next_check_seconds(version)
    if seconds is None:
        messages.error(request, _("There is nothing left to check in this plan."))
        return redirect(_version_url(version))
    job = actions.start_check_job(version, request.user, seconds=seconds)
    messages.success(request, _("Checking whether any plan could keep all class-1 care…"))
    return redirect(_version_url(version, job))


@require_POST
def plan_from_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan the version's days again, starting from the routes keeping all class-1 care
    that its class-1 check found."""
    version = _version(request, pk, edit=True)
    try:
        job = actions.start_plan_job(
            version.unit,
            version.date,
            request.user,
            days=len(version.plan.dates),
            class1_routes_from=version,
        )
    except actions.PlanActionError as error:
        messages.error(request, str(error))
        return redirect(_version_url(version))
    return redirect(_today_url(version.unit, version.date, job=str(job.pk)))


def _queued(request: HttpRequest, version: PlanVersion, queue: Any) -> HttpResponse:
    try:
        job = queue()
    except actions.PlanActionError as error:
        messages.error(request, str(error))
        return redirect(_version_url(version))
    messages.success(request, _("Re-planning…"))
    return redirect(_version_url(version, job))


# ------------------------------------------------------------------ route sheets


def _sheet_version(request: HttpRequest, unit: Unit, day: dt.date) -> PlanVersion | None:
    """``?version=N``, else the published version, else the newest draft."""
    versions = PlanVersion.objects.filter(unit=unit, date=day).select_related("unit")
    number = request.GET.get("version", "")
    if number.isdigit():
        return versions.filter(number=int(number)).first()
    return versions.filter(status=PlanStatus.PUBLISHED).first() or versions.first()


def _sheet(version: PlanVersion, caregiver: str) -> presenters.RouteSheet:
    try:
        return presenters.route_sheet(version.plan, version.scenario, caregiver, version.date)
    except KeyError:
        raise Http404("the caregiver is not in this plan") from None


def _route_unit(request: HttpRequest, unit: str, caregiver: str) -> Unit:
    if role_of(request.user) is Role.CAREGIVER:
        raise PermissionDenied("caregivers see their own route under 'My route'")
    return _unit(request, unit)


@require_GET
def route_sheet(request: HttpRequest, unit: str, caregiver: str) -> HttpResponse:
    the_unit = _route_unit(request, unit, caregiver)
    day = _day(request.GET.get("date"))
    version = _sheet_version(request, the_unit, day)
    sheet = _sheet(version, caregiver) if version else None
    if version is not None:
        _record_sheet(request, version, caregiver, AuditAction.VIEW)
    return render(
        request,
        "plans/route_sheet.html",
        {"unit": the_unit, "day": day, "version": version, "sheet": sheet, "code": caregiver},
    )


@require_GET
def route_sheet_pdf(request: HttpRequest, unit: str, caregiver: str) -> HttpResponse:
    the_unit = _route_unit(request, unit, caregiver)
    day = _day(request.GET.get("date"))
    version = _sheet_version(request, the_unit, day)
    if version is None:
        raise Http404("no plan for this day")
    sheet = _sheet(version, caregiver)
    _record_sheet(request, version, caregiver, AuditAction.EXPORT)
    return pdf_response(
        "plans/route_sheets_pdf.html",
        {"sheets": [sheet], "version": version},
        f"route-{caregiver}-{day}.pdf",
    )


@require_GET
def routes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Every route of a version, one caregiver per page."""
    version = _version(request, pk)
    plan, scenario = version.plan, version.scenario
    sheets = [
        presenters.route_sheet(plan, scenario, c.id, version.date)
        for c in presenters.routed_caregivers(plan, scenario, version.date)
    ]
    record(
        request.user,
        AuditAction.EXPORT,
        "route",
        f"{version.ref}/*",
        unit=version.unit.code,
        summary=f"route sheets of v{version.number} (PDF)",
        request=request,
    )
    return pdf_response(
        "plans/route_sheets_pdf.html",
        {"sheets": sheets, "version": version},
        f"routes-{version.unit.code}-{version.date}-v{version.number}.pdf",
    )


def _record_sheet(request: HttpRequest, version: PlanVersion, caregiver: str, action: Any) -> None:
    record(
        request.user,
        action,
        "route",
        f"{version.ref}/{caregiver}",
        unit=version.unit.code,
        summary=f"route sheet of {caregiver}, v{version.number}",
        request=request,
    )


def _own_route(request: HttpRequest) -> tuple[PlanVersion | None, presenters.RouteSheet | None]:
    """The caregiver's route in today's published plan of their home unit."""
    if role_of(request.user) is not Role.CAREGIVER:
        raise PermissionDenied("only caregivers have their own route")
    caregiver = request.user.caregiver
    if caregiver is None:
        return None, None
    version = actions.published_version(caregiver.home_unit, timezone.localdate())
    if version is None or caregiver.code not in version.scenario.caregiver_by_id:
        return version, None
    return version, _sheet(version, caregiver.code)


@require_GET
def my_route(request: HttpRequest) -> HttpResponse:
    version, sheet = _own_route(request)
    if version is not None and sheet is not None:
        _record_sheet(request, version, sheet.caregiver.id, AuditAction.VIEW)
    return render(
        request,
        "plans/my_route.html",
        {"version": version, "sheet": sheet, "day": timezone.localdate()},
    )


@require_GET
def my_route_pdf(request: HttpRequest) -> HttpResponse:
    version, sheet = _own_route(request)
    if version is None or sheet is None:
        raise Http404("no published route today")
    _record_sheet(request, version, sheet.caregiver.id, AuditAction.EXPORT)
    return pdf_response(
        "plans/route_sheets_pdf.html",
        {"sheets": [sheet], "version": version},
        f"route-{sheet.caregiver.id}-{version.date}.pdf",
    )
