"""In a real browser: make a plan in the background, follow its progress bar to the new
version, see the map, timeline and decisions, and filter the decisions.

``BEREDT_SCREENSHOTS=<dir>`` also saves screenshots there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import override_settings

from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: object, name: str) -> None:
    folder = os.environ.get("BEREDT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_plan_in_the_background_and_follow_it(
    world: World, live_server: object, page: object
) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    log_in(page, url, "planner_a", PASSWORD)
    page.wait_for_selector(".who")  # type: ignore[attr-defined]
    with override_settings(BEREDT_JOBS="thread"):
        page.goto(f"{url}/units/{world.unit_a.code}/today/?date=2026-11-23")  # type: ignore[attr-defined]
        page.click("button.plan-big")  # type: ignore[attr-defined]
        page.wait_for_selector("#plan-job")  # type: ignore[attr-defined]
        page.wait_for_url("**/plans/*/", timeout=60_000)  # type: ignore[attr-defined]
    page.wait_for_selector(".plan-block")  # type: ignore[attr-defined]
    page.wait_for_selector("#plan-map path.leaflet-interactive")  # type: ignore[attr-defined]
    shot(page, "plan-version")
    rows = page.locator("#plan-decisions tbody tr")  # type: ignore[attr-defined]
    total = rows.count()
    page.select_option("#f-decision", "KEPT")  # type: ignore[attr-defined]
    visible = page.locator("#plan-decisions tbody tr:visible").count()  # type: ignore[attr-defined]
    assert 0 < visible <= total
    assert page.locator("#plan-decisions tbody tr:visible[data-decision='CANCELLED']").count() == 0  # type: ignore[attr-defined]
