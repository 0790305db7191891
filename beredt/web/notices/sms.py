"""Text messages about change notices, through a pluggable sender.

Backends (``BEREDT_SMS_BACKEND``):

- ``console`` (default): appends one line per message to ``BEREDT_HOME/sms.log`` and
  logs that it did (the body only goes to the file);
- ``http``: POSTs ``{"to", "from", "text", "reference"}`` as JSON to ``BEREDT_SMS_URL``
  with ``Authorization: Bearer BEREDT_SMS_TOKEN`` and an ``Idempotency-Key`` header;
  ``BEREDT_SMS_SENDER`` is the ``from``.

Who gets a message (:func:`recipients`): the client, when they can use a phone and have
a number; their relatives when the client cannot be texted, and also when a relative
takes over a task (they need to know). A number appears once.

Sending is idempotent: a message's ``key`` is the notice, its revision and the number,
so queueing again finds the same row, a sent row is never picked again, and the HTTP
gateway gets the key as ``Idempotency-Key`` (a retry after a lost answer is the same
request). A worker *claims* a due message by moving its ``next_try_at`` forward in a
short locked transaction (``select_for_update(skip_locked=True)`` on PostgreSQL), then
sends outside the transaction, so no database lock is held across the network and two
workers never send the same message. Failures are retried after 1, 2, 4 … minutes
(at most 60) until ``BEREDT_SMS_MAX_ATTEMPTS``, then the message is given up. A message
whose notice was withdrawn, closed by hand or revised since it was queued is not sent
(it ends as given up, with the reason): it would tell the client something no longer true.

Audit entries (object type ``notice.sms``) record queueing and final states with a
masked number; never the body, which may say something about the client's care.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override, pgettext

from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Relative
from beredt.web.notices.letters import letter_language
from beredt.web.notices.models import Notice, NoticeState, SmsMessage, SmsStatus

logger = logging.getLogger(__name__)

MAX_LENGTH = 320
"""Two concatenated SMS segments at most."""
CLAIM_MINUTES = 5
"""How long a claimed message is hidden from other workers while it is being sent."""
HTTP_TIMEOUT = 10.0


class SmsError(Exception):
    """Sending one message failed; the text says why (status, reason)."""


class SmsSender(Protocol):
    def send(self, to: str, body: str, key: str) -> str:
        """Send ``body`` to ``to``; return the provider's id. Raise :class:`SmsError`."""
        ...


# ------------------------------------------------------------------ backends


def mask(number: str) -> str:
    """``+47 ••• 23``: enough to tell numbers apart in a log, not to dial one."""
    digits = re.sub(r"\D", "", number)
    prefix = f"+{digits[:2]} " if number.strip().startswith("+") else ""
    return f"{prefix}••• {digits[-2:]}"


class ConsoleSender:
    """Development and demo backend: a line per message in ``sms.log``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, to: str, body: str, key: str) -> str:
        line = "\t".join([timezone.now().isoformat(), key, to, " ".join(body.split())])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError as error:
            raise SmsError(f"cannot write {self.path}: {error}") from error
        logger.info("sms to %s written to %s (key %s)", mask(to), self.path, key)
        return f"console:{key}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would arrive as a GET without the message: treat it as an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class HttpSender:
    """An HTTP SMS gateway that takes JSON and honours ``Idempotency-Key``."""

    def __init__(self, url: str, token: str, sender: str, timeout: float = HTTP_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"BEREDT_SMS_URL={url!r}: set the gateway's http(s) address for "
                "BEREDT_SMS_BACKEND=http"
            )
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, to: str, body: str, key: str) -> str:
        payload = {"to": to, "from": self.sender, "text": body, "reference": key}
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            raise SmsError(f"gateway answered HTTP {error.code} {error.reason}") from error
        except urllib.error.URLError as error:
            raise SmsError(f"gateway not reachable: {error.reason}") from error
        except (TimeoutError, OSError) as error:
            raise SmsError(f"gateway not reachable: {error}") from error
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered HTTP {status}")
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        provider_id = answer.get("id") if isinstance(answer, dict) else None
        return str(provider_id or key)


def get_sender() -> SmsSender:
    """The sender ``BEREDT_SMS_BACKEND`` names."""
    backend = settings.BEREDT_SMS_BACKEND
    if backend == "console":
        return ConsoleSender(Path(settings.BEREDT_HOME) / "sms.log")
    if backend == "http":
        return HttpSender(
            settings.BEREDT_SMS_URL, settings.BEREDT_SMS_TOKEN, settings.BEREDT_SMS_SENDER
        )
    raise ImproperlyConfigured(f"BEREDT_SMS_BACKEND={backend!r}: choose console or http")


# ------------------------------------------------------------------ texts


def _kind_words(kind: str) -> str:
    words = {
        "phone": pgettext("sms", "a phone call instead of a visit"),
        "relative": pgettext("sms", "a relative helps instead"),
        "postponed": pgettext("sms", "a visit is postponed"),
        "cancelled": pgettext("sms", "a visit is cancelled"),
        "new_caregiver": pgettext("sms", "a caregiver new to you"),
        "redeployed": pgettext("sms", "a caregiver from another service"),
        "moved": pgettext("sms", "a visit at another time"),
        "restored": pgettext("sms", "care back to normal"),
    }
    return words.get(kind, pgettext("sms", "a change"))


def sms_text(notice: Notice, relative: Relative | None = None) -> str:
    """A short text (at most :data:`MAX_LENGTH` characters) in the client's language.

    It names the day and the kinds of change, not tasks or reasons: a text message may
    be read by anyone holding the phone."""
    client, unit = notice.client, notice.unit
    with override(letter_language(notice)):
        values = {
            "name": relative.name if relative else client.name,
            "client": client.name,
            "date": date_format(notice.date),
            "unit": unit.name,
        }
        kinds = dict.fromkeys(notice.kinds or [c.get("kind") for c in notice.changes or []])
        values["changes"] = ", ".join(_kind_words(str(k)) for k in kinds if k)
        if relative is not None:
            template = pgettext(
                "sms",
                "Hello %(name)s. Home care for %(client)s changes on %(date)s because of "
                "the current situation: %(changes)s. Questions? Call the home care "
                "service. %(unit)s",
            )
        else:
            template = pgettext(
                "sms",
                "Hello %(name)s. Your home care changes on %(date)s because of the current "
                "situation: %(changes)s. Questions? Call your home care service. %(unit)s",
            )
        text = template % values
        if len(text) > MAX_LENGTH:  # many kinds or long names: drop the list first
            text = template % {**values, "changes": pgettext("sms", "see our letter")}
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


# ------------------------------------------------------------------ queueing


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def recipients(notice: Notice) -> list[tuple[str, Relative | None]]:
    """``(number, relative or None for the client)``, each number once (see module)."""
    client = notice.client
    texted_client = bool(client.can_use_phone and _digits(client.phone))
    kinds = set(notice.kinds or []) | {c.get("kind") for c in notice.changes or []}
    out: list[tuple[str, Relative | None]] = []
    if texted_client:
        out.append((client.phone, None))
    if not texted_client or "relative" in kinds:
        out.extend((r.phone, r) for r in client.relatives.all() if _digits(r.phone))
    seen: set[str] = set()
    unique = []
    for number, relative in out:
        if _digits(number) not in seen:
            seen.add(_digits(number))
            unique.append((number, relative))
    return unique


def message_key(notice: Notice, number: str) -> str:
    return f"notice-{notice.pk}-r{notice.revision}-{_digits(number)}"


def _audit(user: Any, action: Any, message: SmsMessage, summary: str, **kwargs: Any) -> None:
    notice = message.notice
    record(
        user,
        action,
        "notice.sms",
        f"{notice.pk}/{message.pk}",
        unit=notice.unit.code,
        summary=summary,
        detail={"notice": notice.pk, "revision": notice.revision, "status": message.status},
        **kwargs,
    )


def queue_sms(notice: Notice, user: Any, *, request: HttpRequest | None = None) -> list[SmsMessage]:
    """One message per recipient of the notice's current revision; queueing the same
    revision again returns the messages already there instead of adding new ones."""
    messages = []
    with transaction.atomic():
        for number, relative in recipients(notice):
            message, created = SmsMessage.objects.get_or_create(
                key=message_key(notice, number),
                defaults={
                    "notice": notice,
                    "to": re.sub(r"[^\d+]", "", number),
                    "body": sms_text(notice, relative),
                },
            )
            if created:
                who = "relative" if relative else "client"
                summary = f"sms to {mask(number)} ({who}) queued, revision {notice.revision}"
                _audit(user, AuditAction.CREATE, message, summary, request=request)
            messages.append(message)
    return messages


# ------------------------------------------------------------------ sending


@dataclass
class SendReport:
    sent: list[SmsMessage] = field(default_factory=list)
    failed: list[SmsMessage] = field(default_factory=list)
    gave_up: list[SmsMessage] = field(default_factory=list)
    dropped: list[SmsMessage] = field(default_factory=list)
    """Not sent because the notice was withdrawn, closed or superseded (see
    :func:`stale_reason`); they end as ``GAVE_UP`` with the reason in ``last_error``."""

    @property
    def tried(self) -> int:
        return len(self.sent) + len(self.failed) + len(self.gave_up) + len(self.dropped)

    def __str__(self) -> str:
        text = f"{len(self.sent)} sent, {len(self.failed)} failed, {len(self.gave_up)} gave up"
        return text + (f", {len(self.dropped)} dropped as out of date" if self.dropped else "")


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after the ``attempts``-th failure, at most an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _due(now: dt.datetime, notice: Notice | None) -> QuerySet[SmsMessage]:
    rows = SmsMessage.objects.filter(status__in=[SmsStatus.PENDING, SmsStatus.FAILED]).filter(
        Q(next_try_at__isnull=True) | Q(next_try_at__lte=now)
    )
    return rows.filter(notice=notice) if notice is not None else rows


def _claim(now: dt.datetime, notice: Notice | None, done: set[int]) -> SmsMessage | None:
    """The next due message, hidden from other workers for :data:`CLAIM_MINUTES`."""
    with transaction.atomic():
        message = (
            _due(now, notice)
            .exclude(pk__in=done)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .first()
        )
        if message is None:
            return None
        message.next_try_at = now + dt.timedelta(minutes=CLAIM_MINUTES)
        message.save(update_fields=["next_try_at"])
    return message


def send_pending(
    now: dt.datetime | None = None,
    sender: SmsSender | None = None,
    *,
    notice: Notice | None = None,
) -> SendReport:
    """Send every due message (of ``notice`` only, if given) once; see the module."""
    now = now or timezone.now()
    sender = sender or get_sender()
    report = SendReport()
    done: set[int] = set()
    while (message := _claim(now, notice, done)) is not None:
        done.add(message.pk)
        reason = stale_reason(message)
        if reason:
            message.status, message.next_try_at, message.last_error = (
                SmsStatus.GAVE_UP,
                None,
                reason,
            )
            report.dropped.append(message)
        else:
            _try(message, sender, now, report)
        message.save(
            update_fields=[
                "status",
                "attempts",
                "last_error",
                "next_try_at",
                "provider_id",
                "sent_at",
            ]
        )
        _record_outcome(message)
    return report


def stale_reason(message: SmsMessage) -> str:
    """Why a queued message must not go out any more, or ``""``: its notice was withdrawn
    or closed by hand, or a re-plan made a new revision (with its own messages)."""
    notice = message.notice
    if notice.state in {NoticeState.WITHDRAWN, NoticeState.CLOSED}:
        return f"not sent: the notice is {notice.state}"
    revision = re.fullmatch(r"notice-\d+-r(\d+)-\d*", message.key)
    if revision and int(revision.group(1)) != notice.revision:
        return f"not sent: superseded by revision {notice.revision}"
    return ""


def _try(message: SmsMessage, sender: SmsSender, now: dt.datetime, report: SendReport) -> None:
    try:
        provider_id = sender.send(message.to, message.body, message.key)
    except SmsError as error:
        message.attempts += 1
        message.last_error = str(error)[:500]
        if message.attempts >= settings.BEREDT_SMS_MAX_ATTEMPTS:
            message.status, message.next_try_at = SmsStatus.GAVE_UP, None
            report.gave_up.append(message)
        else:
            message.status = SmsStatus.FAILED
            message.next_try_at = now + backoff(message.attempts)
            report.failed.append(message)
    else:
        message.status, message.sent_at = SmsStatus.SENT, timezone.now()
        message.provider_id, message.next_try_at = provider_id[:120], None
        report.sent.append(message)


def _record_outcome(message: SmsMessage) -> None:
    """Final states are audited; a failure that will be retried is only on the row."""
    if message.status == SmsStatus.SENT:
        summary = f"sms to {mask(message.to)} sent"
    elif message.status == SmsStatus.GAVE_UP and message.last_error.startswith("not sent:"):
        summary = f"sms to {mask(message.to)} {message.last_error}"
    elif message.status == SmsStatus.GAVE_UP:
        summary = f"sms to {mask(message.to)} gave up after {message.attempts} attempts"
    else:
        return
    _audit(None, AuditAction.CHANGE, message, summary)
