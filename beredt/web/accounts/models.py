"""Users and their role (DOMAIN.md "Users and roles")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLANNER = "planner", _("Planner")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    CAREGIVER = "caregiver", _("Caregiver")
    CRISIS_TEAM = "crisis_team", _("Municipal crisis team")
    SURVEY_COORDINATOR = "survey_coordinator", _("Survey coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")


UNIT_ROLES = frozenset({Role.PLANNER, Role.UNIT_MANAGER})
"""Roles that work inside one unit and see only that unit's clients and plans."""


class User(AbstractUser):
    """A person who logs in. Unit roles have a ``unit``; the crisis team a
    ``municipality``; a caregiver is linked to their ``caregiver`` register entry."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
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
