"""Search across the plan and the learner's notes: Chinese and English, highlighted, escaped, constant queries.

Runs on whichever database the suite uses: PostgreSQL (full-text + pg_trgm) under CI, SQLite otherwise; the
PostgreSQL-only test says so.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Day
from progress.models import DayNote
from progress.search import highlight, search

pytestmark = pytest.mark.usefixtures("english_ui")


def kinds(hits: list) -> set[str]:
    return {h.kind for h in hits}


def test_clip_finds_tasks_topics_and_weeks(enrollment) -> None:
    hits = search(enrollment, "CLIP")
    assert {"Task", "Topic"} <= kinds(hits)
    assert any(h.text == "运行HuggingFace的CLIP教程" and h.url.startswith("/days/4/#task-") for h in hits)


@pytest.mark.parametrize("query", ["多模态学习", "微调"])
def test_chinese_substrings_match_inside_longer_texts(enrollment, query: str) -> None:
    hits = search(enrollment, query)
    assert hits
    assert all(query in h.text for h in hits)


def test_a_chinese_phrase_the_plan_does_not_use_finds_the_learners_note(enrollment, plan) -> None:
    assert search(enrollment, "对比学习") == []  # the reference plan never says it
    DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=4), body="CLIP 用对比学习训练")
    assert [h.url for h in search(enrollment, "对比学习")] == ["/days/4/#note"]


def test_resources_and_the_learners_own_notes_are_searched(enrollment, plan) -> None:
    DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=2), body="my 微调 trick")
    hits = search(enrollment, "微调")
    assert ("Your note", "/days/2/#note") in {(h.kind, h.url) for h in hits}
    assert "Resource" in kinds(search(enrollment, "PEFT"))


def test_another_learners_notes_are_never_found(enrollment, plan, bob) -> None:
    from progress.models import Enrollment

    bobs = Enrollment.objects.create(user=bob, plan=plan, start_date=enrollment.start_date)
    DayNote.objects.create(enrollment=bobs, day=Day.objects.get(plan=plan, number=2), body="bob secret")
    assert search(enrollment, "bob secret") == []


def test_matches_are_highlighted_and_everything_else_escaped() -> None:
    assert highlight("<b>CLIP</b> and clip", "clip") == "&lt;b&gt;<mark>CLIP</mark>&lt;/b&gt; and <mark>clip</mark>"


def test_the_search_page_shows_hits_from_the_header_box(alice_client: Client, enrollment) -> None:
    assert 'action="/search/"' in alice_client.get("/").content.decode()
    html = alice_client.get("/search/", {"q": "CLIP"}).content.decode()
    assert "<mark>CLIP</mark>" in html
    assert alice_client.get("/search/", {"q": "   "}).status_code == 200


def test_search_makes_a_fixed_number_of_queries(alice_client: Client, enrollment, plan) -> None:
    with CaptureQueriesContext(connection) as rare:
        alice_client.get("/search/", {"q": "ONNX"})
    with CaptureQueriesContext(connection) as common:
        alice_client.get("/search/", {"q": "学习"})
    assert len(common) == len(rare)


@pytest.mark.usefixtures("postgres")
def test_on_postgresql_words_match_in_any_order(enrollment, plan) -> None:
    day = Day.objects.get(plan=plan, number=5)
    DayNote.objects.create(enrollment=enrollment, day=day, body="The runtime of ONNX models is fast.")
    assert "/days/5/#note" in {h.url for h in search(enrollment, "ONNX runtime")}
