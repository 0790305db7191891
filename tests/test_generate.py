"""The synthetic municipality generator: reproducible, realistic, always a valid scenario."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beredt.domain.model import AvailabilityStatus, CareTask, Competence, InfectionStatus
from beredt.domain.scenario import Scenario
from beredt.io.files import dump_model, parse_scenario
from beredt.scenarios.generate import (
    RELATIVE_TASK_KINDS,
    GeneratorConfig,
    generate_scenario,
    load_figures,
)
from beredt.scenarios.towns import TOWNS, find_town
from beredt.travel.providers import haversine_km

ABSENT = {
    AvailabilityStatus.SICK,
    AvailabilityStatus.QUARANTINE,
    AvailabilityStatus.CARING_FOR_CHILD,
}


@pytest.fixture(scope="module")
def default() -> Scenario:
    return generate_scenario(GeneratorConfig())


@pytest.fixture(scope="module")
def week() -> Scenario:
    return generate_scenario(GeneratorConfig(seed=3, days=7, units=2))


def tasks(scenario: Scenario) -> list[CareTask]:
    return [task for client in scenario.clients for task in client.tasks]


# ----------------------------------------------------------------- reproducible


def test_same_seed_gives_the_same_file() -> None:
    config = GeneratorConfig(seed=7, clients=60, caregivers=12, days=3)
    assert dump_model(generate_scenario(config)) == dump_model(generate_scenario(config))


def test_another_seed_gives_another_municipality() -> None:
    one = generate_scenario(GeneratorConfig(seed=1, clients=40, caregivers=8))
    two = generate_scenario(GeneratorConfig(seed=2, clients=40, caregivers=8))
    assert dump_model(one) != dump_model(two)
    assert [c.name for c in one.clients] != [c.name for c in two.clients]


def test_changing_the_absence_keeps_the_care_register() -> None:
    calm = generate_scenario(GeneratorConfig(absence=0.0))
    crisis = generate_scenario(GeneratorConfig(absence=0.4))
    assert calm.clients == crisis.clients
    assert calm.caregivers == crisis.caregivers
    assert not calm.availability and crisis.availability


def test_the_default_start_is_a_fixed_monday() -> None:
    assert GeneratorConfig().start_date == dt.date(2026, 11, 23)
    assert GeneratorConfig().start_date.isoweekday() == 1


# ------------------------------------------------------------------------ valid


def test_scenario_is_valid_and_round_trips(default: Scenario, week: Scenario) -> None:
    for scenario in (default, week):
        assert scenario.reference_problems() == []
        text = dump_model(scenario)
        again = parse_scenario(text)
        assert again == scenario
        assert dump_model(again) == text


@settings(max_examples=40, deadline=None)
@given(
    clients=st.integers(1, 40),
    caregivers=st.integers(1, 10),
    absence=st.floats(0, 0.9),
    isolated_share=st.floats(0, 1),
    seed=st.integers(0, 2**32),
    days=st.integers(1, 4),
    town=st.sampled_from(sorted(TOWNS)),
    units=st.integers(1, 4),
)
def test_any_small_config_gives_a_valid_scenario(
    clients: int,
    caregivers: int,
    absence: float,
    isolated_share: float,
    seed: int,
    days: int,
    town: str,
    units: int,
) -> None:
    units = min(units, caregivers, len(TOWNS[town].areas))
    isolated = round(isolated_share * clients)
    config = GeneratorConfig(
        clients, caregivers, absence, isolated, seed, days=days, town=town, units=units
    )
    scenario = generate_scenario(config)
    assert scenario.reference_problems() == []
    assert parse_scenario(dump_model(scenario)) == scenario
    assert len(scenario.clients) == clients
    assert len(scenario.caregivers) == caregivers
    assert len(scenario.units) == units
    assert all(any(c.home_unit == u.id for c in scenario.caregivers) for u in scenario.units)
    for day in scenario.dates:
        assert len(scenario.isolated_clients(day)) == isolated
        absent = [a for a in scenario.availability if a.date == day]
        assert len(absent) == round(absence * caregivers)


# ---------------------------------------------------------------------- counts


def test_counts_follow_the_config(week: Scenario) -> None:
    config = GeneratorConfig(seed=3, days=7, units=2)
    assert len(week.clients) == config.clients
    assert len(week.caregivers) == config.caregivers
    assert len(week.units) == 2
    assert week.dates == [config.start_date + dt.timedelta(days=i) for i in range(7)]
    for day in week.dates:
        absent = [a for a in week.availability if a.date == day]
        assert len(absent) == round(config.absence * config.caregivers)
        assert {a.status for a in absent} <= ABSENT
        assert len(week.isolated_clients(day)) == config.isolated


def test_only_the_isolated_clients_have_an_infection_status(default: Scenario) -> None:
    infected = [c for c in default.clients if c.infection]
    assert len(infected) == 5
    for client in infected:
        assert [p.status for p in client.infection] == [InfectionStatus.ISOLATED]
        assert client.infection[0].since <= default.start_date
        assert client.infection[0].until is None


def test_sick_leave_lasts_several_days(week: Scenario) -> None:
    absent = collections.defaultdict(set)
    for entry in week.availability:
        absent[entry.date].add(entry.caregiver)
    days = week.dates
    stayed = sum(len(absent[a] & absent[b]) for a, b in itertools.pairwise(days))
    assert stayed / sum(len(absent[d]) for d in days[:-1]) > 0.5
    statuses = {entry.status for entry in week.availability}
    assert AvailabilityStatus.SICK in statuses and len(statuses) >= 2


def test_absence_spares_the_infection_team_while_others_can_be_taken() -> None:
    scenario = generate_scenario(GeneratorConfig(absence=0.5))
    team = {c.id for c in scenario.caregivers if c.infection_team}
    assert not team & {a.caregiver for a in scenario.availability}


# --------------------------------------------------------------------- staff


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_staff_mix(seed: int) -> None:
    scenario = generate_scenario(GeneratorConfig(seed=seed))
    n = len(scenario.caregivers)
    roles = collections.Counter(c.competence for c in scenario.caregivers)
    assert abs(roles[Competence.NURSE] / n - 0.25) <= 0.05
    assert abs(roles[Competence.HEALTH_WORKER] / n - 0.45) <= 0.05
    assistants = [c for c in scenario.caregivers if c.competence is Competence.ASSISTANT]
    assert not any(c.medication_delegation for c in assistants)
    assert 1 <= sum(c.is_multi_site for c in scenario.caregivers) <= 0.25 * n
    assert any(c.redeployed_from for c in scenario.caregivers)
    assert all(c.phone and re.fullmatch(r"\+?[0-9 ]{5,20}", c.phone) for c in scenario.caregivers)


def test_infection_team(default: Scenario) -> None:
    team = [c for c in default.caregivers if c.infection_team]
    assert len(team) >= 2
    assert any(c.competence is Competence.NURSE for c in team)
    assert all(not c.other_workplaces and c.redeployed_from is None for c in team)
    assert {c.home_unit for c in team} == {default.units[0].id}
    # isolated clients are visited morning and evening: the team covers both shifts
    assert min(c.shift.start for c in team) <= 7 * 60 + 30
    assert max(c.shift.end for c in team) >= 21 * 60


def test_infection_team_of_a_split_municipality_is_in_the_first_unit() -> None:
    scenario = generate_scenario(GeneratorConfig(units=3, caregivers=24))
    team = [c for c in scenario.caregivers if c.infection_team]
    assert len(team) >= 2
    assert {c.home_unit for c in team} == {scenario.units[0].id}


def test_every_visit_window_is_covered_by_a_shift_of_its_unit(week: Scenario) -> None:
    shifts = collections.defaultdict(list)
    for caregiver in week.caregivers:
        shifts[caregiver.home_unit].append(caregiver.shift)
    for client in week.clients:
        for task in client.tasks:
            for window in task.windows:
                assert any(
                    s.start <= window.end and window.start + task.duration <= s.end
                    for s in shifts[client.unit]
                ), (task.id, window)


def test_medication_on_each_shift_can_be_given(default: Scenario) -> None:
    for start in (7 * 60, 14 * 60 + 30):
        on_shift = [c for c in default.caregivers if abs(c.shift.start - start) <= 30]
        assert sum(c.may_give_medication for c in on_shift) >= len(on_shift) / 2


# --------------------------------------------------------------------- clients


def test_clients_live_around_the_town(default: Scenario) -> None:
    for key in TOWNS:
        scenario = default if key == "asker" else generate_scenario(GeneratorConfig(town=key))
        centre = find_town(key).centre
        places = [c.location for c in scenario.clients] + [
            u.office.location for u in scenario.units
        ]
        assert max(haversine_km(centre, place) for place in places) < 25
        assert scenario.municipality.code == find_town(key).code


def test_clients_cluster_around_settlements(default: Scenario) -> None:
    town = find_town("asker")
    near = [
        c
        for c in default.clients
        if min(haversine_km(a.location, c.location) for a in town.areas) < 2
    ]
    assert len(near) / len(default.clients) >= 0.7  # most in the centre and suburbs
    assert max(haversine_km(town.centre, c.location) for c in default.clients) > 6  # some rural


def test_clients_of_a_unit_live_near_its_office() -> None:
    scenario = generate_scenario(GeneratorConfig(units=3, seed=5))
    for client in scenario.clients:
        office = scenario.unit_by_id[client.unit].office.location
        assert haversine_km(office, client.location) < 12


def test_client_details(default: Scenario) -> None:
    n = len(default.clients)
    assert all(c.national_id is None for c in default.clients)
    assert 0.75 <= sum(c.can_use_phone for c in default.clients) / n <= 0.95
    assert sum(c.language != "nb" for c in default.clients) >= 1
    agreed = [c for c in default.clients if any(r.agreed_tasks for r in c.relatives)]
    assert 0.1 <= len(agreed) / n <= 0.3
    assert all(c.contact_person in c.recent_caregivers for c in default.clients)
    assert all(2 <= len(c.recent_caregivers) <= 4 for c in default.clients)
    assert sum(c.key_notes.startswith("Nøkkelboks") for c in default.clients) > n / 3


def test_relatives_agree_only_to_tasks_the_policy_lets_them_take(default: Scenario) -> None:
    for client in default.clients:
        for relative in client.relatives:
            for task_id in relative.agreed_tasks:
                _, task = default.task_by_id[task_id]
                assert task.priority_class in (2, 3, 4)
                assert task.kind in RELATIVE_TASK_KINDS


# ----------------------------------------------------------------------- tasks


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_about_ten_percent_of_tasks_are_double_staffed(seed: int) -> None:
    all_tasks = tasks(generate_scenario(GeneratorConfig(seed=seed)))
    doubles = [t for t in all_tasks if t.caregivers == 2]
    assert 0.05 <= len(doubles) / len(all_tasks) <= 0.15
    assert {t.kind for t in doubles} <= {"morning_care", "evening_care", "transfer", "shower"}


def test_insulin_comes_before_breakfast() -> None:
    found = 0
    for seed in (1, 2, 3):
        for client in generate_scenario(GeneratorConfig(seed=seed)).clients:
            insulin = [t for t in client.tasks if t.kind == "insulin"]
            breakfast = [t for t in client.tasks if t.id.endswith(".breakfast")]
            if insulin and breakfast:
                found += 1
                (dependency,) = breakfast[0].dependencies
                assert dependency.after == insulin[0].id
                assert (dependency.min_gap, dependency.max_gap) == (10, 60)
                assert len(breakfast[0].windows) == len(insulin[0].windows)
    assert found > 0


def test_task_catalogue_follows_the_triage_table(default: Scenario) -> None:
    classes = {
        "medication": {1},
        "insulin": {1},
        "palliative": {1},
        "wound_care": {1},
        "morning_care": {2},
        "evening_care": {2},
        "meal": {1, 2},
        "supervision": {3},
        "stockings_on": {3},
        "stockings_off": {3},
        "shower": {4},
        "cleaning": {4},
        "shopping": {4},
        "support_contact": {5},
        "respite": {5},
    }
    seen = set()
    for task in tasks(default):
        seen.add(task.kind)
        if task.kind in classes:
            assert task.priority_class in classes[task.kind], task.id
        if task.medication:
            assert task.competence in (Competence.HEALTH_WORKER, Competence.NURSE)
        for window in task.windows:
            assert window.end - window.start >= 60, task.id
    assert {"medication", "morning_care", "meal", "shower", "cleaning", "support_contact"} <= seen
    limits = {t.kind: t.deferral_limit_days for t in tasks(default) if t.priority_class == 4}
    assert limits == {"shower": 7, "cleaning": 14, "shopping": 3}


def test_weekly_tasks_fall_on_one_weekday(default: Scenario) -> None:
    for task in tasks(default):
        if task.kind in ("shower", "cleaning", "shopping"):
            assert len(task.weekdays) == 1 and task.weekdays[0] <= 5
        if task.kind == "support_contact":
            assert 1 <= len(task.weekdays) <= 2


# ------------------------------------------------------------------ calibration


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_care_fills_about_two_thirds_of_the_shifts_when_nobody_is_absent(seed: int) -> None:
    scenario = generate_scenario(GeneratorConfig(seed=seed, absence=0))
    assert 0.55 <= load_figures(scenario, scenario.start_date).ratio <= 0.70


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"clients": -1}, "clients must be 0 or more"),
        ({"caregivers": 0}, "caregivers must be at least 1"),
        ({"absence": 1.0}, "absence must be at least 0 and below 1"),
        ({"absence": -0.1}, "absence must be at least 0 and below 1"),
        ({"clients": 3, "isolated": 4}, r"isolated \(4\) cannot exceed clients \(3\)"),
        ({"isolated": -1}, "isolated must be 0 or more"),
        ({"days": 0}, "days must be between 1 and 28"),
        ({"town": "oslo"}, "unknown town 'oslo'"),
        ({"units": 0}, "units must be at least 1"),
        ({"units": 7}, "Asker has 6 settlements"),
        ({"units": 3, "caregivers": 2}, r"units \(3\) cannot exceed caregivers \(2\)"),
        ({"clients": 2.5}, "clients must be a whole number"),
    ],
)
def test_impossible_configs_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GeneratorConfig(**fields)


def test_town_aliases() -> None:
    assert find_town("Sandvika").code == find_town("baerum").code == "3201"
    assert find_town("Tromsø").code == "5501"
    bodo = generate_scenario(GeneratorConfig(town="bodø", clients=5, caregivers=2))
    assert bodo.municipality.name == "Bodø"
