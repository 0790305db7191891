"""A plan job writes the planner's reasons in the language of the planner who started
it: a planner whose session is in bokmål gets Norwegian reasons."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from beredt.domain.policy import Decision
from beredt.web.plans import actions
from beredt.web.plans.models import JobKind, JobStatus, PlanJob, PlanVersion
from tests.web.conftest import World


def run_queued() -> PlanJob:
    job = PlanJob.objects.get(status=JobStatus.QUEUED)
    actions.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def test_a_plan_made_in_a_bokmal_session_has_norwegian_reasons(
    world: World, client: Client
) -> None:
    client.force_login(world.planner_a)
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    response = client.post(
        reverse("plan-start", kwargs={"unit": world.unit_a.code}),
        {"date": world.day.isoformat()},
    )
    assert response.status_code == 302
    job = run_queued()
    assert job.kind == JobKind.PLAN and job.params["language"] == "nb"
    plan = PlanVersion.objects.get(pk=job.result_id).plan
    kept = [e.reason for e in plan.visits if e.decision is Decision.KEPT]
    assert kept and all(reason.startswith("beholdt: ") for reason in kept)
    assert not any(e.reason.startswith(("kept:", "NOT KEPT")) for e in plan.visits)
    if plan.shortfall.visits:
        assert "besøk som må beholdes, ble ikke beholdt" in plan.shortfall.message


@pytest.mark.parametrize(
    ("active", "stored"),
    [("en", "en"), ("sv-se", "sv"), ("nb-no", "nb"), ("de", "nb"), (None, "nb")],
)
def test_the_job_stores_the_callers_language(world: World, active: str | None, stored: str) -> None:
    with translation.override(active):
        job = actions.start_plan_job(world.unit_a, world.day, world.planner_a)
    assert job.params["language"] == stored


def test_a_job_without_a_stored_language_plans_in_bokmal(world: World) -> None:
    with translation.override("en"):
        job = actions.start_plan_job(world.unit_a, world.day, world.planner_a)
    job.params.pop("language")  # a job queued before languages were stored
    job.save()
    actions.run_job(str(job.pk))
    job.refresh_from_db()
    plan = PlanVersion.objects.get(pk=job.result_id).plan
    assert any(e.reason.startswith("beholdt: ") for e in plan.visits)
