"""Security headers on HTML responses: CSP with a fresh nonce per request, framing, referrer, HSTS."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path
from django.views.generic import TemplateView

from config.urls import urlpatterns as site_urlpatterns
from tests.deploy_env import PYTHON, ROOT, subprocess_env

# The site's URLs plus one page that renders base.html as it is, whatever pages exist on this branch.
urlpatterns = [path("base-page/", TemplateView.as_view(template_name="base.html")), *site_urlpatterns]
pytestmark = pytest.mark.urls(__name__)

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def header_nonce(header: str) -> str:
    match = re.search(r"'nonce-([^']+)'", csp_directives(header)["script-src"].__str__())
    assert match, header
    return match.group(1)


def script_nonces(html: str) -> list[str | None]:
    nonces = []
    for attrs in SCRIPT_TAG.findall(html):
        match = re.search(r'\snonce="([^"]+)"', attrs)
        nonces.append(match.group(1) if match else None)
    return nonces


def get_page(client: Client) -> tuple[str, str]:
    response = client.get("/base-page/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response["Content-Security-Policy"], response.content.decode()


def test_html_responses_carry_a_strict_content_security_policy(client: Client) -> None:
    header, _html = get_page(client)
    directives = csp_directives(header)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'"
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header


def test_every_script_tag_carries_the_nonce_of_its_response(client: Client) -> None:
    header, html = get_page(client)
    nonces = script_nonces(html)
    assert nonces, "base.html loads htmx with a <script> tag"
    assert set(nonces) == {header_nonce(header)}


def test_the_nonce_changes_with_every_request(client: Client) -> None:
    first, _ = get_page(client)
    second, html = get_page(client)
    assert header_nonce(first) != header_nonce(second)
    assert header_nonce(first) not in html


def test_scripts_are_files_served_by_the_site_itself(client: Client) -> None:
    _header, html = get_page(client)
    for attrs in SCRIPT_TAG.findall(html):
        src = re.search(r'\ssrc="([^"]+)"', attrs)
        assert src, f"inline script: <script{attrs}>"
        assert src.group(1).startswith("/static/"), src.group(1)


def test_htmx_is_configured_to_need_no_eval_and_no_inline_styles(client: Client) -> None:
    _header, html = get_page(client)
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert match
    assert json.loads(match.group(1)) == {"includeIndicatorStyles": False, "allowEval": False}
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_pages_cannot_be_framed(client: Client) -> None:
    assert client.get("/base-page/")["X-Frame-Options"] == "DENY"


def test_referrer_policy_keeps_paths_on_the_site(client: Client) -> None:
    response = client.get("/base-page/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_and_no_https_redirect_while_https_is_off(client: Client) -> None:
    response = client.get("/base-page/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


HTTPS_PROBE = """
import django, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
client = Client(HTTP_HOST="lms.example.org")
plain = client.get("/accounts/login/")
health = client.get("/healthz")
proxied = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
login_form = client.get("/admin/login/", secure=True)
csrf = login_form.cookies["csrftoken"]
User.objects.create_user("carol", password="a-long-passphrase-1", is_staff=True)
logged_in = client.post("/admin/login/", {"username": "carol", "password": "a-long-passphrase-1"}, secure=True)
assert logged_in.status_code == 302, logged_in.status_code
session = logged_in.cookies["sessionid"]
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "health_status": health.status_code,
    "hsts": proxied.headers.get("Strict-Transport-Security"),
    "session_cookie": [bool(session["secure"]), bool(session["httponly"])],
    "csrf_cookie": [bool(csrf["secure"]), bool(csrf["httponly"])],
}))
"""


@pytest.fixture(scope="module")
def https_on(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What a client sees from the site run with the production switches DJANGO_HTTPS=1 behind a trusted proxy."""
    tmp = tmp_path_factory.mktemp("https")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_HTTPS": "1",
        "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
        "DJANGO_ALLOWED_HOSTS": "lms.example.org",
        "DJANGO_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": "s" * 60,
    }
    result = subprocess.run(
        [PYTHON, "-c", HTTPS_PROBE], cwd=ROOT, env=subprocess_env(env), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    seen: dict = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def test_with_https_on_plain_http_is_redirected_to_https(https_on: dict) -> None:
    assert https_on["plain_status"] == 301
    assert https_on["plain_location"].startswith("https://")


def test_with_https_on_the_health_probe_is_not_redirected(https_on: dict) -> None:
    assert https_on["health_status"] == 200


def test_with_https_on_responses_carry_hsts(https_on: dict) -> None:
    assert https_on["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_with_https_on_cookies_are_secure_and_hidden_from_scripts(https_on: dict) -> None:
    assert https_on["session_cookie"] == [True, True]
    assert https_on["csrf_cookie"] == [True, True]
