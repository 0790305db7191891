"""Letters and text messages for change notices: a client's letter (PDF), all open
letters of a unit and day (PDF), and queueing and sending a notice's text messages.

Letters are for anyone who may read the notice's unit; sending is for the unit's own
planners and managers (:mod:`beredt.web.access`)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from beredt.web.access import require_edit, require_read
from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Unit
from beredt.web.notices import letters, sms
from beredt.web.notices.models import Notice, NoticeState, SmsMessage, SmsStatus


def _notice(request: HttpRequest, pk: int, *, edit: bool = False) -> Notice:
    notice = get_object_or_404(Notice.objects.select_related("client", "unit__municipality"), pk=pk)
    (require_edit if edit else require_read)(request.user, notice.unit)
    return notice


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def notice_letter(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    record(
        request.user,
        AuditAction.EXPORT,
        "notice.letter",
        str(notice.pk),
        unit=notice.unit.code,
        summary=f"letter for notice {notice.pk}, revision {notice.revision} (PDF)",
        request=request,
    )
    return _pdf(letters.letter_pdf(notice), f"letter-{notice.client.code}-{notice.date}.pdf")


@require_GET
def unit_letters(request: HttpRequest, unit: str) -> HttpResponse:
    the_unit = get_object_or_404(Unit.objects.select_related("municipality"), code=unit)
    require_read(request.user, the_unit)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    notices = list(letters.open_notices(the_unit, day))
    if not notices:
        raise Http404("no open notices for this unit and day")
    record(
        request.user,
        AuditAction.EXPORT,
        "notice.letter",
        f"{the_unit.code}/{day}",
        unit=the_unit.code,
        summary=f"{len(notices)} letters for open notices of {day} (PDF)",
        detail={"notices": [n.pk for n in notices]},
        request=request,
    )
    return _pdf(letters.letters_pdf(notices), f"letters-{the_unit.code}-{day}.pdf")


def _back(request: HttpRequest, notice: Notice) -> HttpResponseRedirect:
    """``next`` if it is a local address, else the notice's page, else home."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    try:
        return HttpResponseRedirect(reverse("notice-detail", kwargs={"pk": notice.pk}))
    except NoReverseMatch:
        return HttpResponseRedirect(reverse("home"))


@require_POST
def notice_sms(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the notice's text messages (once per revision and number) and send the
    ones that are due now; failures stay queued for ``beredt sms-send``."""
    notice = _notice(request, pk, edit=True)
    if notice.state != NoticeState.OPEN:
        messages.error(request, pgettext("sms", "Only open notices can be sent as text messages."))
        return _back(request, notice)
    queued = sms.queue_sms(notice, request.user, request=request)
    if not queued:
        text = pgettext(
            "sms",
            "No number to text: the client cannot be texted and no relative has a phone number.",
        )
        messages.warning(request, text)
        return _back(request, notice)
    sms.send_pending(notice=notice)
    statuses = list(
        SmsMessage.objects.filter(pk__in=[m.pk for m in queued]).values_list("status", flat=True)
    )
    counts = {status: statuses.count(status) for status in SmsStatus.values}
    waiting = counts[SmsStatus.PENDING] + counts[SmsStatus.FAILED]
    text = pgettext(
        "sms",
        "Text messages: %(sent)d sent, %(waiting)d waiting to be retried, %(gave_up)d given up.",
    ) % {"sent": counts[SmsStatus.SENT], "waiting": waiting, "gave_up": counts[SmsStatus.GAVE_UP]}
    (messages.success if waiting + counts[SmsStatus.GAVE_UP] == 0 else messages.warning)(
        request, text
    )
    return _back(request, notice)
