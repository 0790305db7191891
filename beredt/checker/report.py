"""What the checker hands back: the broken rules and the key figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from beredt.domain.plan import PlanKpis


@dataclass(frozen=True)
class Violation:
    """One broken hard rule.

    ``rule`` is a stable machine name (``"competence"``, ``"travel"`` …); ``message`` says
    in plain English what is wrong, naming ids and times as ``HH:MM``.
    """

    rule: str
    message: str
    visit: str | None = None
    caregiver: str | None = None
    date: dt.date | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "visit": self.visit,
            "caregiver": self.caregiver,
            "date": None if self.date is None else self.date.isoformat(),
            "message": self.message,
        }


@dataclass(frozen=True)
class CheckReport:
    """The checker's verdict on a plan: ``ok`` when no hard rule is broken."""

    violations: list[Violation]
    kpis: PlanKpis

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def rules(self) -> set[str]:
        """The names of the broken rules."""
        return {violation.rule for violation in self.violations}

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "violations": [violation.to_json_dict() for violation in self.violations],
            "kpis": self.kpis.model_dump(mode="json"),
        }
