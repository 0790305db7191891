"""The class-1 check after a plan: is the class-1 care a plan leaves out the day's
shortfall or the plan's? A job runs the bounds after planning and the plan page says."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from beredt.domain.policy import Decision
from beredt.web.accounts.models import Role, User
from beredt.web.audit.models import AuditEntry
from beredt.web.care.models import Unit
from beredt.web.care.scenario import load_scenario
from beredt.web.plans import actions, presenters, views
from beredt.web.plans.models import JobKind, JobStatus, PlanJob, PlanVersion
from tests.test_capacity import MONDAY
from tests.test_routebound import as_replan, far_apart
from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, make_user
from tests.web.test_plans import as_user
from tests.web.test_plans_browser import shot


def far_unit(caregivers: int) -> tuple[Unit, User]:
    """Two medications at 10:00-10:15 some 40 minutes apart, and that many nurses."""
    (unit,) = load_scenario(far_apart(caregivers))
    return unit, make_user("planner_u", Role.PLANNER, unit=unit)


def planned(unit: Unit, planner: User) -> PlanVersion:
    job = actions.start_plan_job(unit, MONDAY, planner)
    actions.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return PlanVersion.objects.get(pk=job.result_id)


def checked_day(check: PlanJob, version: PlanVersion) -> dict[str, object]:
    """Run the check job (it must succeed, on ``version``) and return the one day's
    verdict it stored in the version."""
    actions.run_job(str(check.pk))
    check.refresh_from_db()
    assert check.status == JobStatus.SUCCEEDED and check.result_id == version.pk, check.error
    version.refresh_from_db()
    (day,) = version.class1_check["days"]
    return dict(day)


def page_text(planner: User, version: PlanVersion) -> str:
    response = as_user(planner).get(reverse("plan-version", kwargs={"pk": version.pk}))
    assert response.status_code == 200
    return response.content.decode()


@override_settings(BEREDT_CHECK_SECONDS=10)
def test_a_plan_short_of_class1_care_is_checked_after_planning(db: None) -> None:
    unit, planner = far_unit(caregivers=1)
    version = planned(unit, planner)
    assert version.kpis["class1_coverage"] == 0.5  # one nurse keeps one of the two
    check = PlanJob.objects.get(kind=JobKind.CHECK)
    assert check.status == JobStatus.QUEUED and check.params["version"] == version.pk
    # A page drawn for the plan's job after it ended follows the check instead.
    plan_job = PlanJob.objects.get(kind=JobKind.PLAN)
    today = reverse("today", kwargs={"unit": unit.code})
    response = as_user(planner).get(f"{today}?date={MONDAY.isoformat()}&job={plan_job.pk}")
    assert response.context["job"] == check
    text = page_text(planner, version)
    assert "Class-1 check" in text and "running; the result appears here." in text
    assert "Check whether any plan could keep it" not in text  # one check at a time

    day = checked_day(check, version)
    assert day["day"] == MONDAY.isoformat() and day["missed_visits"] == 1
    # The flow bound allows both; whole routes through the windows keep only one.
    assert day["verdict"] == "routes" and day["missing_minutes"] == 10
    text = page_text(planner, version)
    assert "Proven: no plan can keep all class-1 care." in text
    assert "fall at least 10 minutes short" in text
    assert "Check whether any plan could keep it" not in text  # nothing left to check
    assert AuditEntry.objects.filter(summary=f"class-1 check of plan v{version.number}").exists()
    # The job is not queued again for a version already checked.
    assert not actions.needs_class1_check(version)


@override_settings(BEREDT_CHECK_SECONDS=10)
def test_a_replan_short_of_class1_care_is_checked_too(db: None) -> None:
    unit, planner = far_unit(caregivers=2)
    version = planned(unit, planner)
    assert version.kpis["class1_coverage"] == 1.0
    event = {"type": "caregiver_ill", "caregiver": "h1", "from": "09:00"}
    replan = actions.queue_replan(version, [event], planner)
    actions.run_job(str(replan.pk))
    replan.refresh_from_db()
    assert replan.status == JobStatus.SUCCEEDED, replan.error
    new = PlanVersion.objects.get(pk=replan.result_id)
    assert new.kpis["class1_coverage"] == 0.5  # one nurse left
    check = PlanJob.objects.get(kind=JobKind.CHECK)
    assert check.params["version"] == new.pk
    day = checked_day(check, new)  # succeeds: the re-plan's own scenario
    assert day["verdict"] == "routes" and day["missing_minutes"] == 10


@override_settings(BEREDT_CHECK_SECONDS=10)
def test_the_check_is_queued_before_the_plans_job_is_done(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page that sees the plan's job done must also see the check queued, or it
    would draw the plan without following the check (and wait for its verdict forever):
    the check is created before, in one transaction with, the end of the plan's job."""
    unit, planner = far_unit(caregivers=1)
    seen: list[str] = []
    queue = actions.queue_class1_check

    def spy(version: PlanVersion, user: User, **kwargs: bool) -> PlanJob | None:
        seen.append(PlanJob.objects.get(kind=JobKind.PLAN).status)
        return queue(version, user, **kwargs)

    monkeypatch.setattr(actions, "queue_class1_check", spy)
    planned(unit, planner)
    assert seen == [JobStatus.RUNNING]
    assert PlanJob.objects.get(kind=JobKind.CHECK).status == JobStatus.QUEUED


@override_settings(BEREDT_CHECK_SECONDS=10)
def test_a_check_ending_while_the_page_is_drawn_shows_its_verdict(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check ends after the page loaded the version and before it looked for jobs
    to follow: the page must still show the verdict (it read the version too early and
    showed neither, waiting forever)."""
    unit, planner = far_unit(caregivers=1)
    version = planned(unit, planner)
    check = PlanJob.objects.get(kind=JobKind.CHECK)
    find_job = views._job

    def check_ends_now(*args: object) -> PlanJob | None:
        actions.run_job(str(check.pk))
        return find_job(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "_job", check_ends_now)
    text = page_text(planner, version)
    assert "Proven: no plan can keep all class-1 care." in text


@override_settings(BEREDT_CHECK_SECONDS=10)
def test_a_plan_keeping_all_class1_care_needs_no_check(db: None) -> None:
    unit, planner = far_unit(caregivers=2)
    version = planned(unit, planner)
    assert version.kpis["class1_coverage"] == 1.0
    assert not PlanJob.objects.filter(kind=JobKind.CHECK).exists()
    assert "Class-1 check" not in page_text(planner, version)


def with_one_cancelled(version: PlanVersion, *, replan: bool = False) -> PlanVersion:
    """The version with medication ``a`` cancelled, as a plan made in too little time
    might leave it (and, with ``replan``, marked as a re-plan)."""
    plan = version.plan
    dropped = next(e for e in plan.visits if e.visit.startswith("a@"))
    entries = [
        e.model_copy(
            update={"decision": Decision.CANCELLED, "start": None, "end": None, "caregivers": []}
        )
        if e is dropped
        else e
        for e in plan.visits
    ]
    changed = plan.model_copy(update={"visits": entries})
    version.plan_json = (as_replan(changed) if replan else changed).model_dump(
        mode="json", by_alias=True
    )
    version.save()
    return PlanVersion.objects.get(pk=version.pk)


def test_a_shortfall_the_plan_could_have_avoided_is_called_the_plans(db: None) -> None:
    # Two nurses can keep both medications; this version cancels one of them. The
    # check finds routes that keep both, so the shortfall is the plan's.
    unit, planner = far_unit(caregivers=2)
    version = with_one_cancelled(planned(unit, planner))
    assert actions.needs_class1_check(version)
    url = reverse("plan-check", kwargs={"pk": version.pk})
    assert as_user(planner).post(url).status_code == 302
    day = checked_day(PlanJob.objects.get(kind=JobKind.CHECK), version)
    assert day["verdict"] == "possible" and day["missing_minutes"] == 0
    text = page_text(planner, version)
    assert "Found: routes that keep every class-1 visit of the day exist" in text
    assert 'class="class1-possible"' in text
    assert "Check whether any plan could keep it" not in text  # settled: nothing to add
    # One press plans the day again from the routes the check found: all class-1 kept.
    assert "Plan again from the routes the check found" in text
    again = as_user(planner).post(reverse("plan-from-check", kwargs={"pk": version.pk}))
    job = PlanJob.objects.filter(kind=JobKind.PLAN).latest("created_at")
    assert again.status_code == 302 and f"job={job.pk}" in again["Location"]
    assert job.params["class1_routes_from"] == version.pk
    actions.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result is not None and job.result.kpis["class1_coverage"] == 1.0
    # Only the unit's editors may, and only from a check that found routes.
    coordinator = make_user("coordinator_r", Role.SURVEY_COORDINATOR)
    url = reverse("plan-from-check", kwargs={"pk": version.pk})
    assert as_user(coordinator).post(url).status_code == 403
    refused = as_user(planner).post(
        reverse("plan-from-check", kwargs={"pk": job.result.pk}), follow=True
    )
    assert "found no routes to start from" in refused.content.decode()


def test_an_unproven_shortfall_is_offered_a_longer_check(db: None) -> None:
    # The same cancelled medication in a re-plan: what was done before the re-plan
    # stays, so no search from scratch can show it keepable, and the bounds cannot
    # prove it short.
    unit, planner = far_unit(caregivers=2)
    version = with_one_cancelled(planned(unit, planner), replan=True)
    assert actions.needs_class1_check(version)
    text = page_text(planner, version)
    assert "Is that the day's shortfall or the plan's?" in text
    assert "Check whether any plan could keep it (60 s per day)" in text

    client = as_user(planner)
    url = reverse("plan-check", kwargs={"pk": version.pk})
    with override_settings(BEREDT_CHECK_SECONDS=5):
        response = client.post(url)
    assert response.status_code == 302
    job = PlanJob.objects.get(kind=JobKind.CHECK)
    assert job.params["seconds"] == 60  # by hand: at least a minute a day
    day = checked_day(job, version)
    assert day["verdict"] == "open" and day["missing_minutes"] == 0
    text = page_text(planner, version)
    assert "Not proven in 60 s: a plan might keep the class-1 visit this one leaves out." in text
    # An unproven check may be run again, four times as long.
    assert "Check whether any plan could keep it (240 s per day)" in text
    client.post(url)
    assert PlanJob.objects.filter(kind=JobKind.CHECK).latest("created_at").params["seconds"] == 240


def test_only_the_units_editors_start_a_check(db: None) -> None:
    unit, planner = far_unit(caregivers=1)
    version = planned(unit, planner)
    url = reverse("plan-check", kwargs={"pk": version.pk})
    coordinator = make_user("coordinator_u", Role.SURVEY_COORDINATOR)
    assert as_user(coordinator).post(url).status_code == 403
    assert as_user(None).post(url).status_code == 302  # to the login page
    assert not PlanJob.objects.filter(kind=JobKind.CHECK).exists()
    assert as_user(planner).post(url).status_code == 302
    assert PlanJob.objects.filter(kind=JobKind.CHECK).count() == 1
    # Pressed twice: one check at a time.
    response = as_user(planner).post(url, follow=True)
    assert "A check of this plan is already running." in response.content.decode()
    assert PlanJob.objects.filter(kind=JobKind.CHECK).count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_plan_page_follows_the_check_to_its_verdict(live_server: object, page: object) -> None:
    unit, _ = far_unit(caregivers=1)
    url = live_server.url  # type: ignore[attr-defined]
    log_in(page, url, "planner_u", PASSWORD)
    page.wait_for_selector(".who")  # type: ignore[attr-defined]
    with override_settings(BEREDT_JOBS="thread", BEREDT_CHECK_SECONDS=10):
        page.goto(f"{url}/units/{unit.code}/today/?date={MONDAY.isoformat()}")  # type: ignore[attr-defined]
        page.click("button.plan-big")  # type: ignore[attr-defined]
        # The plan, then the check that follows it; the page shows the verdict. On a
        # time-out, say where the jobs stood.
        try:
            page.wait_for_url("**/plans/*/", timeout=60_000)  # type: ignore[attr-defined]
            page.wait_for_selector(".class1-routes", timeout=60_000)  # type: ignore[attr-defined]
        except PlaywrightTimeout:
            jobs = list(PlanJob.objects.values_list("kind", "status", "message", "error"))
            checks = list(PlanVersion.objects.values_list("class1_check", flat=True))
            cards = page.locator(".plan-job, #class1-check").all_inner_texts()  # type: ignore[attr-defined]
            raise AssertionError(
                f"page at {page.url}; jobs: {jobs}; checks: {checks}; cards: {cards}"  # type: ignore[attr-defined]
            ) from None
    shot(page, "class1-check")
    text = page.locator("#class1-check").inner_text()  # type: ignore[attr-defined]
    # The browser asks for Norwegian, the production default.
    assert "Bevist: ingen plan kan holde all livsviktig omsorg (klasse 1)." in text
    assert "mangler minst 10 minutter" in text
    assert PlanJob.objects.filter(kind=JobKind.CHECK, status=JobStatus.SUCCEEDED).count() == 1


def test_the_page_words_each_verdict() -> None:
    def row(verdict: str, minutes: int = 0, peak: list[int] | None = None) -> dict[str, object]:
        return {
            "day": "2024-03-04",
            "missed_visits": 2,
            "missing_minutes": minutes,
            "verdict": verdict,
            "peak": peak,
            "seconds": 1.0,
        }

    check = {
        "seconds": 60.0,
        "days": [
            row("capacity", 1),
            row("routes", 12, [1020, 1440]),
            row("possible"),
            row("open"),
        ],
    }
    capacity, routes, possible, unproven = presenters.class1_check_lines(check)
    assert capacity.verdict == "capacity" and "lack at least 1 minute" in capacity.text
    assert "visits opening 17:00–24:00 fall at least 12 minutes" in routes.text
    assert possible.verdict == "possible"
    assert "a plan can keep the 2 class-1 visits this one leaves out" in possible.text
    assert unproven.verdict == "open"
    assert "Not proven in 60 s: a plan might keep the 2 class-1 visits" in unproven.text
