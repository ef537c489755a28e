"""The learner's plan as an iCalendar feed (RFC 5545), for subscribing from a phone or desktop calendar.

One VEVENT per session at the learner's study hours in their own time zone (with its VTIMEZONE), dated by
progress.schedule like every other page. The UID depends only on (enrollment, session), never on the date,
so after a reschedule a subscribed calendar moves the events instead of duplicating them.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from curriculum.models import Session
from curriculum.plaintext import strip_forbidden
from progress import state
from progress.access import enrollment_with_plan, enrollment_with_plan_columns
from progress.code_version import code_version
from progress.compiled import TEXT_MARKER, CompiledQuery
from progress.language import learner_language
from progress.links import absolute_url
from progress.models import Enrollment, LearnerProfile
from progress.page_cache import cached_bytes, enrollment_key
from progress.schedule import Schedule
from progress.structure import DayItem, PlanStructure, SessionItem, structure_for
from progress.zones import local_today, zone_or_fallback

# Longer than any token new_calendar_token makes, short enough to refuse junk before touching the database.
MAX_TOKEN_LENGTH = 64
REFRESH = timedelta(hours=6)
# The alphabet of secrets.token_urlsafe: anything else (a NUL byte, which PostgreSQL refuses in a query
# parameter with an error, or other junk) cannot be a token and is answered 404 without a query.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+")


def _token_rows(token: str) -> QuerySet[Enrollment, tuple[object, ...]]:
    """The enrollment with its plan, and its learner's language (NULL without a profile), by feed token."""
    rows = Enrollment.objects.filter(calendar_token=token)
    return rows.values_list(*enrollment_with_plan_columns(), "user__learner_profile__language")


# Compiled once per connection (progress.compiled): calendar apps poll every feed several times a day.
_BY_TOKEN = CompiledQuery("feed-token", _token_rows, markers=(TEXT_MARKER,))


def enrollment_for_token(token: str) -> Enrollment | None:
    """The enrollment whose feed token is `token`, or None; with its plan, and its learner's language where
    `learner_language` reads it (no query for either).

    The row is fetched by the indexed token, then the token is compared again in constant time, so the
    answer does not depend on how much of a guessed token matched.
    """
    if len(token) > MAX_TOKEN_LENGTH or not TOKEN_SHAPE.fullmatch(token):
        return None
    rows = _BY_TOKEN.rows(token)
    if not rows:
        return None
    enrollment = enrollment_with_plan(rows[0])
    if not secrets.compare_digest(enrollment.calendar_token, token):
        return None
    language = rows[0][-1]
    user = User(pk=enrollment.user_id)
    # What select_related("user__learner_profile") would have cached, a missing profile included.
    user._state.fields_cache["learner_profile"] = (
        None if language is None else LearnerProfile(user=user, language=language)
    )
    enrollment.user = user
    return enrollment


def session_hours(enrollment: Enrollment, slot: str) -> tuple[time, time]:
    if slot == Session.Slot.MORNING:
        return enrollment.morning_start, enrollment.morning_end
    if slot == Session.Slot.AFTERNOON:
        return enrollment.afternoon_start, enrollment.afternoon_end
    return enrollment.morning_start, enrollment.afternoon_end


def event_uid(enrollment: Enrollment, session: SessionItem) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"enrollment-{enrollment.pk}-session-{session.pk}@{host}"


def feed_window(today: date) -> tuple[date, date]:
    """The dates the feed covers: a calendar needs the weeks ahead and a little history, never the whole plan
    (a 10,000-day plan would otherwise be megabytes per poll, several times a day per subscriber)."""
    return (
        today - timedelta(days=settings.CALENDAR_FEED_DAYS_BEHIND),
        today + timedelta(days=settings.CALENDAR_FEED_DAYS_AHEAD),
    )


def days_in_window(structure: PlanStructure, schedule: Schedule, today: date) -> list[DayItem]:
    """The plan days dated inside `feed_window(today)`: dates grow with day numbers, so one range of numbers."""
    first, last = feed_window(today)
    low, high = schedule.days_due_by(first - timedelta(days=1)) + 1, schedule.days_due_by(last)
    return [day for number, day in structure.days.items() if low <= number <= high]


def cached_calendar(enrollment: Enrollment) -> bytes:
    """`build_calendar(enrollment)`, kept in the cache under everything it is made of.

    Calendar apps poll the feed several times a day and the icalendar library takes far longer to build it
    than the queries behind it. The key holds the plan's version, every field of the enrollment (study hours,
    zone, start, weekdays, and the state version its schedule changes and days off move), the learner's
    language and local date, the feed window and site URL, and the templates and catalogues (`code_version`):
    any change gives a new key, so a feed is never stale. DTSTAMP is then the time the feed was built, which is
    what it means.
    """
    today = local_today(enrollment.time_zone)
    parts = (
        code_version(),
        enrollment.plan.version,
        # With its state_version, which moves with every schedule change and day off (progress.triggers).
        enrollment_key(enrollment),
        learner_language(enrollment),
        today,
        settings.SITE_URL,
        settings.CALENDAR_FEED_DAYS_BEHIND,
        settings.CALENDAR_FEED_DAYS_AHEAD,
    )

    def build() -> bytes:
        state.load(enrollment)  # schedule changes and days off, in one query
        return build_calendar(enrollment, today)

    # In this process's memory in front of the shared cache, as the pages are (progress.page_cache).
    return cached_bytes("feed", parts, build)


def build_calendar(enrollment: Enrollment, today: date | None = None) -> bytes:
    """The feed as bytes: the sessions dated inside `feed_window`. A fixed number of queries whatever the
    plan's length (see tests/progress/test_feed.py).

    While the plan is paused, the days not yet reached have no date, so they are left out until the learner
    resumes; the feed then shows them again, moved. Plan texts pass `strip_forbidden`: RFC 5545 allows no
    control characters in a text value, and rows stored before the admin refused them may still hold some.
    """
    today = today or local_today(enrollment.time_zone)
    zone = zone_or_fallback(enrollment.time_zone)
    structure = structure_for(enrollment.plan)
    # Sized by the highest day number, like progress.services.overview.
    schedule = enrollment.schedule(total_days=structure.last_day, today=today)
    stamp = timezone.now()

    with translation.override(learner_language(enrollment)):
        cal = Calendar()
        cal.add("prodid", "-//Study plan LMS//Calendar feed//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", strip_forbidden(enrollment.plan.title))
        cal.add("x-wr-timezone", zone.key)
        # Ask subscribed calendars to refresh a few times a day, so a reschedule shows up the same day
        # (RFC 7986 REFRESH-INTERVAL, and X-PUBLISHED-TTL for clients that only know that one).
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
        for day in days_in_window(structure, schedule, today):
            on = schedule.date_of(day.number)
            if schedule.paused_since is not None and on >= schedule.paused_since:
                continue
            for session in day.sessions:
                cal.add_component(session_event(enrollment, day, session, datetime.combine(on, time(), zone), stamp))
        cal.add_missing_timezones()
    return cal.to_ical()


def session_event(
    enrollment: Enrollment, day: DayItem, session: SessionItem, midnight: datetime, stamp: datetime
) -> Event:
    """One VEVENT; `midnight` starts the day's date in the learner's zone."""
    start, end = session_hours(enrollment, session.slot)
    link = absolute_url(reverse("progress:day", args=[day.number]))
    tasks = "\n".join(f"- {task.text}" for task in session.tasks)
    summary = _("Day %(number)s · %(slot)s: %(topic)s") % {
        "number": day.number,
        "slot": session.slot_label,
        "topic": session.topic,
    }
    event = Event()
    event.add("uid", event_uid(enrollment, session))
    event.add("dtstamp", stamp)
    event.add("dtstart", datetime.combine(midnight.date(), start, tzinfo=midnight.tzinfo))
    event.add("dtend", datetime.combine(midnight.date(), end, tzinfo=midnight.tzinfo))
    event.add("summary", strip_forbidden(summary))
    event.add("description", strip_forbidden(f"{tasks}\n\n{link}" if tasks else link))
    event.add("url", link)
    return event
