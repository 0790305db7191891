"""Logins, lockout, the start page per role, and user administration."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from beredt.web.accounts.models import Role, User
from beredt.web.audit.models import AuditEntry
from tests.web.conftest import PASSWORD, World


def login(client: Client, username: str, password: str) -> object:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_pages_need_a_login(world: World, client: Client) -> None:
    for url in (
        reverse("home"),
        reverse("user-list"),
        reverse("audit-log"),
        reverse("client-list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_login_is_audited_and_lands_on_the_unit(world: World, client: Client) -> None:
    response = login(client, "planner_a", PASSWORD)
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="login").get()
    assert entry.username == "planner_a"
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("today", kwargs={"unit": world.unit_a.code})


def test_repeated_failed_logins_lock_the_account(world: World, client: Client) -> None:
    for _ in range(5):
        login(client, "planner_a", "wrong-password-123")
    assert AuditEntry.objects.filter(action="login_failed").count() >= 5
    locked = login(client, "planner_a", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_administrator_lifts_a_lock(world: World, client: Client) -> None:
    for _ in range(5):
        login(client, "planner_a", "wrong-password-123")
    admin = Client()
    admin.force_login(world.admin)
    user = User.objects.get(username="planner_a")
    admin.post(reverse("user-edit", kwargs={"pk": user.pk}), {"unlock": "1"})
    assert login(client, "planner_a", PASSWORD).status_code == 302


@pytest.mark.parametrize("who", ["planner_a", "manager_a", "crisis", "caregiver", "coordinator"])
def test_only_administrators_manage_users(world: World, client: Client, who: str) -> None:
    client.force_login(getattr(world, who))
    assert client.get(reverse("user-list")).status_code == 403
    assert client.get(reverse("user-create")).status_code == 403
    assert client.post(reverse("user-create"), {"username": "x"}).status_code == 403


def test_administrator_creates_a_user_with_a_strong_password(world: World, client: Client) -> None:
    client.force_login(world.admin)
    form = {
        "username": "ny-planlegger",
        "first_name": "Ny",
        "role": Role.PLANNER.value,
        "unit": world.unit_b.pk,
        "is_active": "on",
        "password": "short",
    }
    weak = client.post(reverse("user-create"), form)
    assert weak.status_code == 200
    assert not User.objects.filter(username="ny-planlegger").exists()
    assert "password" in weak.context["form"].errors
    form["password"] = "a-long-and-uncommon-passphrase-7"
    assert client.post(reverse("user-create"), form).status_code == 302
    user = User.objects.get(username="ny-planlegger")
    assert user.check_password("a-long-and-uncommon-passphrase-7")
    assert user.municipality == world.unit_b.municipality
    entry = AuditEntry.objects.get(action="create", object_type="user")
    assert entry.object_id == "ny-planlegger"
    assert "password" not in str(entry.detail)


def test_a_unit_role_needs_a_unit(world: World, client: Client) -> None:
    client.force_login(world.admin)
    response = client.post(
        reverse("user-create"),
        {
            "username": "uten-enhet",
            "role": Role.UNIT_MANAGER.value,
            "password": "a-long-and-uncommon-passphrase-7",
        },
    )
    assert "unit" in response.context["form"].errors


def test_start_page_per_role(world: World, client: Client) -> None:
    client.force_login(world.crisis)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert world.unit_a.name in page.content.decode()
    assert world.unit_b.name in page.content.decode()
    client.force_login(world.caregiver)
    assert client.get(reverse("home"))["Location"] == reverse("my-route")
    client.force_login(world.admin)
    assert client.get(reverse("home"))["Location"] == reverse("audit-log")
    client.force_login(world.coordinator)
    page = client.get(reverse("home"))
    assert world.unit_a.name not in page.content.decode()


def test_language_switch_changes_the_page_language(world: World, client: Client) -> None:
    client.force_login(world.crisis)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert 'lang="sv"' in client.get(reverse("home")).content.decode()
