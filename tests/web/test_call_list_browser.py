"""The call list in a real browser, in Norwegian: after the plan is published every
affected client is on the list once; "not reached" moves a client to "waiting" until
the retry time, then back; "reached" takes them off the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from beredt.web.notices.models import Notice, NoticeState
from beredt.web.plans import actions as plan_actions
from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, World
from tests.web.test_plans import make_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_not_reached_to_reached(world: World, live_server: object, page: object) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    version = make_version(world, timezone.localdate())
    plan_actions.publish(version, world.planner_a)
    notices = list(
        Notice.objects.filter(unit=world.unit_a, state=NoticeState.OPEN)
        .select_related("client")
        .order_by("pk")
    )
    assert notices, "the plan changes nobody's care: the test needs a crisis"

    log_in(page, url, "planner_a", PASSWORD)
    page.wait_for_selector(".who")  # type: ignore[attr-defined]
    page.click("text=Ringeliste")  # type: ignore[attr-defined]
    page.wait_for_selector("#due-title")  # type: ignore[attr-defined]
    assert page.locator(".notice-card").count() == len(notices)  # type: ignore[attr-defined]
    for notice in notices:
        code = notice.client.code
        assert page.locator(f'[data-client="{code}"]').count() == 1, code  # type: ignore[attr-defined]

    first = notices[0]
    card, waiting = f"#notice-{first.pk}", f"#waiting-{first.pk}"
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f"{card} button[value=not_reached]")  # type: ignore[attr-defined]
    assert page.locator(card).count() == 0  # type: ignore[attr-defined]
    assert page.locator(waiting).is_visible()  # type: ignore[attr-defined]
    first.refresh_from_db()
    assert first.attempts == 1 and first.retry_at is not None
    retry = timezone.localtime(first.retry_at).strftime("%H:%M")
    assert retry in page.locator(waiting).inner_text()  # type: ignore[attr-defined]

    Notice.objects.filter(pk=first.pk).update(retry_at=timezone.now() - dt.timedelta(minutes=1))
    page.reload()  # type: ignore[attr-defined]
    assert page.locator(card).is_visible()  # type: ignore[attr-defined]
    assert page.locator(waiting).count() == 0  # type: ignore[attr-defined]

    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f"{card} button[value=reached]")  # type: ignore[attr-defined]
    assert "Nådd" in page.locator(".messages").inner_text()  # type: ignore[attr-defined]
    assert page.locator(card).count() == 0  # type: ignore[attr-defined]
    assert page.locator(waiting).count() == 0  # type: ignore[attr-defined]
    first.refresh_from_db()
    assert first.state == NoticeState.REACHED and first.attempts == 2
    assert page.locator(".notice-card").count() == len(notices) - 1  # type: ignore[attr-defined]
