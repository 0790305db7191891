"""The plan checker: the hand-made valid plan passes, and each specific corruption breaks
exactly the rule it should."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from beredt.checker import RULES, CheckReport, check_plan, compute_kpis
from beredt.domain.model import (
    Availability,
    AvailabilityStatus,
    InfectionPeriod,
    InfectionStatus,
    Shift,
    Vulnerability,
)
from beredt.domain.plan import Plan, PlannedVisit, Route, Shortfall
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, visit_id
from tests.fixtures import (
    MONDAY,
    TRAVEL,
    TUESDAY,
    small_scenario,
    small_valid_plan,
    t,
)

# ------------------------------------------------------------------------ helpers


def check(scenario: Scenario, plan: Plan) -> CheckReport:
    return check_plan(scenario, plan, TRAVEL)


def vid(task: str, due: dt.date) -> str:
    return visit_id(task, due, 0)


def rebuild(scenario: Scenario, **update: Any) -> Scenario:
    """A changed scenario. Not ``model_copy``: that would carry over the cached look-ups
    (``client_by_id`` …) of the original."""
    fields = {name: getattr(scenario, name) for name in Scenario.model_fields}
    return Scenario(**{**fields, **update})


def edit_client(scenario: Scenario, client_id: str, **update: Any) -> Scenario:
    clients = [c.model_copy(update=update) if c.id == client_id else c for c in scenario.clients]
    return rebuild(scenario, clients=clients)


def edit_task(scenario: Scenario, task_id: str, **update: Any) -> Scenario:
    client, _ = scenario.task_by_id[task_id]
    tasks = [
        task.model_copy(update=update) if task.id == task_id else task for task in client.tasks
    ]
    return edit_client(scenario, client.id, tasks=tasks)


def edit_caregiver(scenario: Scenario, caregiver_id: str, **update: Any) -> Scenario:
    caregivers = [
        c.model_copy(update=update) if c.id == caregiver_id else c for c in scenario.caregivers
    ]
    return rebuild(scenario, caregivers=caregivers)


def edit_visit(
    plan: Plan, task: str, day: dt.date, due: dt.date | None = None, **update: Any
) -> Plan:
    key = (vid(task, due or day), day)
    assert any((v.visit, v.date) == key for v in plan.visits), key
    visits = [v.model_copy(update=update) if (v.visit, v.date) == key else v for v in plan.visits]
    return plan.model_copy(update={"visits": visits})


def reduce_visit(plan: Plan, task: str, day: dt.date, decision: Decision, **update: Any) -> Plan:
    """Turn a KEPT visit into another decision and take it off every route."""
    changed = edit_visit(
        plan, task, day, decision=decision, caregivers=[], start=None, end=None, **update
    )
    return drop_stop(changed, vid(task, day), day)


def drop_visit(plan: Plan, task: str, day: dt.date, due: dt.date | None = None) -> Plan:
    key = (vid(task, due or day), day)
    return plan.model_copy(update={"visits": [v for v in plan.visits if (v.visit, v.date) != key]})


def edit_route(plan: Plan, caregiver: str, day: dt.date, /, **update: Any) -> Plan:
    assert any((r.caregiver, r.date) == (caregiver, day) for r in plan.routes)
    routes = [
        r.model_copy(update=update) if (r.caregiver, r.date) == (caregiver, day) else r
        for r in plan.routes
    ]
    return plan.model_copy(update={"routes": routes})


def drop_stop(plan: Plan, visit: str, day: dt.date, caregiver: str | None = None) -> Plan:
    """Take a visit off every route that day, or off one caregiver's route."""

    def affected(route: Route) -> bool:
        return route.date == day and caregiver in (None, route.caregiver)

    routes = [
        r.model_copy(update={"stops": [s for s in r.stops if s != visit]}) if affected(r) else r
        for r in plan.routes
    ]
    return plan.model_copy(update={"routes": routes})


def route_of(plan: Plan, caregiver: str, day: dt.date) -> Route:
    return next(r for r in plan.routes if (r.caregiver, r.date) == (caregiver, day))


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return small_scenario()


@pytest.fixture(scope="module")
def plan(scenario: Scenario) -> Plan:
    return small_valid_plan(scenario)


# --------------------------------------------------------------------- valid plan


def test_valid_plan_has_no_violations(scenario: Scenario, plan: Plan) -> None:
    report = check(scenario, plan)
    assert report.violations == []
    assert report.ok


def test_valid_plan_uses_every_decision(plan: Plan) -> None:
    assert {v.decision for v in plan.visits} == set(Decision)


def test_valid_plan_kpis_match_hand_computed_values(scenario: Scenario, plan: Plan) -> None:
    kpis = check(scenario, plan).kpis
    assert kpis.class1_coverage == 1.0
    assert kpis.essential_coverage == 1.0
    assert kpis.visits_total == 15  # 8 due Monday, 6 due Tuesday, 1 shower carried
    assert kpis.visits_kept == 10
    assert kpis.visits_by_decision == {
        "KEPT": 10,
        "REPLACED_BY_PHONE": 1,
        "HANDED_TO_RELATIVE": 1,
        "POSTPONED": 1,
        "CANCELLED": 2,
    }
    # Monday: medication 15 + insulin 10 + breakfast 20 + lift 2x30 + day activity 60
    # Tuesday: 15 + 10 + 20 + 2x30 + shower 45
    assert kpis.care_minutes == 165 + 150
    # Monday: inf2 car 2+2, nurse car 2+4+2, multi car 2+4+2, redep bike 6+6
    # Tuesday: inf1 walks 15+15, nurse 2+4+2, multi 2+4+0+2
    assert kpis.travel_minutes == (4 + 8 + 8 + 12) + (30 + 8 + 8)
    # Monday: four 8 h shifts and redep's 6 h; Tuesday inf2 is in quarantine
    assert kpis.paid_minutes == (4 * 480 + 360) + (3 * 480 + 360)
    assert kpis.care_share_of_paid_time == pytest.approx(315 / 4080)
    assert kpis.travel_minutes_per_visit == pytest.approx(78 / 10)
    assert kpis.deferred_minutes == 45
    assert kpis.tardiness_minutes == 5  # Astrid on Tuesday at 09:35, window ends 09:30
    assert kpis.max_distinct_caregivers_per_isolated_client == 1
    # Astrid {inf2, inf1}, Bjørn {nurse, multi}, Clara {nurse, multi}, Eva {redep}
    assert kpis.mean_distinct_caregivers_per_client == pytest.approx(7 / 4)
    assert kpis.multi_site_vulnerable_contacts == 0
    assert kpis.shortfall_visits == 0


def test_compute_kpis_equals_the_reports_kpis(scenario: Scenario, plan: Plan) -> None:
    assert compute_kpis(scenario, plan, TRAVEL) == check(scenario, plan).kpis


def test_kpis_of_a_plan_with_shortfall(scenario: Scenario, plan: Plan) -> None:
    short = reduce_visit(plan, "astrid-med", MONDAY, Decision.CANCELLED, shortfall=True)
    short = short.model_copy(
        update={"shortfall": Shortfall(visits=[vid("astrid-med", MONDAY)], message="no staff")}
    )
    report = check(scenario, short)
    assert report.ok
    assert report.kpis.class1_coverage == pytest.approx(3 / 4)
    assert report.kpis.essential_coverage == pytest.approx(7 / 8)
    assert report.kpis.shortfall_visits == 1
    assert report.kpis.visits_by_decision["CANCELLED"] == 3
    assert report.kpis.travel_minutes == 78 - 4  # inf2 no longer drives to Astrid


def test_kpis_count_multi_site_contacts_and_isolated_exposure(
    scenario: Scenario, plan: Plan
) -> None:
    # Bjørn becomes highly vulnerable: Mona (multi-site) brings his breakfast both days.
    kpis = check(edit_client(scenario, "bjorn", vulnerability=Vulnerability.HIGH), plan).kpis
    assert kpis.multi_site_vulnerable_contacts == 2
    # Clara isolated on Monday: Nina and Mona both lift her.
    isolated = [InfectionPeriod(status=InfectionStatus.SUSPECTED, since=MONDAY, until=MONDAY)]
    kpis = check(edit_client(scenario, "clara", infection=isolated), plan).kpis
    assert kpis.max_distinct_caregivers_per_isolated_client == 2
    assert kpis.multi_site_vulnerable_contacts == 1


def test_report_as_json(scenario: Scenario, plan: Plan) -> None:
    broken = drop_visit(plan, "dag-support", MONDAY)
    data = check(scenario, broken).to_json_dict()
    assert data["ok"] is False
    assert data["violations"] == [
        {
            "rule": "coverage",
            "visit": "dag-support@2024-03-04#0",
            "caregiver": None,
            "date": "2024-03-04",
            "message": "visit dag-support@2024-03-04#0 (Support contact for client dag) is due "
            "on 2024-03-04 but the plan has no decision for it",
        }
    ]
    assert data["kpis"]["visits_total"] == 14


def test_messages_give_times_as_hh_mm(scenario: Scenario, plan: Plan) -> None:
    late = edit_visit(plan, "astrid-med", MONDAY, start=t("09:45"), end=t("10:00"))
    [violation] = check(scenario, late).violations
    assert "09:45" in violation.message and "09:40" in violation.message
    assert (violation.visit, violation.caregiver, violation.date) == (
        vid("astrid-med", MONDAY),
        None,
        MONDAY,
    )


# ------------------------------------------------------- one corruption, one rule

Corruption = Callable[[Scenario, Plan], tuple[Scenario, Plan]]


def _plan_only(change: Callable[[Plan], Plan]) -> Corruption:
    return lambda scenario, plan: (scenario, change(plan))


def _scenario_only(change: Callable[[Scenario], Scenario]) -> Corruption:
    return lambda scenario, plan: (change(scenario), plan)


def _monday_only(scenario: Scenario, plan: Plan) -> tuple[Scenario, Plan]:
    """A plan for Monday alone; the scenario still asks for two days."""
    kept = [v for v in plan.visits if v.date == MONDAY]
    routes = [r for r in plan.routes if r.date == MONDAY]
    return scenario, plan.model_copy(update={"dates": [MONDAY], "visits": kept, "routes": routes})


def _extra_entry(**fields: Any) -> Callable[[Plan], Plan]:
    entry = PlannedVisit(
        **{
            "client": "dag",
            "task": "dag-support",
            "date": MONDAY,
            "decision": Decision.CANCELLED,
            "reason": "cancelled by policy",
            **fields,
        }
    )
    return lambda plan: plan.model_copy(update={"visits": [*plan.visits, entry]})


def _move_stop(plan: Plan) -> Plan:
    """Redep's day activity for Eva moves to inf2's route, but the visit still names redep."""
    eva = vid("eva-activity", MONDAY)
    moved = drop_stop(plan, eva, MONDAY)
    astrid = route_of(plan, "inf2", MONDAY).stops
    return edit_route(moved, "inf2", MONDAY, stops=[*astrid, eva])


CORRUPTIONS: dict[str, tuple[Corruption, str]] = {
    # coverage, duplicate, unknown_visit
    "due visit missing": (_plan_only(lambda p: drop_visit(p, "dag-support", MONDAY)), "coverage"),
    "plan misses a day": (_monday_only, "coverage"),
    "carried visit never postponed": (
        _plan_only(lambda p: drop_visit(p, "clara-shower", MONDAY)),
        "coverage",
    ),
    "postponed visit never planned again": (
        _plan_only(
            lambda p: drop_stop(
                drop_visit(p, "clara-shower", TUESDAY, due=MONDAY),
                vid("clara-shower", MONDAY),
                TUESDAY,
            )
        ),
        "coverage",
    ),
    "entry twice": (
        _plan_only(lambda p: _extra_entry(visit=vid("dag-support", MONDAY))(p)),
        "duplicate",
    ),
    "route twice": (
        _plan_only(
            lambda p: p.model_copy(update={"routes": [*p.routes, route_of(p, "redep", MONDAY)]})
        ),
        "duplicate",
    ),
    "visit id not in register": (
        _plan_only(_extra_entry(visit="dag-support@2024-03-04#1")),
        "unknown_visit",
    ),
    # triage
    "class 5 by phone": (
        _plan_only(
            lambda p: edit_visit(p, "dag-support", MONDAY, decision=Decision.REPLACED_BY_PHONE)
        ),
        "policy",
    ),
    "phone call to a client who cannot take one": (
        _scenario_only(lambda s: edit_client(s, "dag", can_use_phone=False)),
        "policy",
    ),
    "hand-over nobody agreed to": (
        _scenario_only(lambda s: edit_client(s, "dag", relatives=[])),
        "policy",
    ),
    "special needs day activity cancelled": (
        _plan_only(lambda p: reduce_visit(p, "eva-activity", MONDAY, Decision.CANCELLED)),
        "policy",
    ),
    "insulin cancelled without shortfall": (
        _plan_only(lambda p: reduce_visit(p, "astrid-med", MONDAY, Decision.CANCELLED)),
        "class1_not_kept",
    ),
    "shortfall flagged but not listed": (
        _plan_only(
            lambda p: reduce_visit(p, "astrid-med", MONDAY, Decision.CANCELLED, shortfall=True)
        ),
        "class1_not_kept",
    ),
    "shower may not wait a day": (
        _scenario_only(lambda s: edit_task(s, "clara-shower", deferral_limit_days=0)),
        "deferral_limit",
    ),
    "shower may not be postponed at all": (
        _scenario_only(lambda s: edit_task(s, "clara-shower", deferral_limit_days=None)),
        "deferral_limit",
    ),
    # kept visits
    "lift with one caregiver": (
        _plan_only(
            lambda p: drop_stop(
                edit_visit(p, "clara-care", MONDAY, caregivers=["nurse"]),
                vid("clara-care", MONDAY),
                MONDAY,
                "multi",
            )
        ),
        "double_staffing",
    ),
    "visit too long": (
        _plan_only(lambda p: edit_visit(p, "astrid-med", MONDAY, end=t("08:20"))),
        "duration",
    ),
    "caregiver not in register": (
        _plan_only(
            lambda p: edit_route(
                edit_visit(p, "astrid-med", MONDAY, caregivers=["ghost"]),
                "inf2",
                MONDAY,
                caregiver="ghost",
            )
        ),
        "unknown_caregiver",
    ),
    "nurse off sick": (
        _scenario_only(
            lambda s: rebuild(
                s,
                availability=[
                    *s.availability,
                    Availability(caregiver="nurse", date=MONDAY, status=AvailabilityStatus.SICK),
                ],
            )
        ),
        "shift",
    ),
    "route starts before the shift": (
        _plan_only(lambda p: edit_route(p, "nurse", MONDAY, start=t("06:50"))),
        "shift",
    ),
    "route longer than allowed": (
        _scenario_only(
            lambda s: edit_caregiver(
                s,
                "redep",
                shift=s.caregiver_by_id["redep"].shift.model_copy(update={"max_work_minutes": 90}),
            )
        ),
        "shift",
    ),
    "day activity needs a health worker": (
        _scenario_only(lambda s: edit_task(s, "eva-activity", competence="health_worker")),
        "competence",
    ),
    "medication without delegation": (
        _scenario_only(lambda s: edit_caregiver(s, "inf2", medication_delegation=False)),
        "competence",
    ),
    "isolated client served outside the infection team": (
        _scenario_only(
            lambda s: edit_client(
                s, "eva", infection=[InfectionPeriod(status=InfectionStatus.ISOLATED, since=MONDAY)]
            )
        ),
        "infection_team",
    ),
    "multi-site staff at a highly vulnerable client": (
        _scenario_only(lambda s: edit_client(s, "bjorn", vulnerability=Vulnerability.HIGH)),
        "multi_site",
    ),
    "redeployed staff on an unsuitable task": (
        _scenario_only(lambda s: edit_task(s, "eva-activity", suitable_for_redeployed=False)),
        "redeployed",
    ),
    "medication after the window": (
        _plan_only(lambda p: edit_visit(p, "astrid-med", MONDAY, start=t("09:45"), end=t("10:00"))),
        "time_window",
    ),
    "medication before the window": (
        _plan_only(
            lambda p: edit_route(
                edit_visit(p, "astrid-med", MONDAY, start=t("07:50"), end=t("08:05")),
                "inf2",
                MONDAY,
                start=t("07:45"),
            )
        ),
        "time_window",
    ),
    "breakfast too soon after insulin": (
        _plan_only(
            lambda p: edit_visit(p, "bjorn-insulin", MONDAY, start=t("07:55"), end=t("08:05"))
        ),
        "dependency",
    ),
    # routes
    "stop on the wrong route": (_plan_only(_move_stop), "route_mismatch"),
    "kept visit missing from its route": (
        _plan_only(lambda p: drop_stop(p, vid("astrid-med", MONDAY), MONDAY)),
        "route_mismatch",
    ),
    "breakfast runs into the lift": (
        _plan_only(
            lambda p: edit_visit(p, "bjorn-breakfast", MONDAY, start=t("08:50"), end=t("09:10"))
        ),
        "overlap",
    ),
    "no time to drive to the first visit": (
        _plan_only(lambda p: edit_route(p, "nurse", MONDAY, start=t("07:40"))),
        "travel",
    ),
    "stops in the wrong order": (
        _plan_only(
            lambda p: edit_route(
                p, "nurse", MONDAY, stops=list(reversed(route_of(p, "nurse", MONDAY).stops))
            )
        ),
        "travel",
    ),
    "no time to get back": (
        # Clara's shower ends 12:45 and the office is 2 min away by car
        _plan_only(lambda p: edit_route(p, "multi", TUESDAY, end=t("12:46"))),
        "travel",
    ),
    "break outside its window": (
        _plan_only(lambda p: edit_route(p, "inf2", MONDAY, break_start=t("10:00"))),
        "break",
    ),
    "no break": (
        _plan_only(lambda p: edit_route(p, "inf2", MONDAY, break_start=None)),
        "break",
    ),
    "break on top of a visit": (
        _plan_only(lambda p: edit_route(p, "multi", TUESDAY, break_start=t("12:10"))),
        "break",
    ),
    "break squeezes the ride home": (
        # 11:00 leaving Eva, 6 min by bike, 30 min break, back at 11:35: one minute short
        _plan_only(
            lambda p: edit_route(p, "redep", MONDAY, break_start=t("11:05"), end=t("11:35"))
        ),
        "break",
    ),
    "break without a break rule": (
        _scenario_only(
            lambda s: edit_caregiver(s, "redep", shift=Shift(start=t("08:00"), end=t("14:00")))
        ),
        "break",
    ),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corruption_breaks_exactly_its_rule(scenario: Scenario, plan: Plan, name: str) -> None:
    corrupt, rule = CORRUPTIONS[name]
    report = check(*corrupt(scenario, plan))
    assert report.violations, f"{name}: not caught"
    assert report.rules == {rule}, [str(v) for v in report.violations]
    assert not report.ok


def test_every_rule_has_a_corruption() -> None:
    assert {rule for _, rule in CORRUPTIONS.values()} == RULES


# ---------------------------------------------------------------- other behaviour


def test_shortfall_excuses_class1_when_listed(scenario: Scenario, plan: Plan) -> None:
    short = reduce_visit(plan, "astrid-med", MONDAY, Decision.CANCELLED, shortfall=True)
    short = short.model_copy(update={"shortfall": Shortfall(visits=[vid("astrid-med", MONDAY)])})
    assert check(scenario, short).ok


def test_shortfall_excuses_a_decision_the_class_does_not_allow(
    scenario: Scenario, plan: Plan
) -> None:
    phoned = edit_visit(
        plan, "dag-support", MONDAY, decision=Decision.REPLACED_BY_PHONE, shortfall=True
    )
    assert check(scenario, phoned).ok


def test_entry_naming_another_client_is_unknown(scenario: Scenario, plan: Plan) -> None:
    wrong = edit_visit(plan, "dag-support", MONDAY, client="eva")
    # the due visit then has no valid entry either
    assert check(scenario, wrong).rules == {"unknown_visit", "coverage"}


def test_dependency_unchecked_when_the_first_visit_is_not_kept(
    scenario: Scenario, plan: Plan
) -> None:
    short = reduce_visit(plan, "bjorn-insulin", MONDAY, Decision.CANCELLED, shortfall=True)
    short = short.model_copy(update={"shortfall": Shortfall(visits=[vid("bjorn-insulin", MONDAY)])})
    early = edit_visit(short, "bjorn-breakfast", MONDAY, start=t("07:45"), end=t("08:05"))
    early = edit_route(early, "multi", MONDAY, start=t("07:40"))
    assert check(scenario, early).ok


def test_late_start_within_tolerance_is_allowed(scenario: Scenario, plan: Plan) -> None:
    strict = rebuild(scenario, rules=scenario.rules.model_copy(update={"late_start_tolerance": 0}))
    report = check(strict, plan)
    assert report.rules == {"time_window"}
    assert [v.visit for v in report.violations] == [vid("astrid-med", TUESDAY)]


def test_postponing_backwards_breaks_the_deferral_limit(scenario: Scenario, plan: Plan) -> None:
    backwards = edit_visit(plan, "clara-shower", MONDAY, postponed_to=MONDAY)
    # and the carried Tuesday entry no longer follows a postponement
    assert check(scenario, backwards).rules == {"deferral_limit", "coverage"}


def test_isolation_from_a_time_of_day_is_judged_at_each_visit_start() -> None:
    """A client isolated from some time that day may have had ordinary staff before it,
    and only the infection team from then on."""
    scenario = small_scenario()
    plan = small_valid_plan(scenario)
    entry = next(
        e
        for e in plan.visits
        if e.decision is Decision.KEPT
        and e.start is not None
        and not scenario.needs_infection_team(scenario.client_by_id[e.client], e.date)
        and not any(scenario.caregiver_by_id[c].infection_team for c in e.caregivers)
    )
    assert entry.start is not None

    def isolated_from(minute: int) -> Scenario:
        data = scenario.model_dump(mode="json", by_alias=True)
        for client in data["clients"]:
            if client["id"] == entry.client:
                client["infection"] = [
                    {
                        "status": "isolated",
                        "since": entry.date.isoformat(),
                        "since_time": f"{minute // 60:02d}:{minute % 60:02d}",
                    }
                ]
        return Scenario.model_validate(data)

    later = isolated_from(entry.start + 1)
    assert not [v for v in check_plan(later, plan, TRAVEL).violations if v.visit == entry.visit]
    at_start = isolated_from(entry.start)
    rules = {
        v.rule for v in check_plan(at_start, plan, TRAVEL).violations if v.visit == entry.visit
    }
    assert "infection_team" in rules
