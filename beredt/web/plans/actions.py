"""Plan actions: make a plan (as a job), re-plan after events, move/pin a visit, publish.

Views call these; each writes the audit log. The planning itself is
:mod:`beredt.planning` over the scenario built from the registers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language

from beredt.checker import CheckReport, Violation, check_plan
from beredt.domain.clock import format_clock
from beredt.domain.errors import BeredtError, InputError
from beredt.domain.events import Event
from beredt.domain.model import Caregiver
from beredt.domain.plan import Plan, PlannedVisit, Route
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.planning import make_plan
from beredt.planning.class1check import Class1Check, check_class1, found_routes, missed_class1
from beredt.planning.language import LANGUAGES, use_language
from beredt.planning.replan import REPLAN_TIME_LIMIT, ReplanSettings, replan
from beredt.planning.replan_events import resolve_events
from beredt.travel import HaversineTravel, MatrixCache, client_place, office_place
from beredt.web.audit.log import acting_user, record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Unit
from beredt.web.care.scenario import build_scenario
from beredt.web.notices.actions import sync_notices
from beredt.web.plans.models import JobKind, JobStatus, PlanJob, PlanStatus, PlanVersion

Progress = Callable[[float, str], None]


class PlanActionError(BeredtError):
    """A plan action the user asked for cannot be done (the message says why)."""


def _check(scenario: Scenario, plan: Plan) -> tuple[Plan, CheckReport]:
    report = check_plan(scenario, plan, HaversineTravel())
    return plan.model_copy(update={"kpis": report.kpis}), report


def _next_number(unit: Unit, date: dt.date) -> int:
    top = PlanVersion.objects.filter(unit=unit, date=date).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def save_version(
    unit: Unit,
    scenario: Scenario,
    plan: Plan,
    report: CheckReport,
    *,
    user: Any,
    based_on: PlanVersion | None = None,
    note: str = "",
) -> PlanVersion:
    """Store a new draft version of the unit's plan for the scenario's first day."""
    with transaction.atomic():
        version = PlanVersion.objects.create(
            unit=unit,
            date=scenario.start_date,
            number=_next_number(unit, scenario.start_date),
            status=PlanStatus.DRAFT,
            planner=plan.planner,
            plan_json=plan.model_dump(mode="json", by_alias=True),
            scenario_json=scenario.model_dump(mode="json", by_alias=True),
            kpis=report.kpis.model_dump(mode="json"),
            violations=[v.to_json_dict() for v in report.violations],
            based_on=based_on,
            note=note[:300],
            created_by=acting_user(user),
        )
        record(
            user,
            AuditAction.PLAN,
            "plan",
            version.ref,
            unit=unit.code,
            summary=note or f"plan v{version.number} ({plan.planner})",
            detail={"kpis": version.kpis, "violations": len(version.violations)},
        )
    return version


# ------------------------------------------------------------------ jobs

PLANNER_LANGUAGE = "nb"
"""The planner's language for a job started outside any active language."""


def planner_language() -> str:
    """The caller's active Django language as one of the planner's languages
    (``nb-no`` → ``nb``; Norwegian without a variant is bokmål); bokmål otherwise."""
    code = (get_language() or "").lower().replace("_", "-").split("-")[0]
    code = "nb" if code in ("no", "nn") else code
    return code if code in LANGUAGES else PLANNER_LANGUAGE


def start_plan_job(
    unit: Unit,
    date: dt.date,
    user: Any,
    *,
    days: int = 1,
    seconds: float | None = None,
    seed: int = 0,
    class1_routes_from: PlanVersion | None = None,
) -> PlanJob:
    """Queue a planning run for ``unit`` from ``date``; it runs in the background. With
    ``class1_routes_from``, the days its class-1 check found routes for start from those
    routes (:func:`check_routes`)."""
    from beredt.web.plans.jobs import submit

    params: dict[str, Any] = {
        "seconds": seconds or settings.BEREDT_PLAN_SECONDS,
        "seed": seed,
        "language": planner_language(),
    }
    if class1_routes_from is not None:
        if not check_routes(class1_routes_from):
            raise PlanActionError(
                f"the class-1 check of version {class1_routes_from.number} found no routes "
                "to start from"
            )
        params["class1_routes_from"] = class1_routes_from.pk
    job = PlanJob.objects.create(
        unit=unit,
        date=date,
        days=days,
        kind=JobKind.PLAN,
        params=params,
        created_by=acting_user(user),
        message="queued",
    )
    submit(job)
    return job


def start_replan_job(
    version: PlanVersion,
    events: list[dict[str, Any]],
    user: Any,
    *,
    note: str = "",
    seconds: float | None = None,
) -> PlanJob:
    """Queue a re-plan of ``version`` after ``events`` (event dicts as in replanning.md).
    The events are validated here so that a bad one is refused before anything queues.
    ``seconds`` of search per re-planned day default to the web app's planning budget,
    at most the re-planner's own default."""
    from beredt.web.plans.jobs import submit

    parse_events(events)
    if seconds is None:
        seconds = min(settings.BEREDT_PLAN_SECONDS, REPLAN_TIME_LIMIT)
    job = PlanJob.objects.create(
        unit=version.unit,
        date=version.date,
        kind=JobKind.REPLAN,
        params={
            "version": version.pk,
            "events": events,
            "note": note,
            "seconds": seconds,
            "language": planner_language(),
        },
        created_by=acting_user(user),
        message="queued",
    )
    submit(job)
    return job


def start_check_job(
    version: PlanVersion, user: Any, *, seconds: float | None = None, submit_now: bool = True
) -> PlanJob:
    """Queue the class-1 check of ``version``: could any plan keep the class-1 care it
    leaves out? ``seconds`` of the route bound per such day (default
    ``BEREDT_CHECK_SECONDS``). The result goes to ``version.class1_check``. Without
    ``submit_now`` the job is only created, for the caller to run (``run_job``)."""
    from beredt.web.plans.jobs import submit

    job = PlanJob.objects.create(
        unit=version.unit,
        date=version.date,
        kind=JobKind.CHECK,
        params={"version": version.pk, "seconds": seconds or settings.BEREDT_CHECK_SECONDS},
        created_by=acting_user(user),
        message="queued",
    )
    if submit_now:
        submit(job)
    return job


def needs_class1_check(version: PlanVersion) -> bool:
    """Whether ``version`` leaves class-1 care out and has not been checked yet."""
    return not version.class1_check and bool(missed_class1(version.scenario, version.plan))


def queue_class1_check(
    version: PlanVersion, user: Any, *, submit_now: bool = True
) -> PlanJob | None:
    """After a plan or re-plan: its class-1 check, if it leaves class-1 care out and
    checks are on (``BEREDT_CHECK_SECONDS`` > 0); ``None`` otherwise."""
    if settings.BEREDT_CHECK_SECONDS > 0 and needs_class1_check(version):
        return start_check_job(version, user, submit_now=submit_now)
    return None


def parse_events(events: list[dict[str, Any]]) -> list[Event]:
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(list[Event]).validate_python(events)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanActionError(f"{where}: {first['msg']}") from None


def run_job(
    job_id: str,
    progress_every: float = 0.5,
    listener: Progress | None = None,
    *,
    then_check: bool = True,
) -> None:
    """Run a queued job to the end; its status, progress and result are in the database.
    Called by the in-process thread, an RQ worker, or directly (``sync``; the CLI passes
    a ``listener`` to draw its progress bar). A plan or re-plan that leaves class-1 care
    out queues its class-1 check (``BEREDT_CHECK_SECONDS``), unless ``then_check`` is
    off (a caller that runs the check itself)."""
    job = PlanJob.objects.select_related("unit", "created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    job.status, job.started_at, job.message = JobStatus.RUNNING, timezone.now(), "running"
    job.save(update_fields=["status", "started_at", "message"])
    last = [0.0]

    def progress(share: float, message: str) -> None:
        if listener is not None:
            listener(share, message)
        now = timezone.now().timestamp()
        if now - last[0] >= progress_every or share >= 1:
            last[0] = now
            PlanJob.objects.filter(pk=job.pk).update(
                progress=min(share, 1.0), message=message[:300]
            )

    run = {JobKind.PLAN: _plan, JobKind.REPLAN: _replan, JobKind.CHECK: _check_class1}[
        JobKind(job.kind)
    ]
    try:
        version = run(job, progress)
    except (BeredtError, InputError, ValueError) as error:
        _fail(job, str(error))
        return
    except Exception as error:  # a bug: keep the job honest, then let the worker log it
        _fail(job, f"internal error: {type(error).__name__}: {error}")
        raise
    # The check is created in the same transaction that ends the plan's job: a page that
    # sees the plan done then also sees the check queued, and follows it (were the check
    # queued after, a page drawn in between would wait for nothing).
    check = None
    with transaction.atomic():
        if then_check and job.kind != JobKind.CHECK:
            check = queue_class1_check(version, job.created_by, submit_now=False)
        PlanJob.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            progress=1.0,
            message="done",
            finished_at=timezone.now(),
            result=version,
        )
    if check is not None:
        from beredt.web.plans.jobs import submit

        submit(check)


def _fail(job: PlanJob, message: str) -> None:
    PlanJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=message[:5000], message="failed", finished_at=timezone.now()
    )


def check_routes(version: PlanVersion) -> dict[dt.date, dict[str, list[str]]]:
    """The routes keeping all class-1 care that ``version``'s class-1 check found, per
    day (caregiver code → visit ids in order); empty when it found none."""
    rows = (version.class1_check or {}).get("days", [])
    return found_routes(Class1Check.from_json(row) for row in rows)


def _plan(job: PlanJob, progress: Progress) -> PlanVersion:
    scenario = build_scenario(job.unit, job.date, job.days)
    problems = scenario.reference_problems()
    if problems:
        raise InputError("registers", problems)
    if not scenario.caregivers:
        raise PlanActionError(f"unit {job.unit.code} has no active caregivers to plan with")
    seconds = float(job.params.get("seconds", settings.BEREDT_PLAN_SECONDS))
    progress(0.0, "planning")

    def advance(done: int, total: int) -> None:
        progress(done / total if total else 0.0, f"planning {done}/{total}")

    routes = None
    if (source := job.params.get("class1_routes_from")) is not None:
        routes = check_routes(PlanVersion.objects.get(pk=source))
    with use_language(job.params.get("language", PLANNER_LANGUAGE)):
        plan = make_plan(
            scenario,
            HaversineTravel(),
            seed=int(job.params.get("seed", 0)),
            progress=advance,
            time_limit=seconds,
            class1_routes=routes,
        )
    progress(0.99, "checking")
    plan, report = _check(scenario, plan)
    return save_version(job.unit, scenario, plan, report, user=job.created_by)


def _replan(job: PlanJob, progress: Progress) -> PlanVersion:
    base = PlanVersion.objects.get(pk=job.params["version"])
    events = parse_events(job.params["events"])
    progress(0.0, "re-planning")

    def advance(done: int, total: int) -> None:
        progress(done / total if total else 0.0, f"re-planning {done}/{total}")

    with use_language(job.params.get("language", PLANNER_LANGUAGE)):
        result = replan(
            base.scenario,
            base.plan,
            events,
            HaversineTravel(),
            ReplanSettings(time_limit=job.params.get("seconds")),
            progress=advance,
        )
    plan, report = _check(result.scenario, result.plan)
    return save_version(
        job.unit,
        result.scenario,
        plan,
        report,
        user=job.created_by,
        based_on=base,
        note=job.params.get("note") or ", ".join(e["type"] for e in job.params["events"]),
    )


def _check_class1(job: PlanJob, progress: Progress) -> PlanVersion:
    version = PlanVersion.objects.get(pk=job.params["version"])
    seconds = float(job.params.get("seconds", settings.BEREDT_CHECK_SECONDS))
    progress(0.0, "checking class-1 care")

    def advance(share: float) -> None:
        progress(share, f"checking class-1 care {share:.0%}")

    checks = check_class1(
        version.scenario,
        version.plan,
        MatrixCache(HaversineTravel()),
        seconds=seconds,
        progress=advance,
    )
    version.class1_check = {
        "seconds": seconds,
        "days": [c.to_json() for c in checks],
    }
    with transaction.atomic():
        version.save(update_fields=["class1_check"])
        record(
            job.created_by,
            AuditAction.CHANGE,
            "plan",
            version.ref,
            unit=version.unit.code,
            summary=f"class-1 check of plan v{version.number}",
            detail={"verdicts": [c.verdict.value for c in checks]},
        )
    return version


# ------------------------------------------------------------------ publish


@transaction.atomic
def publish(version: PlanVersion, user: Any, *, request: Any = None) -> PlanVersion:
    """Make ``version`` the published plan of its unit and day (the one caregivers see);
    the previously published version becomes superseded and the day's change notices
    follow the new plan. A plan that breaks a hard rule is refused."""
    if version.violations:
        raise PlanActionError(
            f"version {version.number} breaks {len(version.violations)} rule(s) "
            "and cannot be published"
        )
    PlanVersion.objects.select_for_update().filter(
        unit=version.unit, date=version.date, status=PlanStatus.PUBLISHED
    ).exclude(pk=version.pk).update(status=PlanStatus.SUPERSEDED)
    version.status = PlanStatus.PUBLISHED
    version.published_by = acting_user(user)
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_by", "published_at"])
    record(
        user,
        AuditAction.PUBLISH,
        "plan",
        version.ref,
        unit=version.unit.code,
        summary=f"published v{version.number}",
        request=request,
    )
    sync_notices(version, user, request=request)  # tell every client whose care changes
    return version


def published_version(unit: Unit, date: dt.date) -> PlanVersion | None:
    return PlanVersion.objects.filter(unit=unit, date=date, status=PlanStatus.PUBLISHED).first()


# ------------------------------------------------------------------ planner controls


class MoveRefused(PlanActionError):
    """A move the plan checker refuses; ``violations`` are its reasons."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(v.message for v in violations))


def queue_replan(
    version: PlanVersion,
    events: list[dict[str, Any]],
    user: Any,
    *,
    note: str = "",
    request: Any = None,
) -> PlanJob:
    """Check ``events`` against the version's scenario and plan (unknown ids, a caregiver
    who does not work, a pin outside the window …) and queue the re-plan. A problem is
    a :class:`PlanActionError` naming it, and nothing is queued."""
    parsed = parse_events(events)
    try:
        with use_language(planner_language()):  # the problems reach the user as text
            resolve_events(version.scenario, version.plan, parsed)
    except InputError as error:
        raise PlanActionError("; ".join(str(p) for p in error.problems)) from None
    return start_replan_job(version, events, user, note=note)


def _find_entry(version: PlanVersion, visit: str) -> PlannedVisit | None:
    for entry in version.plan.visits:
        if entry.visit == visit and entry.date == version.date:
            return entry
    return None


def _entry(version: PlanVersion, visit: str) -> PlannedVisit:
    entry = _find_entry(version, visit)
    if entry is None:
        raise PlanActionError(f"visit {visit} is not in version {version.number} on {version.date}")
    return entry


def moved_plan(version: PlanVersion, visit: str, caregiver: str) -> Plan:
    """The version's plan with ``visit`` done by ``caregiver`` instead, at the same start:
    the visit leaves the old route and joins the new one in time order (the route is
    stretched when the visit is its first or last stop). Only the checker judges it."""
    plan, scenario, day = version.plan, version.scenario, version.date
    entry = _entry(version, visit)
    if entry.decision is not Decision.KEPT or entry.start is None or entry.end is None:
        raise PlanActionError(f"visit {visit} is not kept: keep it with a caregiver instead")
    if len(entry.caregivers) != 1:
        raise PlanActionError(
            f"visit {visit} is double-staffed: pin it or re-plan instead of moving it"
        )
    who = scenario.caregiver_by_id.get(caregiver)
    if who is None:
        raise PlanActionError(f"unknown caregiver {caregiver!r}")
    old = entry.caregivers[0]
    if old == caregiver:
        raise PlanActionError(f"visit {visit} is already with {who.name}")
    moved = entry.model_copy(update={"caregivers": [caregiver]})
    visits = [moved if e is entry else e for e in plan.visits]
    starts = {e.visit: e.start or 0 for e in visits if e.date == day}
    routes: list[Route] = []
    joined = False
    for route in plan.routes:
        if route.date == day and route.caregiver == old:
            route = route.model_copy(update={"stops": [s for s in route.stops if s != visit]})
        elif route.date == day and route.caregiver == caregiver:
            route = _join(scenario, route, moved, starts)
            joined = True
        routes.append(route)
    if not joined:
        routes.append(_new_route(scenario, who, moved, day))
    return plan.model_copy(update={"visits": visits, "routes": routes})


def _trip(scenario: Scenario, caregiver: Caregiver, client_id: str) -> int:
    unit = scenario.unit_by_id.get(caregiver.home_unit) or scenario.units[0]
    client = scenario.client_by_id[client_id]
    return HaversineTravel().minutes(
        office_place(unit.id, unit.office.location),
        client_place(client.id, client.location),
        caregiver.transport,
    )


def _join(scenario: Scenario, route: Route, entry: PlannedVisit, starts: dict[str, int]) -> Route:
    assert entry.start is not None and entry.end is not None
    stops = sorted([*route.stops, entry.visit], key=lambda s: starts.get(s, 0))
    caregiver = scenario.caregiver_by_id[route.caregiver]
    start, end = route.start, route.end
    if stops[0] == entry.visit:
        start = min(start, entry.start - _trip(scenario, caregiver, entry.client))
    if stops[-1] == entry.visit:
        end = max(end, entry.end + _trip(scenario, caregiver, entry.client))
    return route.model_copy(update={"stops": stops, "start": start, "end": end})


def _new_route(
    scenario: Scenario, caregiver: Caregiver, entry: PlannedVisit, day: dt.date
) -> Route:
    """A route with only the moved visit: the shift's hours and a break that fits."""
    assert entry.start is not None and entry.end is not None
    trip = _trip(scenario, caregiver, entry.client)
    shift = scenario.shift_on(caregiver, day)
    start = shift.start if shift else entry.start - trip
    end = shift.end if shift else entry.end + trip
    break_start = None
    if shift is not None and shift.break_ is not None:
        rule = shift.break_
        for minute in range(rule.window.start, rule.window.end + 1, 5):
            if minute + rule.duration + trip <= entry.start or minute >= entry.end + trip:
                break_start = minute
                break
    return Route(
        caregiver=caregiver.id,
        date=day,
        start=start,
        end=end,
        stops=[entry.visit],
        break_start=break_start,
    )


def check_move(version: PlanVersion, visit: str, caregiver: str) -> list[Violation]:
    """The rules the version's plan would break if ``caregiver`` did ``visit`` at the same
    start (rules the version already broke are left out); empty: the move is fine."""
    plan = moved_plan(version, visit, caregiver)
    report = check_plan(version.scenario, plan, HaversineTravel())
    before = {v.get("message") for v in version.violations}
    return [v for v in report.violations if v.message not in before]


def _pin_event(
    version: PlanVersion, visit: str, caregiver: str | None = None, start: int | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "pin_visit", "visit": visit, "date": version.date.isoformat()}
    if caregiver is not None:
        event["caregiver"] = caregiver
    if start is not None:
        event["start"] = format_clock(start)
    return event


def _record_change(version: PlanVersion, user: Any, summary: str, detail: dict[str, Any]) -> None:
    record(
        user,
        AuditAction.CHANGE,
        "plan",
        version.ref,
        unit=version.unit.code,
        summary=summary,
        detail=detail,
    )


@transaction.atomic
def pin(version: PlanVersion, visit: str, user: Any) -> PlanJob:
    """Keep ``visit`` with its caregivers at its start; re-plan around it."""
    entry = _entry(version, visit)
    if entry.decision is not Decision.KEPT:
        raise PlanActionError(f"visit {visit} is not kept: keep it with a caregiver instead")
    job = queue_replan(version, [_pin_event(version, visit)], user, note=f"pin {visit}")
    _record_change(version, user, f"pinned {visit}", {"visit": visit, "job": str(job.pk)})
    return job


@transaction.atomic
def force_keep(version: PlanVersion, visit: str, caregiver: str, user: Any) -> PlanJob:
    """Keep a visit the plan did not keep, with ``caregiver`` (any time in its window)."""
    entry = _entry(version, visit)
    if entry.decision is Decision.KEPT:
        raise PlanActionError(f"visit {visit} is already kept")
    event = _pin_event(version, visit, caregiver=caregiver)
    job = queue_replan(version, [event], user, note=f"keep {visit} with {caregiver}")
    _record_change(
        version,
        user,
        f"keep {visit} with {caregiver}",
        {"visit": visit, "caregiver": caregiver, "job": str(job.pk)},
    )
    return job


@transaction.atomic
def move(version: PlanVersion, visit: str, caregiver: str, user: Any) -> PlanJob:
    """Give a kept visit to ``caregiver`` at the same start, after the checker has passed
    the moved plan (else :class:`MoveRefused` and nothing is queued)."""
    violations = check_move(version, visit, caregiver)
    if violations:
        raise MoveRefused(violations)
    entry = _entry(version, visit)
    event = _pin_event(version, visit, caregiver=caregiver, start=entry.start)
    job = queue_replan(version, [event], user, note=f"move {visit} to {caregiver}")
    _record_change(
        version,
        user,
        f"moved {visit} from {', '.join(entry.caregivers)} to {caregiver}",
        {"visit": visit, "from": entry.caregivers, "to": caregiver, "job": str(job.pk)},
    )
    return job
