"""An instructor who logs in on the site (not through /admin/) finds the admin and the cohort pages in the nav."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Plan
from tests.factories import make_plan
from tests.progress.cohort_helpers import make_instructor

pytestmark = pytest.mark.django_db


def nav_of(html: str) -> str:
    start = html.index('<nav class="site-nav"')
    return html[start : html.index("</nav>", start)]


@pytest.fixture
def plan() -> Plan:
    return make_plan(slug="taught", days=3)


def test_an_instructor_logging_in_on_the_site_sees_the_admin_and_the_cohorts(client: Client, plan: Plan) -> None:
    make_instructor("ines", plan)

    response = client.post("/accounts/login/", {"username": "ines", "password": "pw"}, follow=True)

    assert response.status_code == 200
    nav = nav_of(response.text)
    assert '<a href="/admin/">' in nav
    assert '<a href="/instructor/">' in nav
    # Both links lead somewhere the instructor may go.
    assert client.get("/admin/").status_code == 200
    assert client.get("/instructor/").status_code == 200


def test_a_learner_sees_neither(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)
    nav = nav_of(client.get("/enroll/").text)
    assert 'href="/admin/"' not in nav
    assert 'href="/instructor/"' not in nav
