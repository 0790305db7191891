"""Planning jobs on each backend: the Redis queue with a worker (production) and the
in-process thread (embedded default). Both use the real services of this machine."""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import override_settings

from beredt.web.plans.actions import start_plan_job
from beredt.web.plans.jobs import INTERRUPTED, fail_interrupted
from beredt.web.plans.models import JobStatus, PlanJob, PlanVersion
from tests.web.conftest import World


@pytest.fixture
def redis_queue_name() -> str:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    from beredt.web.settings import REDIS_URL

    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisDown as error:  # CI starts Redis (.ci/run); say so instead of skipping
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error}); start it: make services")
    return f"beredt-test-{uuid.uuid4().hex[:8]}"


def test_rq_worker_runs_a_queued_plan(
    world: World, transactional_db: None, redis_queue_name: str
) -> None:
    from rq import SimpleWorker

    from beredt.web.plans.jobs import queue

    with override_settings(BEREDT_JOBS="rq", BEREDT_RQ_QUEUE=redis_queue_name):
        job = start_plan_job(world.unit_a, world.day, world.planner_a, seconds=0.5)
        q = queue()
        try:
            assert q.count == 1
            assert PlanJob.objects.get(pk=job.pk).status == JobStatus.QUEUED
            SimpleWorker([q], connection=q.connection).work(burst=True)
        finally:
            q.empty()
            q.delete(delete_jobs=True)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 1.0
    version = PlanVersion.objects.get(pk=job.result_id)
    assert version.kpis["visits_total"] > 0
    assert version.violations == []


def test_thread_backend_plans_in_the_background(world: World, transactional_db: None) -> None:
    with override_settings(BEREDT_JOBS="thread"):
        job = start_plan_job(world.unit_b, world.day, world.planner_b, seconds=0.5)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.2)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result is not None
    assert job.result.unit == world.unit_b


def test_a_failing_plan_is_reported_not_hidden(world: World, transactional_db: None) -> None:
    world.unit_b.caregivers.update(active=False)
    with override_settings(BEREDT_JOBS="sync"):
        job = start_plan_job(world.unit_b, world.day, world.planner_b, seconds=0.5)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no active caregivers" in job.error


def test_jobs_a_stopped_server_left_running_are_marked_failed(world: World) -> None:
    """The thread backend runs jobs inside the web server: a job still queued or
    running when the server starts again was cut off, and says so."""
    running = PlanJob.objects.create(unit=world.unit_a, date=world.day, status=JobStatus.RUNNING)
    queued = PlanJob.objects.create(unit=world.unit_a, date=world.day, status=JobStatus.QUEUED)
    done = PlanJob.objects.create(unit=world.unit_a, date=world.day, status=JobStatus.SUCCEEDED)
    with override_settings(BEREDT_JOBS="rq"):
        assert fail_interrupted() == 0  # a worker may still run them
    with override_settings(BEREDT_JOBS="thread"):
        assert fail_interrupted() == 2
    for job in (running, queued, done):
        job.refresh_from_db()
    assert running.status == queued.status == JobStatus.FAILED
    assert running.error == INTERRUPTED and running.finished_at is not None
    assert done.status == JobStatus.SUCCEEDED
