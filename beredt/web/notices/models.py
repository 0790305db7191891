"""Change notices: what a published plan changes in a client's care, and who has been
told. One notice per client and day; publishing a re-plan updates it (a new revision)
rather than adding another. Calls, letters and text messages hang off the notice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeState(models.TextChoices):
    OPEN = "open", _("Open")
    REACHED = "reached", _("Reached")
    CLOSED = "closed", _("Closed by hand")
    WITHDRAWN = "withdrawn", _("Withdrawn (change reversed before the client was told)")


class ChangeKind(models.TextChoices):
    PHONE = "phone", _("Phone call instead of visit")
    RELATIVE = "relative", _("A relative takes over")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")
    NEW_CAREGIVER = "new_caregiver", _("A caregiver new to the client")
    REDEPLOYED = "redeployed", _("A caregiver redeployed from another service")
    MOVED = "moved", _("Visit moved")
    RESTORED = "restored", _("Care back to normal")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    LEFT_MESSAGE = "left_message", _("Left a message")
    NOT_REACHED = "not_reached", _("Not reached")
    REFUSED = "refused", _("Refused the change")


class Notice(models.Model):
    """What changes in one client's care on one day, and whether they have been told.

    ``changes`` is a list of ``{"kind", "visit", "task", "from", "to", "until", "why"}``
    dicts (plain words, in the client's language where they are shown); ``kinds`` the
    sorted set of their kinds. ``revision`` goes up whenever a publish changes them;
    ``revised_at`` is when the current revision began (the age the oversight shows).
    A told client whose changes a later plan takes back gets one ``restored`` item.
    """

    client = models.ForeignKey("care.Client", on_delete=models.CASCADE, related_name="notices")
    unit = models.ForeignKey("care.Unit", on_delete=models.CASCADE, related_name="notices")
    date = models.DateField(_("date"), db_index=True)
    version = models.ForeignKey(
        "plans.PlanVersion", null=True, on_delete=models.SET_NULL, related_name="notices"
    )
    kinds = models.JSONField(_("change kinds"), default=list)
    changes = models.JSONField(_("changes"), default=list)
    revision = models.PositiveIntegerField(default=1)
    state = models.CharField(
        max_length=12, choices=NoticeState.choices, default=NoticeState.OPEN, db_index=True
    )
    refused = models.BooleanField(_("refused the change"), default=False)
    attempts = models.PositiveIntegerField(_("call attempts"), default=0)
    retry_at = models.DateTimeField(_("call again at"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revised_at = models.DateTimeField(_("current revision since"), null=True, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)
    told_revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date", "client__name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "date"], name="one_notice_per_client_day")
        ]

    def __str__(self) -> str:
        return f"{self.client.code} {self.date} r{self.revision} {self.state}"


class CallAttempt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="calls")
    revision = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]


class SmsStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Failed, gave up")


class SmsMessage(models.Model):
    """One text message for one revision of a notice to one number. ``key`` makes
    sending idempotent: the same notice revision and number is never sent twice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="sms")
    key = models.CharField(max_length=120, unique=True)
    to = models.CharField(max_length=20)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=SmsStatus.choices, default=SmsStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
