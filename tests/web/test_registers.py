"""Register pages as a planner uses them: search, edit, history, checklist, policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from beredt.domain.model import AvailabilityStatus
from beredt.domain.policy import Decision, TriagePolicy
from beredt.web.audit.models import AuditAction, AuditEntry
from beredt.web.care.models import (
    Availability,
    Caregiver,
    CareTask,
    Client,
    InfectionPeriod,
    PolicySetting,
    Relative,
)
from beredt.web.care.scenario import build_scenario
from tests.web.conftest import World


def login(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def first_client(world: World) -> Client:
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    assert client is not None
    return client


def client_post_data(client: Client, **changes: Any) -> dict[str, Any]:
    data = {
        "name": client.name,
        "address": client.address,
        "lat": client.lat,
        "lon": client.lon,
        "phone": client.phone,
        "can_use_phone": "on" if client.can_use_phone else "",
        "language": client.language,
        "vulnerability": client.vulnerability,
        "special_needs": "on" if client.special_needs else "",
        "key_notes": client.key_notes,
        "national_id": client.national_id,
        "contact_person": client.contact_person_id or "",
        "recent_caregivers": [c.pk for c in client.recent_caregivers.all()],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def task_post_data(**changes: Any) -> dict[str, Any]:
    data = {
        "code": "t-new",
        "name": "Insulin",
        "kind": "medication",
        "service_type": 15,
        "priority_class": 1,
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "windows": "07:30-09:00; 12:00-13:00",
        "duration": 15,
        "competence": "nurse",
        "caregivers": 1,
        "medication": "on",
        "active": "on",
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------------------- clients


def test_search_finds_a_client_by_name_code_and_address(world: World) -> None:
    http = login(world.planner_a)
    client = first_client(world)
    other = Client.objects.filter(unit=world.unit_a).exclude(pk=client.pk).first()
    assert other is not None
    for q in (client.name.split()[0], client.code, client.address.split(",")[0]):
        page = http.get(reverse("client-list"), {"q": q}).content.decode()
        assert client.name in page, q
    page = http.get(reverse("client-list"), {"q": client.name}).content.decode()
    assert other.name not in page


def test_client_list_filters_by_current_infection_status(world: World) -> None:
    http = login(world.planner_a)
    client = first_client(world)
    InfectionPeriod.objects.create(client=client, status="suspected", since=dt.date(2020, 1, 1))
    page = http.get(reverse("client-list"), {"status": "suspected"}).content.decode()
    assert client.name in page
    response = http.get(reverse("client-list"), {"status": "none"})
    assert client.name not in response.content.decode()
    assert response.context["count"] > 0


def test_client_pages_are_audited_as_views_and_never_show_the_identity_number(
    world: World,
) -> None:
    client = first_client(world)
    client.national_id = "01019012345"
    client.save()
    http = login(world.planner_a)
    listing = http.get(reverse("client-list")).content.decode()
    detail = http.get(reverse("client-detail", kwargs={"code": client.code})).content.decode()
    assert "01019012345" not in listing
    assert "01019012345" not in detail
    assert "45" in detail  # the masked number's last two digits
    views = AuditEntry.objects.filter(action=AuditAction.VIEW, user=world.planner_a)
    assert views.filter(object_type="client.list").exists()
    assert views.filter(object_type="client", object_id=client.code).exists()
    edit = http.get(reverse("client-edit", kwargs={"code": client.code})).content.decode()
    assert "01019012345" in edit  # only the client's own edit form shows it


def test_editing_a_client_saves_and_is_audited_without_the_identity_number(
    world: World,
) -> None:
    client = first_client(world)
    http = login(world.planner_a)
    response = http.post(
        reverse("client-edit", kwargs={"code": client.code}),
        client_post_data(client, address="Storgata 1, 1384 Asker", national_id="01019012345"),
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.address == "Storgata 1, 1384 Asker"
    assert client.national_id == "01019012345"
    entry = AuditEntry.objects.get(
        action=AuditAction.CHANGE, object_type="client", object_id=client.code
    )
    assert entry.user == world.planner_a
    assert entry.detail["fields"] == ["address"]
    assert entry.detail["identity_number_changed"] is True
    assert "01019012345" not in str(entry.detail) + entry.summary


def test_a_bad_client_field_shows_an_error_and_saves_nothing(world: World) -> None:
    client = first_client(world)
    http = login(world.manager_a)
    response = http.post(
        reverse("client-edit", kwargs={"code": client.code}),
        client_post_data(client, lat="95", national_id="123"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"lat", "national_id"}
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE).exists()


def test_a_planner_creates_a_client_in_their_unit(world: World) -> None:
    http = login(world.planner_a)
    response = http.post(
        reverse("client-create"),
        {
            "code": "c900",
            "name": "Ola Normann",
            "address": "Kirkeveien 2, 1384 Asker",
            "lat": "59.83",
            "lon": "10.43",
            "language": "nb",
            "vulnerability": "3",
            "can_use_phone": "on",
        },
    )
    assert response.status_code == 302
    created = Client.objects.get(code="c900")
    assert created.unit == world.unit_a
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id="c900").exists()


def test_changing_the_infection_status_keeps_the_history(world: World) -> None:
    client = first_client(world)
    http = login(world.planner_a)
    url = reverse("client-infection", kwargs={"code": client.code})
    assert http.post(url, {"status": "suspected", "since": "2026-11-20"}).status_code == 302
    assert http.post(url, {"status": "isolated", "since": "2026-11-23"}).status_code == 302
    periods = list(client.infection_periods.order_by("since"))
    assert [(p.status, p.since, p.until) for p in periods] == [
        ("suspected", dt.date(2026, 11, 20), dt.date(2026, 11, 22)),
        ("isolated", dt.date(2026, 11, 23), None),
    ]
    assert client.infection_status_on(dt.date(2026, 11, 24)) == "isolated"
    detail = http.get(reverse("client-detail", kwargs={"code": client.code})).content.decode()
    assert "2026-11-20" in detail and "2026-11-23" in detail
    bad = http.post(
        url, {"status": "isolated", "since": "2026-11-25", "until": "2026-11-24"}, follow=True
    )
    assert "Until is before From" in bad.content.decode()
    assert client.infection_periods.count() == 2


def test_deactivating_a_client_keeps_it_but_leaves_it_out_of_plans(world: World) -> None:
    client = first_client(world)
    http = login(world.planner_a)
    assert http.post(reverse("client-deactivate", kwargs={"code": client.code})).status_code == 302
    client.refresh_from_db()
    assert not client.active
    assert client.code not in {c.id for c in build_scenario(world.unit_a, world.day).clients}
    assert client.name not in http.get(reverse("client-list")).content.decode()
    shown = http.get(reverse("client-list"), {"inactive": "on"}).content.decode()
    assert client.name in shown
    http.post(reverse("client-reactivate", kwargs={"code": client.code}))
    client.refresh_from_db()
    assert client.active


# ------------------------------------------------------------------------- care tasks


def test_a_care_task_is_created_from_text_windows_and_checkboxes(world: World) -> None:
    client = first_client(world)
    http = login(world.planner_a)
    response = http.post(
        reverse("task-create", kwargs={"code": client.code}),
        task_post_data(weekdays=[1, 3, 5]),
    )
    assert response.status_code == 302, response.context["form"].errors
    task = CareTask.objects.get(code="t-new")
    assert task.client == client
    assert task.windows == [["07:30", "09:00"], ["12:00", "13:00"]]
    assert task.weekdays == [1, 3, 5]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="client.task", object_id="t-new"
    ).exists()
    built = build_scenario(world.unit_a, world.day)
    assert "t-new" in built.task_by_id


def test_a_bad_time_window_text_names_the_field(world: World) -> None:
    client = first_client(world)
    http = login(world.planner_a)
    response = http.post(
        reverse("task-create", kwargs={"code": client.code}),
        task_post_data(windows="7.30 to 9"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["windows"]
    assert "Time windows" in errors[0] and "7.30 to 9" in errors[0]
    assert "Time windows" in response.content.decode()
    assert not CareTask.objects.filter(code="t-new").exists()


def test_domain_rules_on_windows_show_on_the_windows_field(world: World) -> None:
    client = first_client(world)
    http = login(world.planner_a)
    url = reverse("task-create", kwargs={"code": client.code})
    backwards = http.post(url, task_post_data(windows="09:00-07:30"))
    assert "Time windows" in backwards.context["form"].errors["windows"][0]
    unordered = http.post(url, task_post_data(windows="12:00-13:00; 07:30-09:00"))
    assert "starts before" in unordered.context["form"].errors["windows"][0]
    off_day = http.post(url, task_post_data(weekdays=[1], dates="2026-11-24"))
    assert "weekday" in off_day.context["form"].errors["dates"][0]
    assert not CareTask.objects.filter(code="t-new").exists()


def test_dependencies_are_lines_of_task_code_and_gaps(world: World) -> None:
    client = first_client(world)
    before = CareTask.objects.create(
        client=client,
        code="t-insulin",
        name="Insulin",
        kind="medication",
        windows=[["07:30", "09:00"]],
        duration=10,
        priority_class=1,
    )
    http = login(world.planner_a)
    url = reverse("task-create", kwargs={"code": client.code})
    bad = http.post(url, task_post_data(windows="08:00-09:30", dependencies="t-nope 10 30"))
    assert "not one of this client's tasks" in bad.context["form"].errors["dependencies"][0]
    garbled = http.post(url, task_post_data(windows="08:00-09:30", dependencies="t-insulin x"))
    assert "line 1" in garbled.context["form"].errors["dependencies"][0]
    ok = http.post(
        url, task_post_data(name="Breakfast", windows="08:00-09:30", dependencies="t-insulin 10 -")
    )
    assert ok.status_code == 302
    task = CareTask.objects.get(code="t-new")
    assert task.dependencies == [{"after": before.code, "min_gap": 10, "max_gap": None}]
    edit = http.get(reverse("task-edit", kwargs={"code": "t-new"})).content.decode()
    assert "t-insulin 10 -" in edit
    assert "08:00-09:30" in edit


def test_editing_a_task_saves_the_changed_fields_and_audits_them(world: World) -> None:
    task = CareTask.objects.filter(client__unit=world.unit_a).first()
    assert task is not None
    http = login(world.manager_a)
    form = http.get(reverse("task-edit", kwargs={"code": task.code})).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update({"duration": task.duration + 5, "active": "on"})
    response = http.post(reverse("task-edit", kwargs={"code": task.code}), data)
    assert response.status_code == 302, response.context["form"].errors
    task.refresh_from_db()
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, object_id=task.code)
    assert entry.detail["fields"] == ["duration"]
    views = AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="client.task")
    assert views.exists()
    http.get(reverse("task-detail", kwargs={"code": task.code}))
    assert views.filter(object_id=task.code).count() >= 2


def test_task_list_searches_and_filters_by_client(world: World) -> None:
    client = first_client(world)
    task = CareTask.objects.filter(client=client).first()
    assert task is not None
    http = login(world.planner_a)
    response = http.get(reverse("task-list"), {"client": client.code})
    rows = list(response.context["page"].object_list)
    assert rows and all(t.client_id == client.pk for t in rows)
    found = http.get(reverse("task-list"), {"q": task.code})
    assert task in list(found.context["page"].object_list)


# ------------------------------------------------------------------------- relatives


def test_relatives_are_added_edited_and_removed_with_agreed_tasks(world: World) -> None:
    client = first_client(world)
    tasks = list(client.tasks.all())
    foreign = CareTask.objects.exclude(client=client).first()
    assert tasks and foreign is not None
    http = login(world.planner_a)
    url = reverse("relative-create", kwargs={"code": client.code})
    form = http.get(url).context["form"]
    assert set(form.fields["agreed_tasks"].queryset) == {t for t in tasks if t.active}
    refused = http.post(url, {"name": "Kari", "agreed_tasks": [foreign.pk]})
    assert "agreed_tasks" in refused.context["form"].errors
    response = http.post(
        url, {"name": "Kari", "relation": "daughter", "agreed_tasks": [tasks[0].pk]}
    )
    assert response.status_code == 302
    relative = Relative.objects.get(client=client, name="Kari")
    assert list(relative.agreed_tasks.all()) == [tasks[0]]
    detail = http.get(reverse("client-detail", kwargs={"code": client.code})).content.decode()
    assert "Kari" in detail
    http.post(
        reverse("relative-edit", kwargs={"pk": relative.pk}),
        {"name": "Kari", "relation": "daughter", "phone": "+47 900 00 000"},
    )
    relative.refresh_from_db()
    assert relative.phone == "+47 900 00 000"
    assert not relative.agreed_tasks.exists()
    assert http.post(reverse("relative-delete", kwargs={"pk": relative.pk})).status_code == 302
    assert not Relative.objects.filter(pk=relative.pk).exists()
    actions = set(
        AuditEntry.objects.filter(object_type="client.relative").values_list("action", flat=True)
    )
    assert {"create", "change", "delete", "view"} <= actions


# ------------------------------------------------------------------------ caregivers


def caregiver_data(**changes: Any) -> dict[str, Any]:
    data = {
        "code": "s900",
        "name": "Per Hansen",
        "competence": "health_worker",
        "skills": "wound_care, catheter",
        "employment_fraction": "0.8",
        "other_workplaces": "Asker sykehjem",
        "transport": "bike",
        "shift_start": "08:00",
        "shift_end": "16:00",
        "break_window_start": "11:00",
        "break_window_end": "12:30",
        "break_minutes": "30",
        "workdays": [1, 2, 3, 4, 5],
        "redeployed_from": "day care",
        "infection_team": "on",
        "active": "on",
    }
    data.update(changes)
    return data


def test_caregivers_are_created_edited_and_searched(world: World) -> None:
    http = login(world.planner_a)
    response = http.post(reverse("caregiver-create"), caregiver_data())
    assert response.status_code == 302, response.context["form"].errors
    caregiver = Caregiver.objects.get(code="s900")
    assert caregiver.home_unit == world.unit_a
    assert caregiver.skills == ["wound_care", "catheter"]
    assert caregiver.other_workplaces == ["Asker sykehjem"]
    assert caregiver.workdays == [1, 2, 3, 4, 5]
    found = http.get(reverse("caregiver-list"), {"q": "catheter"})
    assert caregiver in list(found.context["page"].object_list)
    http.post(reverse("caregiver-edit", kwargs={"code": "s900"}), caregiver_data(shift_end="15:00"))
    caregiver.refresh_from_db()
    assert caregiver.shift_end == dt.time(15, 0)
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, object_id="s900")
    assert entry.detail["fields"] == ["shift_end"]
    built = build_scenario(world.unit_a, world.day)
    assert built.caregiver_by_id["s900"].shift.end == 15 * 60


def test_a_break_outside_the_shift_is_refused(world: World) -> None:
    http = login(world.planner_a)
    response = http.post(
        reverse("caregiver-create"),
        caregiver_data(break_window_start="15:50", break_window_end="15:55"),
    )
    assert response.status_code == 200
    assert "break" in str(response.context["form"].errors)
    assert not Caregiver.objects.filter(code="s900").exists()


# ---------------------------------------------------------------------- availability


def checklist_post(response: Any, changes: dict[str, dict[str, str]]) -> dict[str, str]:
    """The checklist as the browser would post it, with ``changes`` by caregiver code."""
    formset = response.context["formset"]
    data = {
        "rows-TOTAL_FORMS": str(formset.total_form_count()),
        "rows-INITIAL_FORMS": str(formset.initial_form_count()),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "2000",
    }
    for i, form in enumerate(formset.forms):
        initial = form.initial
        row = {
            "caregiver": initial["caregiver"],
            "status": initial["status"],
            "shift_start": initial["shift_start"].strftime("%H:%M")
            if initial["shift_start"]
            else "",
            "shift_end": initial["shift_end"].strftime("%H:%M") if initial["shift_end"] else "",
            "note": initial["note"],
        }
        row.update(changes.get(initial["caregiver"], {}))
        data.update({f"rows-{i}-{key}": value for key, value in row.items()})
    return data


def test_the_checklist_saves_several_rows_at_once_and_the_plan_sees_them(world: World) -> None:
    http = login(world.planner_a)
    url = reverse("availability", kwargs={"unit": world.unit_a.code})
    page = http.get(url, {"date": world.day.isoformat()})
    caregivers = list(
        Caregiver.objects.filter(home_unit=world.unit_a, active=True).order_by("name")
    )
    assert len(page.context["lines"]) == len(caregivers)
    a, b, c = (cg.code for cg in caregivers[:3])
    response = http.post(
        f"{url}?date={world.day.isoformat()}",
        checklist_post(
            page,
            {
                a: {"status": "sick", "shift_start": "", "shift_end": ""},
                b: {"status": "quarantine", "shift_start": "", "shift_end": ""},
                c: {"status": "present", "shift_start": "10:00", "shift_end": "14:00"},
            },
        ),
    )
    assert response.status_code == 302
    built = build_scenario(world.unit_a, world.day)
    by_id = built.caregiver_by_id
    assert built.status_on(by_id[a], world.day) is AvailabilityStatus.SICK
    assert built.status_on(by_id[b], world.day) is AvailabilityStatus.QUARANTINE
    shift = built.shift_on(by_id[c], world.day)
    assert shift is not None and (shift.start, shift.end) == (600, 840)
    audited = AuditEntry.objects.filter(object_type="caregiver.availability")
    assert {a, b, c} <= set(audited.values_list("object_id", flat=True))


def test_a_bad_checklist_row_saves_no_row_at_all(world: World) -> None:
    http = login(world.planner_a)
    url = reverse("availability", kwargs={"unit": world.unit_a.code})
    page = http.get(url, {"date": "2026-12-01"})
    codes = [line[0].code for line in page.context["lines"]]
    response = http.post(
        f"{url}?date=2026-12-01",
        checklist_post(
            page,
            {
                codes[0]: {"status": "sick"},
                codes[1]: {"status": "present", "shift_start": "10:00", "shift_end": ""},
            },
        ),
    )
    assert response.status_code == 200
    assert "Own shift" in response.content.decode()
    assert not Availability.objects.filter(date=dt.date(2026, 12, 1)).exists()


def test_the_checklist_defaults_to_today_in_oslo(world: World) -> None:
    from django.utils import timezone

    http = login(world.planner_a)
    url = reverse("availability", kwargs={"unit": world.unit_a.code})
    assert http.get(url).context["day"] == timezone.localdate()
    assert http.get(url, {"date": "nonsense"}).context["day"] == timezone.localdate()
    crisis = login(world.crisis).get(url)
    assert crisis.status_code == 200 and not crisis.context["can_edit"]


# ---------------------------------------------------------------------- triage policy


def policy_data(response: Any, **changes: Any) -> dict[str, Any]:
    form = response.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False, "")}
    data = {k: ("on" if v is True else v) for k, v in data.items()}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_policy_editor_saves_a_valid_policy(world: World) -> None:
    municipality = world.unit_a.municipality
    http = login(world.crisis)
    url = reverse("policy-edit", kwargs={"municipality": municipality.code})
    page = http.get(url)
    data = policy_data(
        page,
        label_4="can wait",
        alt_4_CANCELLED="on",
        order_4_CANCELLED="1",
        order_4_POSTPONED="2",
        escalate_overdue_to_class="3",
    )
    response = http.post(url, data)
    assert response.status_code == 302
    policy = TriagePolicy.model_validate(
        PolicySetting.objects.get(municipality=municipality).policy
    )
    assert policy.rule(4).label == "can wait"
    assert policy.rule(4).alternatives == [Decision.CANCELLED, Decision.POSTPONED]
    assert policy.escalate_overdue_to_class == 3
    assert build_scenario(world.unit_a, world.day).policy == policy
    assert AuditEntry.objects.filter(object_type="policy", action=AuditAction.CHANGE).exists()


def test_the_policy_editor_rejects_an_invalid_policy(world: World) -> None:
    municipality = world.unit_a.municipality
    before = PolicySetting.objects.get(municipality=municipality).policy
    http = login(world.manager_a)
    url = reverse("policy-edit", kwargs={"municipality": municipality.code})
    response = http.post(url, policy_data(http.get(url), escalate_overdue_to_class="9"))
    assert response.status_code == 200
    assert "not saved" in response.content.decode()
    assert "escalate_overdue_to_class" in response.context["form"].errors
    assert PolicySetting.objects.get(municipality=municipality).policy == before


def test_planners_read_the_policy_but_cannot_change_it(world: World) -> None:
    http = login(world.planner_a)
    url = reverse("policy-edit", kwargs={"municipality": world.unit_a.municipality.code})
    page = http.get(url)
    assert page.status_code == 200
    assert not page.context["can_edit"]
    assert http.post(url, policy_data(page)).status_code == 403


# ------------------------------------------------------------------------------ units


def test_a_planner_moves_the_office_and_the_plan_starts_there(world: World) -> None:
    http = login(world.planner_a)
    response = http.post(
        reverse("unit-edit", kwargs={"code": world.unit_a.code}),
        {"office_address": "Nytt kontor 1", "office_lat": "59.9", "office_lon": "10.5"},
    )
    assert response.status_code == 302
    world.unit_a.refresh_from_db()
    office = build_scenario(world.unit_a, world.day).units[0].office
    assert office.address == "Nytt kontor 1"
    assert (office.location.lat, office.location.lon) == (59.9, 10.5)
    entry = AuditEntry.objects.get(object_type="unit")
    assert entry.detail["fields"] == ["office_address", "office_lat", "office_lon"]


@pytest.mark.parametrize("name", ["unit-list", "unit-detail", "caregiver-detail"])
def test_other_read_pages_render(world: World, name: str) -> None:
    http = login(world.crisis)
    kwargs: dict[str, str] = {}
    if name == "unit-detail":
        kwargs = {"code": world.unit_b.code}
    elif name == "caregiver-detail":
        caregiver = Caregiver.objects.filter(home_unit=world.unit_b).first()
        assert caregiver is not None
        kwargs = {"code": caregiver.code}
    assert http.get(reverse(name, kwargs=kwargs)).status_code == 200
