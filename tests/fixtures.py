"""A small hand-made municipality and a valid two-day plan for it, for checker tests.

Ørnes hjemmetjeneste (one unit, Bergen) plans Monday 4 and Tuesday 5 March 2024:

- Astrid is isolated (COVID-19): her morning medication goes to the infection team.
- Bjørn gets insulin, then breakfast 10-90 min later (a dependency).
- Clara's morning care needs two caregivers; her Monday shower is postponed to Tuesday.
- Dag's safety visit is handed to his daughter on Monday and done by phone on Tuesday;
  his support contact is cancelled both days.
- Eva has special needs, so her Monday day activity is kept, by the redeployed assistant.

Travel times are not typed in: routes leave the office just in time and come back
straight after, as :class:`beredt.travel.HaversineTravel` says, so the plan is feasible
by construction (and ``test_valid_plan_has_no_violations`` proves it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from beredt.domain.clock import parse_clock
from beredt.domain.model import (
    Availability,
    AvailabilityStatus,
    BreakRule,
    Caregiver,
    CareTask,
    Client,
    Competence,
    Dependency,
    InfectionPeriod,
    InfectionStatus,
    Location,
    Municipality,
    Office,
    Relative,
    ServiceType,
    Shift,
    TimeWindow,
    TransportMode,
    Unit,
    Vulnerability,
)
from beredt.domain.plan import Plan, PlannedVisit, Route
from beredt.domain.policy import Decision, SchedulingRules
from beredt.domain.scenario import Scenario, visit_id
from beredt.travel import HaversineTravel, client_place, office_place

MONDAY = dt.date(2024, 3, 4)
TUESDAY = dt.date(2024, 3, 5)
UNIT = "ornes"
TRAVEL = HaversineTravel()
LATE_START_TOLERANCE = 10


def t(text: str) -> int:
    """``"08:30"`` → minutes after midnight."""
    return parse_clock(text)


def window(start: str, end: str) -> TimeWindow:
    return TimeWindow(start=t(start), end=t(end))


# ------------------------------------------------------------------------ scenario


def _clients() -> list[Client]:
    return [
        Client(
            id="astrid",
            name="Astrid Berg",
            unit=UNIT,
            address="Kalfarveien 10",
            location=Location(lat=60.3950, lon=5.3300),
            vulnerability=Vulnerability.HIGH,
            infection=[InfectionPeriod(status=InfectionStatus.ISOLATED, since=dt.date(2024, 3, 1))],
            tasks=[
                CareTask(
                    id="astrid-med",
                    name="Morning medication",
                    kind="medication",
                    windows=[window("08:00", "09:30")],
                    duration=15,
                    competence=Competence.HEALTH_WORKER.value,
                    medication=True,
                    priority_class=1,
                )
            ],
        ),
        Client(
            id="bjorn",
            name="Bjørn Dahl",
            unit=UNIT,
            address="Nygårdsgaten 3",
            location=Location(lat=60.3850, lon=5.3150),
            tasks=[
                CareTask(
                    id="bjorn-insulin",
                    name="Insulin",
                    kind="insulin",
                    windows=[window("07:30", "08:30")],
                    duration=10,
                    competence=Competence.HEALTH_WORKER.value,
                    medication=True,
                    priority_class=1,
                ),
                CareTask(
                    id="bjorn-breakfast",
                    name="Breakfast",
                    kind="meal",
                    windows=[window("07:45", "09:15")],
                    duration=20,
                    dependencies=[Dependency(after="bjorn-insulin", min_gap=10, max_gap=90)],
                    priority_class=2,
                ),
            ],
        ),
        Client(
            id="clara",
            name="Clara Lie",
            unit=UNIT,
            address="Fjellveien 22",
            location=Location(lat=60.3920, lon=5.3350),
            tasks=[
                CareTask(
                    id="clara-care",
                    name="Morning care (two caregivers, lift)",
                    kind="personal_care",
                    windows=[window("09:00", "10:30")],
                    duration=30,
                    competence=Competence.HEALTH_WORKER.value,
                    caregivers=2,
                    priority_class=2,
                ),
                CareTask(
                    id="clara-shower",
                    name="Shower",
                    kind="shower",
                    service_type=ServiceType.PRACTICAL_ASSISTANCE_DAILY,
                    weekdays=[1],
                    windows=[window("10:00", "14:00")],
                    duration=45,
                    priority_class=4,
                    deferral_limit_days=7,
                ),
            ],
        ),
        Client(
            id="dag",
            name="Dag Moen",
            unit=UNIT,
            address="Møhlenpris 5",
            location=Location(lat=60.3800, lon=5.3250),
            phone="+47 912 34 567",
            vulnerability=Vulnerability.LOW,
            relatives=[
                Relative(
                    name="Kari Moen",
                    relation="daughter",
                    phone="+47 913 45 678",
                    agreed_tasks=["dag-check"],
                )
            ],
            tasks=[
                CareTask(
                    id="dag-check",
                    name="Safety visit",
                    kind="supervision",
                    windows=[window("12:00", "14:00")],
                    duration=15,
                    priority_class=3,
                    suitable_for_redeployed=True,
                ),
                CareTask(
                    id="dag-support",
                    name="Support contact",
                    kind="support_contact",
                    service_type=ServiceType.SUPPORT_CONTACT,
                    windows=[window("13:00", "14:00")],
                    duration=60,
                    priority_class=5,
                    suitable_for_redeployed=True,
                ),
            ],
        ),
        Client(
            id="eva",
            name="Eva Strand",
            unit=UNIT,
            address="Sandviksveien 40",
            location=Location(lat=60.3980, lon=5.3100),
            vulnerability=Vulnerability.LOW,
            special_needs=True,
            tasks=[
                CareTask(
                    id="eva-activity",
                    name="Day activity",
                    kind="day_activity",
                    service_type=ServiceType.DAY_ACTIVITY,
                    weekdays=[1, 3, 5],
                    windows=[window("10:00", "13:00")],
                    duration=60,
                    priority_class=5,
                    suitable_for_redeployed=True,
                )
            ],
        ),
    ]


DAY_SHIFT = Shift(
    start=t("07:00"),
    end=t("15:00"),
    break_=BreakRule(window=window("11:00", "12:30"), duration=30),
)
SHORT_SHIFT = Shift(
    start=t("08:00"),
    end=t("14:00"),
    max_work_minutes=330,
    break_=BreakRule(window=window("11:00", "12:00"), duration=30),
)


def _caregivers() -> list[Caregiver]:
    def caregiver(id: str, name: str, competence: Competence, **more: Any) -> Caregiver:
        fields: dict[str, Any] = {"shift": DAY_SHIFT, "home_unit": UNIT, **more}
        return Caregiver(id=id, name=name, competence=competence, **fields)

    return [
        caregiver(
            "inf1",
            "Ingrid Nes",
            Competence.NURSE,
            infection_team=True,
            transport=TransportMode.WALK,
        ),
        caregiver(
            "inf2",
            "Ivar Lunde",
            Competence.HEALTH_WORKER,
            medication_delegation=True,
            infection_team=True,
        ),
        caregiver("nurse", "Nina Holm", Competence.NURSE),
        caregiver(
            "multi",
            "Mona Vik",
            Competence.HEALTH_WORKER,
            other_workplaces=["Fjellheim sykehjem"],
            employment_fraction=0.6,
        ),
        caregiver(
            "redep",
            "Rune Bakke",
            Competence.ASSISTANT,
            redeployed_from="day centre",
            transport=TransportMode.BIKE,
            shift=SHORT_SHIFT,
            employment_fraction=0.75,
        ),
    ]


def small_scenario() -> Scenario:
    return Scenario(
        name="Ørnes, two days in March",
        municipality=Municipality(code="4601", name="Bergen"),
        units=[
            Unit(
                id=UNIT,
                name="Ørnes hjemmetjeneste",
                office=Office(address="Ørnesveien 1", location=Location(lat=60.3900, lon=5.3200)),
            )
        ],
        start_date=MONDAY,
        days=2,
        clients=_clients(),
        caregivers=_caregivers(),
        availability=[
            Availability(caregiver="inf2", date=TUESDAY, status=AvailabilityStatus.QUARANTINE)
        ],
        rules=SchedulingRules(late_start_tolerance=LATE_START_TOLERANCE),
    )


# ---------------------------------------------------------------------------- plan


def kept(
    scenario: Scenario,
    task_id: str,
    day: dt.date,
    start: str,
    caregivers: list[str],
    due: dt.date | None = None,
) -> PlannedVisit:
    client, task = scenario.task_by_id[task_id]
    return PlannedVisit(
        visit=visit_id(task_id, due or day, 0),
        client=client.id,
        task=task_id,
        date=day,
        decision=Decision.KEPT,
        reason="kept",
        caregivers=caregivers,
        start=t(start),
        end=t(start) + task.duration,
    )


def reduced(
    scenario: Scenario, task_id: str, day: dt.date, decision: Decision, **more: Any
) -> PlannedVisit:
    client, _ = scenario.task_by_id[task_id]
    return PlannedVisit(
        visit=visit_id(task_id, day, 0),
        client=client.id,
        task=task_id,
        date=day,
        decision=decision,
        reason=f"{decision.value.lower()} by policy",
        **more,
    )


def route(
    scenario: Scenario,
    caregiver_id: str,
    stops: list[PlannedVisit],
    break_start: str,
) -> Route:
    """Leave the office just in time for the first stop and come back straight after the
    last; a break before the first or after the last stop stretches the route to hold it."""
    caregiver = scenario.caregiver_by_id[caregiver_id]
    unit = scenario.unit_by_id[caregiver.home_unit]
    office = office_place(unit.id, unit.office.location)
    first, last = stops[0], stops[-1]
    assert first.start is not None and last.end is not None
    first_place = client_place(first.client, scenario.client_by_id[first.client].location)
    last_place = client_place(last.client, scenario.client_by_id[last.client].location)
    start = first.start - TRAVEL.minutes(office, first_place, caregiver.transport)
    end = last.end + TRAVEL.minutes(last_place, office, caregiver.transport)
    pause = t(break_start)
    shift = scenario.shift_on(caregiver, first.date)
    assert shift is not None and shift.break_ is not None
    if pause >= last.end:
        end = max(end + shift.break_.duration, pause + shift.break_.duration)
    elif pause + shift.break_.duration <= first.start:
        start = min(start - shift.break_.duration, pause)
    return Route(
        caregiver=caregiver_id,
        date=first.date,
        start=start,
        end=end,
        stops=[stop.visit for stop in stops],
        break_start=pause,
    )


def small_valid_plan(scenario: Scenario) -> Plan:
    s = scenario
    mon = {
        "astrid": kept(s, "astrid-med", MONDAY, "08:00", ["inf2"]),
        "insulin": kept(s, "bjorn-insulin", MONDAY, "07:40", ["nurse"]),
        "breakfast": kept(s, "bjorn-breakfast", MONDAY, "08:00", ["multi"]),
        "clara": kept(s, "clara-care", MONDAY, "09:00", ["nurse", "multi"]),
        "eva": kept(s, "eva-activity", MONDAY, "10:00", ["redep"]),
    }
    tue = {
        # 5 min past the window, inside the 10 min late-start tolerance
        "astrid": kept(s, "astrid-med", TUESDAY, "09:35", ["inf1"]),
        "insulin": kept(s, "bjorn-insulin", TUESDAY, "07:40", ["nurse"]),
        "breakfast": kept(s, "bjorn-breakfast", TUESDAY, "08:00", ["multi"]),
        "clara": kept(s, "clara-care", TUESDAY, "09:00", ["nurse", "multi"]),
        "shower": kept(s, "clara-shower", TUESDAY, "12:00", ["multi"], due=MONDAY),
    }
    not_kept = [
        reduced(s, "clara-shower", MONDAY, Decision.POSTPONED, postponed_to=TUESDAY),
        reduced(s, "dag-check", MONDAY, Decision.HANDED_TO_RELATIVE, relative="Kari Moen"),
        reduced(s, "dag-support", MONDAY, Decision.CANCELLED),
        reduced(s, "dag-check", TUESDAY, Decision.REPLACED_BY_PHONE),
        reduced(s, "dag-support", TUESDAY, Decision.CANCELLED),
    ]
    routes = [
        route(s, "inf2", [mon["astrid"]], "11:00"),
        route(s, "nurse", [mon["insulin"], mon["clara"]], "11:00"),
        route(s, "multi", [mon["breakfast"], mon["clara"]], "11:00"),
        route(s, "redep", [mon["eva"]], "11:10"),
        route(s, "inf1", [tue["astrid"]], "11:00"),
        route(s, "nurse", [tue["insulin"], tue["clara"]], "11:00"),
        # the break falls between Clara's care and her shower
        route(s, "multi", [tue["breakfast"], tue["clara"], tue["shower"]], "11:00"),
    ]
    return Plan(
        scenario=scenario.name,
        scenario_digest="0" * 64,
        planner="hand-made",
        created_at=dt.datetime(2024, 3, 3, 18, 0, tzinfo=dt.UTC),
        dates=[MONDAY, TUESDAY],
        visits=[*mon.values(), *tue.values(), *not_kept],
        routes=routes,
    )
