"""Plans made in the web app: versions per unit and day, and the jobs that make them.

A :class:`PlanVersion` keeps the domain plan as JSON together with the scenario it was
made from (so that it can be checked, explained and re-planned later exactly as made).
Versions are numbered per unit and date; at most one is published; caregivers see the
published one.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beredt.domain.plan import Plan
from beredt.domain.scenario import Scenario


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


class JobKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    REPLAN = "replan", _("Re-plan")
    CHECK = "check", _("Class-1 check")


class PlanJob(models.Model):
    """A background planning run; the page polls its progress."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey("care.Unit", on_delete=models.CASCADE, related_name="plan_jobs")
    date = models.DateField(_("date"))
    days = models.PositiveSmallIntegerField(_("days"), default=1)
    kind = models.CharField(max_length=10, choices=JobKind.choices, default=JobKind.PLAN)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.ForeignKey(
        "PlanVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class PlanVersion(models.Model):
    unit = models.ForeignKey("care.Unit", on_delete=models.CASCADE, related_name="plan_versions")
    date = models.DateField(_("date"), db_index=True)
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    planner = models.CharField(max_length=40)
    plan_json = models.JSONField()
    scenario_json = models.JSONField()
    kpis = models.JSONField(default=dict, blank=True)
    violations = models.JSONField(default=list, blank=True)
    class1_check = models.JSONField(default=dict, blank=True)
    """Whether any plan could keep the class-1 care this one leaves out
    (:func:`beredt.planning.class1check.check_class1`, run as a job after planning):
    ``{"seconds": S, "days": [{"day", "missed_visits", "missing_minutes", "verdict",
    "peak", "seconds"}]}``; empty until checked."""
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "number"], name="plan_version_number"),
            models.UniqueConstraint(
                fields=["unit", "date"],
                condition=models.Q(status="published"),
                name="one_published_plan_per_unit_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.date} v{self.number}"

    @property
    def ref(self) -> str:
        """How the audit log names this version: ``unit/date/vN``."""
        return f"{self.unit.code}/{self.date}/v{self.number}"

    @property
    def plan(self) -> Plan:
        cached: Plan | None = getattr(self, "_plan_cache", None)
        if cached is None:
            cached = Plan.model_validate(self.plan_json)
            self._plan_cache = cached
        return cached

    @property
    def scenario(self) -> Scenario:
        cached: Scenario | None = getattr(self, "_scenario_cache", None)
        if cached is None:
            cached = Scenario.model_validate(self.scenario_json)
            self._scenario_cache = cached
        return cached

    def kpi(self, name: str) -> Any:
        return self.kpis.get(name)
