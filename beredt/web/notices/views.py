"""Notice pages: the unit's call list, one notice with its call history, the overview of
units and the crisis team's list of notices nobody has closed in time.

Views are thin: they find the notice or unit among those the user may see (else 404, so
that other units' clients do not even show they exist), check the role (else 403), parse
the form and call :mod:`beredt.web.notices.actions`, which writes and records the audit
log. Pages that show client data record a VIEW.

Who may do what: a unit's planners and managers read and act on their unit's notices;
the crisis team reads every unit of its municipality but records nothing; other roles
see no notices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beredt.web.access import CLIENT_DATA_ROLES, can_edit_unit, role_of, visible_units
from beredt.web.accounts.models import UNIT_ROLES, Role
from beredt.web.audit.log import record
from beredt.web.audit.models import AuditAction
from beredt.web.care.models import Caregiver, Unit
from beredt.web.notices import actions, oversight
from beredt.web.notices.letters import letter_language
from beredt.web.notices.models import ChangeKind, Notice, NoticeState, Outcome

# ------------------------------------------------------------------ forms


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    note = forms.CharField(required=False, max_length=300)


class CloseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


# ------------------------------------------------------------------ access


def _require_notice_role(request: HttpRequest, *, act: bool = False) -> None:
    """Roles without client data get 403; so does the crisis team when it would act."""
    role = role_of(request.user)
    if role not in CLIENT_DATA_ROLES:
        raise PermissionDenied(_("Your role gives no access to change notices."))
    if act and role not in UNIT_ROLES:
        raise PermissionDenied(_("Only the unit's planners record calls."))


def _unit(request: HttpRequest, code: str) -> Unit:
    _require_notice_role(request)
    return get_object_or_404(visible_units(request.user).select_related("municipality"), code=code)


def _notice(request: HttpRequest, pk: int, *, act: bool = False) -> Notice:
    _require_notice_role(request, act=act)
    notice = get_object_or_404(
        Notice.objects.filter(unit__in=visible_units(request.user)).select_related(
            "client", "client__contact_person", "unit"
        ),
        pk=pk,
    )
    if act and not can_edit_unit(request.user, notice.unit):
        raise PermissionDenied(_("Only the unit's planners record calls."))
    return notice


# ------------------------------------------------------------------ what a card shows


@dataclass
class Card:
    """One notice as the caller sees it: the changes and a script in the client's
    language."""

    notice: Notice
    caller: Caregiver | None
    changes: list[dict[str, Any]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)


def kind_label(kind: str) -> str:
    try:
        return str(ChangeKind(kind).label)
    except ValueError:  # a kind newer than this page: show it as stored
        return kind


def _until(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def change_rows(notice: Notice) -> list[dict[str, Any]]:
    """``notice.changes`` for the page: the kind's label and the until date parsed."""
    return [
        {
            "kind": c.get("kind", ""),
            "label": kind_label(c.get("kind", "")),
            "task": c.get("task", ""),
            "from": c.get("from", ""),
            "to": c.get("to", ""),
            "until": _until(c.get("until")),
            "why": c.get("why", ""),
        }
        for c in notice.changes
    ]


def _script_line(change: dict[str, Any]) -> str:
    """One sentence per change; ``from``/``to`` are already in the client's language."""
    kind, until = change.get("kind"), _until(change.get("until"))
    values = {"task": change.get("task", ""), "from": change.get("from", "")}
    values["to"] = change.get("to", "")
    if kind == ChangeKind.PHONE:
        return _("Instead of the visit for %(task)s (%(from)s), we will call you.") % values
    if kind == ChangeKind.RELATIVE:
        return _("Your relative helps you with %(task)s instead (%(to)s).") % values
    if kind == ChangeKind.POSTPONED and until is not None:
        values["date"] = date_format(until)
        return _("The visit for %(task)s (%(from)s) is postponed to %(date)s.") % values
    if kind == ChangeKind.POSTPONED:
        return _("The visit for %(task)s (%(from)s) is postponed.") % values
    if kind == ChangeKind.CANCELLED:
        return _("The visit for %(task)s (%(from)s) is cancelled.") % values
    if kind == ChangeKind.NEW_CAREGIVER:
        return _("Someone you have not met before comes for %(task)s: %(to)s.") % values
    if kind == ChangeKind.REDEPLOYED:
        return (
            _("A colleague from another service comes for %(task)s: %(to)s.") % values
            + " "
            + _("They will show you their ID card.")
        )
    if kind == ChangeKind.MOVED:
        return _("The visit for %(task)s is moved: %(to)s instead of %(from)s.") % values
    if kind == ChangeKind.RESTORED:
        return _("The change we told you about is taken back: your help is as usual.")
    return f"{values['task']}: {values['from']} → {values['to']}"


def call_script(notice: Notice, caller: str) -> list[str]:
    """What to say, in the client's language (the same choice as their letter)."""
    with translation.override(letter_language(notice)):
        lines = [
            _("Hello, this is %(caller)s from the home care service.") % {"caller": caller},
            _("Because of the current situation, your help on %(date)s changes:")
            % {"date": date_format(notice.date)},
        ]
        lines += [_script_line(c) for c in notice.changes]
        lines.append(_("If you have questions, or if anything worries you, please call us."))
    return lines


def _user_name(user: Any) -> str:
    return user.get_full_name() or user.username


def cards(notices: list[Notice], user: Any) -> list[Card]:
    prefetch_related_objects(notices, "client__relatives")
    out = []
    for notice in notices:
        caller = actions.caller_of(notice)
        name = caller.name if caller is not None else _user_name(user)
        out.append(Card(notice, caller, change_rows(notice), call_script(notice, name)))
    return out


def by_caller(items: list[Card]) -> list[tuple[str, list[Card]]]:
    """Cards grouped by who should call: contact persons by name, then the planner."""
    groups: dict[Caregiver | None, list[Card]] = {}
    for card in items:
        groups.setdefault(card.caller, []).append(card)
    people = sorted((c for c in groups if c is not None), key=lambda c: (c.name, c.pk))
    out = [(person.name, groups[person]) for person in people]
    if None in groups:
        out.append((_("Planner"), groups[None]))
    return out


def _optional_url(name: str, **kwargs: Any) -> str | None:
    """The letter and text-message pages may not be installed; link only if they are."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


# ------------------------------------------------------------------ pages


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The "Call list" menu item: straight to the list of a user's only unit, else the
    units with their open notices."""
    _require_notice_role(request)
    units = list(visible_units(request.user))
    if len(units) == 1:
        return redirect("call-list", unit=units[0].code)
    now = timezone.now()
    rows = [(unit, oversight.open_by_age(unit, now)) for unit in units]
    return render(
        request,
        "notices/index.html",
        {"rows": rows, "is_crisis_team": role_of(request.user) is Role.CRISIS_TEAM},
    )


@require_GET
def call_list(request: HttpRequest, unit: str) -> HttpResponse:
    the_unit = _unit(request, unit)
    now = timezone.now()
    # A refused change waits for the planner, not for another call: it is listed once,
    # in its own section, even while it is due.
    due = [n for n in actions.due_notices(the_unit, now) if not n.refused]
    waiting = [n for n in actions.waiting_notices(the_unit, now) if not n.refused]
    refused = list(
        Notice.objects.filter(unit=the_unit, state=NoticeState.OPEN, refused=True).select_related(
            "client", "client__contact_person"
        )
    )
    # The letters PDF covers today's open notices only.
    today = any(n.date == timezone.localdate(now) for n in [*due, *waiting, *refused])
    record(
        request.user,
        AuditAction.VIEW,
        "call_list",
        the_unit.code,
        unit=the_unit.code,
        summary=f"viewed the call list ({len(due)} due, {len(waiting)} waiting)",
        request=request,
    )
    return render(
        request,
        "notices/call_list.html",
        {
            "unit": the_unit,
            "groups": by_caller(cards(due, request.user)),
            "due_count": len(due),
            "waiting": waiting,
            "refused": cards(refused, request.user),
            "can_act": can_edit_unit(request.user, the_unit),
            "outcomes": Outcome.choices,
            "letters_url": _optional_url("unit-letters", unit=the_unit.code) if today else None,
        },
    )


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    card = cards([notice], request.user)[0]
    record(
        request.user,
        AuditAction.VIEW,
        "notice",
        str(notice.pk),
        unit=notice.unit.code,
        summary=f"viewed the notice of {notice.client.code} for {notice.date}",
        request=request,
    )
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "card": card,
            "calls": notice.calls.select_related("by"),
            "text_messages": notice.sms.all(),
            "letter_url": _optional_url("notice-letter", pk=notice.pk),
            "sms_url": _optional_url("notice-sms", pk=notice.pk),
            "can_act": can_edit_unit(request.user, notice.unit),
            "outcomes": Outcome.choices,
            "is_open": notice.state == NoticeState.OPEN,
        },
    )


def _back(request: HttpRequest, notice: Notice) -> HttpResponse:
    if request.POST.get("back") == "detail":
        return redirect("notice-detail", pk=notice.pk)
    return redirect("call-list", unit=notice.unit.code)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk, act=True)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, notice)
    result = Outcome(form.cleaned_data["outcome"])
    try:
        notice = actions.record_outcome(
            notice, result, request.user, note=form.cleaned_data["note"], request=request
        )
    except ValidationError as error:  # e.g. a call about a notice already closed
        messages.error(request, " ".join(error.messages))
        return _back(request, notice)
    values = {"client": notice.client.name, "outcome": result.label}
    if notice.state == NoticeState.OPEN and notice.retry_at is not None:
        values["time"] = timezone.localtime(notice.retry_at).strftime("%H:%M")
        text = _("%(client)s: %(outcome)s. Call again at %(time)s.") % values
    else:
        text = _("%(client)s: %(outcome)s.") % values
    messages.success(request, text)
    return _back(request, notice)


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk, act=True)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for closing the notice."))
        return _back(request, notice)
    try:
        actions.close_by_hand(notice, form.cleaned_data["reason"], request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, notice)
    messages.success(request, _("%(client)s: closed.") % {"client": notice.client.name})
    return _back(request, notice)


@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """The crisis team's view across units: open notices older than the alert limit."""
    if role_of(request.user) is not Role.CRISIS_TEAM or not request.user.municipality_id:
        raise PermissionDenied(_("Only the crisis team sees notices across units."))
    now = timezone.now()
    hours = settings.BEREDT_NOTICE_ALERT_HOURS
    notices = list(actions.overdue_notices(request.user.municipality, hours, now))
    record(
        request.user,
        AuditAction.VIEW,
        "notices_overdue",
        request.user.municipality.code,
        summary=f"viewed {len(notices)} notices open longer than {hours:g} h",
        request=request,
    )
    rows = [
        {
            "notice": n,
            "kinds": [kind_label(k) for k in n.kinds],
            "opened": n.opened,
        }
        for n in notices
    ]
    return render(request, "notices/overdue.html", {"rows": rows, "hours": hours, "now": now})
