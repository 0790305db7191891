"""The planner's crisis day in the browser: the today page, planning jobs, versions,
publishing, pins, moves, re-plans and who may do what."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from beredt.domain.policy import Decision
from beredt.web.accounts.models import User
from beredt.web.audit.models import AuditAction, AuditEntry
from beredt.web.care.models import Availability, Caregiver, InfectionPeriod
from beredt.web.care.models import Client as ClientRow
from beredt.web.plans import actions
from beredt.web.plans.models import JobKind, JobStatus, PlanJob, PlanStatus, PlanVersion
from tests.web.conftest import World


def run_queued() -> list[PlanJob]:
    """Run the jobs the requests queued. Tests run inside a transaction that never
    commits, so the sync backend's on-commit hook does not fire by itself."""
    jobs = list(PlanJob.objects.filter(status=JobStatus.QUEUED).order_by("created_at"))
    for job in jobs:
        actions.run_job(str(job.pk))
        job.refresh_from_db()
    return jobs


def make_version(world: World, day: dt.date | None = None) -> PlanVersion:
    job = actions.start_plan_job(world.unit_a, day or world.day, world.planner_a)
    actions.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return PlanVersion.objects.get(pk=job.result_id)


def as_user(user: User | None) -> HttpClient:
    client = HttpClient()
    if user is not None:
        client.force_login(user)
    return client


def page_messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def version(world: World) -> PlanVersion:
    return make_version(world)


# ------------------------------------------------------------------ permissions


def _get_urls(world: World, version: PlanVersion, job: PlanJob) -> list[str]:
    unit = world.unit_a.code
    return [
        reverse("today", kwargs={"unit": unit}),
        reverse("plan-version", kwargs={"pk": version.pk}),
        reverse("job-status", kwargs={"job": job.pk}),
        reverse("plan-routes-pdf", kwargs={"pk": version.pk}),
    ]


def _post_urls(world: World, version: PlanVersion) -> list[tuple[str, dict[str, str]]]:
    unit = world.unit_a.code
    kept = next(e for e in version.plan.visits if e.decision is Decision.KEPT)
    day = world.day.isoformat()
    code = version.plan.routes[0].caregiver
    return [
        (reverse("plan-start", kwargs={"unit": unit}), {"date": day}),
        (
            reverse("today-availability", kwargs={"unit": unit}),
            {"caregiver": code, "date": day, "status": "sick"},
        ),
        (
            reverse("today-isolation", kwargs={"unit": unit}),
            {"client": kept.client, "date": day, "isolated": "on"},
        ),
        (reverse("plan-publish", kwargs={"pk": version.pk}), {}),
        (reverse("plan-pin", kwargs={"pk": version.pk}), {"visit": kept.visit}),
        (
            reverse("plan-keep", kwargs={"pk": version.pk}),
            {"visit": kept.visit, "caregiver": code},
        ),
        (
            reverse("plan-move", kwargs={"pk": version.pk}),
            {"visit": kept.visit, "caregiver": code},
        ),
        (
            reverse("plan-replan", kwargs={"pk": version.pk}),
            {"type": "caregiver_ill", "caregiver": code, "at": "10:30"},
        ),
        (reverse("plan-check", kwargs={"pk": version.pk}), {}),
    ]


def test_anonymous_is_sent_to_login_everywhere(world: World, version: PlanVersion) -> None:
    job = PlanJob.objects.get()
    client = as_user(None)
    for url in [*_get_urls(world, version, job), reverse("my-route")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    for url, data in _post_urls(world, version):
        response = client.post(url, data)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


@pytest.mark.parametrize("who", ["planner_a", "manager_a", "crisis"])
def test_unit_staff_and_crisis_team_may_read(world: World, version: PlanVersion, who: str) -> None:
    job = PlanJob.objects.get()
    client = as_user(getattr(world, who))
    for url in _get_urls(world, version, job):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["planner_b", "caregiver", "coordinator", "admin"])
def test_others_may_not_read_the_units_plans(world: World, version: PlanVersion, who: str) -> None:
    job = PlanJob.objects.get()
    client = as_user(getattr(world, who))
    for url in _get_urls(world, version, job):
        assert client.get(url).status_code == 403, url


def test_unknown_unit_is_404(world: World) -> None:
    response = as_user(world.planner_a).get(reverse("today", kwargs={"unit": "no-such-unit"}))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["crisis", "planner_b", "caregiver", "coordinator", "admin"])
def test_only_the_units_planners_may_change_anything(
    world: World, version: PlanVersion, who: str
) -> None:
    client = as_user(getattr(world, who))
    for url, data in _post_urls(world, version):
        assert client.post(url, data).status_code == 403, url
    assert PlanJob.objects.count() == 1  # only the fixture's
    assert not Availability.objects.filter(status="sick", recorded_by__isnull=False).exists()
    version.refresh_from_db()
    assert version.status == PlanStatus.DRAFT


def test_only_caregivers_have_my_route(world: World) -> None:
    for who in ["planner_a", "crisis", "coordinator", "admin"]:
        assert as_user(getattr(world, who)).get(reverse("my-route")).status_code == 403, who


# ------------------------------------------------------------------ planning


def test_the_planner_may_choose_a_longer_search(world: World) -> None:
    client = as_user(world.planner_a)
    url = reverse("plan-start", kwargs={"unit": world.unit_a.code})
    page = client.get(reverse("today", kwargs={"unit": world.unit_a.code})).content.decode()
    assert "Search time per day" in page and ">2 min<" in page
    client.post(url, {"date": "2026-11-23", "seconds": "120"})
    assert PlanJob.objects.get().params["seconds"] == 120.0
    response = client.post(url, {"date": "2026-11-23", "seconds": "9999"}, follow=True)
    assert any("seconds" in m for m in page_messages(response))
    assert PlanJob.objects.count() == 1  # an unoffered search time queues nothing
    client.post(url, {"date": "2026-11-23"})
    assert PlanJob.objects.latest("created_at").params["seconds"] == 1.0  # the usual


def test_make_plan_queues_a_job_and_returns_at_once(world: World) -> None:
    client = as_user(world.planner_a)
    response = client.post(
        reverse("plan-start", kwargs={"unit": world.unit_a.code}), {"date": "2026-11-23"}
    )
    assert response.status_code == 302
    job = PlanJob.objects.get()
    assert job.kind == JobKind.PLAN and job.status == JobStatus.QUEUED
    assert f"job={job.pk}" in response["Location"]
    page = client.get(response["Location"])
    assert 'id="plan-job"' in page.content.decode()
    status = client.get(reverse("job-status", kwargs={"job": job.pk})).json()
    assert status["status"] == "queued" and status["progress"] == 0 and not status["finished"]

    run_queued()
    status = client.get(reverse("job-status", kwargs={"job": job.pk})).json()
    assert status["status"] == "succeeded" and status["progress"] == 1.0 and status["finished"]
    version = PlanVersion.objects.get()
    assert status["version"] == version.number == 1
    assert status["version_url"] == reverse("plan-version", kwargs={"pk": version.pk})
    assert version.status == PlanStatus.DRAFT
    assert version.kpis["visits_total"] > 0
    assert 0 <= version.kpis["class1_coverage"] <= 1


def test_the_day_page_shows_the_plan(world: World, version: PlanVersion) -> None:
    client = as_user(world.planner_a)
    response = client.get(
        reverse("today", kwargs={"unit": world.unit_a.code}), {"date": "2026-11-23"}
    )
    html = response.content.decode()
    assert "Make contingency plan" in html
    assert "Life-critical (class 1) coverage" in html
    assert "Care share of paid time" in html
    assert 'id="plan-map"' in html and "leaflet/leaflet.js" in html
    assert "plan-tl-row" in html  # the timeline
    assert response.context["version"] == version
    data = json.loads(
        html.split('id="plan-map-data" type="application/json">')[1].split("</script>")[0]
    )
    assert len(data["routes"]) == len(version.plan.routes)
    assert {r["colour"] for r in data["routes"]}.__len__() == len(data["routes"])
    kept = [e for e in version.plan.visits if e.decision is Decision.KEPT]
    rows = response.context["rows"]
    assert len(rows) == len(version.plan.visits)
    assert sum(r.kept for r in rows) == len(kept)
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="plan", username="planner_a"
    ).exists()


def test_the_decisions_filter_by_decision_and_class(world: World, version: PlanVersion) -> None:
    url = reverse("plan-version", kwargs={"pk": version.pk})
    client = as_user(world.planner_a)
    rows = client.get(url, {"decision": "KEPT"}).context["rows"]
    assert rows and all(r.decision == "KEPT" for r in rows)
    rows = client.get(url, {"class": "1"}).context["rows"]
    assert rows and all(r.priority_class == 1 for r in rows)


def test_crisis_team_sees_no_planner_controls(world: World, version: PlanVersion) -> None:
    html = as_user(world.crisis).get(reverse("plan-version", kwargs={"pk": version.pk}))
    text = html.content.decode()
    assert "Make contingency plan" not in text
    assert reverse("plan-publish", kwargs={"pk": version.pk}) not in text
    assert reverse("plan-pin", kwargs={"pk": version.pk}) not in text


def test_quick_edits_change_availability_and_isolation(world: World) -> None:
    client = as_user(world.planner_a)
    caregiver = Caregiver.objects.filter(home_unit=world.unit_a).order_by("code").first()
    assert caregiver is not None
    client.post(
        reverse("today-availability", kwargs={"unit": world.unit_a.code}),
        {"caregiver": caregiver.code, "date": "2026-11-23", "status": "sick"},
    )
    assert Availability.objects.get(caregiver=caregiver, date=world.day).status == "sick"
    patient = ClientRow.objects.filter(unit=world.unit_a).order_by("code").first()
    assert patient is not None
    url = reverse("today-isolation", kwargs={"unit": world.unit_a.code})
    client.post(url, {"client": patient.code, "date": "2026-11-24", "isolated": "on"})
    patient.refresh_from_db()
    assert patient.infection_status_on(dt.date(2026, 11, 24)) == "isolated"
    client.post(url, {"client": patient.code, "date": "2026-11-26"})
    assert patient.infection_status_on(dt.date(2026, 11, 26)) is None
    assert InfectionPeriod.objects.filter(client=patient, status="isolated").exists()
    # Another unit's caregiver cannot be changed through this unit.
    other = Caregiver.objects.filter(home_unit=world.unit_b).first()
    assert other is not None
    response = client.post(
        reverse("today-availability", kwargs={"unit": world.unit_a.code}),
        {"caregiver": other.code, "date": "2026-11-23", "status": "sick"},
    )
    assert response.status_code == 404


# ------------------------------------------------------------------ publish


def test_publish_supersedes_the_previous_published_version(
    world: World, version: PlanVersion
) -> None:
    client = as_user(world.manager_a)
    client.post(reverse("plan-publish", kwargs={"pk": version.pk}))
    version.refresh_from_db()
    assert version.status == PlanStatus.PUBLISHED and version.published_by == world.manager_a
    second = make_version(world)
    client.post(reverse("plan-publish", kwargs={"pk": second.pk}))
    version.refresh_from_db()
    second.refresh_from_db()
    assert second.status == PlanStatus.PUBLISHED
    assert version.status == PlanStatus.SUPERSEDED
    assert AuditEntry.objects.filter(action=AuditAction.PUBLISH).count() == 2


def test_a_version_that_breaks_rules_is_not_published(world: World, version: PlanVersion) -> None:
    PlanVersion.objects.filter(pk=version.pk).update(
        violations=[{"rule": "travel", "message": "too far"}]
    )
    response = as_user(world.planner_a).post(
        reverse("plan-publish", kwargs={"pk": version.pk}), follow=True
    )
    assert any("cannot be published" in m for m in page_messages(response))
    version.refresh_from_db()
    assert version.status == PlanStatus.DRAFT


# ------------------------------------------------------------------ pins, moves, re-plans


def _refused_move(
    version: PlanVersion, rule: str, *, isolated: bool = False
) -> tuple[str, str] | None:
    """A kept single-caregiver visit and a working caregiver the checker refuses for ``rule``."""
    scenario, day = version.scenario, version.date
    working = [c for c in scenario.caregivers if scenario.shift_on(c, day) is not None]
    isolated_ids = {c.id for c in scenario.isolated_clients(day)}
    for entry in version.plan.visits:
        if entry.decision is not Decision.KEPT or len(entry.caregivers) != 1:
            continue
        if isolated != (entry.client in isolated_ids):
            continue
        for caregiver in working:
            if caregiver.id in entry.caregivers:
                continue
            if rule == "infection_team" and caregiver.infection_team:
                continue
            if rule in {v.rule for v in actions.check_move(version, entry.visit, caregiver.id)}:
                return entry.visit, caregiver.id
    return None


@pytest.mark.parametrize(
    ("rule", "isolated", "says"),
    [
        ("competence", False, "lacks the competence"),
        ("infection_team", True, "is not on the infection team"),
    ],
)
def test_a_move_that_breaks_a_rule_is_refused_and_nothing_queues(
    world: World, version: PlanVersion, rule: str, isolated: bool, says: str
) -> None:
    found = _refused_move(version, rule, isolated=isolated)
    assert found is not None, f"the test world has no move that breaks {rule}"
    visit, caregiver = found
    response = as_user(world.planner_a).post(
        reverse("plan-move", kwargs={"pk": version.pk}),
        {"visit": visit, "caregiver": caregiver},
        follow=True,
    )
    shown = page_messages(response)
    assert any("was refused" in m for m in shown)
    assert any(says in m and visit in m for m in shown)
    assert says in response.content.decode()
    assert PlanJob.objects.count() == 1  # the fixture's plan job only
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE, object_type="plan").exists()


def test_a_valid_move_is_queued_as_a_pinned_replan(world: World, version: PlanVersion) -> None:
    # A nurse with a long day and nothing planned can take over a single-staffed visit at
    # its planned start: added to the version's register, the move must pass the checker.
    spare = {
        "id": "spare-nurse",
        "name": "Reserve Sykepleier",
        "competence": "nurse",
        "home_unit": world.unit_a.code,
        "shift": {"start": "06:00", "end": "23:00"},
    }
    version.scenario_json = {
        **version.scenario_json,
        "caregivers": [*version.scenario_json["caregivers"], spare],
    }
    version.save(update_fields=["scenario_json"])
    version = PlanVersion.objects.get(pk=version.pk)
    isolated = {c.id for c in version.scenario.isolated_clients(version.date)}
    candidates = [
        e.visit
        for e in version.plan.visits
        if e.decision is Decision.KEPT and len(e.caregivers) == 1 and e.client not in isolated
    ]
    assert candidates
    found = next(
        (
            (v, "spare-nurse")
            for v in candidates
            if not actions.check_move(version, v, "spare-nurse")
        ),
        None,
    )
    assert found is not None, actions.check_move(version, candidates[0], "spare-nurse")
    visit, caregiver = found
    response = as_user(world.planner_a).post(
        reverse("plan-move", kwargs={"pk": version.pk}), {"visit": visit, "caregiver": caregiver}
    )
    job = PlanJob.objects.get(kind=JobKind.REPLAN)
    assert f"job={job.pk}" in response["Location"]
    (event,) = job.params["events"]
    assert event["type"] == "pin_visit" and event["caregiver"] == caregiver
    assert event["visit"] == visit
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE, summary__contains=visit).exists()


def test_a_pin_creates_a_new_version_based_on_the_old(world: World, version: PlanVersion) -> None:
    entry = next(e for e in version.plan.visits if e.decision is Decision.KEPT)
    client = as_user(world.planner_a)
    response = client.post(reverse("plan-pin", kwargs={"pk": version.pk}), {"visit": entry.visit})
    assert response.status_code == 302
    (job,) = run_queued()
    assert job.status == JobStatus.SUCCEEDED, job.error
    new = PlanVersion.objects.get(pk=job.result_id)
    assert new.based_on == version and new.number == 2 and new.status == PlanStatus.DRAFT
    assert new.plan.replan is not None
    same = next(e for e in new.plan.visits if e.visit == entry.visit)
    assert same.caregivers == entry.caregivers and same.start == entry.start
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE, object_type="plan").exists()
    page = client.get(reverse("today", kwargs={"unit": world.unit_a.code}), {"date": "2026-11-23"})
    assert [v.number for v in page.context["versions"]] == [2, 1]


def test_keep_a_visit_the_plan_did_not_keep(world: World, version: PlanVersion) -> None:
    entry = next((e for e in version.plan.visits if e.decision is not Decision.KEPT), None)
    if entry is None:
        pytest.skip("the plan keeps every visit")
    caregiver = version.plan.routes[0].caregiver
    as_user(world.planner_a).post(
        reverse("plan-keep", kwargs={"pk": version.pk}),
        {"visit": entry.visit, "caregiver": caregiver},
    )
    job = PlanJob.objects.get(kind=JobKind.REPLAN)
    assert job.params["events"][0] == {
        "type": "pin_visit",
        "visit": entry.visit,
        "date": "2026-11-23",
        "caregiver": caregiver,
    }


def test_replan_after_a_caregiver_falls_ill(world: World, version: PlanVersion) -> None:
    route = max(version.plan.routes, key=lambda r: len(r.stops))
    client = as_user(world.planner_a)
    client.post(
        reverse("plan-replan", kwargs={"pk": version.pk}),
        {"type": "caregiver_ill", "caregiver": route.caregiver, "at": "11:00", "note": "ill"},
    )
    (job,) = run_queued()
    assert job.status == JobStatus.SUCCEEDED, job.error
    new = PlanVersion.objects.get(pk=job.result_id)
    assert new.based_on == version and new.note == "ill"
    late = [
        e
        for e in new.plan.visits
        if e.decision is Decision.KEPT and e.start is not None and e.start >= 11 * 60
    ]
    assert all(route.caregiver not in e.caregivers for e in late)


def test_a_bad_event_is_refused_before_anything_queues(world: World, version: PlanVersion) -> None:
    client = as_user(world.planner_a)
    response = client.post(
        reverse("plan-replan", kwargs={"pk": version.pk}),
        {"type": "caregiver_ill", "at": "11:00"},
        follow=True,
    )
    assert any("required" in m for m in page_messages(response))
    response = client.post(
        reverse("plan-pin", kwargs={"pk": version.pk}), {"visit": "nope@2026-11-23#0"}, follow=True
    )
    assert any("nope" in m for m in page_messages(response))
    assert PlanJob.objects.count() == 1
