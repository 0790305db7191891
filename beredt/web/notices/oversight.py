"""Oversight of change notices: how long a unit's open notices have waited for the client
to be told. The unit's day page shows the counts; counts that grow in the older bands
mean clients are waiting for a call nobody has made.

The age runs from when the client's current change began (``revised_at``, else
``created_at``), as in :func:`beredt.web.notices.actions.overdue_notices`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from beredt.web.care.models import Unit
from beredt.web.notices.models import Notice, NoticeState

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class OpenByAge:
    """Open notices of one unit by age; ``refused`` counts those whose client refused
    the change, whatever their age."""

    under_1h: int
    from_1_to_4h: int
    from_4_to_24h: int
    over_24h: int
    refused: int

    @property
    def total(self) -> int:
        return self.under_1h + self.from_1_to_4h + self.from_4_to_24h + self.over_24h


def open_by_age(unit: Unit, now: dt.datetime) -> OpenByAge:
    """Count ``unit``'s open notices by age at ``now``; a notice exactly one hour old
    is in "1–4 h"."""

    def older_than(hours: int) -> Q:
        return Q(opened__lte=now - hours * HOUR)

    counts = (
        Notice.objects.filter(unit=unit, state=NoticeState.OPEN)
        .annotate(opened=Coalesce("revised_at", "created_at"))
        .aggregate(
            under_1h=Count("pk", filter=~older_than(1)),
            from_1_to_4h=Count("pk", filter=older_than(1) & ~older_than(4)),
            from_4_to_24h=Count("pk", filter=older_than(4) & ~older_than(24)),
            over_24h=Count("pk", filter=older_than(24)),
            refused=Count("pk", filter=Q(refused=True)),
        )
    )
    return OpenByAge(**counts)
