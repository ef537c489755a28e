"""`manage.py quickstart`: sets a fresh install up, prints demo passwords once, changes nothing when run again."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from pytest_django.fixtures import Settings

from curriculum.models import Day, Plan, Task
from progress.management.commands.quickstart import (
    ensure_demo_enrollment,
    ensure_plan,
    fixture_path,
    stop_background_services,
)
from progress.models import Enrollment
from progress.worker import start_worker_with_beat
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

PASSWORD_LINE = re.compile(r"Created user “(\w+)” with password: (\S+)")


@pytest.fixture(autouse=True)
def restored_settings(settings: Settings) -> None:
    """quickstart sets SITE_URL and ALLOWED_HOSTS from --addrport on the live settings: an override layer (which
    the settings fixture drops afterwards) keeps that out of later tests."""
    settings.SITE_URL = settings.SITE_URL


def quickstart(*args: str) -> str:
    out = StringIO()
    call_command("quickstart", "--no-serve", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple[object, ...]]:
    return list(User.objects.order_by("username").values_list("username", "password", "is_staff", "is_superuser"))


def test_it_creates_the_demo_users_and_prints_their_passwords() -> None:
    output = quickstart()
    passwords = dict(PASSWORD_LINE.findall(output))
    assert set(passwords) == {"instructor", "learner"}
    instructor = User.objects.get(username="instructor")
    learner = User.objects.get(username="learner")
    assert instructor.check_password(passwords["instructor"])
    assert learner.check_password(passwords["learner"])
    assert instructor.is_staff and not instructor.is_superuser
    assert list(instructor.groups.values_list("name", flat=True)) == ["Instructors"]
    assert not learner.is_staff
    assert passwords["instructor"] != passwords["learner"]


def test_a_second_run_changes_nothing_and_prints_no_password() -> None:
    quickstart()
    before = snapshot()
    enrollments = list(Enrollment.objects.values_list("pk", "user__username", "plan__slug"))
    output = quickstart()
    assert snapshot() == before
    assert list(Enrollment.objects.values_list("pk", "user__username", "plan__slug")) == enrollments
    assert not PASSWORD_LINE.search(output)
    assert "manage.py changepassword instructor" in output
    assert "manage.py changepassword learner" in output


def test_it_loads_the_reference_plan_or_says_why_not() -> None:
    output = quickstart()
    if fixture_path().exists():
        plan = Plan.objects.get(slug="multimodal-90-days")
        assert plan.days.count() == 60
        assert Enrollment.objects.filter(user__username="learner", plan=plan).exists()
        assert "Plan “multimodal-90-days” is already loaded." in quickstart()
        assert Plan.objects.filter(slug="multimodal-90-days").count() == 1
    else:
        assert "No plan fixture at" in output
        assert not Plan.objects.exists()


def test_ensure_plan_loads_a_fixture_only_when_the_plan_is_missing(tmp_path: Path) -> None:
    make_plan(slug="demo", days=6)
    fixture = tmp_path / "demo.json"
    call_command("dumpdata", "curriculum", output=str(fixture), verbosity=0)
    Plan.objects.all().delete()
    said: list[str] = []

    plan = ensure_plan(said.append, slug="demo", fixture=fixture)
    assert plan is not None
    assert (Day.objects.filter(plan=plan).count(), Task.objects.filter(session__day__plan=plan).count()) == (6, 24)
    assert ensure_plan(said.append, slug="demo", fixture=fixture) == plan
    assert Plan.objects.count() == 1
    assert said == ["Loaded plan “demo” from demo.json.", "Plan “demo” is already loaded."]


def test_ensure_plan_skips_when_there_is_no_fixture(tmp_path: Path) -> None:
    said: list[str] = []
    assert ensure_plan(said.append, slug="absent", fixture=tmp_path / "none.json") is None
    assert said and said[0].startswith("No plan fixture at")
    assert not Plan.objects.exists()


def test_the_demo_learner_is_enrolled_once(alice: User) -> None:
    quickstart()
    plan = make_plan(slug="demo", days=3)
    ensure_demo_enrollment(plan)
    ensure_demo_enrollment(plan)
    assert Enrollment.objects.filter(user__username="learner", plan=plan).count() == 1


# --- the real thing: a fresh SQLite install served by runserver -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


WORKER_LINE = re.compile(r"Celery worker with beat started \(pid (\d+)\)")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _serve(var_dir: Path) -> tuple[str, int, bool]:
    """Run quickstart in a child process until the login page answers, then stop it with SIGTERM.

    Returns its output, the login page's status, and whether its Celery worker (own process group) outlived it.
    Whatever happens, both process groups are killed before returning: no worker with beat survives the test.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    log = var_dir / f"quickstart-{port}.log"
    worker_left = False
    with log.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "manage.py", "quickstart", "--addrport", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the finally below can kill all of it
        )
        status = 0
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and child.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2) as response:
                        status = response.status
                        break
                except OSError:
                    time.sleep(0.2)
            child.terminate()  # as `docker stop` would: quickstart must stop its worker itself
            child.wait(timeout=20)
        finally:
            _kill_group(child.pid)
            child.wait(timeout=10)
            worker = WORKER_LINE.search(log.read_text())
            if worker is not None:
                worker_left = _group_alive(int(worker.group(1)))
                _kill_group(int(worker.group(1)))
    return log.read_text(), status, worker_left


def test_quickstart_serves_a_fresh_install_and_starts_again(tmp_path: Path) -> None:
    first, status, worker_left = _serve(tmp_path)
    assert status == 200, first
    assert WORKER_LINE.search(first), first
    assert not worker_left, "stopping quickstart left its Celery worker running"
    assert len(PASSWORD_LINE.findall(first)) == 2
    assert (tmp_path / "db.sqlite3").exists()
    second, status, worker_left = _serve(tmp_path)
    assert status == 200, second
    assert not worker_left, "stopping quickstart left its Celery worker running"
    assert not PASSWORD_LINE.search(second)
    assert "already exists" in second


def test_ensure_plan_never_overwrites_rows_with_the_same_ids(tmp_path: Path) -> None:
    plan = make_plan(slug="demo", days=3)
    fixture = tmp_path / "demo.json"
    call_command("dumpdata", "curriculum", output=str(fixture), verbosity=0)
    Plan.objects.filter(pk=plan.pk).update(slug="someone-elses", title="Someone else's plan")
    said: list[str] = []
    assert ensure_plan(said.append, slug="demo", fixture=fixture) is None
    assert said[0].startswith("Not loading demo.json")
    plan.refresh_from_db()
    assert (plan.slug, plan.title) == ("someone-elses", "Someone else's plan")


def _git_status() -> list[str] | None:
    """`git status --porcelain` of this checkout (untracked files listed one by one); None outside git."""
    if shutil.which("git") is None:
        return None
    result = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.splitlines() if result.returncode == 0 else None


def test_a_quickstart_worker_run_writes_nothing_into_the_checkout(tmp_path: Path) -> None:
    """The quickstart's worker with beat on kombu's filesystem transport (no REDIS_URL) keeps its queue, its
    exchange tables and its beat schedule under var/, so running it leaves `git status` as it was."""
    before = _git_status()
    if before is None:
        pytest.skip(f"{settings.BASE_DIR} is not a git checkout")
    log = tmp_path / "worker.log"
    env = {"REDIS_URL": "", "DATABASE_URL": "", "DJANGO_VAR_DIR": str(tmp_path / "var")}
    with log.open("wb") as sink:
        worker = start_worker_with_beat(env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while " ready." not in log.read_text() and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop_background_services([worker])
    assert " ready." in log.read_text(), log.read_text()
    control = tmp_path / "var" / "celery" / "control"
    assert sorted(p.name for p in control.iterdir()) == ["celery.exchange", "celery.pidbox.exchange"]
    assert _git_status() == before
