"""A plan filled with learners in every state, and readers for the cohort page's and chart's cells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from html.parser import HTMLParser

from django.contrib.auth.models import Group, User

from curriculum.models import Plan
from progress.models import DayNote, Enrollment, ReminderDelivery, ScheduleChange, TaskCompletion
from tests.factories import make_plan
from tests.progress.helpers import SHANGHAI, START, tasks_of, tick, tick_days

SATURDAY = date(2026, 3, 7)  # days 1-5 (Mon-Fri) are behind a learner who started on START


def at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=SHANGHAI)


def make_instructor(username: str, *plans: Plan) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    # get_or_create: a transactional (browser) test may run after another one flushed the migration's group.
    user.groups.add(Group.objects.get_or_create(name="Instructors")[0])
    for plan in plans:
        plan.instructors.add(user)
    return user


@dataclass(frozen=True)
class Crowd:
    plan: Plan
    by_name: dict[str, Enrollment]


def enroll(plan: Plan, username: str, start: date = START, **fields: object) -> Enrollment:
    user = User.objects.create_user(username, f"{username}@example.com", "pw", first_name=username.title())
    return Enrollment.objects.create(user=user, plan=plan, start_date=start, time_zone="Asia/Shanghai", **fields)


def fill_plan() -> Crowd:
    """Ten days (two weeks, one phase each, four tasks a day); on SATURDAY the learners stand as follows.

    finisher: every day ticked (on Thursday) · ontrack: days 1-5 (Friday) · behind: day 1 and one task of
    day 2, a note on Saturday · paused: day 1, paused since Wednesday · never: nothing, enrolled on 1 March ·
    future: starts next Monday · quiet: days 1-3, reminders off, the last reminder failed.
    A learner of another plan must not show up.
    """
    plan = make_plan(slug="cohort-plan", days=10, days_per_week=5, weeks_per_phase=1)
    e = {name: enroll(plan, name) for name in ("finisher", "ontrack", "behind", "paused", "never", "quiet")}
    e["future"] = enroll(plan, "future", start=date(2026, 3, 9))
    tick_days(e["finisher"], *range(1, 11))
    tick_days(e["ontrack"], 1, 2, 3, 4, 5)
    tick_days(e["behind"], 1)
    tick(e["behind"], tasks_of(plan, 2)[0])
    tick_days(e["paused"], 1)
    tick_days(e["quiet"], 1, 2, 3)
    TaskCompletion.objects.filter(enrollment=e["finisher"]).update(completed_at=at(date(2026, 3, 5), 20))
    TaskCompletion.objects.filter(enrollment=e["ontrack"]).update(completed_at=at(date(2026, 3, 6), 10))
    TaskCompletion.objects.filter(enrollment__in=[e["behind"], e["paused"]]).update(completed_at=at(START, 10))
    TaskCompletion.objects.filter(enrollment=e["quiet"]).update(completed_at=at(date(2026, 3, 4), 22))
    note = DayNote.objects.create(enrollment=e["behind"], day=tasks_of(plan, 2)[0].session.day, body="hard")
    DayNote.objects.filter(pk=note.pk).update(updated_at=at(SATURDAY, 9))
    ScheduleChange.objects.create(enrollment=e["paused"], kind="pause", on_date=date(2026, 3, 4))
    Enrollment.objects.filter(pk=e["never"].pk).update(created_at=at(date(2026, 3, 1), 12))
    Enrollment.objects.filter(pk=e["future"].pk).update(created_at=at(SATURDAY, 8))
    Enrollment.objects.filter(pk__in=[e[n].pk for n in e if n != "never" and n != "future"]).update(
        created_at=at(START, 8)
    )
    Enrollment.objects.filter(pk=e["quiet"].pk).update(reminders_enabled=False)
    ReminderDelivery.objects.create(enrollment=e["quiet"], local_date=date(2026, 3, 5), status="sent")
    ReminderDelivery.objects.create(enrollment=e["quiet"], local_date=date(2026, 3, 6), status="failed")
    other = make_plan(slug="other-plan", days=3)
    enroll(other, "stranger")
    return Crowd(plan, {name: Enrollment.objects.get(pk=row.pk) for name, row in e.items()})


class Cells(HTMLParser):
    """Text of every `data-col` cell, by the `data-learner` (or `data-day`) of its row."""

    def __init__(self, row_attr: str) -> None:
        super().__init__()
        self.row_attr = row_attr
        self.rows: dict[str, dict[str, str]] = {}
        self._row: str | None = None
        self._col: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get(self.row_attr):
            self._row = str(found[self.row_attr])
            self.rows[self._row] = {}
        elif tag == "td" and self._row and found.get("data-col"):
            self._col = str(found["data-col"])
            self.rows[self._row][self._col] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._col = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row and self._col:
            self.rows[self._row][self._col] += data


def cells(html: str, row_attr: str = "data-learner") -> dict[str, dict[str, str]]:
    parser = Cells(row_attr)
    parser.feed(html)
    return {row: {col: " ".join(text.split()) for col, text in cols.items()} for row, cols in parser.rows.items()}
