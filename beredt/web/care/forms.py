"""Register forms. Text inputs that the domain keeps as lists (time windows, weekdays,
dependencies, skills) are parsed here; the domain models then validate the whole so
that the same rules hold for a form, an import and the planner."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as DomainError

from beredt.domain.clock import format_clock, parse_clock
from beredt.domain.model import Caregiver as DomainCaregiver
from beredt.domain.model import CareTask as DomainTask
from beredt.domain.model import Competence, ServiceType
from beredt.domain.policy import Decision, TriagePolicy
from beredt.web.care.actions import CAREGIVER_FIELDS, CLIENT_FIELDS
from beredt.web.care.models import (
    Availability,
    Caregiver,
    CareTask,
    Client,
    InfectionPeriod,
    Relative,
    Unit,
)
from beredt.web.care.scenario import minutes

WEEKDAY_CHOICES = [(i, WEEKDAYS[i - 1]) for i in range(1, 8)]
INFECTION_CHOICES = list(InfectionPeriod._meta.get_field("status").choices or [])
AVAILABILITY_CHOICES = list(Availability._meta.get_field("status").choices or [])
ALTERNATIVES = (
    Decision.REPLACED_BY_PHONE,
    Decision.HANDED_TO_RELATIVE,
    Decision.POSTPONED,
    Decision.CANCELLED,
)
DECISION_LABELS = {
    Decision.KEPT: _("Kept"),
    Decision.REPLACED_BY_PHONE: _("Replaced by phone call"),
    Decision.HANDED_TO_RELATIVE: _("Handed to relative"),
    Decision.POSTPONED: _("Postponed"),
    Decision.CANCELLED: _("Cancelled"),
}
SERVICE_TYPE_CHOICES = [
    (int(s), f"{int(s)} {s.name.replace('_', ' ').lower()}") for s in ServiceType
]
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _domain_messages(error: DomainError) -> list[tuple[str, str]]:
    """(location, message) of each problem the domain found, locations as dotted paths."""
    out = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        out.append((where, message))
    return out


def _add_domain_errors(
    form: forms.BaseForm,
    error: DomainError,
    field_of: dict[str, str],
    guess: dict[str, str] | None = None,
) -> None:
    """Show the domain's errors on the form field they are about (else on the form).
    ``field_of`` maps domain field names to form fields; ``guess`` maps the first word of
    a whole-model error ("windows[1] starts before …") to a form field."""
    for where, message in _domain_messages(error):
        field = field_of.get(where.split(".", 1)[0])
        if field is None:
            field = next((f for word, f in (guess or {}).items() if message.startswith(word)), None)
        label = form.fields[field].label if field in form.fields else None
        form.add_error(
            field if field in form.fields else None, f"{label}: {message}" if label else message
        )


def _split_list(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,;\n]", text or "") if item.strip()]


# ------------------------------------------------------------------------------ search


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    status = forms.ChoiceField(label=_("Infection status today"), required=False)
    inactive = forms.BooleanField(label=_("Show deactivated clients"), required=False)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.code, u.name) for u in units]
        self.fields["status"].choices = [
            ("", _("Any")),
            ("none", _("No infection status")),
            *INFECTION_CHOICES,
        ]
        self.fields["q"].widget.attrs["placeholder"] = _("Name, code or address")


class TaskSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    client = forms.CharField(label=_("Client code"), required=False, max_length=64)
    priority_class = forms.TypedChoiceField(
        label=_("Priority class"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any"))] + [(i, str(i)) for i in range(1, 6)],
    )
    inactive = forms.BooleanField(label=_("Show inactive tasks"), required=False)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.code, u.name) for u in units]
        self.fields["q"].widget.attrs["placeholder"] = _("Task, kind or client")


class CaregiverSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    competence = forms.ChoiceField(label=_("Competence"), required=False)
    inactive = forms.BooleanField(label=_("Show inactive caregivers"), required=False)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.code, u.name) for u in units]
        competence = Caregiver._meta.get_field("competence").choices or []
        self.fields["competence"].choices = [("", _("Any")), *competence]
        self.fields["q"].widget.attrs["placeholder"] = _("Name, code or skill")


# ------------------------------------------------------------------------- registers


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["office_address", "office_lat", "office_lon"]


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [*CLIENT_FIELDS, "recent_caregivers"]
        widgets = {
            "key_notes": forms.Textarea(attrs={"rows": 3}),
            "recent_caregivers": forms.CheckboxSelectMultiple,
            "national_id": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff: QuerySet[Caregiver] = Caregiver.objects.filter(home_unit=unit, active=True)
        self.fields["contact_person"].queryset = staff
        self.fields["recent_caregivers"].queryset = staff
        if self.instance.pk:
            # The code is the client's id in plans and the audit log: it stays.
            self.fields["code"].disabled = True


class InfectionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", _("No infection status")), *INFECTION_CHOICES],
    )
    since = forms.DateField(label=_("From"), widget=DATE)
    since_time = forms.TimeField(
        label=_("From time"),
        required=False,
        widget=TIME,
        help_text=_("Only if the status begins during the day."),
    )
    until = forms.DateField(
        label=_("Until (inclusive)"), required=False, widget=DATE, help_text=_("Empty: ongoing.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("Until is before From."))
        return data


class RelativeForm(forms.ModelForm):
    class Meta:
        model = Relative
        fields = ["name", "relation", "phone", "agreed_tasks"]
        widgets = {"agreed_tasks": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreed_tasks"].queryset = CareTask.objects.filter(client=client, active=True)
        self.fields["agreed_tasks"].label_from_instance = lambda t: f"{t.name} ({t.code})"


# ------------------------------------------------------------------------ care tasks

_WINDOW = re.compile(r"^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$")


def parse_windows(text: str) -> list[dict[str, str]]:
    """``"07:30-09:00; 12:00-13:00"`` → windows; ``ValidationError`` naming the bad part."""
    parts = _split_list(text)
    if not parts:
        raise ValidationError(_("Time windows: enter at least one window, e.g. 07:30-09:00."))
    windows = []
    for part in parts:
        match = _WINDOW.match(part)
        if not match:
            raise ValidationError(
                _("Time windows: “%(part)s” is not a window like 07:30-09:00."),
                params={"part": part},
            )
        try:
            start, end = parse_clock(match.group(1)), parse_clock(match.group(2))
        except ValueError as error:
            raise ValidationError(
                _("Time windows: “%(part)s”: %(error)s"), params={"part": part, "error": error}
            ) from error
        windows.append({"start": format_clock(start), "end": format_clock(end)})
    return windows


def format_windows(windows: list[list[str]]) -> str:
    return "; ".join(f"{start}-{end}" for start, end in windows)


def parse_dependencies(text: str) -> list[dict[str, Any]]:
    """Lines ``TASKCODE MIN_GAP [MAX_GAP]`` (minutes; ``-`` or nothing: no maximum)."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        try:
            if len(words) > 3:
                raise ValueError
            min_gap = int(words[1]) if len(words) > 1 else 0
            max_gap = int(words[2]) if len(words) > 2 and words[2] != "-" else None
        except ValueError:
            raise ValidationError(
                _(
                    "Dependencies, line %(line)s: “%(text)s” is not "
                    "“TASKCODE MIN_GAP MAX_GAP” (gaps in minutes, MAX_GAP optional)."
                ),
                params={"line": number, "text": line.strip()},
            ) from None
        out.append({"after": words[0], "min_gap": min_gap, "max_gap": max_gap})
    return out


def format_dependencies(dependencies: list[dict[str, Any]]) -> str:
    lines = []
    for d in dependencies:
        max_gap = "-" if d.get("max_gap") is None else str(d["max_gap"])
        lines.append(f"{d['after']} {d.get('min_gap', 0)} {max_gap}")
    return "\n".join(lines)


class CareTaskForm(forms.Form):
    """A care task; ``clean`` builds the domain :class:`~beredt.domain.model.CareTask`
    (``self.domain``) so that its rules apply, and shows its errors on the fields."""

    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.CharField(
        label=_("Kind"), max_length=40, help_text=_("e.g. medication, shower, meal")
    )
    service_type = forms.TypedChoiceField(
        label=_("KPR service type"), coerce=int, choices=SERVICE_TYPE_CHOICES, initial=15
    )
    priority_class = forms.TypedChoiceField(
        label=_("Priority class"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        help_text=_("1 life-critical … 5 social/relief"),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        coerce=int,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[1, 2, 3, 4, 5, 6, 7],
    )
    windows = forms.CharField(
        label=_("Time windows"),
        max_length=300,
        help_text=_("Earliest-latest start, one per visit a day: 07:30-09:00; 12:00-13:00"),
    )
    dates = forms.CharField(
        label=_("Only on dates"),
        required=False,
        max_length=4000,
        help_text=_("Optional, e.g. 2026-11-23, 2026-11-30. Empty: every chosen weekday."),
    )
    duration = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=480)
    competence = forms.CharField(
        label=_("Competence or skill"),
        max_length=40,
        initial=Competence.ASSISTANT.value,
        help_text=_("assistant, health_worker, nurse or a named skill"),
    )
    caregivers = forms.TypedChoiceField(
        label=_("Caregivers needed"), coerce=int, choices=[(1, "1"), (2, "2")], initial=1
    )
    medication = forms.BooleanField(label=_("Medication"), required=False)
    dependencies = forms.CharField(
        label=_("Dependencies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: TASKCODE MIN_GAP MAX_GAP (minutes after that task starts)"),
    )
    deferral_limit_days = forms.IntegerField(
        label=_("Deferral limit (days)"), required=False, min_value=0, max_value=60
    )
    suitable_for_redeployed = forms.BooleanField(
        label=_("Suitable for redeployed staff"), required=False
    )
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    DOMAIN_FIELDS = {
        "id": "code",
        "name": "name",
        "kind": "kind",
        "service_type": "service_type",
        "weekdays": "weekdays",
        "dates": "dates",
        "windows": "windows",
        "duration": "duration",
        "competence": "competence",
        "caregivers": "caregivers",
        "dependencies": "dependencies",
        "priority_class": "priority_class",
        "deferral_limit_days": "deferral_limit_days",
        "instructions": "instructions",
    }

    def __init__(self, *args: Any, client: Client, task: CareTask | None = None, **kw: Any) -> None:
        if task is not None and "initial" not in kw:
            kw["initial"] = self.initial_for(task)
        super().__init__(*args, **kw)
        self.client = client
        self.task = task
        self.domain: DomainTask | None = None
        if task is not None:
            self.fields["code"].disabled = True

    @staticmethod
    def initial_for(task: CareTask) -> dict[str, Any]:
        return {
            "code": task.code,
            "name": task.name,
            "kind": task.kind,
            "service_type": task.service_type,
            "priority_class": task.priority_class,
            "weekdays": list(task.weekdays),
            "windows": format_windows(task.windows),
            "dates": ", ".join(task.dates or []),
            "duration": task.duration,
            "competence": task.competence,
            "caregivers": task.caregivers,
            "medication": task.medication,
            "dependencies": format_dependencies(task.dependencies),
            "deferral_limit_days": task.deferral_limit_days,
            "suitable_for_redeployed": task.suitable_for_redeployed,
            "instructions": task.instructions,
            "active": task.active,
        }

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if self.task is None and CareTask.objects.filter(code=code).exists():
            raise ValidationError(_("A care task with this code already exists."))
        return code

    def clean_windows(self) -> list[dict[str, str]]:
        return parse_windows(self.cleaned_data["windows"])

    def clean_dates(self) -> list[str] | None:
        dates = []
        for part in _split_list(self.cleaned_data["dates"]):
            try:
                dates.append(dt.date.fromisoformat(part).isoformat())
            except ValueError:
                raise ValidationError(
                    _("Only on dates: “%(part)s” is not a date like 2026-11-23."),
                    params={"part": part},
                ) from None
        return dates or None

    def clean_dependencies(self) -> list[dict[str, Any]]:
        return parse_dependencies(self.cleaned_data["dependencies"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        values = {domain: data.get(field) for domain, field in self.DOMAIN_FIELDS.items()}
        values["medication"] = data.get("medication", False)
        values["suitable_for_redeployed"] = data.get("suitable_for_redeployed", False)
        try:
            self.domain = DomainTask.model_validate(values)
        except DomainError as error:
            guess = {"windows": "windows", "date": "dates"}
            _add_domain_errors(self, error, self.DOMAIN_FIELDS, guess)
            return data
        self._check_dependencies(self.domain)
        return data

    def _check_dependencies(self, task: DomainTask) -> None:
        """Dependencies name another task of the same client with as many windows a day
        and given on every day this one is (as ``Scenario.reference_problems`` checks)."""
        own = {t.code: t for t in self.client.tasks.all()}
        for dependency in task.dependencies:
            before = own.get(dependency.after)
            if dependency.after == task.id:
                problem = _("a task cannot depend on itself")
            elif before is None:
                problem = _("“%(code)s” is not one of this client's tasks") % {
                    "code": dependency.after
                }
            elif len(before.windows) != len(task.windows):
                problem = _(
                    "“%(code)s” has %(n)s time windows a day and this task %(m)s; "
                    "dependent tasks need the same number"
                ) % {"code": before.code, "n": len(before.windows), "m": len(task.windows)}
            elif not set(task.weekdays) <= set(before.weekdays):
                problem = _("“%(code)s” is not given on every weekday this task is") % {
                    "code": before.code
                }
            else:
                continue
            self.add_error("dependencies", f"{self.fields['dependencies'].label}: {problem}")


# ------------------------------------------------------------------------ caregivers


class CommaListField(forms.CharField):
    """A comma-separated list of short names."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        return _split_list(super().to_python(value))


class CaregiverForm(forms.ModelForm):
    skills = CommaListField(
        label=_("Extra skills"),
        required=False,
        help_text=_("Comma-separated, e.g. wound_care, catheter"),
    )
    other_workplaces = CommaListField(
        label=_("Other workplaces this week"),
        required=False,
        help_text=_("Comma-separated; staff with other workplaces avoid the most vulnerable"),
    )
    workdays = forms.TypedMultipleChoiceField(
        label=_("Workdays"),
        coerce=int,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Caregiver
        fields = list(CAREGIVER_FIELDS)
        widgets = {
            "shift_start": TIME,
            "shift_end": TIME,
            "break_window_start": TIME,
            "break_window_end": TIME,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
        else:
            self.initial.setdefault("workdays", [1, 2, 3, 4, 5])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("break_window_start"), data.get("break_window_end")
        if (start is None) != (end is None):
            self.add_error(
                "break_window_end", _("Break: give both earliest and latest start, or neither.")
            )
            return data
        shift: dict[str, Any] = {
            "start": minutes(data["shift_start"]),
            "end": minutes(data["shift_end"]),
            "max_work_minutes": data.get("max_work_minutes"),
        }
        if start is not None and end is not None and data.get("break_minutes"):
            shift["break"] = {
                "window": {"start": minutes(start), "end": minutes(end)},
                "duration": data["break_minutes"],
            }
        try:
            DomainCaregiver.model_validate(
                {
                    "id": data.get("code") or self.instance.code,
                    "name": data["name"],
                    "phone": data.get("phone") or None,
                    "competence": data["competence"],
                    "skills": data.get("skills", []),
                    "medication_delegation": data.get("medication_delegation", False),
                    "employment_fraction": data["employment_fraction"],
                    "other_workplaces": data.get("other_workplaces", []),
                    "infection_team": data.get("infection_team", False),
                    "home_unit": "unit",
                    "redeployed_from": data.get("redeployed_from") or None,
                    "transport": data["transport"],
                    "shift": shift,
                    "workdays": data["workdays"],
                }
            )
        except DomainError as error:
            for where, message in _domain_messages(error):
                field = "break_window_end" if "break" in where + message else "shift_end"
                if not where.startswith("shift"):
                    field = where.split(".", 1)[0]
                    field = field if field in self.fields else ""
                label = self.fields[field].label if field else None
                self.add_error(field or None, f"{label}: {message}" if label else message)
        return data


# ---------------------------------------------------------------------- availability


class AvailabilityRowForm(forms.Form):
    """One caregiver's line in the "who is absent" checklist."""

    caregiver = forms.CharField(widget=forms.HiddenInput, max_length=64)
    status = forms.ChoiceField(label=_("Status"), choices=AVAILABILITY_CHOICES)
    shift_start = forms.TimeField(label=_("Own shift start"), required=False, widget=TIME)
    shift_end = forms.TimeField(label=_("Own shift end"), required=False, widget=TIME)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("shift_start"), data.get("shift_end")
        if (start is None) != (end is None):
            self.add_error("shift_end", _("Own shift: give both start and end, or neither."))
        elif start is not None and end is not None and end <= start:
            self.add_error("shift_end", _("Own shift: the end is not after the start."))
        return data


class BaseAvailabilityFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, caregivers: dict[str, Caregiver], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.caregivers = caregivers

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            code = form.cleaned_data.get("caregiver") if hasattr(form, "cleaned_data") else None
            if code and code not in self.caregivers:
                raise ValidationError(
                    _("Caregiver %(code)s is not an active caregiver of this unit."),
                    params={"code": code},
                )


AvailabilityFormSet = forms.formset_factory(
    AvailabilityRowForm, formset=BaseAvailabilityFormSet, extra=0, max_num=2000
)


# ---------------------------------------------------------------------- triage policy


class PolicyForm(forms.Form):
    """The five classes of the triage policy as a table; ``clean`` builds the domain
    :class:`TriagePolicy` (``self.policy``) from the current policy and the table."""

    escalate_overdue_to_class = forms.IntegerField(
        label=_("A postponed visit that reaches its deferral limit becomes class"),
        widget=forms.NumberInput(attrs={"min": 1, "max": 5}),
    )

    def __init__(
        self, *args: Any, current: TriagePolicy, readonly: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.current = current
        self.policy: TriagePolicy | None = None
        self.initial.setdefault("escalate_overdue_to_class", current.escalate_overdue_to_class)
        for n in range(1, 6):
            rule = current.rule(n)
            self.fields[f"label_{n}"] = forms.CharField(label=_("Label"), max_length=60)
            self.fields[f"examples_{n}"] = forms.CharField(
                label=_("Examples"), required=False, max_length=300
            )
            self.initial.setdefault(f"label_{n}", rule.label)
            self.initial.setdefault(f"examples_{n}", rule.examples)
            for decision in ALTERNATIVES:
                allowed = f"alt_{n}_{decision.value}"
                order = f"order_{n}_{decision.value}"
                self.fields[allowed] = forms.BooleanField(
                    label=DECISION_LABELS[decision], required=False
                )
                self.fields[order] = forms.IntegerField(
                    label=_("Order"), required=False, min_value=1, max_value=len(ALTERNATIVES)
                )
                self.fields[order].widget.attrs["class"] = "order"
                if decision in rule.alternatives:
                    self.initial.setdefault(allowed, True)
                    self.initial.setdefault(order, rule.alternatives.index(decision) + 1)
            self.fields[f"keep_{n}"] = forms.BooleanField(
                label=_("Keep for clients with special needs"), required=False
            )
            self.fields[f"cancel_least_{n}"] = forms.BooleanField(
                label=_("Cancel for the least vulnerable first"), required=False
            )
            self.initial.setdefault(f"keep_{n}", rule.keep_for_special_needs)
            self.initial.setdefault(f"cancel_least_{n}", rule.cancel_least_vulnerable_first)
        if readonly:
            for field in self.fields.values():
                field.disabled = True

    def rows(self) -> list[dict[str, Any]]:
        """The table: one row per class with its bound fields."""
        return [
            {
                "priority_class": n,
                "label": self[f"label_{n}"],
                "examples": self[f"examples_{n}"],
                "alternatives": [
                    (self[f"alt_{n}_{d.value}"], self[f"order_{n}_{d.value}"]) for d in ALTERNATIVES
                ],
                "keep": self[f"keep_{n}"],
                "cancel_least": self[f"cancel_least_{n}"],
            }
            for n in range(1, 6)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        classes = []
        for n in range(1, 6):
            chosen = []
            for index, decision in enumerate(ALTERNATIVES):
                if data.get(f"alt_{n}_{decision.value}"):
                    order = data.get(f"order_{n}_{decision.value}")
                    chosen.append((order if order is not None else 99, index, decision.value))
            classes.append(
                self.current.rule(n).model_dump(mode="json")
                | {
                    "label": data[f"label_{n}"],
                    "examples": data.get(f"examples_{n}", ""),
                    "alternatives": [value for _o, _i, value in sorted(chosen)],
                    "keep_for_special_needs": data.get(f"keep_{n}", False),
                    "cancel_least_vulnerable_first": data.get(f"cancel_least_{n}", False),
                }
            )
        values = self.current.model_dump(mode="json") | {
            "classes": classes,
            "escalate_overdue_to_class": data["escalate_overdue_to_class"],
        }
        try:
            self.policy = TriagePolicy.model_validate(values)
        except DomainError as error:
            for where, message in _domain_messages(error):
                field = where if where == "escalate_overdue_to_class" else None
                label = self.fields[field].label if field else where or _("Policy")
                self.add_error(field, f"{label}: {message}")
        return data
