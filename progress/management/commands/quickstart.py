"""`manage.py quickstart`: from a fresh clone to a running site in one command, and safe to run again.

Steps, each idempotent: migrate; load the reference plan unless it is there; create a demo instructor and a
demo learner (passwords printed once, on creation); start background services; serve with runserver.

Every absolute link (the calendar feed, emails, List-Unsubscribe) follows `--addrport` unless SITE_URL is set:
the web server and the worker both get it. DEBUG stays off (manage.py turns it on only for `runserver`), so a
learner trying the site sees its own 404 and 500 pages, as in production; tracebacks go to the terminal.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.formats import date_format

from curriculum.models import Plan
from curriculum.seeding import Outcome, load_once
from progress.links import site_url_for_addrport
from progress.models import Enrollment
from progress.reminders.message import NothingToSend
from progress.reminders.now import next_reminder_date, send_reminder_now
from progress.worker import start_worker_with_beat
from progress.zones import local_today

PLAN_SLUG = "multimodal-90-days"
PLAN_FIXTURE = "multimodal_90_days"
INSTRUCTORS_GROUP = "Instructors"
DEMO_INSTRUCTOR = "instructor"
DEMO_LEARNER = "learner"

Say = Callable[[str], None]


def fixture_path(name: str = PLAN_FIXTURE) -> Path:
    return Path(apps.get_app_config("curriculum").path) / "fixtures" / f"{name}.json"


def ensure_plan(say: Say, slug: str = PLAN_SLUG, fixture: Path | None = None) -> Plan | None:
    """Load the plan fixture unless a plan with `slug` exists already (curriculum.seeding, as `manage.py
    ensure_plan` does), saying what happened; None when there is no plan to enrol the demo learner in."""
    fixture = fixture or fixture_path()
    seeding = load_once(fixture, [slug])
    plan = Plan.objects.filter(slug=slug).first()
    if seeding.outcome == Outcome.PRESENT:
        say(f"Plan “{slug}” is already loaded.")
    elif seeding.outcome == Outcome.MISSING:
        say(f"No plan fixture at {fixture}: skipping the plan. Import one with `manage.py import_plan`.")
    elif seeding.outcome == Outcome.IN_THE_WAY:
        say(
            f"Not loading {fixture.name}: its rows would overwrite {', '.join(seeding.in_the_way)} already in the "
            f"database (loaddata replaces rows with the same id). Import the document instead: "
            f"uv run manage.py import_plan curriculum/plans/multimodal-90-days.zh.md --slug {slug}"
        )
    elif plan is None:
        say(f"Loaded {fixture.name}, but it holds no plan “{slug}”.")
    else:
        say(f"Loaded plan “{slug}” from {fixture.name}.")
    return plan


def ensure_user(say: Say, username: str, *, staff: bool, group: str | None = None) -> str | None:
    """Create the demo user with a random password and return it; None (and nothing changed) if it exists."""
    if User.objects.filter(username=username).exists():
        say(
            f"User “{username}” already exists; its password was shown when it was created. "
            f"To set a new one: uv run manage.py changepassword {username}"
        )
        return None
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, email=f"{username}@example.com", password=password, is_staff=staff
        )
        if group is not None:
            user.groups.add(Group.objects.get(name=group))
    return password


def ensure_demo_enrollment(plan: Plan | None, username: str = DEMO_LEARNER) -> None:
    """The demo learner follows the plan from today, so the Today page has something to show at once."""
    user = User.objects.filter(username=username).first()
    if plan is not None and user is not None:
        Enrollment.objects.get_or_create(user=user, plan=plan, defaults={"start_date": date.today()})
    # The demo instructor teaches the plan, so its cohort page (/instructor/) shows the demo learner.
    instructor = User.objects.filter(username=DEMO_INSTRUCTOR).first()
    if plan is not None and instructor is not None:
        plan.instructors.add(instructor)


def use_address(addrport: str) -> str:
    """Make the links this process and its worker build point where the site is served; returns that base URL.

    SITE_URL set in the environment wins (a proxy, a real domain); otherwise it becomes the served address in
    this process's settings, and start_background_services hands it to the worker. The served host is also
    allowed as a Host header unless DJANGO_ALLOWED_HOSTS is set, so a link to it is not answered with 400.
    """
    site = site_url_for_addrport(addrport)
    if site is None:
        raise CommandError(f"--addrport {addrport!r}: expected PORT, HOST:PORT or [IPv6]:PORT, as runserver takes")
    if not os.environ.get("SITE_URL"):
        settings.SITE_URL = site
    host = site.split("//", 1)[1].rsplit(":", 1)[0]
    if not os.environ.get("DJANGO_ALLOWED_HOSTS") and host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    return site


def remind_now(say: Say, username: str = DEMO_LEARNER) -> None:
    """Send the demo learner's reminder for today at once, whatever the time (progress.reminders.now)."""
    enrollment = Enrollment.objects.filter(user__username=username).select_related("plan", "user").first()
    if enrollment is None:
        say(f"No reminder sent: “{username}” is not enrolled in a plan.")
        return
    try:
        today = send_reminder_now(enrollment)
    except NothingToSend as reason:
        upcoming = next_reminder_date(enrollment, local_today(enrollment.time_zone))
        later = f" The next one is for {date_format(upcoming, 'DATE_FORMAT')}." if upcoming else ""
        say(f"No reminder sent: {username} gets none today ({reason}).{later}")
        return
    options: dict[str, Any] = settings.MAILERS["default"].get("OPTIONS", {})
    where = options.get("host") or options.get("file_path") or "the console"
    say(f"Sent {username}’s reminder for {today.isoformat()} to {enrollment.user.email} ({where}).")


def start_background_services(say: Say) -> list[subprocess.Popen[bytes]]:
    """Start a real Celery worker with an embedded beat next to the web server.

    It uses Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/ (no service
    needed). Locally the fan-out runs every minute (not every 5) so a reminder set for the next minute
    arrives about a minute later. Its emails link to this process's SITE_URL (see use_address).
    """
    env = {
        "REMINDER_FANOUT_SECONDS": os.environ.get("REMINDER_FANOUT_SECONDS", "60"),
        "SITE_URL": settings.SITE_URL,
    }
    worker = start_worker_with_beat(env)
    broker = "Redis" if settings.REDIS_URL else f"the filesystem queue in {settings.VAR_DIR / 'celery'}"
    options: dict[str, Any] = settings.MAILERS["default"].get("OPTIONS", {})
    mail = options.get("host") or options.get("file_path") or "the console"
    say(f"Celery worker with beat started (pid {worker.pid}) on {broker}; reminder emails go to {mail}.")
    return [worker]


def stop_background_services(handles: list[subprocess.Popen[bytes]]) -> None:
    for handle in handles:
        # The worker runs in its own process group: stop it and its pool children together.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(handle.pid, signal.SIGTERM)
        try:
            handle.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(handle.pid, signal.SIGKILL)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


class Command(BaseCommand):
    help = "Migrate, load the reference plan, create demo users, and serve the site on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="Where to serve (default 127.0.0.1:8000).")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then exit.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve the site without starting a Celery worker with beat."
        )
        parser.add_argument(
            "--remind-now",
            action="store_true",
            help="Send the demo learner's reminder email at once (it does not count as the daily one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        say: Say = self.stdout.write
        site = use_address(options["addrport"])
        call_command("migrate", interactive=False, verbosity=0)
        say("Database is migrated.")
        plan = ensure_plan(say)
        self.report_user(DEMO_INSTRUCTOR, ensure_user(say, DEMO_INSTRUCTOR, staff=True, group=INSTRUCTORS_GROUP))
        self.report_user(DEMO_LEARNER, ensure_user(say, DEMO_LEARNER, staff=False))
        ensure_demo_enrollment(plan)
        if options["remind_now"]:
            remind_now(say)
        if options["no_serve"]:
            return
        # SIGTERM (docker stop, a supervisor, a test) would end Python without running `finally`, leaving the
        # worker (in its own process group) orphaned: turn it into SystemExit so the worker is stopped too.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        handles: list[subprocess.Popen[bytes]] = []
        try:
            handles = [] if options["no_worker"] else start_background_services(say)
            say(f"Site: {site}/   Instructors: {site}/admin/")
            if site != settings.SITE_URL:
                say(f"Links in emails and the calendar feed use SITE_URL: {settings.SITE_URL}/")
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            stop_background_services(handles)

    def report_user(self, username: str, password: str | None) -> None:
        if password is None:
            return
        self.stdout.write(
            self.style.SUCCESS(f"Created user “{username}” with password: {password}  (shown only this once)")
        )
