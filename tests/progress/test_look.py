"""The look: contrast of the stylesheet's colours, one <h1> per page, and nothing CSP would block."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from progress.context_processors import nav_section
from progress.models import Enrollment
from tests.factories import make_plan

CSS = Path(settings.BASE_DIR, "static/css/site.css").read_text()


def css_var(name: str) -> str:
    match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert match, f"--{name} not found"
    return match.group(1)


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


TEXT_PAIRS = [
    ("text", "surface"),
    ("text", "bg"),
    ("muted", "surface"),
    ("muted", "bg"),
    ("muted", "review-bg"),
    ("primary", "surface"),
    ("primary", "bg"),
    ("primary-dark", "primary-soft"),
    ("done", "done-bg"),
    ("partial", "partial-bg"),
    ("missed", "missed-bg"),
    ("review", "review-bg"),
    ("morning", "morning-bg"),
    ("afternoon", "afternoon-bg"),
    ("fullday", "fullday-bg"),
    ("text", "done-bg"),
    ("text", "partial-bg"),
    ("text", "missed-bg"),
    ("text", "review-bg"),
]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_meet_wcag_aa(fg: str, bg: str) -> None:
    assert contrast(css_var(fg), css_var(bg)) >= 4.5


def test_white_on_the_primary_button_meets_wcag_aa() -> None:
    assert contrast("#ffffff", css_var("primary")) >= 4.5


@pytest.mark.parametrize("bg", ["surface", "bg", "primary-soft"])
def test_the_focus_ring_stands_out(bg: str) -> None:
    assert contrast(css_var("focus"), css_var(bg)) >= 3


def test_the_stylesheet_has_a_visible_focus_style() -> None:
    assert re.search(r":focus-visible\s*{[^}]*outline:\s*3px solid", CSS)


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/", "today"),
        ("/calendar/2026/03/", "calendar"),
        ("/days/4/", "calendar"),
        ("/plan/", "plan"),
        ("/progress/", "progress"),
        ("/settings/", "settings"),
        ("/admin/", ""),
    ],
)
def test_nav_section_follows_the_first_path_segment(path: str, section: str) -> None:
    assert nav_section(path) == section


class _Audit(HTMLParser):
    """Counts <h1> and collects what a strict Content-Security-Policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "h1":
            self.h1 += 1
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems += [f"{name} on <{tag}>" for name in names if name.startswith("on")]
        if tag == "script":
            self._in_script = "src" not in names
        if tag == "style":
            self.problems.append("<style> element")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def audit(body: str) -> _Audit:
    parser = _Audit()
    parser.feed(body)
    return parser


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/signup/done/",
        "/accounts/confirm/MQ/bad-token/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/done/",
        "/accounts/reset/MQ/bad-token/",
    ],
)
@pytest.mark.django_db
def test_public_pages_have_one_h1_and_nothing_inline(client: Client, path: str) -> None:
    response = client.get(path, follow=True)

    assert response.status_code == 200
    result = audit(response.content.decode())
    assert result.h1 == 1
    assert result.problems == []


@pytest.mark.parametrize(
    "path",
    [
        "/enroll/",
        "/settings/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
        "/",
        "/calendar/",
        "/days/1/",
        "/plan/",
        "/progress/",
        "/reschedule/",
        "/days-off/",
    ],
)
def test_learner_pages_have_one_h1_and_nothing_inline(client: Client, alice: User, path: str) -> None:
    Enrollment.objects.create(user=alice, plan=make_plan(days=2), start_date=date(2026, 3, 2))
    Enrollment.objects.create(user=alice, plan=make_plan(slug="second", days=2), start_date=date(2026, 3, 2))
    client.force_login(alice)

    response = client.get(path)

    assert response.status_code == 200
    result = audit(response.content.decode())
    assert result.h1 == 1
    assert result.problems == []


def test_no_template_uses_inline_styles_scripts_or_handlers() -> None:
    """A source scan of every template, so pages not rendered above are held to the same rule."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        source = template.read_text()
        if re.search(r"\sstyle\s*=", source) or re.search(r"\son[a-z]+\s*=", source):
            offenders.append(str(template))
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source):
            offenders.append(str(template))
    assert offenders == []


@pytest.mark.parametrize("path", ["/", "/calendar/", "/days/1/", "/plan/", "/progress/", "/settings/", "/reschedule/"])
def test_learner_pages_have_one_navigation(client: Client, alice: User, path: str) -> None:
    Enrollment.objects.create(user=alice, plan=make_plan(days=2), start_date=date(2026, 3, 2))
    client.force_login(alice)

    html = client.get(path).content.decode()
    start = html.index('<nav class="site-nav"')
    nav = html[start : html.index("</nav>", start)]

    assert html.count("<nav") - html.count('class="day-nav"') == 1
    for link in ('href="/"', 'href="/calendar/"', 'href="/plan/"', 'href="/progress/"', 'href="/settings/"'):
        assert nav.count(link) == 1, link
    assert "css/pages.css" not in html and html.count('rel="stylesheet"') == 1
