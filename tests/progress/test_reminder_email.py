"""The reminder message: parts, subject, headers, absolute links, language, review days, overdue tasks."""

from __future__ import annotations

import email.policy
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from curriculum.models import Plan, Session, Task
from progress import reminders
from progress.models import ReminderDelivery, TaskCompletion
from tests.factories import make_plan
from tests.progress.reminder_helpers import enroll, plan_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)  # day 3
SATURDAY = date(2026, 3, 7)  # review day after week 1


def html_of(message: EmailMultiAlternatives) -> str:
    return str(message.alternatives[0][0])


@pytest.fixture(autouse=True)
def https_site(settings: Any) -> None:
    settings.SITE_URL = "https://lms.example.org"


def test_subject_names_the_plan_day_and_its_topics_in_chinese(alice: User) -> None:
    plan = make_plan(days=20)
    Session.objects.filter(day__number=17, position=1).update(topic="MLLM推理流程")
    Session.objects.filter(day__number=17, position=2).update(topic="MLLM推理实验")
    e = enroll(alice, plan, start=MONDAY)
    message = reminders.build_message(e, e.schedule(20).date_of(17))
    assert message.subject == "第17天 · MLLM推理流程 / MLLM推理实验"


def test_subject_is_english_for_an_english_learner(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    message = reminders.build_message(e, WEDNESDAY)
    assert message.subject == "Day 3 · Topic 3m / Topic 3a"
    assert "Today is day 3 of" in message.body
    assert "3 days behind." in message.body  # services.days_behind counts today


def test_body_is_chinese_for_a_chinese_learner(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="zh-hans")
    message = reminders.build_message(e, WEDNESDAY)
    assert "今天是《Plan test-plan》的第3天" in message.body
    assert "落后 3 天" in message.body
    html = html_of(message)
    assert '<html lang="zh-hans">' in html
    assert "打开今日页面" in html


def test_it_is_multipart_text_and_html(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    message = reminders.build_message(e, WEDNESDAY)
    assert message.content_subtype == "plain"
    assert [a[1] for a in message.alternatives] == ["text/html"]
    parsed = message.message()
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.get_payload()] == ["text/plain", "text/html"]  # type: ignore[union-attr]
    assert message.to == ["alice@example.com"]


def test_it_lists_todays_sessions_and_tasks_with_ticks(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    done = Task.objects.get(session__day__number=3, session__position=1, position=1)
    TaskCompletion.objects.create(enrollment=e, task=done)
    message = reminders.build_message(e, WEDNESDAY)
    assert "Topic 3m" in message.body
    assert "[x] Task 1 of Topic 3m" in message.body
    assert "[ ] Task 2 of Topic 3m" in message.body
    assert "[ ] Task 1 of Topic 3a" in message.body
    assert "<li>☑ Task 1 of Topic 3m</li>" in html_of(message)


def test_it_counts_overdue_tasks_and_shows_the_first_few(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    first = Task.objects.get(session__day__number=1, session__position=1, position=1)
    TaskCompletion.objects.create(enrollment=e, task=first)
    message = reminders.build_message(e, WEDNESDAY)
    # Days 1 and 2: 8 tasks, one ticked.
    assert "7 overdue tasks:" in message.body
    assert "Task 1 of Topic 1m" not in message.body
    assert "Day 1: Task 2 of Topic 1m" in message.body
    assert message.body.count("Day 1: ") + message.body.count("Day 2: ") == reminders.OVERDUE_SHOWN
    assert "…" in message.body
    assert "Progress: 1 of 40 tasks done (2%)." in message.body


def test_a_review_day_lists_the_weeks_unfinished_tasks(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    week1 = Task.objects.filter(session__day__week__number=1).order_by(
        "session__day__number", "session__position", "position"
    )
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=e, task=t) for t in week1[:18])
    message = reminders.build_message(e, SATURDAY)
    assert message.subject == "Review day · 2 tasks left this week"
    assert "2 tasks of this week are not done yet:" in message.body
    assert "Day 5: Task 1 of Topic 5a" in message.body
    assert "Day 5: Task 2 of Topic 5a" in message.body
    assert "Topic 6" not in message.body


def test_the_eve_of_the_start_says_tomorrow_you_begin(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    message = reminders.build_message(e, date(2026, 3, 1))
    assert message.subject == "明天开始 · 第1天 · Topic 1m / Topic 1a"
    assert "明天开始学习《Plan test-plan》" in message.body
    assert "逾期" not in message.body


def test_links_are_absolute_from_site_url(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    message = reminders.build_message(e, WEDNESDAY)
    unsubscribe = f"https://lms.example.org/unsubscribe/{reminders.unsubscribe_token(e)}/"
    assert "https://lms.example.org/\n" in message.body
    assert unsubscribe in message.body
    html = html_of(message)
    assert 'href="https://lms.example.org/"' in html
    assert f'href="{unsubscribe}"' in html


def test_it_has_one_click_unsubscribe_headers(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    parsed = reminders.build_message(e, WEDNESDAY).message()
    assert parsed["List-Unsubscribe"] == f"<https://lms.example.org/unsubscribe/{reminders.unsubscribe_token(e)}/>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP])
def test_the_unsubscribe_header_stays_a_plain_url_on_the_wire(
    alice: User, plan: Plan, policy: email.policy.Policy
) -> None:
    e = enroll(alice, plan, start=MONDAY)
    raw = reminders.build_message(e, WEDNESDAY).message(policy=policy).as_bytes()
    url = f"https://lms.example.org/unsubscribe/{reminders.unsubscribe_token(e)}/"
    assert f"List-Unsubscribe: <{url}>".encode() in raw  # not folded into =?utf-8?q?...?= words
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_the_token_is_per_enrollment(alice: User, bob: User, plan: Plan) -> None:
    a, b = enroll(alice, plan, start=MONDAY), enroll(bob, plan, start=MONDAY)
    assert reminders.unsubscribe_token(a) != reminders.unsubscribe_token(b)
    assert reminders.enrollment_pk_from_token(reminders.unsubscribe_token(b)) == b.pk


def test_topics_with_markup_are_escaped_in_html_but_verbatim_in_text(alice: User, plan: Plan) -> None:
    Session.objects.filter(day__number=3, position=1).update(topic="<b>CLIP</b> & BLIP")
    e = enroll(alice, plan, start=MONDAY)
    message = reminders.build_message(e, WEDNESDAY)
    assert "<b>CLIP</b> & BLIP" in message.subject
    assert "&lt;b&gt;CLIP&lt;/b&gt; &amp; BLIP" in html_of(message)
    assert "<b>CLIP</b>" not in html_of(message)


def test_sending_a_batch_delivers_the_message_and_records_it(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    d = ReminderDelivery.objects.create(enrollment=e, local_date=WEDNESDAY)
    result = reminders.send_batch([d.pk])
    assert result.sent == [d.pk]
    assert [m.subject for m in mail.outbox] == ["第3天 · Topic 3m / Topic 3a"]
    d.refresh_from_db()
    assert (d.status, d.attempts, d.error) == (ReminderDelivery.Status.SENT, 1, "")
    assert d.sent_at is not None
