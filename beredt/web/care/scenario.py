"""Registers ⇄ domain: build the planner's :class:`Scenario` from the database, and load
a scenario (a generated demo district or a scenario file) into the database.

This is the only place that knows both the ORM rows and the domain model field by field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from beredt.domain.clock import format_clock, parse_clock
from beredt.domain.model import (
    Availability as DomainAvailability,
)
from beredt.domain.model import (
    BreakRule,
    Dependency,
    Location,
    Office,
    Shift,
    TimeWindow,
)
from beredt.domain.model import (
    Caregiver as DomainCaregiver,
)
from beredt.domain.model import (
    CareTask as DomainTask,
)
from beredt.domain.model import (
    Client as DomainClient,
)
from beredt.domain.model import (
    InfectionPeriod as DomainInfection,
)
from beredt.domain.model import (
    Municipality as DomainMunicipality,
)
from beredt.domain.model import (
    Relative as DomainRelative,
)
from beredt.domain.model import (
    Unit as DomainUnit,
)
from beredt.domain.policy import ObjectiveWeights, SchedulingRules, TriagePolicy, default_policy
from beredt.domain.scenario import Scenario
from beredt.web.care.models import (
    Availability,
    Caregiver,
    CareTask,
    Client,
    InfectionPeriod,
    Municipality,
    PolicySetting,
    Relative,
    Unit,
)


def minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def time_of(value: int) -> dt.time:
    """Minutes after midnight → ``time`` (24:00 becomes 23:59, the latest a TimeField holds)."""
    value = min(value, 23 * 60 + 59)
    return dt.time(value // 60, value % 60)


# ------------------------------------------------------------------ database → domain


def domain_unit(unit: Unit) -> DomainUnit:
    return DomainUnit(
        id=unit.code,
        name=unit.name,
        office=Office(
            address=unit.office_address, location=Location(lat=unit.office_lat, lon=unit.office_lon)
        ),
    )


def domain_shift(
    caregiver: Caregiver, start: dt.time | None = None, end: dt.time | None = None
) -> Shift:
    brk = None
    if caregiver.break_window_start and caregiver.break_window_end and caregiver.break_minutes:
        brk = BreakRule(
            window=TimeWindow(
                start=minutes(caregiver.break_window_start), end=minutes(caregiver.break_window_end)
            ),
            duration=caregiver.break_minutes,
        )
    shift_start = minutes(start or caregiver.shift_start)
    shift_end = minutes(end or caregiver.shift_end)
    if brk is not None and (
        brk.window.start < shift_start or brk.window.end + brk.duration > shift_end
    ):
        brk = None  # a day's own shorter shift that leaves no room for the usual break
    return Shift.model_validate(
        {
            "start": shift_start,
            "end": shift_end,
            "max_work_minutes": caregiver.max_work_minutes,
            "break": brk,
        }
    )


def domain_caregiver(caregiver: Caregiver) -> DomainCaregiver:
    return DomainCaregiver(
        id=caregiver.code,
        name=caregiver.name,
        phone=caregiver.phone or None,
        competence=caregiver.competence,
        skills=list(caregiver.skills),
        medication_delegation=caregiver.medication_delegation,
        employment_fraction=caregiver.employment_fraction,
        other_workplaces=list(caregiver.other_workplaces),
        infection_team=caregiver.infection_team,
        home_unit=caregiver.home_unit.code,
        redeployed_from=caregiver.redeployed_from or None,
        transport=caregiver.transport,
        shift=domain_shift(caregiver),
        workdays=list(caregiver.workdays),
    )


def domain_task(task: CareTask) -> DomainTask:
    return DomainTask(
        id=task.code,
        name=task.name,
        kind=task.kind,
        service_type=task.service_type,
        weekdays=list(task.weekdays),
        dates=[dt.date.fromisoformat(d) for d in task.dates] if task.dates else None,
        windows=[TimeWindow(start=parse_clock(s), end=parse_clock(e)) for s, e in task.windows],
        duration=task.duration,
        competence=task.competence,
        medication=task.medication,
        caregivers=task.caregivers,
        dependencies=[Dependency.model_validate(d) for d in task.dependencies],
        priority_class=task.priority_class,
        deferral_limit_days=task.deferral_limit_days,
        suitable_for_redeployed=task.suitable_for_redeployed,
        instructions=task.instructions,
    )


def domain_client(client: Client, caregiver_codes: set[str]) -> DomainClient:
    """The client as the planner sees it. ``national_id`` is left out: the planner never
    needs it, and plans and logs must not carry it."""
    tasks = [t for t in client.tasks.all() if t.active]
    task_codes = {t.code for t in tasks}
    contact = client.contact_person
    return DomainClient(
        id=client.code,
        name=client.name,
        unit=client.unit.code,
        address=client.address,
        location=Location(lat=client.lat, lon=client.lon),
        phone=client.phone or None,
        can_use_phone=client.can_use_phone,
        language=client.language,
        vulnerability=client.vulnerability,
        special_needs=client.special_needs,
        key_notes=client.key_notes,
        infection=[
            DomainInfection(
                status=p.status,
                since=p.since,
                since_time=minutes(p.since_time) if p.since_time else None,
                until=p.until,
            )
            for p in client.infection_periods.all()
        ],
        relatives=[
            DomainRelative(
                name=r.name,
                relation=r.relation,
                phone=r.phone or None,
                agreed_tasks=[t.code for t in r.agreed_tasks.all() if t.code in task_codes],
            )
            for r in client.relatives.all()
        ],
        contact_person=contact.code if contact and contact.code in caregiver_codes else None,
        recent_caregivers=[
            c.code for c in client.recent_caregivers.all() if c.code in caregiver_codes
        ],
        tasks=[domain_task(t) for t in tasks],
    )


def policy_for(
    municipality: Municipality,
) -> tuple[TriagePolicy, SchedulingRules, ObjectiveWeights]:
    setting = PolicySetting.objects.filter(municipality=municipality).first()
    if setting is None:
        return default_policy(), SchedulingRules(), ObjectiveWeights()
    return (
        TriagePolicy.model_validate(setting.policy),
        SchedulingRules.model_validate(setting.rules or {}),
        ObjectiveWeights.model_validate(setting.objective or {}),
    )


def build_scenario(unit: Unit, start: dt.date, days: int = 1) -> Scenario:
    """The scenario the planner plans for ``unit`` from ``start`` for ``days`` days: the
    unit's active clients and tasks, its active caregivers, their statuses on those days,
    and the municipality's policy."""
    caregivers = list(
        Caregiver.objects.filter(home_unit=unit, active=True).select_related("home_unit")
    )
    codes = {c.code for c in caregivers}
    clients = (
        Client.objects.filter(unit=unit, active=True)
        .select_related("unit", "contact_person")
        .prefetch_related(
            "tasks", "infection_periods", "relatives__agreed_tasks", "recent_caregivers"
        )
        .order_by("code")
    )
    end = start + dt.timedelta(days=days - 1)
    availability = Availability.objects.filter(
        caregiver__in=caregivers, date__gte=start, date__lte=end
    ).select_related("caregiver")
    by_code = {c.code: c for c in caregivers}
    policy, rules, objective = policy_for(unit.municipality)
    municipality = unit.municipality
    return Scenario(
        name=f"{unit.code} {start.isoformat()}",
        municipality=DomainMunicipality(
            code=municipality.code,
            name=municipality.name,
            country=municipality.country,
        ),
        units=[domain_unit(unit)],
        start_date=start,
        days=days,
        clients=[domain_client(c, codes) for c in clients],
        caregivers=[domain_caregiver(c) for c in sorted(caregivers, key=lambda c: c.code)],
        availability=[
            DomainAvailability(
                caregiver=a.caregiver.code,
                date=a.date,
                status=a.status,
                shift=domain_shift(by_code[a.caregiver.code], a.shift_start, a.shift_end)
                if a.shift_start and a.shift_end
                else None,
            )
            for a in sorted(availability, key=lambda a: (a.date, a.caregiver.code))
        ],
        policy=policy,
        rules=rules,
        objective=objective,
    )


# ------------------------------------------------------------------ domain → database


def task_values(task: DomainTask) -> dict[str, Any]:
    """A domain care task as the values of its register row."""
    return {
        "code": task.id,
        "name": task.name,
        "kind": task.kind,
        "service_type": int(task.service_type),
        "weekdays": list(task.weekdays),
        "dates": [d.isoformat() for d in task.dates] if task.dates else None,
        "windows": [[format_clock(w.start), format_clock(w.end)] for w in task.windows],
        "duration": task.duration,
        "competence": task.competence,
        "medication": task.medication,
        "caregivers": task.caregivers,
        "dependencies": [d.model_dump(mode="json") for d in task.dependencies],
        "priority_class": task.priority_class,
        "deferral_limit_days": task.deferral_limit_days,
        "suitable_for_redeployed": task.suitable_for_redeployed,
        "instructions": task.instructions,
    }


@transaction.atomic
def load_scenario(scenario: Scenario, *, replace: bool = False) -> list[Unit]:
    """Create the scenario's municipality, units, caregivers, clients, tasks, relatives,
    infection history, availability and policy in the database. All or nothing.

    With ``replace``, rows with the same codes are updated in place; without it, an
    existing code is an error (``ValueError`` naming it).
    """
    m = scenario.municipality
    municipality, _ = Municipality.objects.update_or_create(
        code=m.code, defaults={"name": m.name, "country": m.country.value}
    )
    PolicySetting.objects.update_or_create(
        municipality=municipality,
        defaults={
            "policy": scenario.policy.model_dump(mode="json"),
            "rules": scenario.rules.model_dump(mode="json"),
            "objective": scenario.objective.model_dump(mode="json"),
        },
    )
    if not replace:
        _refuse_existing(Unit, [u.id for u in scenario.units], "unit")
        _refuse_existing(Caregiver, [c.id for c in scenario.caregivers], "caregiver")
        _refuse_existing(Client, [c.id for c in scenario.clients], "client")
    units = {}
    for u in scenario.units:
        units[u.id], _ = Unit.objects.update_or_create(
            code=u.id,
            defaults={
                "municipality": municipality,
                "name": u.name,
                "office_address": u.office.address,
                "office_lat": u.office.location.lat,
                "office_lon": u.office.location.lon,
            },
        )
    caregivers = {}
    for c in scenario.caregivers:
        brk = c.shift.break_
        caregivers[c.id], _ = Caregiver.objects.update_or_create(
            code=c.id,
            defaults={
                "home_unit": units[c.home_unit],
                "name": c.name,
                "phone": c.phone or "",
                "competence": c.competence.value,
                "skills": list(c.skills),
                "medication_delegation": c.medication_delegation,
                "employment_fraction": c.employment_fraction,
                "other_workplaces": list(c.other_workplaces),
                "infection_team": c.infection_team,
                "redeployed_from": c.redeployed_from or "",
                "transport": c.transport.value,
                "shift_start": time_of(c.shift.start),
                "shift_end": time_of(c.shift.end),
                "max_work_minutes": c.shift.max_work_minutes,
                "break_window_start": time_of(brk.window.start) if brk else None,
                "break_window_end": time_of(brk.window.end) if brk else None,
                "break_minutes": brk.duration if brk else 30,
                "workdays": list(c.workdays),
            },
        )
    for client in scenario.clients:
        _load_client(client, units[client.unit], caregivers)
    for a in scenario.availability:
        Availability.objects.update_or_create(
            caregiver=caregivers[a.caregiver],
            date=a.date,
            defaults={
                "status": a.status.value,
                "shift_start": time_of(a.shift.start) if a.shift else None,
                "shift_end": time_of(a.shift.end) if a.shift else None,
            },
        )
    return list(units.values())


def _refuse_existing(
    model: type[Unit] | type[Caregiver] | type[Client], codes: Iterable[str], what: str
) -> None:
    taken = list(model.objects.filter(code__in=list(codes)).values_list("code", flat=True)[:5])
    if taken:
        raise ValueError(f"{what} code(s) already in the database: {', '.join(sorted(taken))}")


def _load_client(c: DomainClient, unit: Unit, caregivers: dict[str, Caregiver]) -> None:
    client, _ = Client.objects.update_or_create(
        code=c.id,
        defaults={
            "unit": unit,
            "name": c.name,
            "address": c.address,
            "lat": c.location.lat,
            "lon": c.location.lon,
            "phone": c.phone or "",
            "can_use_phone": c.can_use_phone,
            "language": c.language.value,
            "vulnerability": int(c.vulnerability),
            "special_needs": c.special_needs,
            "key_notes": c.key_notes,
            "national_id": c.national_id or "",
            "contact_person": caregivers.get(c.contact_person) if c.contact_person else None,
        },
    )
    client.recent_caregivers.set([caregivers[i] for i in c.recent_caregivers if i in caregivers])
    tasks = {}
    for t in c.tasks:
        values = task_values(t)
        code = values.pop("code")
        tasks[t.id], _ = CareTask.objects.update_or_create(
            code=code, defaults={"client": client, **values}
        )
    client.relatives.all().delete()
    for r in c.relatives:
        relative = Relative.objects.create(
            client=client, name=r.name, relation=r.relation, phone=r.phone or ""
        )
        relative.agreed_tasks.set([tasks[i] for i in r.agreed_tasks if i in tasks])
    if not client.infection_periods.exists():
        for p in c.infection:
            InfectionPeriod.objects.create(
                client=client,
                status=p.status.value,
                since=p.since,
                since_time=time_of(p.since_time) if p.since_time else None,
                until=p.until,
            )
