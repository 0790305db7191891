"""Input of the plan pages: quick edits of the day, planner controls on a version and the
re-plan event form. Each form validates and hands plain values to an action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from beredt.domain.clock import format_clock
from beredt.domain.scenario import Scenario
from beredt.web.care.models import Availability

AVAILABILITY_CHOICES = Availability._meta.get_field("status").choices


class AvailabilityForm(forms.Form):
    caregiver = forms.CharField(max_length=64)
    date = forms.DateField()
    status = forms.ChoiceField(choices=AVAILABILITY_CHOICES)


class IsolationForm(forms.Form):
    client = forms.CharField(max_length=64)
    date = forms.DateField()
    isolated = forms.BooleanField(required=False)


LONGER_SEARCHES = (30, 120, 300)
"""Search times per day a planner may choose instead of ``BEREDT_PLAN_SECONDS``."""


def _search_time(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 60 else f"{seconds / 60:g} min"


class StartPlanForm(forms.Form):
    date = forms.DateField()
    seconds = forms.TypedChoiceField(
        label=_("Search time per day"), coerce=float, required=False, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = float(settings.BEREDT_PLAN_SECONDS)
        choices = [(f"{default:g}", _("%(time)s (usual)") % {"time": _search_time(default)})]
        choices += [(f"{s:g}", _search_time(s)) for s in LONGER_SEARCHES if s > default]
        self.fields["seconds"].choices = choices


class VisitForm(forms.Form):
    """Pin a visit: keep it with its caregivers at its start."""

    visit = forms.CharField(max_length=200)


class VisitCaregiverForm(VisitForm):
    """Move a visit to, or keep a visit with, a caregiver."""

    caregiver = forms.CharField(max_length=64)


def caregiver_choices(scenario: Scenario, day: dt.date) -> list[tuple[str, str]]:
    """Caregivers working on ``day`` in the plan's scenario."""
    return [
        (c.id, c.name)
        for c in sorted(scenario.caregivers, key=lambda c: c.name)
        if scenario.shift_on(c, day) is not None
    ]


EVENT_CHOICES = [
    ("caregiver_ill", _("Caregiver falls ill")),
    ("client_isolated", _("Client isolated")),
    ("emergency_visit", _("Emergency visit")),
]
COMPETENCE_CHOICES = [
    ("assistant", _("Assistant")),
    ("health_worker", _("Health worker")),
    ("nurse", _("Nurse")),
]


class ReplanForm(forms.Form):
    """One event (caregiver ill, client isolated, emergency visit) → an event dict."""

    type = forms.ChoiceField(label=_("What happened"), choices=EVENT_CHOICES)
    caregiver = forms.ChoiceField(label=_("Caregiver"), required=False)
    client = forms.ChoiceField(label=_("Client"), required=False)
    at = forms.TimeField(label=_("From (HH:MM)"), required=False)
    duration = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=480, required=False
    )
    window_start = forms.TimeField(label=_("Earliest start"), required=False)
    window_end = forms.TimeField(label=_("Latest start"), required=False)
    competence = forms.ChoiceField(
        label=_("Competence"), choices=COMPETENCE_CHOICES, initial="nurse", required=False
    )
    medication = forms.BooleanField(label=_("Medication"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, scenario: Scenario, day: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caregiver"].choices = [("", "—"), *caregiver_choices(scenario, day)]
        self.fields["client"].choices = [
            ("", "—"),
            *((c.id, c.name) for c in sorted(scenario.clients, key=lambda c: c.name)),
        ]

    def _need(self, data: dict[str, Any], *names: str) -> None:
        for name in names:
            if data.get(name) in (None, ""):
                self.add_error(name, _("This field is required for this event."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("type")
        if kind == "caregiver_ill":
            self._need(data, "caregiver", "at")
        elif kind == "client_isolated":
            self._need(data, "client", "at")
        elif kind == "emergency_visit":
            self._need(data, "client", "duration", "window_start", "window_end")
        return data

    def event(self) -> dict[str, Any]:
        """The event as replanning.md writes it (call after ``is_valid``)."""
        data = self.cleaned_data
        kind = data["type"]
        if kind == "caregiver_ill":
            return {"type": kind, "caregiver": data["caregiver"], "from": _hhmm(data["at"])}
        if kind == "client_isolated":
            return {"type": kind, "client": data["client"], "from": _hhmm(data["at"])}
        event: dict[str, Any] = {
            "type": kind,
            "client": data["client"],
            "duration": data["duration"],
            "window": [_hhmm(data["window_start"]), _hhmm(data["window_end"])],
            "competence": data.get("competence") or "assistant",
            "medication": bool(data.get("medication")),
        }
        if data.get("at"):
            event["from"] = _hhmm(data["at"])
        return event


def _hhmm(value: dt.time) -> str:
    return format_clock(value.hour * 60 + value.minute)
