"""The reminder message: parts, subject, headers, absolute links, language, review days, overdue tasks."""

from __future__ import annotations

import email.policy
import logging
import re
from collections.abc import Callable
from datetime import date
from datetime import time as dtime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from curriculum.models import Day, Plan, Session, Task
from progress.models import DayOff, ReminderDelivery, ScheduleChange, TaskCompletion
from progress.reminders.message import NothingToSend, build_message
from progress.reminders.sending import send_batch
from progress.services import OVERDUE_SHOWN, agenda
from progress.unsubscribe import enrollment_pk_from_token, unsubscribe_token
from tests.factories import make_plan
from tests.progress.helpers import tasks_of, tick, tick_days
from tests.progress.reminder_helpers import enroll

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
    message = build_message(e, e.schedule(20).date_of(17))
    assert message.subject == "第17天 · MLLM推理流程 / MLLM推理实验"


def test_subject_is_english_for_an_english_learner(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    message = build_message(e, WEDNESDAY)
    assert message.subject == "Day 3 · Topic 3m / Topic 3a"
    assert "Today is day 3 of" in message.body
    assert "2 days behind." in message.body  # days 1-2; services.days_behind never counts today's day 3


def test_the_reminder_for_a_plan_with_a_deleted_day_names_the_days_around_it(alice: User, plan: Plan) -> None:
    enrollment = enroll(alice, plan, start=MONDAY, at=dtime(8, 0), language="en")
    Day.objects.filter(plan=plan, number=2).delete()

    # Day 3 still falls on Wednesday (the schedule keeps the gap), and Tuesday's reminder has no day to name.
    assert "Day 3" in build_message(enrollment, date(2026, 3, 4)).subject
    assert "Day 2" not in build_message(enrollment, date(2026, 3, 3)).subject


def test_body_is_chinese_for_a_chinese_learner(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="zh-hans")
    message = build_message(e, WEDNESDAY)
    assert "今天是《Plan test-plan》的第3天" in message.body
    assert "落后 2 天" in message.body  # days 1-2, not today's day 3
    html = html_of(message)
    assert '<html lang="zh-hans">' in html
    assert "打开今日页面" in html


def test_it_is_multipart_text_and_html(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    message = build_message(e, WEDNESDAY)
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
    message = build_message(e, WEDNESDAY)
    assert "Topic 3m" in message.body
    assert "[x] Task 1 of Topic 3m" in message.body
    assert "[ ] Task 2 of Topic 3m" in message.body
    assert "[ ] Task 1 of Topic 3a" in message.body
    assert "<li>☑ Task 1 of Topic 3m</li>" in html_of(message)


def test_it_counts_overdue_tasks_and_shows_the_first_few(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    first = Task.objects.get(session__day__number=1, session__position=1, position=1)
    TaskCompletion.objects.create(enrollment=e, task=first)
    message = build_message(e, WEDNESDAY)
    # Days 1 and 2: 8 tasks, one ticked.
    assert "7 overdue tasks:" in message.body
    assert "Task 1 of Topic 1m" not in message.body
    assert "Day 1: Task 2 of Topic 1m" in message.body
    assert message.body.count("Day 1: ") + message.body.count("Day 2: ") == OVERDUE_SHOWN
    assert "…" in message.body
    assert "Progress: 1 of 40 tasks done (2%)." in message.body


def test_a_review_day_lists_the_weeks_unfinished_tasks(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    week1 = Task.objects.filter(session__day__week__number=1).order_by(
        "session__day__number", "session__position", "position"
    )
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=e, task=t) for t in week1[:18])
    message = build_message(e, SATURDAY)
    assert message.subject == "Review day · 2 tasks left this week"
    assert "2 tasks of this week are not done yet:" in message.body
    assert "Day 5: Task 1 of Topic 5a" in message.body
    assert "Day 5: Task 2 of Topic 5a" in message.body
    assert "Topic 6" not in message.body


def test_the_eve_of_the_start_says_tomorrow_you_begin(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    message = build_message(e, date(2026, 3, 1))
    assert message.subject == "明天开始 · 第1天 · Topic 1m / Topic 1a"
    assert "明天开始学习《Plan test-plan》" in message.body
    assert "逾期" not in message.body


def test_links_are_absolute_from_site_url(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    message = build_message(e, WEDNESDAY)
    unsubscribe = f"https://lms.example.org/unsubscribe/{unsubscribe_token(e)}/"
    assert "https://lms.example.org/\n" in message.body
    assert unsubscribe in message.body
    html = html_of(message)
    assert 'href="https://lms.example.org/"' in html
    assert f'href="{unsubscribe}"' in html


def test_it_has_one_click_unsubscribe_headers(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    parsed = build_message(e, WEDNESDAY).message()
    assert parsed["List-Unsubscribe"] == f"<https://lms.example.org/unsubscribe/{unsubscribe_token(e)}/>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP])
def test_the_unsubscribe_header_stays_a_plain_url_on_the_wire(
    alice: User, plan: Plan, policy: email.policy.Policy
) -> None:
    e = enroll(alice, plan, start=MONDAY)
    raw = build_message(e, WEDNESDAY).message(policy=policy).as_bytes()
    url = f"https://lms.example.org/unsubscribe/{unsubscribe_token(e)}/"
    assert f"List-Unsubscribe: <{url}>".encode() in raw  # not folded into =?utf-8?q?...?= words
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_the_token_is_per_enrollment(alice: User, bob: User, plan: Plan) -> None:
    a, b = enroll(alice, plan, start=MONDAY), enroll(bob, plan, start=MONDAY)
    assert unsubscribe_token(a) != unsubscribe_token(b)
    assert enrollment_pk_from_token(unsubscribe_token(b)) == b.pk


def test_topics_with_markup_are_escaped_in_html_but_verbatim_in_text(alice: User, plan: Plan) -> None:
    Session.objects.filter(day__number=3, position=1).update(topic="<b>CLIP</b> & BLIP")
    e = enroll(alice, plan, start=MONDAY)
    message = build_message(e, WEDNESDAY)
    assert "<b>CLIP</b> & BLIP" in message.subject
    assert "&lt;b&gt;CLIP&lt;/b&gt; &amp; BLIP" in html_of(message)
    assert "<b>CLIP</b>" not in html_of(message)


def test_sending_a_batch_delivers_the_message_and_records_it(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    d = ReminderDelivery.objects.create(enrollment=e, local_date=WEDNESDAY)
    result = send_batch([d.pk])
    assert result.sent == [d.pk]
    assert [m.subject for m in mail.outbox] == ["第3天 · Topic 3m / Topic 3a"]
    d.refresh_from_db()
    assert (d.status, d.attempts, d.error) == (ReminderDelivery.Status.SENT, 1, "")
    assert d.sent_at is not None


def test_each_reminder_sent_logs_one_structured_line(alice: User, plan: Plan, caplog: pytest.LogCaptureFixture) -> None:
    e = enroll(alice, plan, start=MONDAY)
    d = ReminderDelivery.objects.create(enrollment=e, local_date=WEDNESDAY)
    with caplog.at_level(logging.INFO, logger="progress.reminders"):
        send_batch([d.pk])
    lines = [r.getMessage() for r in caplog.records if "event=reminder_sent" in r.getMessage()]
    assert lines == [f"event=reminder_sent delivery={d.pk} enrollment={e.pk} local_date={WEDNESDAY.isoformat()}"]


# --- The email and the Today page show the same facts: both render services.agenda(). ----------------------


def today_page_lists(html: str) -> tuple[int, list[str], list[str]]:
    """(overdue count, the tasks listed as overdue, the other tasks listed) from the Today page's HTML."""
    labels = r'<label for="task-\d+-box">(.*?)</label>'
    # Sections are found by their headings, not their CSS classes (which the styling may change).
    head, _, overdue = html.partition('aria-labelledby="overdue-title"')
    overdue = overdue.partition('aria-labelledby="summary-title"')[0]
    count = re.search(r'id="overdue-title">\D*(\d+)', overdue)
    return (int(count.group(1)) if count else 0), re.findall(labels, overdue), re.findall(labels, head)


def email_lists(body: str) -> tuple[int, list[str], list[str]]:
    """The same three things from the (English) text part of the reminder."""
    task = r"^  \[[ x]\] (?:Day \d+: )?(.*)$"
    head, header, overdue = body.partition(" overdue task")
    count = int(head.rsplit("\n", 1)[1]) if header else 0
    head = head.rsplit("\n", 1)[0] if header else head
    return count, re.findall(task, overdue, re.M), re.findall(task, head, re.M)


@pytest.mark.parametrize(
    ("on", "ticked_days"),
    [
        (date(2026, 3, 11), [2]),  # Wednesday of week 2: day 8, six earlier days open (more than are shown)
        (date(2026, 3, 4), [1]),  # Wednesday of week 1: day 3, only day 2 overdue
        (date(2026, 3, 14), [1, 2, 3]),  # Saturday after week 2: days 1-5 open from week 1, week 2's leftovers
        (date(2026, 3, 1), []),  # the eve of the start: day 1's tasks, nothing overdue
    ],
)
def test_the_email_and_the_today_page_list_the_same_tasks(
    alice_client: Client, alice: User, on_local_date: Callable[..., None], on: date, ticked_days: list[int]
) -> None:
    plan = make_plan(days=15)  # three weeks, so the Saturday after week 2 is still inside the plan
    e = enroll(alice, plan, start=MONDAY, language="en")
    tick_days(e, *ticked_days)
    tick(e, tasks_of(plan, 9)[0])  # one ticked task among the listed ones, whatever the date
    on_local_date(on)
    page = today_page_lists(alice_client.get("/").content.decode())
    mail_ = email_lists(str(build_message(e, on).body))
    assert mail_ == page
    overdue_count, overdue, listed = page
    assert overdue_count == agenda(e, on).overdue_count  # and both say what the shared function says
    assert len(overdue) == min(overdue_count, OVERDUE_SHOWN)
    assert listed, "the day's (or the review day's) tasks are listed"


def test_a_review_day_lists_earlier_weeks_as_overdue_and_this_weeks_once(alice: User) -> None:
    plan = make_plan(days=15)
    e = enroll(alice, plan, start=MONDAY, language="en")
    tick_days(e, 1, 2, 3, 4, 6, 7, 8, 9)  # day 5 (week 1) and day 10 (week 2) open
    body = build_message(e, date(2026, 3, 14)).body  # Saturday after week 2
    assert "4 tasks of this week are not done yet:" in body
    assert "4 overdue tasks:" in body
    assert body.count("Day 10: ") == 4 and body.count("Day 5: ") == 4  # each open task once, not in both lists


def test_a_paused_learner_gets_no_email_even_if_claimed_before_the_pause(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    ScheduleChange.objects.create(enrollment=e, kind=ScheduleChange.Kind.PAUSE, on_date=WEDNESDAY)
    with pytest.raises(NothingToSend, match="the plan is paused"):
        build_message(e, WEDNESDAY)


def test_a_day_off_gets_no_email_even_if_claimed_before(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    DayOff.objects.create(enrollment=e, start_date=WEDNESDAY, end_date=WEDNESDAY)
    with pytest.raises(NothingToSend, match="a day off"):
        build_message(e, WEDNESDAY)


def test_a_review_day_email_links_to_the_weekend_review(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, language="en")
    message = build_message(e, SATURDAY)
    assert "Review the week: https://lms.example.org/review/1/\n" in message.body
    assert '<a href="https://lms.example.org/review/1/">Review the week</a>' in html_of(message)
    assert "/review/" not in build_message(e, MONDAY).body  # study days link to Today only
