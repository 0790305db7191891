"""Users and their role (DOMAIN.md "Users and roles")."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    """A user's role. (A plain enum rather than ``TextChoices`` so that type checkers
    without Django's stubs see string members.)"""

    PLANNER = "planner"
    UNIT_MANAGER = "unit_manager"
    CAREGIVER = "caregiver"
    CRISIS_TEAM = "crisis_team"
    SURVEY_COORDINATOR = "survey_coordinator"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        return [(role.value, ROLE_LABELS[role]) for role in cls]


ROLE_LABELS: dict[Role, Any] = {
    Role.PLANNER: _("Planner"),
    Role.UNIT_MANAGER: _("Unit manager"),
    Role.CAREGIVER: _("Caregiver"),
    Role.CRISIS_TEAM: _("Municipal crisis team"),
    Role.SURVEY_COORDINATOR: _("Survey coordinator"),
    Role.ADMINISTRATOR: _("Administrator"),
}


UNIT_ROLES = frozenset({Role.PLANNER, Role.UNIT_MANAGER})
"""Roles that work inside one unit and see only that unit's clients and plans."""


class User(AbstractUser):
    """A person who logs in. Unit roles have a ``unit``; the crisis team a
    ``municipality``; a caregiver is linked to their ``caregiver`` register entry."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices())
    unit = models.ForeignKey(
        "care.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    municipality = models.ForeignKey(
        "care.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    caregiver = models.OneToOneField(
        "care.Caregiver",
        verbose_name=_("caregiver"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A unit belongs to one municipality: keep the two consistent.
        if self.unit is not None and self.municipality is None:
            self.municipality = self.unit.municipality
        super().save(*args, **kwargs)
