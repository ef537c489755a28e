"""A realistic learner: weeks into the reference plan, about half the past tasks ticked, notes on past days."""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from curriculum.models import Day, Plan, Task
from progress.models import DayNote, Enrollment, LearnerProfile, TaskCompletion
from progress.zones import load_zone

PLAN_SLUG = "multimodal-90-days"
ZONE = "Asia/Shanghai"
NOTE = """## 今天的收获

- 读完了 {topic} 的核心部分，记下了三个问题。
- 跑通了示例代码：`python train.py --epochs 1`

```python
loss = criterion(model(x), y)
loss.backward()
```

明天继续：复习第 {day} 天的任务，补上没做完的练习。**重点**是把公式推一遍。
"""


@dataclass(frozen=True)
class Learner:
    user: User
    enrollment: Enrollment
    day_number: int  # the plan day of today (or of the last study day, on a weekend)
    task_id: int  # a task on that day, for the tick benchmark
    session_cookie: str
    csrf_secret: str

    @property
    def cookie_header(self) -> str:
        return f"{settings.SESSION_COOKIE_NAME}={self.session_cookie}; {settings.CSRF_COOKIE_NAME}={self.csrf_secret}"


def start_for(today: date, study_day: int) -> date:
    """The start date that makes `today` plan day `study_day` for a Monday-to-Friday learner."""
    start, count = today, 0
    while True:
        if start.weekday() < 5:
            count += 1
            if count == study_day:
                return start
        start -= timedelta(days=1)


def study_dates(start: date, today: date) -> list[date]:
    """The Monday-to-Friday dates from `start` to `today`: plan day n falls on the n-th."""
    every = (start + timedelta(days=i) for i in range((today - start).days + 1))
    return [d for d in every if d.weekday() < 5]


def make_learner(username: str = "bench-learner", study_day: int = 20, seed: int = 1) -> Learner:
    plan = Plan.objects.get(slug=PLAN_SLUG)
    user = User.objects.create_user(username, f"{username}@example.com", secrets.token_urlsafe(16))
    today = timezone.now().astimezone(load_zone(ZONE)).date()
    enrollment = Enrollment.objects.create(user=user, plan=plan, start_date=start_for(today, study_day), time_zone=ZONE)
    LearnerProfile.objects.update_or_create(user=user, defaults={"active_enrollment": enrollment})
    dates = study_dates(enrollment.start_date, today)
    number = len(dates)
    fill_history(enrollment, dates, random.Random(seed))
    client = Client()
    client.force_login(user)
    task = Task.objects.filter(session__day__plan=plan, session__day__number=number).order_by("pk").first()
    assert task is not None, f"the plan has no task on day {number}"
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    return Learner(user, enrollment, number, task.pk, client.cookies[settings.SESSION_COOKIE_NAME].value, csrf)


def fill_history(enrollment: Enrollment, dates: list[date], rng: random.Random) -> None:
    """Ticks on about half the tasks of the days before today, and a note on most of those days."""
    days = Day.objects.filter(plan=enrollment.plan, number__lt=len(dates)).prefetch_related("sessions__tasks")
    ticks: list[tuple[int, Task]] = []
    notes, when = [], {}
    for day in days:
        when[day.number] = timezone.make_aware(datetime.combine(dates[day.number - 1], time(20, 0)), load_zone(ZONE))
        topic = ""
        for session in day.sessions.all():
            ticks += [(day.number, t) for t in session.tasks.all() if rng.random() < 0.5]
            topic = session.topic
        if rng.random() < 0.7:
            notes.append(DayNote(enrollment=enrollment, day=day, body=NOTE.format(topic=topic, day=day.number)))
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=enrollment, task=t) for _, t in ticks)
    DayNote.objects.bulk_create(notes)
    # completed_at is set on insert: move each tick to the evening of its study day, as a real history has.
    for number, moment in when.items():
        TaskCompletion.objects.filter(enrollment=enrollment, task__session__day__number=number).update(
            completed_at=moment
        )
