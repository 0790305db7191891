"""In a real browser: log in, switch language, see the lock after failed logins."""

from __future__ import annotations

import pytest

from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_and_language_switch(world: World, live_server: object, page: object) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    log_in(page, url, "crisis", PASSWORD)
    page.wait_for_selector(".who")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "nb"  # type: ignore[attr-defined]
    page.select_option("#lang-select", "en")  # type: ignore[attr-defined]
    page.wait_for_function("document.documentElement.lang === 'en'")  # type: ignore[attr-defined]
    assert "Log out" in page.content()  # type: ignore[attr-defined]


def test_wrong_password_is_refused(world: World, live_server: object, page: object) -> None:
    log_in(page, live_server.url, "planner_a", "not-the-password")  # type: ignore[attr-defined]
    assert page.locator(".error").is_visible()  # type: ignore[attr-defined]
