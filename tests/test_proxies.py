"""Forwarded headers are believed only from DJANGO_TRUSTED_PROXIES, and the login lockout cannot be dodged
by sending a fresh X-Forwarded-For per attempt."""

from __future__ import annotations

import ipaddress
import subprocess

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from config.env import env_networks
from config.proxies import ForwardedHeadersMiddleware, client_address
from tests.deploy_env import PYTHON, ROOT, subprocess_env

PASSWORD = "correct-horse-battery"
PROXY = "10.9.0.2"
STRANGER = "203.0.113.5"
NETS = (ipaddress.ip_network("10.9.0.0/24"), ipaddress.ip_network("fd00::/8"))


@pytest.fixture
def behind_proxy(settings) -> None:
    settings.TRUSTED_PROXIES = NETS
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def login(client: Client, password: str, peer: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    data = {"username": "alice", "password": password}
    return client.post("/accounts/login/", data, REMOTE_ADDR=peer, headers=headers).status_code


# --- the lockout --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_twenty_guesses_with_a_fresh_forwarded_for_from_an_untrusted_peer_are_locked_out(
    client: Client, alice: User, behind_proxy: None
) -> None:
    for n in range(20):
        login(client, "wrong", STRANGER, forwarded_for=f"198.51.100.{n}")

    assert login(client, PASSWORD, STRANGER, forwarded_for="198.51.100.99") == 429
    # Every attempt was counted against the address that really sent it.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}


@pytest.mark.django_db
def test_guesses_spread_over_many_addresses_lock_the_username(client: Client, alice: User, behind_proxy: None) -> None:
    statuses = [login(client, "wrong", PROXY, forwarded_for=f"198.51.100.{n}") for n in range(20)]

    assert settings.AXES_USERNAME_FAILURE_LIMIT == 20
    assert statuses == [200] * 19 + [429]

    # The documented price: the account is locked from every address until the cool-off ends.
    assert login(client, PASSWORD, PROXY, forwarded_for="192.0.2.1") == 429


@pytest.mark.django_db
def test_fewer_guesses_over_many_addresses_leave_the_real_user_in(
    client: Client, alice: User, behind_proxy: None
) -> None:
    for n in range(settings.AXES_USERNAME_FAILURE_LIMIT - 1):
        login(client, "wrong", PROXY, forwarded_for=f"198.51.100.{n}")

    assert login(client, PASSWORD, PROXY, forwarded_for="192.0.2.1") == 302


@pytest.mark.django_db
def test_a_zero_username_limit_turns_the_username_lockout_off(
    client: Client, alice: User, behind_proxy: None, settings
) -> None:
    settings.AXES_USERNAME_FAILURE_LIMIT = 0
    for n in range(25):
        login(client, "wrong", PROXY, forwarded_for=f"198.51.100.{n}")

    assert login(client, PASSWORD, PROXY, forwarded_for="192.0.2.1") == 302


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_lockout_counts_the_client_not_the_proxy(
    client: Client, alice: User, behind_proxy: None
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong", PROXY, forwarded_for=f"1.2.3.4, {STRANGER}")

    assert login(client, PASSWORD, PROXY, forwarded_for=STRANGER) == 429
    assert login(client, PASSWORD, PROXY, forwarded_for="192.0.2.1") == 302


# --- which address is the client ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        (STRANGER, "1.1.1.1", STRANGER),  # untrusted peer: its header is ignored
        (PROXY, "", PROXY),
        (PROXY, "1.1.1.1", "1.1.1.1"),
        (PROXY, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # entries left of the proxy's were written by the client
        (PROXY, "6.6.6.6, 1.1.1.1, 10.9.0.7", "1.1.1.1"),  # a chain of our own proxies is walked past
        (PROXY, "10.9.0.8, 10.9.0.7", "10.9.0.8"),
        (PROXY, "6.6.6.6, not-an-address", PROXY),  # a malformed entry stops at the last proxy
        (PROXY, " 2001:db8::1 ", "2001:db8::1"),
        ("fd00::5", "1.1.1.1", "1.1.1.1"),
        ("", "1.1.1.1", ""),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(
    peer: str, forwarded_for: str, expected: str
) -> None:
    assert client_address(peer, forwarded_for, NETS) == expected


def respond(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"{request.META['REMOTE_ADDR']} {request.is_secure()}")


def through_middleware(peer: str) -> tuple[HttpRequest, str]:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=peer, headers={"X-Forwarded-For": "1.1.1.1", "X-Forwarded-Proto": "https"}
    )
    response = ForwardedHeadersMiddleware(respond)(request)
    assert isinstance(response, HttpResponse)
    return request, response.content.decode()


def test_forwarded_headers_from_an_untrusted_peer_are_dropped(behind_proxy: None) -> None:
    request, seen = through_middleware(STRANGER)

    assert seen == f"{STRANGER} False"
    assert "HTTP_X_FORWARDED_FOR" not in request.META


def test_forwarded_headers_from_a_trusted_proxy_are_believed(behind_proxy: None) -> None:
    _, seen = through_middleware(PROXY)

    assert seen == "1.1.1.1 True"


def test_no_proxy_is_trusted_by_default() -> None:
    assert settings.MIDDLEWARE[0] == "config.proxies.ForwardedHeadersMiddleware"


# --- DJANGO_TRUSTED_PROXIES ------------------------------------------------------------------------------------


def test_trusted_proxies_parse_addresses_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.7 ,::1,")

    assert env_networks("DJANGO_TRUSTED_PROXIES") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("::1/128"),
    )


@pytest.mark.parametrize("value", ["", "   "])
def test_unset_or_empty_trusted_proxies_trust_nobody(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", value)
    assert env_networks("DJANGO_TRUSTED_PROXIES") == ()
    monkeypatch.delenv("DJANGO_TRUSTED_PROXIES")
    assert env_networks("DJANGO_TRUSTED_PROXIES") == ()


@pytest.mark.parametrize("value", ["proxy.example.org", "10.0.0.1/8", "10.0.0.0/33", "*"])
def test_a_malformed_trusted_proxy_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", f"127.0.0.1,{value}")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_TRUSTED_PROXIES.*" + value.replace("*", r"\*")):
        env_networks("DJANGO_TRUSTED_PROXIES")


def test_the_old_all_or_nothing_switch_stops_start_up(tmp_path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_VAR_DIR": str(tmp_path), "DJANGO_BEHIND_PROXY": "1"}
    result = subprocess.run(
        [PYTHON, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr
