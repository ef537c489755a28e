"""The 400, 403, 404 and 500 pages: the site's look (its stylesheet, nothing inline for the CSP to block),
translated, with a way back to Today, and made without touching the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from pytest_django import DjangoAssertNumQueries

from config import errors
from progress.models import Enrollment, LearnerProfile
from tests.progress.test_look import audit

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]

HEADINGS = {
    "/test-errors/400/": (400, "Bad request", "请求有误"),
    "/test-errors/403/": (403, "Not allowed", "无权访问"),
    "/no-such-page/": (404, "Page not found", "找不到这个页面"),
    "/test-errors/500/": (500, "Something went wrong", "出错了"),
}


def visitor(language: str | None = None) -> Client:
    client = Client(raise_request_exception=False)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("path", HEADINGS)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_error_page_is_styled_translated_and_leads_back_to_today(path: str, language: str) -> None:
    status, english, chinese = HEADINGS[path]

    response = visitor(language).get(path)

    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{english if language == 'en' else chinese}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert 'href="/static/css/site.css"' in html
    assert '<a class="button button-primary" href="/">' in html  # back to Today
    result = audit(html)
    assert (result.h1, result.problems) == (1, [])


def test_a_learner_asking_for_a_day_the_plan_lacks_gets_the_404_page_in_their_language(
    alice: User, enrollment: Enrollment
) -> None:
    LearnerProfile.objects.update_or_create(user=alice, defaults={"language": "en"})
    client = visitor()
    client.force_login(alice)

    response = client.get("/days/999/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_learner_on_an_instructor_page_gets_the_same_404_page(alice: User, enrollment: Enrollment) -> None:
    client = visitor("zh-hans")
    client.force_login(alice)

    response = client.get("/instructor/")

    assert response.status_code == 404
    assert "<h1>找不到这个页面</h1>" in response.content.decode()


def test_a_whole_failing_request_makes_no_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(0):
        assert visitor("en").get("/test-errors/500/").status_code == 500


@pytest.mark.parametrize("handler", [errors.server_error, errors.page_not_found, errors.permission_denied])
def test_the_error_handlers_read_neither_session_nor_user(
    alice: User, handler: object, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """A signed-in learner's request whose session and user would each cost a query if anything read them."""
    session = SessionStore()
    session[SESSION_KEY] = str(alice.pk)
    session.save()
    request = RequestFactory().get("/")
    request.session = SessionStore(session.session_key)
    request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]

    with translation.override("en"), django_assert_num_queries(0):
        response = handler(request) if handler is errors.server_error else handler(request, Exception())  # type: ignore[operator]

    assert "<h1>" in response.content.decode() and response.status_code in (403, 404, 500)
