"""Login brute force: django-axes locks a username+address pair out after the configured failures."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import need
from tests.deploy_env import PYTHON, ROOT, subprocess_env

PASSWORD = "correct-horse-battery"


@pytest.fixture
def site_login() -> str:
    try:
        get_template("registration/login.html")
    except TemplateDoesNotExist:
        need("registration/login.html is not in this checkout yet (the accounts work adds it)")
    return reverse("login")


@pytest.fixture
def admin_login() -> str:
    return reverse("admin:login")


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user("stella", is_staff=True, is_superuser=True)


def attempt(client: Client, url: str, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_until_locked(client: Client, url: str, username: str, ip: str = "10.0.0.1") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, url, username, "wrong-password", ip)
    assert response.status_code == 429


def test_it_guards_every_login_and_runs_last() -> None:
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert "axes" in settings.INSTALLED_APPS


def test_limit_and_cool_off_come_from_the_environment(tmp_path) -> None:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_VAR_DIR": str(tmp_path),
        "AXES_FAILURE_LIMIT": "2",
        "AXES_COOLOFF_MINUTES": "3",
    }
    result = subprocess.run(
        [PYTHON, "-W", "ignore", "-c", script], cwd=ROOT, env=subprocess_env(env), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "180"]


def test_failures_below_the_limit_do_not_lock(client: Client, alice: User, site_login: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, site_login, "alice", "wrong-password").status_code == 200
    response = attempt(client, site_login, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_it_locks_the_site_login_after_the_configured_failures(client: Client, alice: User, site_login: str) -> None:
    fail_until_locked(client, site_login, "alice")
    response = attempt(client, site_login, "alice", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="alice").failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_the_lockout_page_explains_itself(client: Client, alice: User, site_login: str) -> None:
    fail_until_locked(client, site_login, "alice")
    response = attempt(client, site_login, "alice", PASSWORD)
    assert "lockout.html" in [template.name for template in response.templates]
    assert response["Content-Security-Policy"]


def test_it_locks_the_admin_login_after_the_configured_failures(client: Client, staff: User, admin_login: str) -> None:
    fail_until_locked(client, admin_login, "stella")
    response = attempt(client, admin_login, "stella", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_works_below_the_limit(client: Client, staff: User, admin_login: str) -> None:
    attempt(client, admin_login, "stella", "wrong-password")
    response = attempt(client, admin_login, "stella", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_right_password_works_again_after_the_cool_off(client: Client, staff: User, admin_login: str) -> None:
    fail_until_locked(client, admin_login, "stella")
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME - timedelta(minutes=1)):
        assert attempt(client, admin_login, "stella", PASSWORD).status_code == 429
    # The refused attempt above restarted the cool-off: wait it out in full from there.
    with time_machine.travel(timezone.now() + 2 * settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        response = attempt(client, admin_login, "stella", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_lockout_is_per_address_so_the_real_user_elsewhere_can_log_in(
    client: Client, staff: User, admin_login: str
) -> None:
    fail_until_locked(client, admin_login, "stella", ip="10.0.0.66")
    response = attempt(client, admin_login, "stella", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302


def test_force_login_is_not_counted_or_blocked(client: Client, staff: User, admin_login: str) -> None:
    fail_until_locked(client, admin_login, "stella")
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


# --- odd usernames: refused as form errors, still counted, never a 500 -------------------------------------


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_login_with_an_overlong_username_is_refused_not_a_500(client: Client, alice: User, length: int) -> None:
    # AuthenticationForm checks no username length, so the name reached axes, which keeps it in a
    # varchar(255): PostgreSQL refused the INSERT and the login page answered 500.
    response = client.post("/accounts/login/", {"username": "x" * length, "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_an_overlong_username_still_counts_towards_the_lockout(client: Client, alice: User, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "y" * 300, "password": "wrong"})

    assert response.status_code == 429
    assert AccessAttempt.objects.count() == 1


def test_the_admin_login_refuses_an_overlong_username_too(client: Client, alice: User) -> None:
    response = client.post("/admin/login/", {"username": "x" * 300, "password": "wrong"})

    assert response.status_code == 200


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_login_with_a_nul_character_is_a_form_error(client: Client, alice: User, field: str) -> None:
    data = {"username": "alice", "password": PASSWORD, field: "ali\x00ce"}

    response = client.post("/accounts/login/", data)

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode() or "空字符" in response.content.decode()
    assert not AccessAttempt.objects.exists()
