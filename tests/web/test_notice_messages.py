"""Letters and text messages for change notices: letters in the client's language (HTML
and PDF), text messages queued once per revision and number, idempotent sending with
back-off against a real (local) HTTP gateway, the console backend, and who may do what."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from beredt.web.audit.models import AuditAction, AuditEntry
from beredt.web.care.models import Client, Relative
from beredt.web.notices import letters, sms
from beredt.web.notices.models import Notice, NoticeState, SmsMessage, SmsStatus
from tests.web.conftest import World
from tests.web.test_plans import as_user

CLIENT_PHONE = "+47 912 34 523"
RELATIVE_PHONE = "+47 400 00 011"
SECRET_TASK = "Insulin injection"
SECRET_WHY = "Fewer nurses today"

CHANGES = [
    {
        "kind": "phone",
        "visit": "v1",
        "task": SECRET_TASK,
        "from": "visit 08:00–08:30",
        "to": "a phone call instead",
        "until": None,
        "why": SECRET_WHY,
    },
    {
        "kind": "postponed",
        "visit": "v2",
        "task": "Shower",
        "from": "visit 10:00–11:00",
        "to": "postponed to 2026-11-25",
        "until": "2026-11-25",
        "why": "Not urgent",
    },
    {
        "kind": "redeployed",
        "visit": "v3",
        "task": "Dinner",
        "from": "visit 16:00–17:00",
        "to": "Nina Holm (from the nursing home)",
        "until": None,
        "why": "",
    },
]


def make_notice(
    world: World,
    *,
    language: str = "nb",
    changes: list[dict[str, Any]] | None = None,
    relatives: int = 1,
    can_use_phone: bool = True,
    index: int = 0,
) -> Notice:
    client = Client.objects.filter(unit=world.unit_a).order_by("code")[index]
    client.language, client.phone, client.can_use_phone = language, CLIENT_PHONE, can_use_phone
    client.save()
    client.relatives.all().delete()
    for n in range(relatives):
        Relative.objects.create(
            client=client, name=f"Kari Nordmann {n}", relation="daughter", phone=f"+47 400 00 01{n}"
        )
    items = CHANGES if changes is None else changes
    return Notice.objects.create(
        client=client,
        unit=world.unit_a,
        date=world.day,
        kinds=sorted({c["kind"] for c in items}),
        changes=items,
    )


# ------------------------------------------------------------------ letters


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nb", ["Med vennlig hilsen", "I stedet for et besøk ringer vi deg.", "23. november 2026"]),
        (
            "sv",
            [
                "Med vänliga hälsningar",
                "I stället för ett besök ringer vi dig.",
                "23 november 2026",
            ],
        ),
        ("en", ["Kind regards", "Instead of a visit, we will phone you.", "Nov. 23, 2026"]),
    ],
)
def test_letter_is_in_the_clients_language(world: World, language: str, words: list[str]) -> None:
    notice = make_notice(world, language=language)
    html = letters.letter_html(notice, written=world.day)
    assert f'lang="{language}"' in html
    for word in words:
        assert word in html
    client = notice.client
    assert client.name in html and client.address in html
    assert world.unit_a.name in html and world.unit_a.municipality.name in html
    for item in CHANGES:
        assert item["task"] in html and item["to"] in html
    assert SECRET_WHY in html


def test_letter_pdf_is_a_pdf_with_one_page_per_letter(world: World) -> None:
    from weasyprint import HTML

    first = make_notice(world, language="sv")
    second = make_notice(world, language="en", index=1)
    assert letters.letter_pdf(first).startswith(b"%PDF")
    assert letters.letters_pdf([first, second]).startswith(b"%PDF")
    document = letters.document_html([first, second])
    assert len(HTML(string=document).render().pages) == 2
    assert "Med vänliga hälsningar" in document and "Kind regards" in document


# ------------------------------------------------------------------ queueing and texts


def test_queueing_twice_makes_one_message_per_number(world: World) -> None:
    relative_change = {**CHANGES[0], "kind": "relative", "to": "Kari takes over"}
    notice = make_notice(world, changes=[relative_change], relatives=2)
    first = sms.queue_sms(notice, world.planner_a)
    again = sms.queue_sms(notice, world.planner_a)
    assert len(first) == 3  # the client and, as a relative takes over, both relatives
    assert [m.pk for m in again] == [m.pk for m in first]
    assert SmsMessage.objects.filter(notice=notice).count() == 3
    assert first[0].key == f"notice-{notice.pk}-r1-4791234523"
    assert first[0].to == "+4791234523"
    queued = AuditEntry.objects.filter(object_type="notice.sms", action=AuditAction.CREATE)
    assert queued.count() == 3
    assert all(SECRET_TASK not in e.summary and "912 34" not in e.summary for e in queued)

    notice.revision = 2
    notice.save()
    assert {m.key for m in sms.queue_sms(notice, world.planner_a)}.isdisjoint(
        {m.key for m in first}
    )


def test_relatives_are_texted_when_the_client_cannot_be(world: World) -> None:
    texted = make_notice(world, relatives=1)
    assert [m.to for m in sms.queue_sms(texted, world.planner_a)] == ["+4791234523"]
    not_texted = make_notice(world, can_use_phone=False, relatives=1, index=1)
    (message,) = sms.queue_sms(not_texted, world.planner_a)
    assert message.to == "+4740000010"
    assert "Kari Nordmann 0" in message.body and not_texted.client.name in message.body


@pytest.mark.parametrize(
    ("language", "word"), [("nb", "Hjemmetjenesten"), ("sv", "hemtjänst"), ("en", "home care")]
)
def test_text_is_short_in_the_clients_language_and_without_care_details(
    world: World, language: str, word: str
) -> None:
    notice = make_notice(world, language=language)
    text = sms.sms_text(notice)
    assert word in text and len(text) <= sms.MAX_LENGTH
    assert SECRET_TASK not in text and SECRET_WHY not in text
    notice.client.name = "N" * 200
    many = [{**CHANGES[0], "kind": kind} for kind in ("phone", "moved", "cancelled", "relative")]
    notice.kinds, notice.changes = sorted(c["kind"] for c in many), many
    assert len(sms.sms_text(notice)) <= sms.MAX_LENGTH


# ------------------------------------------------------------------ sending


class Gateway(ThreadingHTTPServer):
    """A local SMS gateway: HTTP 500 for the first request, then 200 {"id": "abc"}."""

    received: list[tuple[dict[str, str], dict[str, Any]]]


class GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append((dict(self.headers), body))
        answer = b'{"id": "abc"}'
        self.send_response(500 if len(self.server.received) == 1 else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway(("127.0.0.1", 0), GatewayHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_sending_is_idempotent_through_a_gateway_that_fails_then_succeeds(
    world: World, gateway: Gateway, settings: SettingsWrapper
) -> None:
    host, port = gateway.server_address[:2]
    settings.BEREDT_SMS_BACKEND = "http"
    settings.BEREDT_SMS_URL = f"http://{host}:{port}/messages"
    settings.BEREDT_SMS_TOKEN = "s3cret"
    settings.BEREDT_SMS_SENDER = "Hjemmetj"
    sender = sms.get_sender()
    assert isinstance(sender, sms.HttpSender)
    notice = make_notice(world)
    (message,) = sms.queue_sms(notice, world.planner_a)
    t0 = timezone.now()

    report = sms.send_pending(now=t0, sender=sender)
    message.refresh_from_db()
    assert len(report.failed) == 1 and not report.sent
    assert message.status == SmsStatus.FAILED and message.attempts == 1
    assert message.next_try_at == t0 + dt.timedelta(minutes=1)
    assert "500" in message.last_error

    assert sms.send_pending(now=t0 + dt.timedelta(seconds=30), sender=sender).tried == 0
    assert len(gateway.received) == 1

    report = sms.send_pending(now=t0 + dt.timedelta(minutes=2), sender=sender)
    message.refresh_from_db()
    assert len(report.sent) == 1
    assert message.status == SmsStatus.SENT and message.provider_id == "abc"
    assert message.sent_at is not None and message.next_try_at is None

    assert sms.send_pending(now=t0 + dt.timedelta(hours=1), sender=sender).tried == 0
    sms.queue_sms(notice, world.planner_a)  # queueing again does not resend either
    assert sms.send_pending(now=t0 + dt.timedelta(hours=2), sender=sender).tried == 0
    assert len(gateway.received) == 2
    keys = {headers["Idempotency-Key"] for headers, _body in gateway.received}
    assert keys == {message.key}
    headers, body = gateway.received[1]
    assert headers["Authorization"] == "Bearer s3cret"
    assert body == {"to": "+4791234523", "from": "Hjemmetj", "text": message.body,
                    "reference": message.key}  # fmt: skip
    sent = AuditEntry.objects.get(object_type="notice.sms", action=AuditAction.CHANGE)
    assert sent.summary == "sms to +47 ••• 23 sent" and sent.username == "system"


class FailingSender:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, to: str, body: str, key: str) -> str:
        self.calls += 1
        raise sms.SmsError("gateway answered HTTP 503 Service Unavailable")


def test_a_message_is_given_up_after_the_maximum_attempts(
    world: World, settings: SettingsWrapper
) -> None:
    settings.BEREDT_SMS_MAX_ATTEMPTS = 4
    (message,) = sms.queue_sms(make_notice(world), world.planner_a)
    sender, now, waits = FailingSender(), timezone.now(), []
    for _attempt in range(10):
        sms.send_pending(now=now, sender=sender)
        message.refresh_from_db()
        if message.next_try_at is None:
            break
        waits.append(message.next_try_at - now)
        now = message.next_try_at
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4)]
    assert message.status == SmsStatus.GAVE_UP and message.attempts == 4 == sender.calls
    assert "503" in message.last_error
    assert sms.send_pending(now=now + dt.timedelta(days=1), sender=sender).tried == 0
    gave_up = AuditEntry.objects.get(object_type="notice.sms", action=AuditAction.CHANGE)
    assert "gave up after 4 attempts" in gave_up.summary


def test_backoff_doubles_up_to_an_hour() -> None:
    minutes = [sms.backoff(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_console_backend_writes_sms_log(
    world: World, settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.BEREDT_HOME = tmp_path
    settings.BEREDT_SMS_BACKEND = "console"
    (message,) = sms.queue_sms(make_notice(world), world.planner_a)
    report = sms.send_pending()
    assert len(report.sent) == 1
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert message.key in lines[0] and "+4791234523" in lines[0] and "Hei" in lines[0]
    assert sms.send_pending().tried == 0
    assert len((tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()) == 1


def test_unknown_backend_and_unreachable_gateway(settings: SettingsWrapper) -> None:
    settings.BEREDT_SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="carrier-pigeon"):
        sms.get_sender()
    settings.BEREDT_SMS_BACKEND, settings.BEREDT_SMS_URL = "http", ""
    with pytest.raises(ImproperlyConfigured, match="BEREDT_SMS_URL"):
        sms.get_sender()
    closed = ThreadingHTTPServer(("127.0.0.1", 0), GatewayHandler)
    port = closed.server_address[1]
    closed.server_close()
    with pytest.raises(sms.SmsError, match="not reachable"):
        sms.HttpSender(f"http://127.0.0.1:{port}/", "", "beredt", timeout=2).send("+47", "x", "k")


# ------------------------------------------------------------------ pages


def _fallback(notice: Notice) -> str:
    try:
        return reverse("notice-detail", kwargs={"pk": notice.pk})
    except NoReverseMatch:
        return reverse("home")


def test_letter_pages_are_for_readers_of_the_unit(world: World) -> None:
    notice = make_notice(world, language="sv")
    url = reverse("notice-letter", kwargs={"pk": notice.pk})
    for user in (world.planner_a, world.manager_a, world.crisis):
        response = as_user(user).get(url)
        assert response.status_code == 200, user.username
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    for user in (world.planner_b, world.admin, world.caregiver, world.coordinator):
        assert as_user(user).get(url).status_code == 403, user.username
    anonymous = as_user(None).get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    exported = AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="notice.letter")
    assert exported.count() == 3


def test_unit_letters_hold_the_open_notices_of_the_day(world: World) -> None:
    make_notice(world, language="nb")
    make_notice(world, language="en", index=1)
    Notice.objects.filter(pk=make_notice(world, index=2).pk).update(state=NoticeState.REACHED)
    url = reverse("unit-letters", kwargs={"unit": world.unit_a.code})
    response = as_user(world.planner_a).get(url + "?date=2026-11-23")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="notice.letter")
    assert len(entry.detail["notices"]) == 2
    assert as_user(world.planner_a).get(url + "?date=2026-11-24").status_code == 404
    assert as_user(world.planner_b).get(url + "?date=2026-11-23").status_code == 403
    assert as_user(None).get(url).status_code == 302


def test_sending_is_for_the_units_planners(
    world: World, settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.BEREDT_HOME, settings.BEREDT_SMS_BACKEND = tmp_path, "console"
    notice = make_notice(world)
    url = reverse("notice-sms", kwargs={"pk": notice.pk})
    for user in (world.crisis, world.planner_b, world.admin, world.caregiver):
        assert as_user(user).post(url).status_code == 403, user.username
    assert as_user(None).post(url).status_code == 302
    assert not SmsMessage.objects.exists()
    assert as_user(world.planner_a).get(url).status_code == 405

    back = "/notices/?unit=a"
    response = as_user(world.planner_a).post(url, {"next": back}, follow=False)
    assert response.status_code == 302 and response["Location"] == back
    (message,) = SmsMessage.objects.filter(notice=notice)
    assert message.status == SmsStatus.SENT

    response = as_user(world.manager_a).post(url, {"next": "https://evil.example/"})
    assert response["Location"] == _fallback(notice)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Text messages: 1 sent, 0 waiting to be retried, 0 given up."
    ]
    assert SmsMessage.objects.count() == 1
    assert len((tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()) == 1


def test_closed_notices_are_not_texted(world: World) -> None:
    notice = make_notice(world)
    Notice.objects.filter(pk=notice.pk).update(state=NoticeState.WITHDRAWN)
    url = reverse("notice-sms", kwargs={"pk": notice.pk})
    assert as_user(world.planner_a).post(url).status_code == 302
    assert not SmsMessage.objects.exists()


def test_sms_send_command_sends_what_is_due(
    world: World, settings: SettingsWrapper, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from beredt.cli import app

    settings.BEREDT_HOME, settings.BEREDT_SMS_BACKEND = tmp_path, "console"
    (message,) = sms.queue_sms(make_notice(world), world.planner_a)
    result = CliRunner().invoke(app, ["sms-send"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed, 0 gave up" in result.output
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    settings.BEREDT_SMS_BACKEND = "carrier-pigeon"
    assert CliRunner().invoke(app, ["sms-send"]).exit_code == 2


def test_out_of_date_messages_are_not_sent(world: World) -> None:
    revised, withdrawn = make_notice(world), make_notice(world, index=1)
    sms.queue_sms(revised, world.planner_a)
    sms.queue_sms(withdrawn, world.planner_a)
    Notice.objects.filter(pk=revised.pk).update(revision=2)
    Notice.objects.filter(pk=withdrawn.pk).update(state=NoticeState.WITHDRAWN)
    sender = FailingSender()
    report = sms.send_pending(sender=sender)
    assert sender.calls == 0 and len(report.dropped) == 2
    errors = {m.notice_id: m.last_error for m in SmsMessage.objects.all()}
    assert errors == {
        revised.pk: "not sent: superseded by revision 2",
        withdrawn.pk: "not sent: the notice is withdrawn",
    }
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.GAVE_UP}


class RedirectingHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_redirected_gateway_request_is_a_failure() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RedirectingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sender = sms.HttpSender(f"http://127.0.0.1:{server.server_address[1]}/", "", "beredt")
        with pytest.raises(sms.SmsError, match="HTTP 302"):
            sender.send("+4791234523", "text", "key-1")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
