"""In a real browser: the "who is absent" checklist and a care task with a bad window.

``BEREDT_SCREENSHOTS=<dir>`` also saves screenshots of the register pages there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from beredt.web.care.models import Availability, Caregiver, Client
from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: object, name: str) -> None:
    folder = os.environ.get("BEREDT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_checklist_marks_two_absent_with_one_save(
    world: World, live_server: object, page: object
) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    log_in(page, url, "planner_a", PASSWORD)
    page.wait_for_selector(".who")  # type: ignore[attr-defined]
    page.goto(f"{url}/units/{world.unit_a.code}/availability/?date=2026-12-07")  # type: ignore[attr-defined]
    shot(page, "availability")
    first, second = Caregiver.objects.filter(home_unit=world.unit_a, active=True).order_by("name")[
        :2
    ]
    page.select_option("#id_rows-0-status", "sick")  # type: ignore[attr-defined]
    page.select_option("#id_rows-1-status", "caring_for_child")  # type: ignore[attr-defined]
    page.click("form.checklist button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector(".msg-success")  # type: ignore[attr-defined]
    saved = dict(
        Availability.objects.filter(date="2026-12-07").values_list("caregiver__code", "status")
    )
    assert saved == {first.code: "sick", second.code: "caring_for_child"}


def test_register_pages_render_for_a_planner(
    world: World, live_server: object, page: object
) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    caregiver = Caregiver.objects.filter(home_unit=world.unit_a).first()
    assert client is not None and caregiver is not None
    log_in(page, url, "planner_a", PASSWORD)
    page.wait_for_selector(".who")  # type: ignore[attr-defined]
    page.select_option("#lang-select", "en")  # type: ignore[attr-defined]
    page.wait_for_function("document.documentElement.lang === 'en'")  # type: ignore[attr-defined]
    for name, path in [
        ("client-list", "/clients/"),
        ("client-detail", f"/clients/{client.code}/"),
        ("client-edit", f"/clients/{client.code}/edit/"),
        ("caregiver-list", "/caregivers/"),
        ("caregiver-edit", f"/caregivers/{caregiver.code}/edit/"),
        ("policy", f"/municipalities/{world.unit_a.municipality.code}/policy/"),
        ("unit", f"/units/{world.unit_a.code}/"),
    ]:
        response = page.goto(f"{url}{path}")  # type: ignore[attr-defined]
        assert response.status == 200, name
        shot(page, name)
    page.goto(f"{url}/clients/{client.code}/tasks/new/")  # type: ignore[attr-defined]
    page.fill("#id_code", "b-task")  # type: ignore[attr-defined]
    page.fill("#id_name", "Tilsyn")  # type: ignore[attr-defined]
    page.fill("#id_kind", "check")  # type: ignore[attr-defined]
    page.fill("#id_windows", "7-9")  # type: ignore[attr-defined]
    page.fill("#id_duration", "15")  # type: ignore[attr-defined]
    page.click("form.card button[type=submit]")  # type: ignore[attr-defined]
    error = page.locator(".has-error .errorlist")  # type: ignore[attr-defined]
    assert "Time windows" in error.first.inner_text()
    shot(page, "task-form-error")
