"""Resources that learners work through: statuses, private notes, and days linked both ways."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curriculum.document import parse_bytes
from curriculum.importer import PlanImportError, import_document
from progress.models import Enrollment, ResourceProgress
from tests.progress.companion.reference import REFERENCE, paper
from tests.progress.helpers import tasks_of

pytestmark = pytest.mark.usefixtures("english_ui")
HTMX = {"HX-Request": "true"}


def test_the_resources_page_lists_every_item_with_its_status_and_citing_days(
    alice_client: Client, enrollment, plan
) -> None:
    ResourceProgress.objects.create(enrollment=enrollment, resource=paper(plan, 2), status="in_progress")
    html = alice_client.get("/resources/").content.decode()
    assert html.count('class="resource"') == 13
    assert "In progress" in html
    assert 'href="/days/1/"' in html  # paper 1 is cited on day 1


def test_day_1s_first_task_links_to_paper_1_and_the_paper_back_to_day_1(alice_client: Client, enrollment, plan) -> None:
    first = tasks_of(plan, 1)[0]
    html = alice_client.get("/days/1/").content.decode()
    task_html = html[html.index(f'id="task-{first.pk}"') :]
    assert task_html.index(f'href="/resources/{paper(plan).pk}/"') < task_html.index("</li>")
    page = alice_client.get(f"/resources/{paper(plan).pk}/").content.decode()
    assert '<a href="/days/1/">Day 1</a>' in page


def test_setting_a_status_without_javascript(alice_client: Client, enrollment, plan) -> None:
    url = f"/resources/{paper(plan).pk}/status/"
    response = alice_client.post(url, {"status": "done", "next": "/resources/"})
    assert response.status_code == 302 and response["Location"] == "/resources/"
    assert ResourceProgress.objects.get(enrollment=enrollment).status == "done"


def test_a_bad_status_changes_nothing_and_says_why(alice_client: Client, enrollment, plan) -> None:
    response = alice_client.post(f"/resources/{paper(plan).pk}/status/", {"status": "burnt"}, follow=True)
    assert "Choose one of the listed statuses." in response.content.decode()
    assert not ResourceProgress.objects.exists()


def test_a_resource_note_saves_with_versions_and_keeps_the_status(alice_client: Client, enrollment, plan) -> None:
    item = paper(plan)
    alice_client.post(f"/resources/{item.pk}/status/", {"status": "in_progress"})
    url = f"/resources/{item.pk}/note/"
    assert alice_client.post(url, {"body": "first", "version": "1"}, headers=HTMX).status_code == 200
    row = ResourceProgress.objects.get(enrollment=enrollment)
    assert (row.body, row.version, row.status) == ("first", 2, "in_progress")
    stale = alice_client.post(url, {"body": "older tab", "version": "1"}, headers=HTMX).content.decode()
    assert "Not saved: a newer version exists." in stale
    assert ResourceProgress.objects.get(enrollment=enrollment).body == "first"
    assert alice_client.post(url, {"body": "older tab", "version": "1"}).status_code == 409


def test_a_resource_note_is_rendered_safely(alice_client: Client, enrollment, plan) -> None:
    item = paper(plan)
    alice_client.post(f"/resources/{item.pk}/note/", {"body": "<script>x</script> **bold**", "version": "0"})
    html = alice_client.get(f"/resources/{item.pk}/").content.decode()
    assert "<strong>bold</strong>" in html and "<script>x" not in html


def test_the_resources_page_makes_a_fixed_number_of_queries(alice_client: Client, enrollment, plan) -> None:
    alice_client.get("/resources/")
    with CaptureQueriesContext(connection) as few:
        alice_client.get("/resources/")
    for item in plan.resource_sections.get(position=1).items.all():
        ResourceProgress.objects.create(enrollment=enrollment, resource=item, status="done", body="n")
    with CaptureQueriesContext(connection) as many:
        alice_client.get("/resources/")
    assert len(many) == len(few)


def test_replacing_the_plan_refuses_to_drop_a_resource_with_learner_notes(enrollment: Enrollment, plan) -> None:
    ResourceProgress.objects.create(enrollment=enrollment, resource=paper(plan, 4), body="mine")
    text = REFERENCE.read_text(encoding="utf-8").replace(
        '4. Wu等人，"个性化的多模式大语言模型：调查"（应用部分）\n', ""
    )
    with pytest.raises(PlanImportError, match="learners have notes or statuses on"):
        import_document(parse_bytes(text.encode()), "multimodal-90-days", replace=True)
    assert ResourceProgress.objects.get().resource.text.startswith("Wu等人")
