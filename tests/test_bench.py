"""The planner benchmark's plumbing (not its figures): rows scored by the checker, the
greedy-vs-optimiser comparison and the capacity bound."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from beredt.benchmarks import planner as bench
from beredt.cli import app
from beredt.planning.routebound import RouteBound
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.travel import HaversineTravel


def test_capacity_bound_never_exceeds_the_care_required() -> None:
    scenario = generate_scenario(GeneratorConfig(clients=30, caregivers=6, absence=0.5, seed=3))
    bound = bench.capacity_bound(scenario, HaversineTravel())
    assert 0 < bound.keepable_care_minutes <= bound.required_care_minutes
    assert bound.keepable_care_minutes <= bound.available_minutes


def test_compare_averages_seeds_against_greedy() -> None:
    def row(
        planner: str, seed: int, care: int, travel: int, class1: float = 1.0, allows: bool = True
    ) -> bench.BenchRow:
        return bench.BenchRow(
            clients=10,
            caregivers=2,
            absence=0.3,
            seed=seed,
            planner=planner,
            visits=30,
            class1_coverage=class1,
            essential_coverage=0.8 if planner == "greedy" else 0.9,
            visits_kept=20,
            deferred_minutes=0,
            travel_minutes=travel,
            care_share=0.5,
            max_isolated_caregivers=1,
            violations=0,
            seconds=1.0,
            bound_care_minutes=400,
            care_minutes=care,
            class1_bound_allows=allows,
        )

    rows = [
        row("greedy", 1, 100, 100),
        row("greedy", 2, 100, 100),
        row("greedy", 3, 100, 100, allows=False),
        row("optimiser", 1, 120, 80),
        row("optimiser", 2, 130, 90, class1=0.95),
        row("optimiser", 3, 125, 85, class1=0.9, allows=False),
    ]
    (comparison,) = bench.compare(rows)
    assert comparison.care_minutes_gain == 0.25
    assert round(comparison.travel_change, 3) == -0.15
    assert comparison.care_share_of_bound == 125 / 400
    # of the two runs whose class-1 bound allows full coverage, one reached it
    assert comparison.class1_where_allowed == "1/2"
    assert "+25.0%" in bench.comparison_markdown([comparison])


def test_the_route_bound_decides_whether_the_bound_allows_full_class_1_coverage() -> None:
    """Computed for a district, the route bound's verdict goes into every planner's row:
    a proven shortfall means the bound no longer allows full coverage."""

    def row(planner: str, class1: float) -> bench.BenchRow:
        return bench.BenchRow(
            clients=10, caregivers=2, absence=0.3, seed=1, planner=planner, visits=30,
            class1_coverage=class1, essential_coverage=0.9, visits_kept=20, deferred_minutes=0,
            travel_minutes=100, care_share=0.5, max_isolated_caregivers=1, violations=0,
            seconds=1.0, bound_care_minutes=400, care_minutes=300,
        )  # fmt: skip

    rows = [row("greedy", 0.8), row("optimiser", 0.95)]
    day = dt.date(2026, 11, 23)
    short = RouteBound(day, 300, 280, 279.5, True, 12, 1, 1.0)
    enough = RouteBound(day, 300, 300, 300.0, True, 9, 1, 1.0)
    assert bench._with_routes(rows, None) == rows
    proven = bench._with_routes(rows, [short, enough])
    assert [r.class1_bound_allows for r in proven] == [False, False]
    assert [r.class1_route_missing for r in proven] == [20, 20]
    kept = bench._with_routes(rows, [enough])
    assert [r.class1_bound_allows for r in kept] == [True, True]
    assert [r.class1_route_missing for r in kept] == [0, 0]
    assert "| - |" in bench.to_markdown(rows) and "| 20 |" in bench.to_markdown(proven)
    assert bench.compare(proven)[0].class1_where_allowed == "0/0"
    assert bench.compare(kept)[0].class1_where_allowed == "0/1"
    # Where a search of the class-1 care alone kept it all, the miss was the planner's.
    assert bench.compare(kept)[0].class1_avoidable == 0
    found = [replace(r, class1_found=True) for r in kept]
    assert bench.compare(found)[0].class1_avoidable == 1
    assert "| 0/1 | 1 |" in bench.comparison_markdown(bench.compare(found))
    assert "| yes |" in bench.to_markdown(found)


def test_bench_planner_command_writes_its_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "planner",
            "--sizes",
            "20x4",
            "--absences",
            "0.3",
            "--seeds",
            "1",
            "--time-limit",
            "0.3",
            "--route-bound-seconds",
            "5",
            "--output",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    table = (tmp_path / "planner-bench.md").read_text()
    assert "class-1 care min short (route bound)" in table
    assert "| greedy |" in table and "| optimiser |" in table
    assert (tmp_path / "planner-bench-summary.md").exists()
    assert "violations" in table
    for line in table.splitlines()[2:]:
        assert line.split("|")[-3].strip() == "0"  # no checker violations in any row


# ------------------------------------------------------------------ re-planning bench


def test_replan_bench_lets_every_caregiver_with_later_visits_fall_ill() -> None:
    from beredt.benchmarks import replan as replan_bench
    from beredt.planning import make_plan
    from beredt.planning.replan import ReplanSettings

    scenario = generate_scenario(GeneratorConfig(clients=24, caregivers=8, absence=0.25, seed=4))
    travel = HaversineTravel()
    plan = make_plan(scenario, travel, max_iterations=5_000)
    at = 10 * 60 + 30
    expected = replan_bench.ill_caregivers(plan, at)
    assert expected  # the district has work after 10:30
    rows = replan_bench.run(scenario, plan, travel, at, ReplanSettings(max_iterations=3_000))
    assert [r.caregiver for r in rows] == expected
    for row in rows:
        assert row.visits_after >= 1
        assert row.violations == 0
        assert 0 <= row.unchanged <= row.unaffected
        assert 0.0 <= row.share <= 1.0
        assert 0 < row.kept <= len(plan.visits)
        assert 0.0 <= row.class1 <= 1.0
    summary = replan_bench.summarise(rows)
    assert summary.runs == len(rows)
    assert summary.min_share == min(r.share for r in rows)
    assert summary.violations == 0


def test_replan_bench_command_refuses_a_bad_time_and_half_an_input(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_time = runner.invoke(app, ["bench", "replan", "--at", "25:99", "--output", str(tmp_path)])
    assert bad_time.exit_code == 2
    assert "--at" in bad_time.output
    half = runner.invoke(
        app, ["bench", "replan", "--scenario", str(tmp_path / "s.json"), "--output", str(tmp_path)]
    )
    assert half.exit_code == 2
    assert "--scenario and --plan" in half.output
    assert not (tmp_path / "replan-bench.md").exists()


def test_replan_bench_command_writes_its_tables(tmp_path: Path) -> None:
    from beredt.io import save_model
    from beredt.planning import make_plan

    scenario = generate_scenario(GeneratorConfig(clients=20, caregivers=6, absence=0.2, seed=5))
    plan = make_plan(scenario, HaversineTravel(), max_iterations=3_000)
    save_model(scenario, tmp_path / "s.json")
    save_model(plan, tmp_path / "p.json")
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "replan",
            "--scenario",
            str(tmp_path / "s.json"),
            "--plan",
            str(tmp_path / "p.json"),
            "--iterations",
            "2000",
            "--output",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "re-plans: stability lowest" in result.output
    table = (tmp_path / "out" / "replan-bench.md").read_text(encoding="utf-8")
    csv_lines = (tmp_path / "out" / "replan-bench.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[0].startswith("caregiver,visits_after,seconds")
    assert len(csv_lines) - 1 == table.count("\n| s")  # one row per ill caregiver
    assert len(csv_lines) > 1


def test_convergence_runs_each_search_seed_against_the_long_runs() -> None:
    seen: list[str] = []
    result = bench.convergence(
        20, 6, 0.3, seed=4, seconds=0.2, factor=2, runs=2, progress=seen.append
    )
    assert [run.search_seed for run in result.short] == [4, 5]
    assert [run.seconds for run in result.short] == [0.2, 0.2]
    (long,) = result.long
    assert (long.search_seed, long.seconds) == (4, 0.4)
    assert len(seen) == 3 and seen[-1] == "search seed 4, 0.4 s"
    for run in result.short:
        assert result.care_difference(run) == run.care_minutes / long.care_minutes - 1
        assert result.value_difference(run) == run.kept_value / long.kept_value - 1
    assert result.within(limit=10.0) == 2
    assert result.within(limit=-10.0) == 0


def test_convergence_judges_against_the_mean_of_several_long_runs() -> None:
    result = bench.convergence(20, 6, 0.3, seed=2, seconds=0.1, factor=2, runs=1, long_runs=2)
    assert [(run.search_seed, run.seconds) for run in result.long] == [(2, 0.2), (3, 0.2)]
    assert all(run.wall > 0 for run in (*result.short, *result.long))  # how long each took
    mean = (result.long[0].care_minutes + result.long[1].care_minutes) / 2
    assert result.long_care == mean
    (short,) = result.short
    assert result.care_difference(short) == pytest.approx(short.care_minutes / mean - 1)
    with pytest.raises(ValueError, match="long runs"):
        bench.convergence(20, 6, 0.3, seed=2, seconds=0.1, long_runs=0)


def test_kept_value_weighs_kept_visits_by_the_objective() -> None:
    from beredt.domain.policy import Decision
    from beredt.planning import make_plan
    from beredt.planning.day_model import MANDATORY, visit_penalty

    scenario = generate_scenario(GeneratorConfig(clients=20, caregivers=6, absence=0.3, seed=2))
    plan = make_plan(scenario, HaversineTravel(), planner="greedy", created_at=bench.FIXED_TIME)
    kept = [e for e in plan.visits if e.decision is Decision.KEPT]
    value = bench.kept_value(scenario, plan)
    # Class-1 visits count without the mandatory constant, so far below a million each.
    assert 0 < value < MANDATORY
    for entry in (
        next(e for e in kept if scenario.visit_by_id(e.visit).task.priority_class == 1),
        next(e for e in kept if scenario.visit_by_id(e.visit).task.priority_class > 1),
    ):
        visit = scenario.visit_by_id(entry.visit)
        weight = visit_penalty(scenario, visit, entry.date)
        if visit.task.priority_class == 1:
            weight -= MANDATORY * visit.task.caregivers
        dropped = entry.model_copy(update={"decision": Decision.CANCELLED})
        fewer = plan.model_copy(
            update={"visits": [dropped if e is entry else e for e in plan.visits]}
        )
        assert bench.kept_value(scenario, fewer) == value - weight
        assert weight > 0


def test_bench_convergence_prints_each_run() -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "convergence",
            "--clients",
            "20",
            "--caregivers",
            "6",
            "--seconds",
            "0.2",
            "--factor",
            "2",
            "--runs",
            "2",
            "--long-runs",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "of 2 short runs keep care minutes within 2 % of the long runs' mean" in text
    rows = [line for line in result.output.splitlines() if "0.2 │" in line or "0.4 │" in line]
    assert len(rows) == 4  # two short runs and two long ones
