"""Where planning jobs run.

- ``thread`` (embedded default): a daemon thread in the web process, started when the
  request's transaction commits; the page polls the job row.
- ``rq`` (production): the job id is queued on Redis (``REDIS_URL``); ``beredt worker``
  processes run it.
- ``sync`` (tests): run inside the request.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from beredt.web.plans.models import PlanJob

log = logging.getLogger(__name__)


def run(job_id: str) -> None:
    """Entry point for every backend (RQ imports this by name)."""
    from beredt.web.plans.actions import run_job

    close_old_connections()
    try:
        run_job(job_id)
    finally:
        close_old_connections()


def _in_thread(job_id: str) -> None:
    try:
        run(job_id)
    except Exception:  # the job row already says "failed"; log the trace for developers
        log.exception("planning job %s failed", job_id)
    finally:
        connection.close()


def queue():  # type: ignore[no-untyped-def]
    from redis import Redis
    from rq import Queue

    return Queue(settings.BEREDT_RQ_QUEUE, connection=Redis.from_url(settings.REDIS_URL))


INTERRUPTED = "interrupted: the web server stopped while the job ran; start it again"


def fail_interrupted() -> int:
    """With the ``thread`` backend a job runs inside the web process and ends with it: at
    start-up every job still queued or running is one a stopped server left behind.
    Marks them failed (the page then says so instead of waiting forever); returns how
    many. Other backends keep their jobs (a worker may still run them)."""
    if settings.BEREDT_JOBS != "thread":
        return 0
    from django.utils import timezone

    from beredt.web.plans.models import JobStatus

    return PlanJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, message="failed", error=INTERRUPTED, finished_at=timezone.now()
    )


def submit(job: PlanJob) -> None:
    job_id = str(job.pk)
    backend = settings.BEREDT_JOBS
    if backend == "sync":
        transaction.on_commit(lambda: run(job_id))
    elif backend == "rq":
        transaction.on_commit(
            lambda: queue().enqueue("beredt.web.plans.jobs.run", job_id, job_timeout=3600)
        )
    else:
        transaction.on_commit(
            lambda: threading.Thread(
                target=_in_thread, args=(job_id,), name=f"plan-{job_id}", daemon=True
            ).start()
        )
