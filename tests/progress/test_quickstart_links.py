"""A real `manage.py quickstart --addrport 127.0.0.1:<free port>`: every absolute link it builds uses that address
(the feed URL on the settings page, the feed's events, the reminder email and its List-Unsubscribe, the
password-reset and sign-up emails its Celery worker sends), and a learner sees the site's own 404 page where
Django's debug page would be."""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

from tests.progress.test_quickstart import PASSWORD_LINE, WORKER_LINE, _free_port, _kill_group

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LINK = re.compile(r"https?://[^\s<>\"')]+")


def environment(var_dir: Path) -> dict[str, str]:
    """A fresh SQLite install under `var_dir`, mail to files, links left to quickstart (no SITE_URL)."""
    drop = {
        "DATABASE_URL",
        "DJANGO_SETTINGS_MODULE",
        "SITE_URL",
        "DJANGO_DEBUG",
        "DJANGO_ALLOWED_HOSTS",
        "EMAIL_HOST",
        "EMAIL_BACKEND",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DJANGO_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def read_mails(mail_dir: Path) -> list[EmailMessage]:
    """Every message Django's file backend wrote (several per file, separated by a line of dashes)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.lstrip(), policy=email.policy.default))
    return messages


def text_of(message: EmailMessage) -> str:
    return "\n".join(str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text")


class Browser:
    """urllib with cookies and Django's CSRF token, as a browser without JavaScript."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:  # not serving yet
            return 0, ""

    def submit(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        status, page = self.get(path)
        token = CSRF_INPUT.search(page)
        assert status == 200 and token, (status, page[:500])
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def wait_for[T](condition: Callable[[], T], seconds: float = 120) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    return condition()


def test_every_link_follows_the_served_address_and_errors_are_the_sites_own(tmp_path: Path) -> None:
    env = environment(tmp_path)
    setup = subprocess.run(
        [sys.executable, "manage.py", "quickstart", "--no-serve"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    passwords = dict(PASSWORD_LINE.findall(setup.stdout))
    assert "learner" in passwords and "No plan fixture" not in setup.stdout, setup.stdout
    # Every weekday a study day, so today has a reminder whatever day the test runs on.
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("UPDATE progress_enrollment SET study_weekdays = 127")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "quickstart.log"
    with log.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "manage.py", "quickstart", "--addrport", f"127.0.0.1:{port}", "--remind-now"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            visitor = Browser(base)
            assert wait_for(lambda: child.poll() is None and visitor.get("/accounts/login/")[0] == 200, 90), (
                log.read_text()
            )
            assert f"Site: {base}/" in log.read_text()

            # The web process: the feed URL on the settings page, and the feed's own links.
            learner = Browser(base)
            status, _ = learner.submit("/accounts/login/", {"username": "learner", "password": passwords["learner"]})
            assert status == 200
            status, page = learner.get("/settings/")
            feed = re.search(r'value="(http://[^"]+\.ics)"', page)
            assert status == 200 and feed, page[:1000]
            assert feed.group(1).startswith(f"{base}/calendar/")
            assert f'href="webcal://127.0.0.1:{port}/calendar/' in page
            with urllib.request.urlopen(feed.group(1), timeout=30) as response:
                ics = response.read().decode().replace("\r\n ", "")
            assert f"{base}/days/1/" in ics

            # DEBUG is off: the learner's own 404 page, not Django's debug page.
            status, page = learner.get("/days/999/")
            assert status == 404
            assert "<h1>找不到这个页面</h1>" in page and "URLconf" not in page

            # The worker's emails: password reset and sign-up confirmation.
            assert visitor.submit("/accounts/password_reset/", {"email": "learner@example.com"})[0] == 200
            signup = {"username": "newbie", "email": "newbie@example.com"}
            signup |= {"password1": "a long Pass phrase 42", "password2": "a long Pass phrase 42"}
            assert visitor.submit("/accounts/signup/", signup)[0] == 200

            def mails() -> list[EmailMessage] | None:
                found = read_mails(tmp_path / "mail")
                texts = " ".join(text_of(m) for m in found)
                return found if "/accounts/reset/" in texts and "/accounts/confirm/" in texts else None

            messages = wait_for(mails, 120)
            assert messages, (log.read_text(), [text_of(m) for m in read_mails(tmp_path / "mail")])
        finally:
            child.terminate()
            try:
                child.wait(timeout=20)
            finally:
                _kill_group(child.pid)
                worker = WORKER_LINE.search(log.read_text())
                if worker is not None:
                    _kill_group(int(worker.group(1)))

    reminders = [m for m in messages if m["List-Unsubscribe"]]
    assert reminders, [m["Subject"] for m in messages]
    assert all(m["List-Unsubscribe"].startswith(f"<{base}/unsubscribe/") for m in reminders)
    links = [link for m in messages for link in LINK.findall(text_of(m)) if "127.0.0.1" in link or "localhost" in link]
    assert links and all(link.startswith(f"{base}/") for link in links), links
    kinds = {urllib.parse.urlsplit(link).path.split("/")[1] for link in links}
    assert {"accounts", "unsubscribe"} <= kinds, kinds
