"""The register actions: they write, validate and leave an audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from beredt.domain.model import CareTask as DomainTask
from beredt.domain.policy import default_policy
from beredt.web.audit.models import AuditAction, AuditEntry
from beredt.web.care import actions
from beredt.web.care.models import Availability, Caregiver, CareTask, Client, PolicySetting
from tests.web.conftest import World


def a_client(world: World) -> Client:
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    assert client is not None
    return client


def test_set_infection_status_ends_the_open_period_and_keeps_it(world: World) -> None:
    client = a_client(world)
    actions.set_infection_status(client, "suspected", dt.date(2026, 11, 1), world.planner_a)
    actions.set_infection_status(client, "recovered", dt.date(2026, 11, 10), world.planner_a)
    periods = [(p.status, p.since, p.until) for p in client.infection_periods.order_by("pk")]
    assert periods == [
        ("suspected", dt.date(2026, 11, 1), dt.date(2026, 11, 9)),
        ("recovered", dt.date(2026, 11, 10), None),
    ]
    assert AuditEntry.objects.filter(object_type="client.infection").count() == 2


def test_save_client_records_changed_field_names_only(world: World) -> None:
    client = a_client(world)
    client.name = "changed in memory by a form"  # the action compares with the stored row
    saved = actions.save_client(
        client, {"name": "Nytt Navn", "national_id": "12345678901"}, world.planner_a
    )
    assert saved.name == "Nytt Navn"
    entry = AuditEntry.objects.get(object_type="client", action=AuditAction.CHANGE)
    assert entry.detail == {"fields": ["name"], "identity_number_changed": True}
    assert "12345678901" not in entry.summary
    # Saving the same values again changes nothing and writes no entry.
    actions.save_client(saved, {"name": "Nytt Navn"}, world.planner_a)
    assert AuditEntry.objects.filter(object_type="client").count() == 1


def test_save_client_validates_at_the_model(world: World) -> None:
    with pytest.raises(ValidationError):
        actions.save_client(a_client(world), {"lat": 123.0}, world.planner_a)
    assert not AuditEntry.objects.filter(object_type="client").exists()


def test_save_task_stores_the_domain_task(world: World) -> None:
    client = a_client(world)
    domain = DomainTask.model_validate(
        {
            "id": "x-meal",
            "name": "Middag",
            "kind": "meal",
            "windows": [{"start": "12:00", "end": "13:30"}],
            "duration": 30,
            "priority_class": 2,
        }
    )
    row = actions.save_task(None, client, domain, world.planner_a)
    assert row.windows == [["12:00", "13:30"]]
    assert row.client == client
    changed = actions.save_task(
        row, client, domain.model_copy(update={"duration": 45}), world.planner_a, active=False
    )
    assert (changed.duration, changed.active) == (45, False)
    entry = AuditEntry.objects.get(object_id="x-meal", action=AuditAction.CHANGE)
    assert entry.detail["fields"] == ["duration", "active"]


def test_relatives_may_only_agree_to_their_clients_tasks(world: World) -> None:
    client = a_client(world)
    foreign = CareTask.objects.exclude(client=client).first()
    assert foreign is not None
    with pytest.raises(ValidationError):
        actions.save_relative(
            None, client, {"name": "Kari", "agreed_tasks": [foreign]}, world.planner_a
        )
    own = client.tasks.first()
    relative = actions.save_relative(
        None, client, {"name": "Kari", "agreed_tasks": [own]}, world.planner_a
    )
    actions.delete_relative(relative, world.planner_a)
    assert list(
        AuditEntry.objects.filter(object_type="client.relative")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "delete"]


def test_set_availability_many_is_all_or_nothing(world: World) -> None:
    caregivers = list(Caregiver.objects.filter(home_unit=world.unit_a).order_by("code")[:2])
    day = dt.date(2026, 12, 2)
    changes = [
        actions.AvailabilityChange(caregivers[0], "sick"),
        actions.AvailabilityChange(caregivers[1], "present", shift_start=dt.time(10, 0)),
    ]
    with pytest.raises(ValidationError):
        actions.set_availability_many(day, changes, world.planner_a)
    assert not Availability.objects.filter(date=day).exists()
    count = actions.set_availability_many(day, changes[:1], world.planner_a)
    assert count == 1
    assert Availability.objects.get(date=day).status == "sick"


def test_save_policy_stores_a_validated_policy(world: World) -> None:
    municipality = world.unit_a.municipality
    policy = default_policy()
    rule = policy.rule(5).model_copy(update={"label": "sosialt"})
    changed = policy.model_copy(
        update={"classes": [*policy.classes[:4], rule], "escalate_overdue_to_class": 1}
    )
    setting = actions.save_policy(municipality, changed, world.crisis)
    assert setting.policy["classes"][4]["label"] == "sosialt"
    assert PolicySetting.objects.get(municipality=municipality).updated_by == world.crisis
    entry = AuditEntry.objects.get(object_type="policy")
    assert entry.detail["classes_changed"] == [5]


def test_deactivate_client_is_audited_once(world: World) -> None:
    client = a_client(world)
    actions.deactivate_client(client, world.planner_a)
    actions.deactivate_client(client, world.planner_a)
    client.refresh_from_db()
    assert not client.active
    assert AuditEntry.objects.filter(object_type="client", object_id=client.code).count() == 1
