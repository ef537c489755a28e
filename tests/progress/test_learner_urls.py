"""One order of checks on every learner URL: the login first, then the method, then the enrollment.

So an anonymous visitor is sent to the log-in page whatever the method, and a logged-in one gets 405 for a
method the URL does not take, enrolled or not. New learner URLs must be added to METHODS below.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, reverse

from progress.urls import urlpatterns

PAGE, FORM, ACTION = {"GET", "HEAD"}, {"GET", "HEAD", "POST"}, {"POST"}
METHODS = {
    "today": PAGE,
    "calendar": PAGE,
    "calendar_month": PAGE,
    "day": PAGE,
    "toggle_task": ACTION,
    "note_save": ACTION,
    "note_share": ACTION,
    "time_log": ACTION,
    "timer_start": ACTION,
    "timer_stop": ACTION,
    "notes_export": PAGE,
    "plan": PAGE,
    "progress": PAGE,
    "enroll": FORM,
    "activate": ACTION,
    "settings": FORM,
    "test_reminder": ACTION,
    "reschedule": FORM,
    "reschedule_undo": ACTION,
    "days_off": FORM,
    "day_off_delete": ACTION,
    "pause": ACTION,
    "resume": ACTION,
    "calendar_token_reset": ACTION,
    "resources": PAGE,
    "resource": PAGE,
    "resource_status": ACTION,
    "resource_note": ACTION,
    "review_now": PAGE,
    "review": PAGE,
    "week_note": ACTION,
    "snippets": PAGE,
    "search": PAGE,
    "sessions": FORM,
    "data_download": PAGE,
    "account_delete": FORM,
}
# Reached without logging in: the secret token in the URL is the credential, or any visitor may switch.
PUBLIC = {"calendar_feed", "unsubscribe", "language"}
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
SAMPLE_ARGS = {"number": 1, "task_id": 1, "pk": 1, "year": 2026, "month": 3}


def url_of(pattern: URLPattern) -> str:
    converters = pattern.pattern.converters
    return reverse(f"progress:{pattern.name}", kwargs={name: SAMPLE_ARGS[name] for name in converters})


LEARNER_URLS = {p.name: url_of(p) for p in urlpatterns if isinstance(p, URLPattern) and p.name not in PUBLIC}


def send(client: Client, method: str, url: str) -> int:
    return client.generic(method, url).status_code


def test_every_learner_url_is_in_the_table() -> None:
    assert set(LEARNER_URLS) == set(METHODS)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_anonymous_visitors_go_to_the_login_page_whatever_the_method(client: Client, db: None, name: str) -> None:
    url = LEARNER_URLS[name]
    for method in ALL_METHODS:
        response = client.generic(method, url)
        assert (response.status_code, response.get("Location")) == (302, f"/accounts/login/?next={quote(url)}"), method


@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_logged_in_learner_gets_405_for_a_method_the_url_does_not_take(client: Client, bob: User, name: str) -> None:
    # Bob has no enrollment: the method is checked before the learner is sent to /enroll/.
    client.force_login(bob)
    refused = [method for method in ALL_METHODS if method not in METHODS[name]]
    assert {method: send(client, method, LEARNER_URLS[name]) for method in refused} == dict.fromkeys(refused, 405)
