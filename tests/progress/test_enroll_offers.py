"""Enrolling offers only what exists: plans the learner is not in yet, "enroll in another plan" only while
there is one, and a learner without an enrollment sees no navigation that would bounce back to /enroll/."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from progress.models import Enrollment
from tests.factories import make_plan
from tests.progress.helpers import START, logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]


def plan_choices(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="plan" value="(\d+)"', html)


def nav_hrefs(html: str) -> list[str]:
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    return re.findall(r'href="([^"]+)"', nav)


def test_the_form_offers_only_plans_the_learner_is_not_in(alice: User) -> None:
    first, second, third = (make_plan(slug=s, days=1) for s in ("a", "b", "c"))
    Enrollment.objects.create(user=alice, plan=first, start_date=START)

    html = logged_in(alice).get("/enroll/").content.decode()

    assert plan_choices(html) == [str(second.pk), str(third.pk)]


def test_a_learner_in_every_plan_is_told_so_and_offered_no_form(alice: User) -> None:
    plan = make_plan(days=1)
    Enrollment.objects.create(user=alice, plan=plan, start_date=START)

    html = logged_in(alice).get("/enroll/").content.decode()

    assert "You are already enrolled in every plan that is open." in html
    assert plan_choices(html) == [] and 'action="/enroll/"' not in html
    assert 'href="/"' in html  # the way back


def test_the_switcher_offers_another_plan_only_while_there_is_one(alice: User) -> None:
    a, b = make_plan(slug="a", days=1), make_plan(slug="b", days=1)
    for plan in (a, b):
        Enrollment.objects.create(user=alice, plan=plan, start_date=START)
    client = logged_in(alice)
    assert "Enroll in another plan" not in client.get("/").content.decode()

    make_plan(slug="c", days=1)
    assert "Enroll in another plan" in client.get("/").content.decode()


def test_without_an_enrollment_the_navigation_holds_no_link_that_bounces_back(alice: User) -> None:
    make_plan(days=1)
    client = logged_in(alice)

    html = client.get("/enroll/").content.decode()

    hrefs = nav_hrefs(html)
    assert hrefs == ["/enroll/"]
    assert 'role="search"' not in html
    for href in re.findall(r'<a [^>]*href="(/[^"]*)"', html):
        response = client.get(href)
        assert not (response.status_code == 302 and response["Location"] == "/enroll/"), href


def test_with_an_enrollment_the_navigation_is_whole(alice: User) -> None:
    Enrollment.objects.create(user=alice, plan=make_plan(days=1), start_date=START)
    hrefs = nav_hrefs(logged_in(alice).get("/").content.decode())
    assert {"/", "/calendar/", "/plan/", "/progress/", "/settings/"} <= set(hrefs)
