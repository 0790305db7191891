"""The demo municipality: two home-care units of Asker with a third of the staff absent
and a few isolated clients, one user per role, and today's plan made and published for
each unit. ``beredt demo`` runs this against the configured database."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.web.accounts.models import Role, User
from beredt.web.care.models import Caregiver, Unit
from beredt.web.care.scenario import load_scenario
from beredt.web.plans.actions import (
    publish,
    published_version,
    queue_class1_check,
    run_job,
)
from beredt.web.plans.models import JobStatus, PlanJob, PlanVersion

DEMO_CONFIG = {"clients": 200, "caregivers": 40, "absence": 0.3, "isolated": 6, "units": 2}


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    scope: str


@dataclass
class DemoResult:
    day: dt.date
    units: list[Unit]
    logins: list[DemoLogin] = field(default_factory=list)
    plans: list[PlanVersion] = field(default_factory=list)
    created: bool = False


def _password() -> str:
    # Random for every run: a demo must not leave a known password behind.
    return "-".join(secrets.token_hex(3) for _ in range(3))


def _user(username: str, role: str, scope: str, **links: object) -> DemoLogin:
    password = _password()
    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    user.role = role
    for name, value in links.items():
        setattr(user, name, value)
    user.set_password(password)
    user.is_active = True
    user.save()
    return DemoLogin(username, password, str(Role(role).label), scope)


def seed(day: dt.date | None = None, seed: int = 1) -> DemoResult:
    """Load the demo municipality unless it is there, and (re)set the demo users."""
    day = day or timezone.localdate()
    created = False
    with transaction.atomic():
        if not Unit.objects.filter(municipality__code="3203").exists():
            scenario = generate_scenario(
                GeneratorConfig(**DEMO_CONFIG, seed=seed, start_date=day, days=1)  # type: ignore[arg-type]
            )
            load_scenario(scenario)
            created = True
        units = list(Unit.objects.filter(municipality__code="3203").order_by("code"))
        municipality = units[0].municipality
        logins = []
        for unit in units:
            short = unit.code.split("-")[-1]
            logins.append(
                _user(
                    f"planlegger-{short}",
                    Role.PLANNER,
                    unit.name,
                    unit=unit,
                    municipality=municipality,
                )
            )
            logins.append(
                _user(
                    f"leder-{short}",
                    Role.UNIT_MANAGER,
                    unit.name,
                    unit=unit,
                    municipality=municipality,
                )
            )
        logins.append(
            _user("kriseteam", Role.CRISIS_TEAM, municipality.name, municipality=municipality)
        )
        caregiver = Caregiver.objects.filter(user__username="pleier").first() or (
            Caregiver.objects.filter(home_unit=units[0], active=True, user__isnull=True)
            .order_by("code")
            .first()
        )
        logins.append(
            _user(
                "pleier",
                Role.CAREGIVER,
                caregiver.name if caregiver else "",
                caregiver=caregiver,
                unit=units[0],
            )
        )
        logins.append(_user("koordinator", Role.SURVEY_COORDINATOR, "—"))
        logins.append(
            _user("admin", Role.ADMINISTRATOR, municipality.name, municipality=municipality)
        )
    return DemoResult(day=day, units=units, logins=logins, created=created)


def plan_and_publish(
    result: DemoResult,
    seconds: float,
    on_progress: Callable[[Unit, float, str], None] | None = None,
) -> None:
    """Plan the day for each unit in this process and publish the plan (skipped for a
    unit that already has a published plan for the day)."""
    planner = User.objects.filter(role=Role.PLANNER).first()
    for unit in result.units:
        existing = published_version(unit, result.day)
        if existing is not None:
            result.plans.append(existing)
            continue
        with transaction.atomic():
            job = PlanJob.objects.create(
                unit=unit,
                date=result.day,
                params={"seconds": seconds, "seed": 0},
                created_by=planner,
            )

        def listener(share: float, message: str, unit: Unit = unit) -> None:
            if on_progress:
                on_progress(unit, share, message)

        run_job(str(job.pk), listener=listener, then_check=False)
        job.refresh_from_db()
        if job.status != JobStatus.SUCCEEDED or job.result is None:
            raise RuntimeError(f"planning {unit.code} failed: {job.error}")
        version = job.result
        # The class-1 check here too, not in a thread this command would end under.
        if (check := queue_class1_check(version, planner, submit_now=False)) is not None:
            run_job(str(check.pk), listener=listener)
            version.refresh_from_db()
        result.plans.append(publish(version, planner))
