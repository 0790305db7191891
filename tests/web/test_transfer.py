"""Import and export of the registers through the web pages: templates, round trips,
malformed files, all-or-nothing apply, history and permissions."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client as HttpClient
from django.urls import reverse

from beredt.web.audit.models import AuditAction, AuditEntry
from beredt.web.care.models import Caregiver, CareTask, Client, Relative
from beredt.web.transfer import formats, registers
from beredt.web.transfer.models import ImportBatch, ImportStatus
from tests.web.conftest import World

REGISTERS = list(formats.REGISTERS)


def logged_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def upload(http: HttpClient, unit: str, register: str, name: str, content: bytes) -> ImportBatch:
    file = io.BytesIO(content)
    file.name = name
    response = http.post(
        reverse("transfer:upload", kwargs={"unit": unit}), {"register": register, "file": file}
    )
    assert response.status_code == 302, response.content[:500]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("transfer:preview", kwargs={"batch_id": batch.pk})
    return batch


def errors_of(http: HttpClient, batch: ImportBatch) -> list[str]:
    response = http.get(reverse("transfer:preview", kwargs={"batch_id": batch.pk}))
    assert response.status_code == 200
    return [str(e) for e in response.context["errors"]]


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def counts() -> tuple[int, int, int, int]:
    return (
        Client.objects.count(),
        CareTask.objects.count(),
        Caregiver.objects.count(),
        Relative.objects.count(),
    )


# ------------------------------------------------------------------------ templates


@pytest.mark.parametrize("register", REGISTERS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_templates_download_and_parse_back(world: World, register: str, fmt: str) -> None:
    http = logged_in(world.planner_a)
    response = http.get(reverse("transfer:template", kwargs={"register": register, "fmt": fmt}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    spec = formats.REGISTERS[register]
    table = formats.read_table(response.content, fmt)
    assert table.header == [c.name for c in spec.export_columns]
    if fmt == "xlsx":
        [(number, cells)] = table.rows
        assert number == 2
        row = dict(zip(table.header, cells, strict=True))
        for column in spec.export_columns:
            assert column.parse(row[column.name]) == column.parse(column.example)
    else:
        assert table.rows == []


def test_the_page_lists_every_register_with_its_links(world: World) -> None:
    response = logged_in(world.planner_a).get(
        reverse("transfer:unit", kwargs={"unit": world.unit_a.code})
    )
    assert response.status_code == 200
    page = response.content.decode()
    for register in REGISTERS:
        for fmt in ("xlsx", "csv"):
            assert reverse("transfer:template", kwargs={"register": register, "fmt": fmt}) in page
            assert (
                reverse(
                    "transfer:export",
                    kwargs={"unit": world.unit_a.code, "register": register, "fmt": fmt},
                )
                in page
            )
    assert reverse("transfer:upload", kwargs={"unit": world.unit_a.code}) in page


# ----------------------------------------------------------------------- round trips


@pytest.mark.parametrize("register", REGISTERS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(world: World, register: str, fmt: str) -> None:
    http = logged_in(world.planner_a)
    url = reverse(
        "transfer:export", kwargs={"unit": world.unit_a.code, "register": register, "fmt": fmt}
    )
    response = http.get(url)
    assert response.status_code == 200
    exported = formats.read_table(response.content, fmt)
    assert exported.rows, f"the world has {register} rows in unit A"
    batch = upload(http, world.unit_a.code, register, f"export.{fmt}", response.content)
    assert batch.status == ImportStatus.PENDING
    assert batch.counts["create"] == 0
    assert batch.counts["change"] == 0
    assert batch.counts["errors"] == 0
    assert batch.counts["unchanged"] == len(exported.rows)
    assert errors_of(http, batch) == []
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=register).exists()


def test_exports_hold_only_the_units_rows_and_no_national_id(world: World) -> None:
    secret = "01017012345"
    Client.objects.filter(unit=world.unit_a).update(national_id=secret)
    http = logged_in(world.planner_a)
    for fmt in ("csv", "xlsx"):
        response = http.get(
            reverse(
                "transfer:export",
                kwargs={"unit": world.unit_a.code, "register": "clients", "fmt": fmt},
            )
        )
        table = formats.read_table(response.content, fmt)
        assert "national_id" not in table.header
        assert secret.encode() not in response.content
        assert all(secret not in "".join(cells) for _, cells in table.rows)
        unit_column = table.header.index("unit")
        assert {cells[unit_column] for _, cells in table.rows} == {world.unit_a.code}
        assert len(table.rows) == Client.objects.filter(unit=world.unit_a).count()


def test_national_id_can_be_imported_but_is_never_shown(world: World) -> None:
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    assert client is not None
    rows = registers.export_rows("clients", world.unit_a)
    row = next(r for r in rows if r["code"] == client.code)
    header = [*row, "national_id"]
    cells = [*row.values(), "01017012345"]
    content = csv_bytes(",".join(header), ",".join(f'"{cell}"' for cell in cells))
    http = logged_in(world.planner_a)
    batch = upload(http, world.unit_a.code, "clients", "ids.csv", content)
    page = http.get(reverse("transfer:preview", kwargs={"batch_id": batch.pk})).content
    assert b"01017012345" not in page
    assert batch.counts["change"] == 1
    http.post(reverse("transfer:apply", kwargs={"batch_id": batch.pk}))
    client.refresh_from_db()
    assert client.national_id == "01017012345"
    batch.refresh_from_db()
    assert bytes(batch.content) == b""  # no second copy of the numbers stays behind
    assert "01017012345" not in str(list(AuditEntry.objects.values()))


# -------------------------------------------------------------------- bad files


def task_lines(world: World) -> list[str]:
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    assert client is not None
    c = client.code
    return [
        "code,client,name,kind,windows,duration,priority_class",
        f"NEW-1,{c},Breakfast,meal,07:30-09:00,15,2",  # row 2: fine
        f"NEW-2,{c},Lunch,meal,25:00-26:00,15,2",  # row 3: bad time
        f"NEW-3,{c},Dinner,meal,09:00-08:00,15,2",  # row 4: end before start
        "NEW-4,NO-SUCH-CLIENT,Supper,meal,18:00-19:00,15,2",  # row 5: unknown client
        f"NEW-1,{c},Breakfast again,meal,07:30-09:00,15,2",  # row 6: duplicate code
        f"NEW-5,{c},Medication,medication,08:00-09:00,ten,1",  # row 7: not a number
        f"NEW-6,{c},Shower,shower,10:00-11:00,30,3",  # row 8: fine
    ]


def test_a_malformed_file_names_row_and_column_and_writes_nothing(world: World) -> None:
    before = counts()
    http = logged_in(world.planner_a)
    batch = upload(http, world.unit_a.code, "tasks", "tasks.csv", csv_bytes(*task_lines(world)))
    assert batch.status == ImportStatus.FAILED
    errors = errors_of(http, batch)
    assert "row 3, column windows: time '25:00' is outside 00:00-24:00" in errors
    assert "row 4, column windows: end 08:00 is before start 09:00" in errors
    assert "row 5, column client: unknown client code NO-SUCH-CLIENT" in errors
    assert "row 6, column code: duplicate NEW-1: also in row 2" in errors
    assert "row 7, column duration: expected a whole number, got 'ten'" in errors
    assert len(errors) == 5
    response = http.post(reverse("transfer:apply", kwargs={"batch_id": batch.pk}))
    assert response.status_code == 302
    assert counts() == before
    assert not CareTask.objects.filter(code__startswith="NEW-").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_a_wrong_header_is_an_error_of_row_one(world: World) -> None:
    http = logged_in(world.planner_a)
    content = csv_bytes("code;name;unit;address;lat;colour", "K9;Kari;x;Vei 1;59.9;red")
    batch = upload(http, world.unit_a.code, "clients", "clients.csv", content)
    errors = errors_of(http, batch)
    assert any(e.startswith("row 1, column colour: unknown column") for e in errors)
    assert "row 1, column lon: required column is missing" in errors
    assert batch.status == ImportStatus.FAILED


def test_unit_codes_must_exist_and_be_the_users_own(world: World) -> None:
    http = logged_in(world.planner_a)
    header = "code,name,unit,address,lat,lon"
    content = csv_bytes(
        header,
        "K-NEW-1,Kari,no-such-unit,Vei 1,59.9,10.7",
        f"K-NEW-2,Ola,{world.unit_b.code},Vei 2,59.9,10.7",
        f"K-NEW-3,Per,{world.unit_a.code},Vei 3,91,10.7",
        f"K-NEW-4,Anne,{world.unit_a.code},Vei 4,59.9,10.7",
    )
    before = counts()
    batch = upload(http, world.unit_a.code, "clients", "clients.csv", content)
    errors = errors_of(http, batch)
    assert "row 2, column unit: unknown unit code no-such-unit" in errors
    assert f"row 3, column unit: you may not import into unit {world.unit_b.code}" in errors
    assert any(e.startswith("row 4, column lat:") for e in errors)
    assert not any(e.startswith("row 5") for e in errors)
    assert batch.counts["create"] == 1
    assert counts() == before


def test_codes_of_another_unit_are_errors(world: World) -> None:
    other = Client.objects.filter(unit=world.unit_b).order_by("code").first()
    assert other is not None
    content = csv_bytes(
        "code,name,unit,address,lat,lon",
        f"{other.code},Taken,{world.unit_a.code},Vei 1,59.9,10.7",
    )
    http = logged_in(world.planner_a)
    batch = upload(http, world.unit_a.code, "clients", "c.csv", content)
    assert errors_of(http, batch) == [
        f"row 2, column code: client {other.code} is not in unit {world.unit_a.code}"
    ]


def test_an_unreadable_file_is_an_error_not_a_crash(world: World) -> None:
    http = logged_in(world.planner_a)
    batch = upload(http, world.unit_a.code, "clients", "c.xlsx", b"PK\x03\x04 broken")
    assert errors_of(http, batch) == ["row 1: the file is not a readable XLSX workbook"]


def test_dependencies_refer_to_the_clients_tasks_in_the_database_or_earlier(
    world: World,
) -> None:
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    assert client is not None
    c = client.code
    content = csv_bytes(
        "code,client,name,kind,windows,duration,priority_class,dependencies",
        f"D-1,{c},Insulin,medication,07:30-09:00,10,1,",
        f"D-2,{c},Breakfast,meal,07:30-09:00,15,2,D-1:10:30",
        f"D-3,{c},Lunch,meal,12:00-13:00,15,2,D-9:0:",
    )
    http = logged_in(world.planner_a)
    batch = upload(http, world.unit_a.code, "tasks", "t.csv", content)
    assert errors_of(http, batch) == [
        "row 4, column dependencies: task 'D-9' is not one of this client's tasks"
    ]


# ---------------------------------------------------------------- apply and history


def test_apply_creates_and_changes_rows_and_records_who_and_when(world: World) -> None:
    http = logged_in(world.planner_a)
    rows = registers.export_rows("clients", world.unit_a)
    first = rows[0]
    changed = first | {"name": "Renamed Person", "vulnerability": "3"}
    new = first | {"code": "K-BRAND-NEW", "name": "New Person", "contact_person": ""}
    spec = formats.REGISTERS["clients"]
    content = formats.write_xlsx(spec, [changed, *rows[1:], new])
    batch = upload(http, world.unit_a.code, "clients", "clients.xlsx", content)
    assert batch.status == ImportStatus.PENDING
    assert (batch.counts["create"], batch.counts["change"]) == (1, 1)
    preview = http.get(reverse("transfer:preview", kwargs={"batch_id": batch.pk}))
    changes = {row.key: row for row in preview.context["changed"]}
    assert [(c.column, c.old, c.new) for c in changes[first["code"]].changes] == [
        ("name", first["name"], "Renamed Person"),
        ("vulnerability", first["vulnerability"], "3"),
    ]
    assert changes["K-BRAND-NEW"].action == "create"
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 0

    response = http.post(reverse("transfer:apply", kwargs={"batch_id": batch.pk}))
    assert response.status_code == 302
    assert Client.objects.get(code=first["code"]).name == "Renamed Person"
    created = Client.objects.get(code="K-BRAND-NEW")
    assert created.unit == world.unit_a
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.finished_by == world.planner_a
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert (entry.user, entry.object_id, entry.unit) == (
        world.planner_a,
        str(batch.pk),
        world.unit_a.code,
    )
    assert "1 created, 1 changed" in entry.summary
    rows = AuditEntry.objects.filter(object_type="import.clients")
    changed = rows.get(action=AuditAction.CHANGE)
    assert (changed.object_id, changed.user) == (first["code"], world.planner_a)
    assert "name" in changed.detail["fields"]
    assert rows.get(action=AuditAction.CREATE).object_id == "K-BRAND-NEW"

    history = http.get(reverse("transfer:history", kwargs={"unit": world.unit_a.code}))
    assert history.status_code == 200
    page = history.content.decode()
    assert "clients.xlsx" in page
    assert "planner_a" in page
    assert list(history.context["batches"]) == [batch]
    assert batch.created_at is not None

    again = http.post(reverse("transfer:apply", kwargs={"batch_id": batch.pk}))
    assert again.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_apply_is_all_or_nothing_when_a_write_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = logged_in(world.planner_a)
    rows = registers.export_rows("caregivers", world.unit_a)
    renamed = [r | {"name": f"{r['name']} X"} for r in rows]
    batch = upload(
        http,
        world.unit_a.code,
        "caregivers",
        "cg.csv",
        formats.write_csv(formats.REGISTERS["caregivers"], renamed),
    )
    assert batch.counts["change"] == len(rows) > 1
    adapter = registers.ADAPTERS["caregivers"]
    original = type(adapter).write
    calls = []

    def failing(self: Any, ctx: Any, row: Any) -> None:
        calls.append(row.row)
        if len(calls) == len(rows):
            raise DatabaseError("disk full")
        original(self, ctx, row)

    monkeypatch.setattr(type(adapter), "write", failing)
    http.post(reverse("transfer:apply", kwargs={"batch_id": batch.pk}))
    assert len(calls) == len(rows)
    names = set(Caregiver.objects.filter(home_unit=world.unit_a).values_list("name", flat=True))
    assert names == {r["name"] for r in rows}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_apply_checks_again_and_refuses_what_no_longer_holds(world: World) -> None:
    http = logged_in(world.planner_a)
    rows = registers.export_rows("clients", world.unit_a)
    with_contact = [r for r in rows if r["contact_person"]]
    assert len(with_contact) >= 2
    changed = [r | {"name": r["name"] + " Y"} for r in with_contact]
    spec = formats.REGISTERS["clients"]
    batch = upload(http, world.unit_a.code, "clients", "c.csv", formats.write_csv(spec, changed))
    assert batch.status == ImportStatus.PENDING
    # Meanwhile the last row's contact person moves to the other unit.
    Caregiver.objects.filter(code=changed[-1]["contact_person"]).update(home_unit=world.unit_b)
    http.post(reverse("transfer:apply", kwargs={"batch_id": batch.pk}))
    assert not Client.objects.filter(name__endswith=" Y").exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.counts["errors"] >= 1


def test_discard(world: World) -> None:
    http = logged_in(world.planner_a)
    content = formats.write_csv(
        formats.REGISTERS["units"], registers.export_rows("units", world.unit_a)
    )
    batch = upload(http, world.unit_a.code, "units", "units.csv", content)
    http.post(reverse("transfer:discard", kwargs={"batch_id": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    assert bytes(batch.content) == b""
    response = http.post(reverse("transfer:apply", kwargs={"batch_id": batch.pk}))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED


# ---------------------------------------------------------------------- permissions


def view_urls(world: World, batch: ImportBatch) -> dict[str, tuple[str, str]]:
    unit = world.unit_a.code
    return {
        "index": ("get", reverse("transfer:index")),
        "unit": ("get", reverse("transfer:unit", kwargs={"unit": unit})),
        "template": (
            "get",
            reverse("transfer:template", kwargs={"register": "clients", "fmt": "csv"}),
        ),
        "export": (
            "get",
            reverse("transfer:export", kwargs={"unit": unit, "register": "clients", "fmt": "csv"}),
        ),
        "upload": ("post", reverse("transfer:upload", kwargs={"unit": unit})),
        "preview": ("get", reverse("transfer:preview", kwargs={"batch_id": batch.pk})),
        "apply": ("post", reverse("transfer:apply", kwargs={"batch_id": batch.pk})),
        "discard": ("post", reverse("transfer:discard", kwargs={"batch_id": batch.pk})),
        "history": ("get", reverse("transfer:history", kwargs={"unit": unit})),
    }


@pytest.fixture
def pending(world: World) -> ImportBatch:
    content = formats.write_csv(
        formats.REGISTERS["units"], registers.export_rows("units", world.unit_a)
    )
    return upload(logged_in(world.planner_a), world.unit_a.code, "units", "u.csv", content)


VIEWS = ["index", "unit", "template", "export", "upload", "preview", "apply", "discard", "history"]


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_login(world: World, pending: ImportBatch, view: str) -> None:
    method, url = view_urls(world, pending)[view]
    response = getattr(HttpClient(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", ["coordinator", "admin", "caregiver"])
def test_roles_without_client_data_get_403(
    world: World, pending: ImportBatch, view: str, who: str
) -> None:
    method, url = view_urls(world, pending)[view]
    response = getattr(logged_in(getattr(world, who)), method)(url)
    assert response.status_code == 403


@pytest.mark.parametrize("view", [v for v in VIEWS if v not in ("index", "template")])
def test_a_planner_of_another_unit_gets_403(world: World, pending: ImportBatch, view: str) -> None:
    method, url = view_urls(world, pending)[view]
    response = getattr(logged_in(world.planner_b), method)(url)
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == ImportStatus.PENDING


@pytest.mark.parametrize("view", ["index", "unit", "template", "export", "history"])
def test_the_crisis_team_may_read_and_export(world: World, pending: ImportBatch, view: str) -> None:
    method, url = view_urls(world, pending)[view]
    response = getattr(logged_in(world.crisis), method)(url)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("view", ["upload", "preview", "apply", "discard"])
def test_the_crisis_team_may_not_import(world: World, pending: ImportBatch, view: str) -> None:
    method, url = view_urls(world, pending)[view]
    assert getattr(logged_in(world.crisis), method)(url).status_code == 403


@pytest.mark.parametrize("who", ["planner_a", "manager_a"])
@pytest.mark.parametrize("view", ["index", "unit", "template", "export", "preview", "history"])
def test_planners_and_managers_of_the_unit_may(
    world: World, pending: ImportBatch, view: str, who: str
) -> None:
    method, url = view_urls(world, pending)[view]
    response = getattr(logged_in(getattr(world, who)), method)(url)
    assert response.status_code in (200, 302)
    if view == "index":
        assert response["Location"] == reverse("transfer:unit", kwargs={"unit": world.unit_a.code})


def test_manager_may_apply(world: World, pending: ImportBatch) -> None:
    http = logged_in(world.manager_a)
    http.post(reverse("transfer:apply", kwargs={"batch_id": pending.pk}))
    pending.refresh_from_db()
    assert pending.status == ImportStatus.APPLIED
