"""The crisis morning end to end in a real browser, in Norwegian: the planner marks a
caregiver sick, makes the contingency plan in the background, publishes it; the
caregiver then sees their own route and nobody else's."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from beredt.web.audit.models import AuditEntry
from beredt.web.care.models import Availability, Caregiver
from beredt.web.plans.models import PlanStatus, PlanVersion
from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_absence_plan_publish_and_the_caregivers_route(
    world: World, live_server: object, chromium: object
) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    today = timezone.localdate()
    own = world.caregiver.caregiver
    assert own is not None
    sick = Caregiver.objects.filter(home_unit=world.unit_a).exclude(pk=own.pk).order_by("code")[0]

    planner = chromium.new_context(locale="nb-NO", timezone_id="Europe/Oslo")  # type: ignore[attr-defined]
    page = planner.new_page()
    page.set_default_timeout(30_000)
    log_in(page, url, "planner_a", PASSWORD)
    page.wait_for_selector(".who")
    page.goto(f"{url}/units/{world.unit_a.code}/today/?date={today.isoformat()}")
    assert page.locator("button.plan-big").inner_text().strip() == "Lag beredskapsplan"

    page.select_option(f"#av-{sick.code}", "sick")  # submits on change
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#av-{sick.code}").input_value() == "sick"
    assert Availability.objects.get(caregiver=sick, date=today).status == "sick"

    with override_settings(BEREDT_JOBS="thread", BEREDT_PLAN_SECONDS=1.0):
        page.click("button.plan-big")
        page.wait_for_url("**/plans/*/", timeout=90_000)
    page.wait_for_selector(".plan-block")
    version = PlanVersion.objects.get(unit=world.unit_a, date=today)
    assert all(route["caregiver"] != sick.code for route in version.plan_json["routes"])

    page.click("text=Publiser")
    page.wait_for_load_state("networkidle")
    version.refresh_from_db()
    assert version.status == PlanStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="publish", unit=world.unit_a.code).exists()
    planner.close()

    carer = chromium.new_context(locale="nb-NO", timezone_id="Europe/Oslo")  # type: ignore[attr-defined]
    mine = carer.new_page()
    mine.set_default_timeout(30_000)
    log_in(mine, url, "caregiver", PASSWORD)
    mine.wait_for_url("**/my-route/")
    text = mine.locator("main").inner_text()
    assert "Min kjøreliste" in text or "Min rute" in text
    assert f"versjon {version.number}" in text
    stops = [r for r in version.plan.routes if r.caregiver == own.code]
    if stops and stops[0].stops:
        assert mine.locator(".route-stop").count() == len(stops[0].stops)
    other = mine.goto(f"{url}/units/{world.unit_a.code}/route/{sick.code}/?date={today}")
    assert other is not None and other.status == 403
    carer.close()
