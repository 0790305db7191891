"""The call list: notices grouped by who should call, outcomes that move a notice between
"to call now", "waiting for a new try" and "refused", closing by hand with a reason, the
script in the client's language, the oversight counts and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from beredt.web.accounts.models import User
from beredt.web.audit.models import AuditEntry
from beredt.web.care.models import Caregiver, Relative
from beredt.web.care.models import Client as ClientRow
from beredt.web.notices.models import CallAttempt, Notice, NoticeState
from beredt.web.notices.oversight import open_by_age
from beredt.web.plans import actions as plan_actions
from tests.web.conftest import World
from tests.web.test_plans import make_version

READERS = ["planner_a", "manager_a", "crisis"]
EDITORS = ["planner_a", "manager_a"]
NO_NOTICE_ROLES = ["caregiver", "coordinator", "admin"]


def as_user(user: User | None) -> HttpClient:
    client = HttpClient()
    if user is not None:
        client.force_login(user)
    return client


def make_notice(
    client: ClientRow, kind: str = "postponed", *, age: dt.timedelta | None = None, **changes: Any
) -> Notice:
    item = {
        "kind": kind,
        "visit": f"{client.code}-v1",
        "task": "Morgenstell",
        "from": "besøk 08:00–09:00",
        "to": "utsatt",
        "until": None,
        "why": "staff shortage",
        **changes,
    }
    return Notice.objects.create(
        client=client,
        unit=client.unit,
        date=timezone.localdate(),
        kinds=[kind],
        changes=[item],
        revised_at=timezone.now() - (age or dt.timedelta()),
    )


def clients(world: World, n: int) -> list[ClientRow]:
    return list(ClientRow.objects.filter(unit=world.unit_a).order_by("code")[:n])


@pytest.fixture
def notice(world: World) -> Notice:
    return make_notice(clients(world, 1)[0])


def call_list(user: User, world: World) -> Any:
    response = as_user(user).get(reverse("call-list", kwargs={"unit": world.unit_a.code}))
    assert response.status_code == 200
    return response


def due_pks(response: Any) -> list[int]:
    return [card.notice.pk for _caller, group in response.context["groups"] for card in group]


def post_outcome(user: User, notice: Notice, outcome: str, **extra: str) -> Any:
    url = reverse("notice-outcome", kwargs={"pk": notice.pk})
    return as_user(user).post(url, {"outcome": outcome, **extra})


# ------------------------------------------------------------------ permissions


def _read_urls(world: World, notice: Notice) -> list[str]:
    return [
        reverse("call-list", kwargs={"unit": world.unit_a.code}),
        reverse("notice-detail", kwargs={"pk": notice.pk}),
    ]


def _post_urls(notice: Notice) -> list[tuple[str, dict[str, str]]]:
    return [
        (reverse("notice-outcome", kwargs={"pk": notice.pk}), {"outcome": "reached"}),
        (reverse("notice-close", kwargs={"pk": notice.pk}), {"reason": "told at the door"}),
    ]


def test_anonymous_is_sent_to_login(world: World, notice: Notice) -> None:
    client = as_user(None)
    gets = [*_read_urls(world, notice), reverse("call-lists"), reverse("notices-overdue")]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    for url, data in _post_urls(notice):
        response = client.post(url, data)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.attempts == 0


@pytest.mark.parametrize("who", READERS)
def test_unit_staff_and_crisis_team_read_the_list_and_notices(
    world: World, notice: Notice, who: str
) -> None:
    client = as_user(getattr(world, who))
    for url in _read_urls(world, notice):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", NO_NOTICE_ROLES)
def test_roles_without_client_data_get_403(world: World, notice: Notice, who: str) -> None:
    client = as_user(getattr(world, who))
    for url in [*_read_urls(world, notice), reverse("call-lists"), reverse("notices-overdue")]:
        assert client.get(url).status_code == 403, url
    for url, data in _post_urls(notice):
        assert client.post(url, data).status_code == 403, url
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.attempts == 0


def test_another_units_planner_gets_404(world: World, notice: Notice) -> None:
    client = as_user(world.planner_b)
    for url in _read_urls(world, notice):
        assert client.get(url).status_code == 404, url
    for url, data in _post_urls(notice):
        assert client.post(url, data).status_code == 404, url
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.attempts == 0


def test_the_crisis_team_reads_but_may_not_record_calls(world: World, notice: Notice) -> None:
    page = call_list(world.crisis, world)
    assert b'name="outcome"' not in page.content and b'name="reason"' not in page.content
    client = as_user(world.crisis)
    for url, data in _post_urls(notice):
        assert client.post(url, data).status_code == 403, url
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and not CallAttempt.objects.exists()


@pytest.mark.parametrize("who", EDITORS)
def test_unit_staff_record_calls_and_close(world: World, who: str) -> None:
    first, second = (make_notice(c) for c in clients(world, 2))
    user = getattr(world, who)
    assert post_outcome(user, first, "reached").status_code == 302
    url = reverse("notice-close", kwargs={"pk": second.pk})
    assert as_user(user).post(url, {"reason": "moved to a nursing home"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == NoticeState.REACHED and second.state == NoticeState.CLOSED


def test_only_the_crisis_team_sees_the_overdue_page(world: World, notice: Notice) -> None:
    assert as_user(world.crisis).get(reverse("notices-overdue")).status_code == 200
    for who in ["planner_a", "manager_a", "planner_b"]:
        response = as_user(getattr(world, who)).get(reverse("notices-overdue"))
        assert response.status_code == 403, who


def test_the_menu_links_to_the_call_list(world: World) -> None:
    planner = as_user(world.planner_a)
    home = planner.get(reverse("client-list"))
    assert reverse("call-lists").encode() in home.content
    response = planner.get(reverse("call-lists"))
    assert response["Location"] == reverse("call-list", kwargs={"unit": world.unit_a.code})
    crisis = as_user(world.crisis).get(reverse("call-lists"))
    assert crisis.status_code == 200
    for unit in (world.unit_a, world.unit_b):
        assert reverse("call-list", kwargs={"unit": unit.code}).encode() in crisis.content


# ------------------------------------------------------------------ the list


def test_notices_are_grouped_by_who_should_call(world: World) -> None:
    a, b, c, d = clients(world, 4)
    kari = Caregiver.objects.filter(home_unit=world.unit_a).order_by("code")[0]
    gone = Caregiver.objects.filter(home_unit=world.unit_a).order_by("code")[1]
    gone.active = False
    gone.save()
    for client, person in [(a, kari), (b, kari), (c, None), (d, gone)]:
        client.contact_person = person
        client.save()
        make_notice(client)
    page = call_list(world.planner_a, world)
    groups = {name: {card.notice.client.code for card in g} for name, g in page.context["groups"]}
    assert groups == {kari.name: {a.code, b.code}, "Planner": {c.code, d.code}}
    assert [name for name, _g in page.context["groups"]][-1] == "Planner"


def test_a_card_shows_phones_relatives_and_the_change(world: World) -> None:
    client = clients(world, 1)[0]
    client.phone, client.can_use_phone = "+47 400 00 001", False
    client.save()
    Relative.objects.create(
        client=client, name="Per Hansen", relation="son", phone="+47 400 00 002"
    )
    make_notice(client, "postponed", until="2026-11-25", to="utsatt til 2026-11-25")
    html = call_list(world.planner_a, world).content.decode()
    for text in [
        client.name,
        "+47 400 00 001",
        "cannot take phone calls",
        "Per Hansen (son)",
        "+47 400 00 002",
        "Postponed",
        "Morgenstell",
        "besøk 08:00–09:00 → utsatt til 2026-11-25",
        "until 2026-11-25",
        "staff shortage",
    ]:
        assert text in html, text


def test_not_reached_waits_for_the_retry_time_then_comes_back(world: World, notice: Notice) -> None:
    with override_settings(BEREDT_NOTICE_RETRY_MINUTES=90):
        response = post_outcome(world.planner_a, notice, "not_reached", note="no answer")
    assert response.status_code == 302
    notice.refresh_from_db()
    call = CallAttempt.objects.get(notice=notice)
    assert (call.outcome, call.by, call.note) == ("not_reached", world.planner_a, "no answer")
    assert notice.retry_at is not None
    assert notice.retry_at - call.at == pytest.approx(
        dt.timedelta(minutes=90), abs=dt.timedelta(seconds=5)
    )

    page = call_list(world.planner_a, world)
    assert notice.pk not in due_pks(page)
    assert [n.pk for n in page.context["waiting"]] == [notice.pk]
    retry = timezone.localtime(notice.retry_at).strftime("%Y-%m-%d %H:%M")
    assert retry in page.content.decode()

    Notice.objects.filter(pk=notice.pk).update(retry_at=timezone.now() - dt.timedelta(minutes=1))
    page = call_list(world.planner_a, world)
    assert due_pks(page) == [notice.pk] and page.context["waiting"] == []

    post_outcome(world.planner_a, notice, "reached")
    notice.refresh_from_db()
    assert notice.state == NoticeState.REACHED and notice.attempts == 2
    page = call_list(world.planner_a, world)
    assert due_pks(page) == [] and page.context["waiting"] == []


def test_a_refused_change_is_flagged_for_the_planner(world: World, notice: Notice) -> None:
    post_outcome(world.planner_a, notice, "refused")
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN and notice.refused
    page = call_list(world.planner_a, world)
    assert due_pks(page) == [] and page.context["waiting"] == []
    assert [card.notice.pk for card in page.context["refused"]] == [notice.pk]
    html = page.content.decode()
    assert "Refused — planner must act" in html and "notice-refused" in html
    today = as_user(world.planner_a).get(reverse("today", kwargs={"unit": world.unit_a.code}))
    assert today.context["notice_ages"].refused == 1


def test_closing_by_hand_requires_a_reason(world: World, notice: Notice) -> None:
    url = reverse("notice-close", kwargs={"pk": notice.pk})
    planner = as_user(world.planner_a)
    for reason in ["", "   "]:
        response = planner.post(url, {"reason": reason}, follow=True)
        assert "Give a reason" in response.content.decode()
        notice.refresh_from_db()
        assert notice.state == NoticeState.OPEN
    planner.post(url, {"reason": "the client is in hospital"})
    notice.refresh_from_db()
    assert notice.state == NoticeState.CLOSED
    assert notice.closed_reason == "the client is in hospital"
    assert notice.pk not in due_pks(call_list(world.planner_a, world))


def test_a_closed_notice_takes_no_more_calls(world: World, notice: Notice) -> None:
    post_outcome(world.planner_a, notice, "reached")
    response = as_user(world.planner_a).post(
        reverse("notice-outcome", kwargs={"pk": notice.pk}), {"outcome": "refused"}, follow=True
    )
    assert response.status_code == 200 and "no one to call" in response.content.decode()
    notice.refresh_from_db()
    assert notice.state == NoticeState.REACHED and notice.attempts == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sv", ["hemtjänsten", "skjuts upp"]),
        ("nb", ["hjemmetjenesten", "utsatt"]),
        ("en", ["home care service", "postponed"]),
    ],
)
def test_the_script_is_in_the_clients_language(
    world: World, language: str, words: list[str]
) -> None:
    client = clients(world, 1)[0]
    client.language, client.contact_person = language, None
    client.save()
    make_notice(client, "postponed", until="2026-11-25")
    card = next(c for _n, g in call_list(world.planner_a, world).context["groups"] for c in g)
    script = " ".join(card.script)
    for word in words:
        assert word in script, script
    assert world.planner_a.get_full_name() in script  # the planner calls: no contact person


def test_the_page_is_in_the_users_language_and_the_script_in_the_clients(world: World) -> None:
    client = clients(world, 1)[0]
    client.language = "sv"
    client.save()
    make_notice(client, "cancelled")
    planner = as_user(world.planner_a)
    planner.post(reverse("set_language"), {"language": "nb", "next": "/"})
    html = planner.get(reverse("call-list", kwargs={"unit": world.unit_a.code})).content.decode()
    assert "Ringeliste" in html and "Nådd" in html  # the page: Norwegian
    assert "hemtjänsten" in html and "ställs in" in html  # the script: Swedish


# ------------------------------------------------------------------ detail, audit, oversight


def test_the_notice_page_shows_the_call_history(world: World, notice: Notice) -> None:
    post_outcome(world.planner_a, notice, "left_message", back="detail")
    post_outcome(world.manager_a, notice, "reached", back="detail")
    page = as_user(world.crisis).get(reverse("notice-detail", kwargs={"pk": notice.pk}))
    history = page.content.decode().split('id="call-history"')[1]
    assert "Left a message" in history and "Reached" in history
    assert "Planner_A" in history and "Manager_A" in history
    first = CallAttempt.objects.order_by("at").first()
    assert first is not None
    assert timezone.localtime(first.at).strftime("%Y-%m-%d %H:%M") in history
    letter = reverse("notice-letter", kwargs={"pk": notice.pk})
    assert letter in page.content.decode()


def test_a_post_from_the_notice_page_returns_there(world: World, notice: Notice) -> None:
    response = post_outcome(world.planner_a, notice, "not_reached", back="detail")
    assert response["Location"] == reverse("notice-detail", kwargs={"pk": notice.pk})
    response = post_outcome(world.planner_a, notice, "not_reached")
    assert response["Location"] == reverse("call-list", kwargs={"unit": world.unit_a.code})


def test_viewing_records_the_audit_log(world: World, notice: Notice) -> None:
    call_list(world.crisis, world)
    as_user(world.crisis).get(reverse("notice-detail", kwargs={"pk": notice.pk}))
    views = AuditEntry.objects.filter(username="crisis", action="view")
    assert views.filter(object_type="call_list", unit=world.unit_a.code).exists()
    assert views.filter(object_type="notice", object_id=str(notice.pk)).exists()


def test_open_notices_by_age(world: World) -> None:
    a, b, c, d, e, f = clients(world, 6)
    hour = dt.timedelta(hours=1)
    make_notice(a, age=10 * dt.timedelta(minutes=1))
    make_notice(b, age=2 * hour)
    make_notice(c, age=10 * hour)
    make_notice(d, age=30 * hour)
    refused = make_notice(e, age=3 * hour)
    Notice.objects.filter(pk=refused.pk).update(refused=True)
    done = make_notice(f, age=50 * hour)
    Notice.objects.filter(pk=done.pk).update(state=NoticeState.REACHED)
    ages = open_by_age(world.unit_a, timezone.now())
    assert (ages.under_1h, ages.from_1_to_4h, ages.from_4_to_24h, ages.over_24h) == (1, 2, 1, 1)
    assert ages.refused == 1 and ages.total == 5
    assert open_by_age(world.unit_b, timezone.now()).total == 0

    page = as_user(world.planner_a).get(reverse("today", kwargs={"unit": world.unit_a.code}))
    html = page.content.decode()
    assert "Open notices by age" in html
    assert reverse("call-list", kwargs={"unit": world.unit_a.code}) in html


def test_the_crisis_team_sees_old_open_notices_across_units(world: World) -> None:
    old_a = make_notice(clients(world, 1)[0], age=dt.timedelta(hours=6))
    young_a = make_notice(clients(world, 2)[1], age=dt.timedelta(hours=1))
    b = ClientRow.objects.filter(unit=world.unit_b).order_by("code").first()
    assert b is not None
    old_b = make_notice(b, "cancelled", age=dt.timedelta(hours=30))
    with override_settings(BEREDT_NOTICE_ALERT_HOURS=4):
        page = as_user(world.crisis).get(reverse("notices-overdue"))
    listed = [row["notice"].pk for row in page.context["rows"]]
    assert listed == [old_b.pk, old_a.pk] and young_a.pk not in listed
    html = page.content.decode()
    assert world.unit_b.name in html and "Cancelled" in html and 'name="outcome"' not in html
    assert AuditEntry.objects.filter(username="crisis", object_type="notices_overdue").exists()


def test_after_publishing_every_affected_client_is_on_the_list_once(world: World) -> None:
    version = make_version(world, timezone.localdate())
    plan_actions.publish(version, world.planner_a)
    open_notices = Notice.objects.filter(unit=world.unit_a, state=NoticeState.OPEN)
    assert open_notices.exists()
    html = call_list(world.planner_a, world).content.decode()
    for notice in open_notices.select_related("client"):
        assert html.count(f'data-client="{notice.client.code}"') == 1, notice.client.code
