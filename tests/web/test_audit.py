"""The audit log is append-only, searchable by administrators and exportable as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from beredt.web.audit.log import record
from beredt.web.audit.models import AppendOnlyError, AuditEntry
from tests.web.conftest import World


def test_entries_cannot_be_changed_or_deleted(world: World) -> None:
    entry = record(world.planner_a, "view", "client", "c001", unit=world.unit_a.code)
    entry.summary = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_updates_at_the_database(world: World) -> None:
    from django.db import DatabaseError, transaction

    entry = record(world.planner_a, "view", "client", "c001")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = 'x' WHERE id = %s", [entry.pk])


def test_identity_numbers_never_reach_the_log(world: World) -> None:
    entry = record(
        world.planner_a,
        "change",
        "client",
        "c001",
        summary="fixed 01017012345 typo",
        detail={"national_id": "01017012345", "fields": ["name"], "note": "id 01017012345"},
    )
    assert "01017012345" not in entry.summary
    assert "national_id" not in entry.detail
    assert "01017012345" not in str(entry.detail)


@pytest.mark.parametrize("who", ["planner_a", "manager_a", "crisis", "caregiver", "coordinator"])
def test_only_administrators_read_the_log(world: World, client: Client, who: str) -> None:
    client.force_login(getattr(world, who))
    assert client.get(reverse("audit-log")).status_code == 403
    assert client.get(reverse("audit-export")).status_code == 403


def test_search_and_csv_export(world: World, client: Client) -> None:
    record(world.planner_a, "view", "client", "c001", unit=world.unit_a.code, summary="opened")
    record(world.planner_b, "change", "client", "c900", unit=world.unit_b.code, summary="edited")
    client.force_login(world.admin)
    page = client.get(reverse("audit-log"), {"username": "planner_a"})
    rows = list(page.context["page"])
    assert [e.object_id for e in rows] == ["c001"]
    response = client.get(reverse("audit-export"), {"unit": world.unit_b.code})
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0][:3] == ["at", "username", "action"]
    assert [row[4] for row in table[1:]] == ["c900"]
    assert AuditEntry.objects.filter(action="export", username="admin").exists()
