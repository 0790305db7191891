"""Shared fixtures for the web tests: a small two-unit municipality loaded from the
generator into the test database, and one user per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.web.accounts.models import Role, User
from beredt.web.care.models import Caregiver, Unit
from beredt.web.care.scenario import load_scenario

DAY = dt.date(2026, 11, 23)  # a Monday
PASSWORD = "correct-horse-battery-staple-42"


@dataclass
class World:
    day: dt.date
    unit_a: Unit
    unit_b: Unit
    planner_a: User
    manager_a: User
    planner_b: User
    crisis: User
    admin: User
    caregiver: User
    coordinator: User


def make_user(username: str, role: Role, **extra: object) -> User:
    user = User(username=username, role=role, first_name=username.title(), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(db: None) -> World:
    scenario = generate_scenario(
        GeneratorConfig(
            clients=24, caregivers=8, absence=0.25, isolated=2, seed=3, units=2, start_date=DAY
        )
    )
    units = load_scenario(scenario)
    unit_a, unit_b = sorted(units, key=lambda u: u.code)
    municipality = unit_a.municipality
    own = Caregiver.objects.filter(home_unit=unit_a).order_by("code").first()
    return World(
        day=DAY,
        unit_a=unit_a,
        unit_b=unit_b,
        planner_a=make_user("planner_a", Role.PLANNER, unit=unit_a),
        manager_a=make_user("manager_a", Role.UNIT_MANAGER, unit=unit_a),
        planner_b=make_user("planner_b", Role.PLANNER, unit=unit_b),
        crisis=make_user("crisis", Role.CRISIS_TEAM, municipality=municipality),
        admin=make_user("admin", Role.ADMINISTRATOR, municipality=municipality),
        caregiver=make_user("caregiver", Role.CAREGIVER, caregiver=own, unit=unit_a),
        coordinator=make_user("coordinator", Role.SURVEY_COORDINATOR),
    )


from tests.web.browser import chromium, page  # noqa: E402, F401  (fixtures for browser tests)
