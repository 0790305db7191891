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

from beredt.checker import CheckReport, check_plan
from beredt.domain.errors import BeredtError, InputError
from beredt.domain.events import Event
from beredt.domain.plan import Plan
from beredt.domain.scenario import Scenario
from beredt.planning import make_plan
from beredt.planning.replan import ReplanSettings, replan
from beredt.travel import HaversineTravel
from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Unit
from beredt.web.care.scenario import build_scenario
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
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        record(
            user,
            AuditAction.PLAN,
            "plan",
            f"{unit.code}/{version.date}/v{version.number}",
            unit=unit.code,
            summary=note or f"plan v{version.number} ({plan.planner})",
            detail={"kpis": version.kpis, "violations": len(version.violations)},
        )
    return version


# ------------------------------------------------------------------ jobs


def start_plan_job(
    unit: Unit,
    date: dt.date,
    user: Any,
    *,
    days: int = 1,
    seconds: float | None = None,
    seed: int = 0,
) -> PlanJob:
    """Queue a planning run for ``unit`` from ``date``; it runs in the background."""
    from beredt.web.plans.jobs import submit

    job = PlanJob.objects.create(
        unit=unit,
        date=date,
        days=days,
        kind=JobKind.PLAN,
        params={"seconds": seconds or settings.BEREDT_PLAN_SECONDS, "seed": seed},
        created_by=user if getattr(user, "is_authenticated", False) else None,
        message="queued",
    )
    submit(job)
    return job


def start_replan_job(
    version: PlanVersion, events: list[dict[str, Any]], user: Any, *, note: str = ""
) -> PlanJob:
    """Queue a re-plan of ``version`` after ``events`` (event dicts as in replanning.md).
    The events are validated here so that a bad one is refused before anything queues."""
    from beredt.web.plans.jobs import submit

    parse_events(events)
    job = PlanJob.objects.create(
        unit=version.unit,
        date=version.date,
        kind=JobKind.REPLAN,
        params={"version": version.pk, "events": events, "note": note},
        created_by=user if getattr(user, "is_authenticated", False) else None,
        message="queued",
    )
    submit(job)
    return job


def parse_events(events: list[dict[str, Any]]) -> list[Event]:
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(list[Event]).validate_python(events)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanActionError(f"{where}: {first['msg']}") from None


def run_job(job_id: str, progress_every: float = 0.5) -> None:
    """Run a queued job to the end; its status, progress and result are in the database.
    Called by the in-process thread, an RQ worker, or directly (``sync``)."""
    job = PlanJob.objects.select_related("unit", "created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    job.status, job.started_at, job.message = JobStatus.RUNNING, timezone.now(), "running"
    job.save(update_fields=["status", "started_at", "message"])
    last = [0.0]

    def progress(share: float, message: str) -> None:
        now = timezone.now().timestamp()
        if now - last[0] >= progress_every or share >= 1:
            last[0] = now
            PlanJob.objects.filter(pk=job.pk).update(
                progress=min(share, 1.0), message=message[:300]
            )

    try:
        version = _plan(job, progress) if job.kind == JobKind.PLAN else _replan(job, progress)
    except (BeredtError, InputError, ValueError) as error:
        _fail(job, str(error))
        return
    except Exception as error:  # a bug: keep the job honest, then let the worker log it
        _fail(job, f"internal error: {type(error).__name__}: {error}")
        raise
    PlanJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED,
        progress=1.0,
        message="done",
        finished_at=timezone.now(),
        result=version,
    )


def _fail(job: PlanJob, message: str) -> None:
    PlanJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=message[:5000], message="failed", finished_at=timezone.now()
    )


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

    plan = make_plan(
        scenario,
        HaversineTravel(),
        seed=int(job.params.get("seed", 0)),
        progress=advance,
        time_limit=seconds,
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


# ------------------------------------------------------------------ publish


@transaction.atomic
def publish(version: PlanVersion, user: Any) -> PlanVersion:
    """Make ``version`` the published plan of its unit and day (the one caregivers see);
    the previously published version becomes superseded. A plan that breaks a hard
    rule is refused."""
    if version.violations:
        raise PlanActionError(
            f"version {version.number} breaks {len(version.violations)} rule(s) "
            "and cannot be published"
        )
    PlanVersion.objects.select_for_update().filter(
        unit=version.unit, date=version.date, status=PlanStatus.PUBLISHED
    ).exclude(pk=version.pk).update(status=PlanStatus.SUPERSEDED)
    version.status = PlanStatus.PUBLISHED
    version.published_by = user if getattr(user, "is_authenticated", False) else None
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_by", "published_at"])
    record(
        user,
        AuditAction.PUBLISH,
        "plan",
        f"{version.unit.code}/{version.date}/v{version.number}",
        unit=version.unit.code,
        summary=f"published v{version.number}",
    )
    return version


def published_version(unit: Unit, date: dt.date) -> PlanVersion | None:
    return PlanVersion.objects.filter(unit=unit, date=date, status=PlanStatus.PUBLISHED).first()
