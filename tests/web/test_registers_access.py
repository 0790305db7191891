"""Who may open which register page: every page against every role."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from beredt.web.care.models import Caregiver, CareTask, Client, Relative
from tests.web.conftest import World

READ = [
    "unit-list",
    "unit-detail",
    "availability",
    "client-list",
    "client-detail",
    "task-list",
    "task-detail",
    "caregiver-list",
    "caregiver-detail",
    "policy-edit",
]
EDIT = [
    "unit-edit",
    "client-edit",
    "task-edit",
    "task-create",
    "relative-create",
    "relative-edit",
    "relative-delete",
    "caregiver-edit",
]
CREATE = ["client-create", "caregiver-create"]
LISTS = {"unit-list", "client-list", "task-list", "caregiver-list"}
POSTS = ["client-infection", "client-deactivate", "client-reactivate"]


def url(name: str, world: World) -> str:
    """The page ``name`` for an object of unit A."""
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    assert client is not None
    task = CareTask.objects.filter(client=client).first()
    assert task is not None
    relative = Relative.objects.filter(client=client).first() or Relative.objects.create(
        client=client, name="Kari Nordmann", relation="datter"
    )
    caregiver = Caregiver.objects.filter(home_unit=world.unit_a).order_by("code").first()
    assert caregiver is not None
    kwargs: dict[str, object] = {}
    if name in {"unit-detail", "unit-edit"}:
        kwargs = {"code": world.unit_a.code}
    elif name == "availability":
        kwargs = {"unit": world.unit_a.code}
    elif (name.startswith("client-") and name not in {"client-list", "client-create"}) or name in {
        "task-create",
        "relative-create",
    }:
        kwargs = {"code": client.code}
    elif name in {"task-detail", "task-edit"}:
        kwargs = {"code": task.code}
    elif name in {"relative-edit", "relative-delete"}:
        kwargs = {"pk": relative.pk}
    elif name in {"caregiver-detail", "caregiver-edit"}:
        kwargs = {"code": caregiver.code}
    elif name == "policy-edit":
        kwargs = {"municipality": world.unit_a.municipality.code}
    return reverse(name, kwargs=kwargs)


def expected(role: str, name: str) -> int:
    if role in {"planner_a", "manager_a"}:
        return 200
    if role == "crisis":
        return 200 if name in READ else 403
    if role == "planner_b":  # same municipality, other unit
        if name in LISTS or name in CREATE or name == "policy-edit":
            return 200
        return 404
    # administrator, survey coordinator, caregiver: no client data at all
    if name in LISTS or name in CREATE:
        return 403
    return 404


ROLES = ["planner_a", "manager_a", "planner_b", "crisis", "admin", "coordinator", "caregiver"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_rights_say(world: World, role: str) -> None:
    http = HttpClient()
    http.force_login(getattr(world, role))
    for name in READ + EDIT + CREATE:
        response = http.get(url(name, world))
        assert response.status_code == expected(role, name), (role, name)


def test_anonymous_is_sent_to_the_login_page(world: World) -> None:
    http = HttpClient()
    for name in READ + EDIT + CREATE + POSTS:
        target = url(name, world)
        response = http.post(target) if name in POSTS else http.get(target)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize(
    ("role", "status"),
    [("planner_b", 404), ("crisis", 403), ("admin", 404), ("coordinator", 404)],
)
def test_changes_by_users_without_the_right_are_refused(
    world: World, role: str, status: int
) -> None:
    http = HttpClient()
    http.force_login(getattr(world, role))
    client = Client.objects.filter(unit=world.unit_a).order_by("code").first()
    assert client is not None
    for name in [*POSTS, "client-edit", "relative-create"]:
        response = http.post(url(name, world), {"name": "X", "since": "2026-11-23"})
        assert response.status_code == status, name
    client.refresh_from_db()
    assert client.active
    assert client.name != "X"
    availability = http.post(url("availability", world), {})
    assert availability.status_code == (403 if role == "crisis" else 404)


def test_lists_show_only_the_users_units(world: World) -> None:
    http = HttpClient()
    http.force_login(world.planner_b)
    own = Client.objects.filter(unit=world.unit_b).first()
    other = Client.objects.filter(unit=world.unit_a).first()
    assert own is not None and other is not None
    page = http.get(reverse("client-list")).content.decode()
    assert own.name in page
    assert other.name not in page
    caregivers = http.get(reverse("caregiver-list")).content.decode()
    theirs = Caregiver.objects.filter(home_unit=world.unit_a).first()
    assert theirs is not None and theirs.code not in caregivers
    tasks = http.get(reverse("task-list")).content.decode()
    assert f"/tasks/{CareTask.objects.filter(client=other).first().code}/" not in tasks  # type: ignore[union-attr]


def test_crisis_team_reads_every_unit_of_the_municipality(world: World) -> None:
    http = HttpClient()
    http.force_login(world.crisis)
    page = http.get(reverse("client-list")).content.decode()
    for unit in (world.unit_a, world.unit_b):
        client = Client.objects.filter(unit=unit).first()
        assert client is not None and client.name in page
    detail = http.get(reverse("client-detail", kwargs={"code": client.code})).content.decode()
    assert reverse("client-edit", kwargs={"code": client.code}) not in detail
