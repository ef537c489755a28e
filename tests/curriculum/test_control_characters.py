"""Invisible control characters (VT, FF, FS, NEL, U+2028 ...) stay out of plan texts: the importer refuses them
naming the line and the admin refuses them on the field (the calendar feed strips any already stored:
tests/progress/test_feed_window.py). Tabs and ordinary documents are untouched."""

from __future__ import annotations

import pytest
from django.test import Client

from curriculum import document as d
from curriculum.models import Plan, Session
from tests.curriculum.formdata import page_data, set_row
from tests.curriculum.plan_documents import REFERENCE, SMALL, refused, row_counts

# VT, FF, FS, DEL, NEL (C1), LINE SEPARATOR, PARAGRAPH SEPARATOR, and a C0 one below tab.
CONTROLS = ["\x0b", "\x0c", "\x1c", "\x7f", "\x85", "\u2028", "\u2029", "\x01"]
TASK_LINE = SMALL.split("\n").index("  - Task two") + 1


@pytest.mark.parametrize("char", CONTROLS)
def test_the_parser_refuses_a_control_character_naming_its_line(char: str) -> None:
    with pytest.raises(d.ParseError) as caught:
        d.parse(SMALL.replace("Task two", f"Task{char}two"))
    assert caught.value.line == TASK_LINE
    assert f"U+{ord(char):04X}" in caught.value.message


def test_tabs_and_crlf_are_still_accepted_and_documents_round_trip() -> None:
    doc = d.parse(SMALL.replace("Task two", "Task\ttwo").replace("\n", "\r\n"))
    assert "Task\ttwo" in [task for session in doc.sessions for task in session.tasks]
    text = REFERENCE.read_text(encoding="utf-8")
    assert d.render(d.parse(text)) == text


@pytest.mark.django_db
def test_the_import_command_refuses_it_and_writes_nothing(tmp_path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(SMALL.replace("Task two", "Task\u2028two"), encoding="utf-8")
    before = row_counts()
    message = str(refused(path, "odd"))
    assert f"plan.md:{TASK_LINE}:" in message and "U+2028" in message
    assert row_counts() == before
    assert not Plan.objects.filter(slug="odd").exists()


@pytest.mark.django_db
def test_the_admin_refuses_it_with_a_field_error(ines: Client, plan: Plan) -> None:
    session = Session.objects.get(day__plan=plan, day__number=1, position=1)
    task = session.tasks.get(position=1)
    url = f"/admin/curriculum/session/{session.pk}/change/"
    data = page_data(ines, url)
    set_row(data, "tasks", task.pk, text="Read\x0bthis")
    response = ines.post(url, data)
    assert response.status_code == 200
    assert "U+000B" in response.content.decode()
    task.refresh_from_db()
    assert task.text == "Task 1 of Topic 1m"
    data = page_data(ines, url)
    set_row(data, "tasks", task.pk, text="Read\tthis")
    assert ines.post(url, data).status_code == 302
    task.refresh_from_db()
    assert task.text == "Read\tthis"


@pytest.mark.django_db
def test_the_plan_admin_refuses_it_in_the_title(ines: Client, plan: Plan) -> None:
    url = f"/admin/curriculum/plan/{plan.pk}/change/"
    data = page_data(ines, url)
    data["title"] = "Plan\x85title"
    response = ines.post(url, data)
    assert response.status_code == 200 and "U+0085" in response.content.decode()
    plan.refresh_from_db()
    assert plan.title == "Plan test-plan"
