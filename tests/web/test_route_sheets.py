"""Route sheets: the page and PDF per caregiver, all routes of a version, and a
caregiver's own published route."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from beredt.domain.policy import Decision
from beredt.web.audit.models import AuditAction, AuditEntry
from beredt.web.care.models import Caregiver
from beredt.web.plans import actions
from beredt.web.plans.models import PlanVersion
from tests.web.conftest import World
from tests.web.test_plans import as_user, make_version


def sheet_url(world: World, code: str, name: str = "route-sheet", **query: str) -> str:
    url = reverse(name, kwargs={"unit": world.unit_a.code, "caregiver": code})
    params = {"date": "2026-11-23", **query}
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items())


@pytest.fixture
def redeployed(world: World) -> Caregiver:
    """Every caregiver of unit A is redeployed except the first (by code)."""
    rest = Caregiver.objects.filter(home_unit=world.unit_a).order_by("code")[1:]
    Caregiver.objects.filter(pk__in=[c.pk for c in rest]).update(redeployed_from="Sykehjemmet")
    first = Caregiver.objects.filter(home_unit=world.unit_a).order_by("code").first()
    assert first is not None
    return first


def test_route_sheet_shows_visits_new_to_client_and_id_reminder(
    world: World, redeployed: Caregiver
) -> None:
    version = make_version(world)
    scenario = version.scenario
    client = as_user(world.planner_a)
    for route in version.plan.routes:
        caregiver = scenario.caregiver_by_id[route.caregiver]
        html = client.get(sheet_url(world, route.caregiver)).content.decode()
        assert caregiver.name in html
        kept = {e.visit: e for e in version.plan.visits if e.decision is Decision.KEPT}
        new = 0
        for stop in route.stops:
            patient = scenario.client_by_id[kept[stop].client]
            assert patient.name in html and patient.address in html
            familiar = {*patient.recent_caregivers, patient.contact_person}
            new += route.caregiver not in familiar
        assert html.count("new to this client") == new
        reminder = "Remember to carry your ID card" in html
        assert reminder == (route.caregiver != redeployed.code)
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="route").exists()


def test_isolated_clients_get_an_infection_control_note(world: World) -> None:
    version = make_version(world)
    isolated = {c.id for c in version.scenario.isolated_clients(version.date)}
    entry = next(
        e for e in version.plan.visits if e.client in isolated and e.decision is Decision.KEPT
    )
    html = as_user(world.planner_a).get(sheet_url(world, entry.caregivers[0])).content.decode()
    assert "Infection control: full PPE" in html


def test_route_sheet_pdfs(world: World) -> None:
    version = make_version(world)
    client = as_user(world.crisis)
    code = version.plan.routes[0].caregiver
    response = client.get(sheet_url(world, code, "route-sheet-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    response = client.get(reverse("plan-routes-pdf", kwargs={"pk": version.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="route").count() == 2


def test_route_sheet_without_a_plan_says_so(world: World) -> None:
    code = Caregiver.objects.filter(home_unit=world.unit_a).first().code  # type: ignore[union-attr]
    response = as_user(world.planner_a).get(sheet_url(world, code))
    assert response.status_code == 200
    assert "no plan for this day" in response.content.decode()
    assert (
        as_user(world.planner_a).get(sheet_url(world, code, "route-sheet-pdf")).status_code == 404
    )


def test_route_sheet_permissions(world: World) -> None:
    version = make_version(world)
    code = version.plan.routes[0].caregiver
    for who, status in [
        ("planner_a", 200),
        ("manager_a", 200),
        ("crisis", 200),
        ("planner_b", 403),
        ("caregiver", 403),
        ("coordinator", 403),
        ("admin", 403),
    ]:
        client = as_user(getattr(world, who))
        assert client.get(sheet_url(world, code)).status_code == status, who
        assert client.get(sheet_url(world, code, "route-sheet-pdf")).status_code == status, who
    anonymous = as_user(None).get(sheet_url(world, code))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]


def test_my_route_shows_only_the_published_plan_of_today(world: World) -> None:
    today = timezone.localdate()
    own = world.caregiver.caregiver
    assert own is not None
    client = as_user(world.caregiver)
    response = client.get(reverse("my-route"))
    assert response.status_code == 200
    assert "no published plan for today" in response.content.decode()

    first = make_version(world, today)
    assert "no published plan for today" in client.get(reverse("my-route")).content.decode()
    actions.publish(first, world.planner_a)
    draft = make_version(world, today)  # a newer draft: caregivers must not see it
    response = client.get(reverse("my-route"))
    assert response.context["version"] == first != draft
    html = response.content.decode()
    route = next((r for r in first.plan.routes if r.caregiver == own.code), None)
    if route is None:
        assert "no visits in today's published plan" in html
    else:
        assert own.name in html
        assert response.context["sheet"].caregiver.id == own.code
        others = {r.caregiver for r in first.plan.routes} - {own.code}
        for code in others:
            assert first.scenario.caregiver_by_id[code].name not in html.split("<main>")[1]
        pdf = client.get(reverse("my-route-pdf"))
        assert pdf.content.startswith(b"%PDF")
    assert client.get(sheet_url(world, own.code)).status_code == 403
    assert client.get(reverse("plan-version", kwargs={"pk": first.pk})).status_code == 403
    assert client.get(reverse("today", kwargs={"unit": world.unit_a.code})).status_code == 403


def test_my_route_for_a_caregiver_user_without_a_register_entry(world: World) -> None:
    world.caregiver.caregiver = None
    world.caregiver.save()
    response = as_user(world.caregiver).get(reverse("my-route"))
    assert response.status_code == 200
    assert "no published plan for today" in response.content.decode()


def test_the_day_page_follows_the_date_parameter(world: World) -> None:
    assert PlanVersion.objects.count() == 0
    make_version(world, world.day + dt.timedelta(days=1))
    response = as_user(world.planner_a).get(
        reverse("today", kwargs={"unit": world.unit_a.code}), {"date": "2026-11-24"}
    )
    assert response.context["version"].date == dt.date(2026, 11, 24)
