"""The independent plan checker: it trusts nothing the planner says.

Given a scenario, a plan and a travel provider, :func:`check_plan` recomputes every hard
rule and the key figures from scratch. It shares no code with :mod:`beredt.planning`,
only the domain model and the travel provider, so a planner bug cannot hide itself.

Rule names (``Violation.rule``): ``coverage``, ``duplicate``, ``unknown_visit``,
``policy``, ``class1_not_kept``, ``deferral_limit``, ``double_staffing``, ``duration``,
``unknown_caregiver``, ``shift``, ``competence``, ``infection_team``, ``multi_site``,
``redeployed``, ``time_window``, ``dependency``, ``route_mismatch``, ``overlap``,
``travel`` and ``break``. Each module's docstring says what its rules mean.
"""

from beredt.checker.check import check_plan, compute_kpis
from beredt.checker.report import CheckReport, Violation

RULES: frozenset[str] = frozenset(
    {
        "coverage",
        "duplicate",
        "unknown_visit",
        "policy",
        "class1_not_kept",
        "deferral_limit",
        "double_staffing",
        "duration",
        "unknown_caregiver",
        "shift",
        "competence",
        "infection_team",
        "multi_site",
        "redeployed",
        "time_window",
        "dependency",
        "route_mismatch",
        "overlap",
        "travel",
        "break",
    }
)
"""Every rule name a :class:`Violation` can carry."""

__all__ = ["RULES", "CheckReport", "Violation", "check_plan", "compute_kpis"]
