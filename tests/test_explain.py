"""Explanations (``beredt explain``): for each visit of a client the task, window,
decision, who comes and when, and why; for a visit not kept the capacity that would
have kept it; after a re-plan what changed; and a summary of the whole plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from beredt.cli import app
from beredt.domain.events import CaregiverIll
from beredt.domain.plan import ChangeKind, Plan, PlannedVisit
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.io import save_model
from beredt.planning import make_plan
from beredt.planning.explain import (
    REASON_KINDS,
    explain_client,
    reason_kind,
    summarise_plan,
)
from beredt.planning.replan import Replanned, ReplanSettings, replan
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from tests.fixtures import MONDAY, TRAVEL, small_scenario, small_valid_plan, t

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
runner = CliRunner()


@pytest.fixture(scope="module")
def small() -> tuple[Scenario, Plan]:
    """The hand-made plan: every decision kind once at least."""
    scenario = small_scenario()
    plan = small_valid_plan(scenario).model_copy(update={"scenario_digest": scenario.digest()})
    return scenario, plan


@pytest.fixture(scope="module")
def crisis() -> tuple[Scenario, Plan]:
    """A generated district with 30% absent: a plan with a shortfall."""
    config = GeneratorConfig(clients=60, caregivers=12, absence=0.3, isolated=2, seed=1)
    scenario = generate_scenario(config)
    plan = make_plan(scenario, TRAVEL, created_at=WHEN, max_iterations=20_000)
    assert plan.shortfall.visits
    return scenario, plan


@pytest.fixture(scope="module")
def replanned(crisis: tuple[Scenario, Plan]) -> Replanned:
    scenario, plan = crisis
    counts: dict[str, int] = {}
    for entry in plan.visits:
        if entry.decision is Decision.KEPT and (entry.start or 0) >= t("10:30"):
            for c in entry.caregivers:
                counts[c] = counts.get(c, 0) + 1
    who = max(sorted(counts), key=lambda c: counts[c])
    event = CaregiverIll(type="caregiver_ill", caregiver=who, from_=t("10:30"))
    settings = ReplanSettings(max_iterations=10_000)
    return replan(scenario, plan, [event], TRAVEL, settings, created_at=WHEN)


# ------------------------------------------------------------------ one client


def test_every_decision_is_explained_with_task_window_and_people(
    small: tuple[Scenario, Plan],
) -> None:
    scenario, plan = small
    seen: set[Decision] = set()
    for client in scenario.clients:
        explained = explain_client(plan, client.id, scenario)
        assert explained.name == client.name
        for row in explained.rows:
            seen.add(row.decision)
            visit = scenario.visit_by_id(row.visit)
            assert visit is not None
            assert row.task == visit.task.name
            assert row.window is not None and row.window.count(":") == 2
            assert row.reason
            if row.decision is Decision.KEPT:
                entry = next(e for e in plan.visits if (e.visit, e.date) == (row.visit, row.date))
                names = {scenario.caregiver_by_id[c].name for c in entry.caregivers}
                assert set(row.caregivers) == names and row.start is not None
                # nobody on this register has served these clients before
                assert set(row.new_to_client) == names
                assert row.capacity is None
            else:
                assert row.caregivers == () and row.start is None
                assert row.capacity is not None and " for " in row.capacity
        text = explained.text()
        assert client.name in text
    assert seen == set(Decision)


def test_text_names_the_decision_the_postponement_and_the_task(
    small: tuple[Scenario, Plan],
) -> None:
    scenario, plan = small
    text = explain_client(plan, "clara", scenario).text()
    assert "POSTPONED to 2024-03-05" in text
    assert "Shower" in text and "clara-shower@2024-03-04#0" in text
    assert "KEPT:" in text and "(new to client)" in text
    assert "capacity that would have kept it: 1 assistant for 45 min" in text


def test_without_the_scenario_the_plan_alone_is_explained(small: tuple[Scenario, Plan]) -> None:
    _, plan = small
    explained = explain_client(plan, "clara")
    assert explained.name is None
    assert all(row.window is None and row.capacity is None for row in explained.rows)
    kept = [row for row in explained.rows if row.decision is Decision.KEPT]
    assert kept and all(set(row.caregivers) <= {"nurse", "multi"} for row in kept)


def test_a_shortfall_says_what_capacity_would_have_kept_it(crisis: tuple[Scenario, Plan]) -> None:
    scenario, plan = crisis
    entry = next(e for e in plan.visits if e.shortfall)
    row = next(
        r for r in explain_client(plan, entry.client, scenario).rows if r.visit == entry.visit
    )
    assert row.shortfall and row.capacity is not None
    assert "short by" in row.capacity and "more" in row.capacity
    assert "SHORTFALL" in "\n".join(row.lines())


def test_unknown_client_is_an_error(small: tuple[Scenario, Plan]) -> None:
    _, plan = small
    with pytest.raises(Exception, match="client 'nobody' has no visits"):
        explain_client(plan, "nobody")


# ------------------------------------------------------------------ reason kinds


def entry(decision: Decision, reason: str) -> PlannedVisit:
    return PlannedVisit(
        visit="x@2024-03-04#0",
        client="c",
        task="x",
        date=MONDAY,
        decision=decision,
        reason=reason,
        postponed_to=dt.date(2024, 3, 5) if decision is Decision.POSTPONED else None,
    )


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        (
            "replaced by a phone call: no nurse free 08:00-09:00 (all 3 ... are busy)",
            "everyone who may do it is busy",
        ),
        (
            "cancelled for the period: no caregiver at work who may do it (needs nurse)",
            "nobody at work may do it",
        ),
        (
            "postponed to 2024-03-05: Shower, limit 7 days, day 1 of 7; no health worker at work "
            "18:00-19:00 who may do it",
            "nobody who may do it works then",
        ),
        (
            "replaced by a phone call: Nina Holm could come at 10:00, but the 40 min detour weighs "
            "more than this supervision visit (540 in the municipality's weights)",
            "not worth the detour",
        ),
        (
            "NOT KEPT - capacity shortfall on necessary care (class 2): the client's two "
            "infection-team members (A and B) have no room 08:00-09:00; ...",
            "infection-team pair has no room",
        ),
        (
            "NOT KEPT - capacity shortfall on life-critical care (class 1): its latest start "
            "09:40 is before the re-plan at 10:30",
            "too late after a re-plan",
        ),
        ("cancelled for the period: who knows", "other"),
    ],
)
def test_reason_kinds(reason: str, kind: str) -> None:
    assert reason_kind(entry(Decision.CANCELLED, reason)) == kind
    assert kind == "other" or kind in {label for label, _ in REASON_KINDS}


def test_kept_visits_are_their_own_kind() -> None:
    kept = PlannedVisit(
        visit="x@2024-03-04#0",
        client="c",
        task="x",
        date=MONDAY,
        decision=Decision.KEPT,
        reason="kept: A at 08:00",
        caregivers=["a"],
        start=480,
        end=490,
    )
    assert reason_kind(kept) == "kept"


# ---------------------------------------------------------------- after a re-plan


def test_a_reassignment_after_a_replan_is_explained(replanned: Replanned) -> None:
    plan, scenario = replanned.plan, replanned.scenario
    assert plan.replan is not None
    change = next(c for c in plan.replan.changes if c.kind is ChangeKind.REASSIGNED)
    assert change.before is not None and change.after is not None
    explained = explain_client(plan, change.client, scenario)
    row = next(r for r in explained.rows if r.visit == change.visit)
    old = " and ".join(scenario.caregiver_by_id[c].name for c in change.before.caregivers)
    new = " and ".join(scenario.caregiver_by_id[c].name for c in change.after.caregivers)
    assert row.change is not None and row.change.startswith(f"reassigned from {old} to {new}")
    assert "changed by the re-plan: reassigned from" in explained.text()
    assert any("re-plans the optimiser plan" in note for note in explained.notes)
    # the reason stored in the plan says it too
    stored = next(e for e in plan.visits if e.visit == change.visit and e.date == change.date)
    assert "re-plan: reassigned from" in stored.reason


def test_a_visit_no_longer_kept_after_a_replan_says_what_it_was(replanned: Replanned) -> None:
    plan, scenario = replanned.plan, replanned.scenario
    assert plan.replan is not None
    change = next(c for c in plan.replan.changes if c.kind is ChangeKind.NO_LONGER_KEPT)
    row = next(
        r for r in explain_client(plan, change.client, scenario).rows if r.visit == change.visit
    )
    assert row.change is not None and row.change.startswith("was kept by ")
    assert row.capacity is not None


# ------------------------------------------------------------------------ summary


def test_summary_counts_every_entry_by_decision_and_reason(crisis: tuple[Scenario, Plan]) -> None:
    scenario, plan = crisis
    summary = summarise_plan(plan, scenario)
    assert sum(summary.by_decision.values()) == len(plan.visits)
    assert sum(summary.by_reason.values()) == len(plan.visits)
    for (decision, _), count in summary.by_reason.items():
        assert count <= summary.by_decision[decision]
    text = summary.text()
    for decision in summary.by_decision:
        assert decision.value in text
    assert "SHORTFALL" in text
    assert summary.replan == []


def test_summary_of_a_replan_reports_stability_and_changes(replanned: Replanned) -> None:
    summary = summarise_plan(replanned.plan, replanned.scenario)
    text = summary.text()
    assert "Re-plan after: " in text and " ill from 10:30" in text
    assert "Stability: " in text and "Changes: " in text


# ------------------------------------------------------------------------ the CLI


@pytest.fixture()
def files(tmp_path: Path, replanned: Replanned) -> tuple[Path, Path]:
    scenario_path, plan_path = tmp_path / "s.json", tmp_path / "p.json"
    save_model(replanned.scenario, scenario_path)
    save_model(replanned.plan, plan_path)
    return scenario_path, plan_path


def test_cli_explains_a_client_with_the_scenario(files: tuple[Path, Path]) -> None:
    scenario_path, plan_path = files
    data = json.loads(plan_path.read_text())
    change = next(c for c in data["replan"]["changes"] if c["kind"] == "reassigned")
    result = runner.invoke(
        app,
        ["explain", str(plan_path), "--client", change["client"], "--scenario", str(scenario_path)],
    )
    assert result.exit_code == 0, result.output
    assert change["visit"] in result.output
    assert "changed by the re-plan: reassigned from" in result.output


def test_cli_summary(files: tuple[Path, Path]) -> None:
    _, plan_path = files
    result = runner.invoke(app, ["explain", str(plan_path), "--summary"])
    assert result.exit_code == 0, result.output
    assert "Decisions:" in result.output and "Stability:" in result.output


def test_cli_explain_needs_a_client_or_the_summary(files: tuple[Path, Path]) -> None:
    _, plan_path = files
    result = runner.invoke(app, ["explain", str(plan_path)])
    assert result.exit_code == 2
    assert "give --client ID, or --summary" in result.output
