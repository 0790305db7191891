"""Registers ⇄ domain: a scenario loaded into the database comes back the same."""

from __future__ import annotations

import datetime as dt

import pytest

from beredt.domain.model import Client
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.web.care.models import Client as ClientRow
from beredt.web.care.models import Unit
from beredt.web.care.scenario import build_scenario, load_scenario

DAY = dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_loaded_scenario_builds_back_to_the_same_register() -> None:
    scenario = generate_scenario(
        GeneratorConfig(clients=30, caregivers=8, absence=0.25, isolated=2, seed=5, start_date=DAY)
    )
    load_scenario(scenario)
    unit = Unit.objects.get()
    built = build_scenario(unit, DAY)
    assert built.reference_problems() == []
    strip = {"national_id"}

    def comparable(client: Client) -> dict[str, object]:
        # The many-to-many of recent caregivers has no order.
        data = client.model_dump(exclude=strip)
        data["recent_caregivers"] = sorted(data["recent_caregivers"])
        return data

    want = {c.id: comparable(c) for c in scenario.clients}
    got = {c.id: comparable(c) for c in built.clients}
    assert got == want
    assert [c.model_dump() for c in built.caregivers] == [
        c.model_dump() for c in sorted(scenario.caregivers, key=lambda c: c.id)
    ]
    assert built.policy == scenario.policy
    assert {(a.caregiver, a.date, a.status) for a in built.availability} == {
        (a.caregiver, a.date, a.status) for a in scenario.availability
    }
    assert len(built.visits_on(DAY)) == len(scenario.visits_on(DAY))


@pytest.mark.django_db
def test_loading_twice_refuses_existing_codes_and_keeps_the_first() -> None:
    scenario = generate_scenario(GeneratorConfig(clients=5, caregivers=2, isolated=0, seed=1))
    load_scenario(scenario)
    with pytest.raises(ValueError, match="already in the database"):
        load_scenario(scenario)
    assert ClientRow.objects.count() == 5
