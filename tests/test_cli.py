"""The command line as a user runs it: generate, plan, check, explain, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from beredt.cli import app
from beredt.io import load_plan, load_scenario
from beredt.io.schema import SCHEMAS, schema_text

runner = CliRunner()
FAST = ["--iterations", "20000"]
DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    scenario, plan = folder / "s.json", folder / "p.json"
    result = runner.invoke(
        app,
        [
            "scenario",
            "generate",
            "--clients",
            "40",
            "--caregivers",
            "9",
            "--absence",
            "0.3",
            "--isolated",
            "2",
            "--seed",
            "7",
            "--days",
            "2",
            "-o",
            str(scenario),
        ],
    )
    assert result.exit_code == 0, result.output
    # A fixed move budget keeps the default planner (the optimiser) fast and reproducible.
    result = runner.invoke(app, ["plan", str(scenario), "-o", str(plan), *FAST])
    assert result.exit_code == 0, result.output
    assert "Key figures" in result.output
    assert "Plan checker: no violations" in result.output
    return scenario, plan


def test_generate_is_reproducible(files: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, _ = files
    again = tmp_path / "again.json"
    runner.invoke(
        app,
        [
            "scenario",
            "generate",
            "--clients",
            "40",
            "--caregivers",
            "9",
            "--absence",
            "0.3",
            "--isolated",
            "2",
            "--seed",
            "7",
            "--days",
            "2",
            "-o",
            str(again),
        ],
    )
    assert again.read_bytes() == scenario.read_bytes()


def test_plan_file_carries_kpis_and_both_days(files: tuple[Path, Path]) -> None:
    scenario_path, plan_path = files
    plan = load_plan(plan_path)
    scenario = load_scenario(scenario_path)
    assert plan.kpis is not None
    assert plan.dates == scenario.dates and len(plan.dates) == 2
    assert plan.scenario_digest == scenario.digest()


def test_check_json_reports_no_violations_on_a_plan_from_beredt(files: tuple[Path, Path]) -> None:
    scenario, plan = files
    result = runner.invoke(app, ["check", str(scenario), str(plan), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["violations"] == []
    for key in (
        "class1_coverage",
        "essential_coverage",
        "visits_kept",
        "visits_by_decision",
        "travel_minutes",
        "care_share_of_paid_time",
        "max_distinct_caregivers_per_isolated_client",
        "mean_distinct_caregivers_per_client",
    ):
        assert key in report["kpis"]


def test_check_exits_1_on_a_tampered_plan(files: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, plan_path = files
    data = json.loads(plan_path.read_text())
    kept = next(v for v in data["visits"] if v["decision"] == "KEPT")
    kept["start"] = "03:00"
    kept["end"] = "03:15"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    result = runner.invoke(app, ["check", str(scenario), str(tampered), "--json"])
    assert result.exit_code == 1
    rules = {v["rule"] for v in json.loads(result.output)["violations"]}
    assert rules & {"time_window", "duration", "travel", "shift"}


def test_plan_refuses_an_unknown_planner(files: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, _ = files
    result = runner.invoke(
        app, ["plan", str(scenario), "-o", str(tmp_path / "x.json"), "--planner", "magic"]
    )
    assert result.exit_code == 2
    assert "unknown planner 'magic'" in result.output


def test_explain_shows_the_reason_for_each_decision(files: tuple[Path, Path]) -> None:
    _, plan_path = files
    plan = load_plan(plan_path)
    reduced = next(v for v in plan.visits if v.decision.value != "KEPT")
    result = runner.invoke(app, ["explain", str(plan_path), "--client", reduced.client])
    assert result.exit_code == 0, result.output
    assert reduced.decision.value in result.output
    assert reduced.visit.split("@")[0] in result.output


def test_explain_unknown_client(files: tuple[Path, Path]) -> None:
    _, plan_path = files
    result = runner.invoke(app, ["explain", str(plan_path), "--client", "nobody"])
    assert result.exit_code == 2
    assert "client 'nobody' has no visits" in result.output


def test_published_schemas_are_up_to_date() -> None:
    for name, model in SCHEMAS.items():
        assert (DOCS / name).read_text(encoding="utf-8") == schema_text(model), (
            f"docs/{name} is stale: run `make schema`"
        )


def test_plans_never_contain_national_identity_numbers(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    scenario_path, _ = files
    data = json.loads(scenario_path.read_text())
    data["clients"][0]["national_id"] = "01014912345"
    with_id = tmp_path / "with_id.json"
    with_id.write_text(json.dumps(data))
    plan_path = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(with_id), "-o", str(plan_path), *FAST])
    assert result.exit_code == 0, result.output
    assert "01014912345" not in plan_path.read_text()
    assert "01014912345" not in result.output
