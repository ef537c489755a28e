"""A form posted without a valid CSRF token gets our own 403 page: styled by the site's stylesheet (no inline
style for the CSP to block), translated, and silent about the reason."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def strict() -> Client:
    return Client(enforce_csrf_checks=True)


def test_a_post_without_a_token_gets_our_styled_403_page() -> None:
    response = strict().post("/accounts/login/", {"username": "alice", "password": "x"})

    assert response.status_code == 403
    assert response.templates[0].name == "403_csrf.html"
    html = response.content.decode()
    assert "css/site.css" in html
    assert "<style" not in html
    assert " style=" not in html
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_it_names_no_reason(alice: User) -> None:
    html = strict().post("/accounts/login/", {"username": "alice"}).content.decode()

    assert "CSRF cookie not set" not in html
    assert "Referer" not in html


@pytest.mark.parametrize(("language", "heading"), [("en", "The form could not be sent"), ("zh-hans", "表单未能提交")])
def test_it_is_translated(language: str, heading: str) -> None:
    client = strict()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    html = client.post("/accounts/login/").content.decode()

    assert heading in html


def test_a_signed_in_learner_sees_it_inside_the_site(alice: User) -> None:
    client = strict()
    client.force_login(alice)

    response = client.post("/settings/", {})

    assert response.status_code == 403
    assert 'action="/accounts/logout/"' in response.content.decode()
