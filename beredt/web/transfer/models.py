"""An uploaded register file, kept between preview and apply."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beredt.web.care.models import Unit
from beredt.web.transfer.formats import REGISTERS


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One uploaded file for one register of one unit.

    ``content`` holds the file until it is applied or discarded, then it is emptied: the
    data then lives in the registers, and a second copy of client data (perhaps with
    identity numbers) should not linger. ``counts`` keeps the numbers for the history.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="import_batches"
    )
    register = models.CharField(
        _("register"),
        max_length=20,
        choices=[(r.name, r.title) for r in REGISTERS.values()],
    )
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(
        _("format"), max_length=4, choices=[("xlsx", "XLSX"), ("csv", "CSV")]
    )
    content = models.BinaryField(_("file content"), blank=True, default=b"")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField(_("uploaded by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied or discarded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("applied or discarded"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.register} {self.file_name} ({self.status})"

    @property
    def register_title(self) -> str:
        return str(REGISTERS[self.register].title)
