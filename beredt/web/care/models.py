"""The care registers in the database: municipality, units, clients, their infection
history, relatives, care tasks, caregivers, availability and the triage policy.

The rows mirror :mod:`beredt.domain.model`; :mod:`beredt.web.care.scenario` turns them
into a domain :class:`~beredt.domain.scenario.Scenario` for the planner. ``code`` is the
domain id (short, stable, safe in URLs). Times of day are ``TimeField``; lists that the
domain keeps as lists (weekdays, time windows, skills, dependencies) are JSON.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from beredt.domain.model import (
    AvailabilityStatus,
    Competence,
    InfectionStatus,
    Language,
    TransportMode,
)

code_validator = RegexValidator(
    r"^[A-Za-z0-9_.:-]{1,64}$",
    _("Use 1–64 letters, digits, '_', '.', ':' or '-' (no spaces)."),
)
phone_validator = RegexValidator(
    r"^\+?[0-9 ]{5,20}$", _("Enter a phone number: digits and spaces, optionally a leading +.")
)
ALL_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]


def all_weekdays() -> list[int]:
    return list(ALL_WEEKDAYS)


class Municipality(models.Model):
    code = models.CharField(
        _("municipality number"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("Four digits."))],
    )
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(
        _("country"), max_length=2, choices=[("NO", "Norge"), ("SE", "Sverige")], default="NO"
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Unit(models.Model):
    """A home-care district or team; routes start and end at its office."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    office_address = models.CharField(_("office address"), max_length=200)
    office_lat = models.FloatField(
        _("office latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    office_lon = models.FloatField(
        _("office longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Caregiver(models.Model):
    """A member of staff. ``home_unit`` plans their routes."""

    home_unit = models.ForeignKey(
        Unit, verbose_name=_("home unit"), on_delete=models.PROTECT, related_name="caregivers"
    )
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    competence = models.CharField(
        _("competence"),
        max_length=20,
        choices=[
            (Competence.ASSISTANT.value, _("Assistant")),
            (Competence.HEALTH_WORKER.value, _("Health worker")),
            (Competence.NURSE.value, _("Nurse")),
        ],
    )
    skills = models.JSONField(_("extra skills"), default=list, blank=True)
    medication_delegation = models.BooleanField(_("medication delegation"), default=False)
    employment_fraction = models.FloatField(
        _("employment fraction"),
        default=1.0,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )
    other_workplaces = models.JSONField(_("other workplaces this week"), default=list, blank=True)
    infection_team = models.BooleanField(_("infection team"), default=False)
    redeployed_from = models.CharField(_("redeployed from"), max_length=120, blank=True)
    transport = models.CharField(
        _("transport"),
        max_length=10,
        choices=[
            (TransportMode.CAR.value, _("Car")),
            (TransportMode.BIKE.value, _("Bicycle")),
            (TransportMode.WALK.value, _("On foot")),
        ],
        default=TransportMode.CAR.value,
    )
    shift_start = models.TimeField(_("shift start"), default=dt.time(7, 30))
    shift_end = models.TimeField(_("shift end"), default=dt.time(15, 30))
    max_work_minutes = models.PositiveIntegerField(
        _("maximum working minutes"), null=True, blank=True
    )
    break_window_start = models.TimeField(_("break earliest start"), null=True, blank=True)
    break_window_end = models.TimeField(_("break latest start"), null=True, blank=True)
    break_minutes = models.PositiveIntegerField(_("break minutes"), default=30)
    workdays = models.JSONField(_("workdays (ISO 1=Monday)"), default=all_weekdays)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    """A home-care client. ``national_id`` is never shown in lists, logs or exports."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="clients"
    )
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lon = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    can_use_phone = models.BooleanField(_("can take phone calls"), default=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[
            (Language.NB.value, "norsk bokmål"),
            (Language.SV.value, "svenska"),
            (Language.EN.value, "English"),
        ],
        default=Language.NB.value,
    )
    vulnerability = models.PositiveSmallIntegerField(
        _("vulnerability"), choices=[(1, _("Low")), (2, _("Medium")), (3, _("High"))], default=2
    )
    special_needs = models.BooleanField(_("special needs"), default=False)
    key_notes = models.TextField(_("key notes"), blank=True)
    national_id = models.CharField(
        _("national identity number"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^(\d{11}|\d{12})$", _("11 (NO) or 12 (SE) digits."))],
    )
    contact_person = models.ForeignKey(
        Caregiver,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for",
    )
    recent_caregivers = models.ManyToManyField(
        Caregiver, verbose_name=_("caregivers in the last 14 days"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def infection_status_on(self, day: dt.date) -> str | None:
        """The status in force at the start of ``day`` (latest period wins)."""
        current: InfectionPeriod | None = None
        for period in self.infection_periods.all():
            if period.since <= day and (period.until is None or day <= period.until):
                if period.since_time and period.since == day:
                    continue
                if current is None or (period.since, period.pk) >= (current.since, current.pk):
                    current = period
        return None if current is None else current.status


class InfectionPeriod(models.Model):
    """A dated infection status. Rows are never deleted: changing a status ends the open
    period and starts a new one, so the history stays (see ``actions.set_infection_status``)."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="infection_periods"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=[
            (InfectionStatus.ISOLATED.value, _("Isolated (confirmed)")),
            (InfectionStatus.SUSPECTED.value, _("Suspected")),
            (InfectionStatus.QUARANTINED.value, _("Quarantined")),
            (InfectionStatus.RECOVERED.value, _("Recovered")),
        ],
    )
    since = models.DateField(_("from"))
    since_time = models.TimeField(_("from time"), null=True, blank=True)
    until = models.DateField(_("until (inclusive)"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("infection status")
        verbose_name_plural = _("infection statuses")
        ordering = ["since", "pk"]


class CareTask(models.Model):
    """A task from a care decision, given on ``weekdays`` once per time window.

    ``windows`` is a list of ``["HH:MM", "HH:MM"]`` (earliest, latest start);
    ``dependencies`` a list of ``{"after": task code, "min_gap": int, "max_gap": int|null}``.
    """

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="tasks"
    )
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=40)
    service_type = models.PositiveSmallIntegerField(_("KPR service type"), default=15)
    weekdays = models.JSONField(_("weekdays (ISO 1=Monday)"), default=all_weekdays)
    dates = models.JSONField(_("only on dates"), null=True, blank=True)
    windows = models.JSONField(_("time windows"))
    duration = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    competence = models.CharField(_("competence or skill"), max_length=40, default="assistant")
    medication = models.BooleanField(_("medication"), default=False)
    caregivers = models.PositiveSmallIntegerField(
        _("caregivers"), choices=[(1, "1"), (2, "2")], default=1
    )
    dependencies = models.JSONField(_("dependencies"), default=list, blank=True)
    priority_class = models.PositiveSmallIntegerField(
        _("priority class"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    deferral_limit_days = models.PositiveSmallIntegerField(
        _("deferral limit (days)"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    suitable_for_redeployed = models.BooleanField(_("suitable for redeployed staff"), default=False)
    instructions = models.TextField(_("instructions"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("care task")
        verbose_name_plural = _("care tasks")
        ordering = ["pk"]  # the order of the care decision, kept for the planner

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Relative(models.Model):
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="relatives"
    )
    name = models.CharField(_("name"), max_length=120)
    relation = models.CharField(_("relation"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    agreed_tasks = models.ManyToManyField(
        CareTask, verbose_name=_("agreed to take over"), blank=True, related_name="relatives"
    )

    class Meta:
        verbose_name = _("relative")
        verbose_name_plural = _("relatives")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Availability(models.Model):
    """A caregiver's status on one day; without a row they work their usual shift."""

    caregiver = models.ForeignKey(
        Caregiver,
        verbose_name=_("caregiver"),
        on_delete=models.CASCADE,
        related_name="availability",
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[
            (AvailabilityStatus.PRESENT.value, _("Present")),
            (AvailabilityStatus.SICK.value, _("Sick")),
            (AvailabilityStatus.QUARANTINE.value, _("Quarantine")),
            (AvailabilityStatus.CARING_FOR_CHILD.value, _("Caring for sick child")),
            (AvailabilityStatus.OFF.value, _("Off")),
        ],
    )
    shift_start = models.TimeField(_("shift start"), null=True, blank=True)
    shift_end = models.TimeField(_("shift end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        constraints = [
            models.UniqueConstraint(fields=["caregiver", "date"], name="one_status_per_day")
        ]
        ordering = ["date", "caregiver__name"]


class PolicySetting(models.Model):
    """The municipality's triage policy, scheduling rules and objective weights, stored as
    the JSON of the domain models (validated by them on every save)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="policy_setting"
    )
    policy = models.JSONField(_("triage policy"))
    rules = models.JSONField(_("scheduling rules"), default=dict)
    objective = models.JSONField(_("objective weights"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("triage policy")
        verbose_name_plural = _("triage policies")
