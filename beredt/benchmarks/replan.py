"""Re-planning benchmark: one caregiver falls ill at a given time, once for every
caregiver who still has kept visits after it; how long does each re-plan take, how
stable is it, and does the new plan pass the checker?

The issue's target: at most 10 s, at least 90 % of the unaffected remaining visits
unchanged. A benchmark measures; it asserts nothing. Output: rows and a summary, written
as markdown and CSV by :func:`write_outputs`.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from beredt.benchmarks import tables
from beredt.checker import check_plan
from beredt.domain.clock import format_clock
from beredt.domain.events import CaregiverIll
from beredt.domain.plan import Plan
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.planning.replan import ReplanSettings, replan
from beredt.travel import TravelProvider


@dataclass(frozen=True)
class ReplanRow:
    caregiver: str
    visits_after: int
    """The caregiver's kept visits starting at or after the time they fall ill."""
    seconds: float
    """The re-plan itself (no file reading or writing)."""
    unaffected: int
    unchanged: int
    share: float
    violations: int
    kept: int
    """Visits the new plan keeps (the checker's ``visits_kept``)."""
    class1: float
    """The new plan's class-1 coverage."""


@dataclass(frozen=True)
class ReplanSummary:
    runs: int
    min_share: float
    mean_share: float
    max_seconds: float
    mean_seconds: float
    violations: int
    mean_kept: float


def visits_after(plan: Plan, at: int) -> Counter[str]:
    """Per caregiver, their kept visits on the plan's first day starting at or after
    ``at``."""
    day = plan.dates[0]
    return Counter(
        caregiver
        for entry in plan.visits
        if entry.date == day
        and entry.decision is Decision.KEPT
        and entry.start is not None
        and entry.start >= at
        for caregiver in entry.caregivers
    )


def ill_caregivers(plan: Plan, at: int) -> list[str]:
    """Caregivers with kept visits on the plan's first day starting at or after ``at``."""
    return sorted(visits_after(plan, at))


def run(
    scenario: Scenario,
    plan: Plan,
    travel: TravelProvider,
    at: int,
    settings: ReplanSettings | None = None,
    on_row: Callable[[ReplanRow], None] | None = None,
) -> list[ReplanRow]:
    """Re-plan ``plan`` once per caregiver of :func:`ill_caregivers`, each falling ill at
    ``at`` on the plan's first day; score every new plan with the checker."""
    counts = visits_after(plan, at)
    rows: list[ReplanRow] = []
    for caregiver in sorted(counts):
        event = CaregiverIll.model_validate(
            {"type": "caregiver_ill", "caregiver": caregiver, "from": format_clock(at)}
        )
        began = time.perf_counter()
        result = replan(scenario, plan, [event], travel, settings)
        seconds = time.perf_counter() - began
        report = check_plan(result.scenario, result.plan, travel)
        assert result.plan.replan is not None  # a re-plan always records its stability
        stability = result.plan.replan.stability
        row = ReplanRow(
            caregiver=caregiver,
            visits_after=counts[caregiver],
            seconds=round(seconds, 2),
            unaffected=stability.unaffected,
            unchanged=stability.unchanged,
            share=stability.share,
            violations=len(report.violations),
            kept=report.kpis.visits_kept,
            class1=report.kpis.class1_coverage,
        )
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows


def summarise(rows: list[ReplanRow]) -> ReplanSummary:
    if not rows:
        return ReplanSummary(0, 1.0, 1.0, 0.0, 0.0, 0, 0.0)
    return ReplanSummary(
        runs=len(rows),
        min_share=min(r.share for r in rows),
        mean_share=statistics.mean(r.share for r in rows),
        max_seconds=max(r.seconds for r in rows),
        mean_seconds=round(statistics.mean(r.seconds for r in rows), 2),
        violations=sum(r.violations for r in rows),
        mean_kept=round(statistics.mean(r.kept for r in rows), 1),
    )


HEADERS = [
    ("caregiver", "ill caregiver"),
    ("visits_after", "their visits after"),
    ("seconds", "seconds"),
    ("unaffected", "unaffected"),
    ("unchanged", "unchanged"),
    ("share", "stability"),
    ("violations", "violations"),
    ("kept", "visits kept"),
    ("class1", "class 1"),
]


def format_cell(key: str, value: object) -> str:
    if key in ("share", "class1"):
        assert isinstance(value, float)
        return f"{value:.1%}"
    return str(value)


def summary_text(summary: ReplanSummary) -> str:
    return (
        f"{summary.runs} re-plans: stability lowest {summary.min_share:.1%}, mean "
        f"{summary.mean_share:.1%}; re-plan at most {summary.max_seconds:.1f} s (mean "
        f"{summary.mean_seconds:.1f} s); {summary.violations} violations; "
        f"{summary.mean_kept:.1f} visits kept on average"
    )


def write_outputs(rows: list[ReplanRow], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md, csv_path = directory / "replan-bench.md", directory / "replan-bench.csv"
    values = [asdict(r) for r in rows]
    lines = [*tables.markdown(HEADERS, values, format_cell), "", summary_text(summarise(rows))]
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tables.write_csv(csv_path, [k for k, _ in HEADERS], values)
    return md, csv_path
