"""The checker's front door: every rule, then the key figures."""

from __future__ import annotations

from beredt.checker.coverage import check_coverage
from beredt.checker.index import PlanIndex
from beredt.checker.kpis import compute_kpis_from_index
from beredt.checker.report import CheckReport, Violation
from beredt.checker.routes import check_routes
from beredt.checker.triage import check_triage
from beredt.checker.visits import check_kept_visits
from beredt.domain.plan import Plan, PlanKpis
from beredt.domain.scenario import Scenario
from beredt.travel import TravelProvider


def check_plan(scenario: Scenario, plan: Plan, travel: TravelProvider) -> CheckReport:
    """Recompute every hard rule and the key figures of ``plan`` from ``scenario``.

    Nothing the plan says about itself is trusted: ids are resolved against the register,
    travel times are asked from ``travel``, and ``plan.kpis`` is ignored.
    """
    index = PlanIndex(scenario, plan, travel)
    violations: list[Violation] = [
        *check_coverage(index),
        *check_triage(index),
        *check_kept_visits(index),
        *check_routes(index),
    ]
    return CheckReport(violations=violations, kpis=compute_kpis_from_index(index))


def compute_kpis(scenario: Scenario, plan: Plan, travel: TravelProvider) -> PlanKpis:
    """The key figures of ``plan`` (see :mod:`beredt.checker.kpis` for definitions)."""
    return compute_kpis_from_index(PlanIndex(scenario, plan, travel))
