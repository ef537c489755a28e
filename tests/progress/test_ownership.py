"""A learner reaches only their own enrollment, ticks and notes; every post needs the CSRF token."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from curriculum.models import Day, Plan
from progress.models import DayNote, Enrollment, ResourceProgress, StudyTime, StudyTimer, TaskCompletion, WeekNote
from tests.factories import make_plan
from tests.progress.helpers import START, tasks_of, tick

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")

HTMX = {"HX-Request": "true"}


@pytest.fixture
def bob_client(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def bob_elsewhere(bob: User) -> Enrollment:
    """Bob follows a different plan."""
    return Enrollment.objects.create(user=bob, plan=make_plan(slug="bobs", days=12), start_date=START)


@pytest.fixture
def bob_same_plan(bob: User, plan: Plan) -> Enrollment:
    """Bob follows the same plan as alice: same task ids, separate progress."""
    return Enrollment.objects.create(user=bob, plan=plan, start_date=START)


@pytest.fixture
def alices_note(enrollment: Enrollment) -> DayNote:
    return DayNote.objects.create(
        enrollment=enrollment, day=Day.objects.get(plan=enrollment.plan, number=2), body="alice secret", version=4
    )


def test_ticking_a_task_of_someone_elses_plan_is_404(bob_client, bob_elsewhere, enrollment, plan) -> None:
    task = tasks_of(plan, 2)[0]
    response = bob_client.post(f"/days/2/tasks/{task.pk}/toggle/", {"done": "1"}, headers=HTMX)
    assert response.status_code == 404
    assert not TaskCompletion.objects.exists()


def test_unticking_cannot_touch_another_learners_tick(bob_client, bob_same_plan, enrollment, plan) -> None:
    task = tasks_of(plan, 2)[0]
    tick(enrollment, task)
    response = bob_client.post(f"/days/2/tasks/{task.pk}/toggle/", {}, headers=HTMX)
    assert response.status_code == 200
    assert TaskCompletion.objects.filter(enrollment=enrollment, task=task).exists()


def test_ticking_the_same_task_id_only_marks_ones_own(bob_client, bob_same_plan, enrollment, plan) -> None:
    task = tasks_of(plan, 2)[0]
    bob_client.post(f"/days/2/tasks/{task.pk}/toggle/", {"done": "1"})
    assert TaskCompletion.objects.filter(enrollment=bob_same_plan, task=task).exists()
    assert not TaskCompletion.objects.filter(enrollment=enrollment).exists()


def test_a_day_page_shows_only_ones_own_plan_ticks_and_note(
    bob_client, bob_elsewhere, enrollment, plan, alices_note
) -> None:
    tick(enrollment, *tasks_of(plan, 2))
    html = bob_client.get("/days/2/").content.decode()
    assert "alice secret" not in html
    assert "0 of 4 tasks of this day done" in html
    assert not any(f'id="task-{t.pk}-box"' in html for t in tasks_of(plan, 2))
    assert bob_client.get("/days/11/").status_code == 200  # bob's plan has 12 days
    assert bob_client.get("/days/13/").status_code == 404


def test_same_plan_day_page_hides_the_other_learners_ticks_and_note(
    bob_client, bob_same_plan, enrollment, plan, alices_note
) -> None:
    tick(enrollment, *tasks_of(plan, 2))
    html = bob_client.get("/days/2/").content.decode()
    assert "alice secret" not in html and " checked" not in html
    assert 'id="note-version" value="0"' in html


def test_saving_a_note_never_touches_another_learners_note(bob_client, bob_same_plan, alices_note) -> None:
    response = bob_client.post("/days/2/note/", {"body": "bob's", "version": "4"})
    # Bob has no note on day 2 yet, so version 4 is stale for him: refused, and alice's note untouched.
    assert response.status_code == 409
    assert "alice secret" not in response.content.decode()
    alices_note.refresh_from_db()
    assert (alices_note.body, alices_note.version) == ("alice secret", 4)
    bob_client.post("/days/2/note/", {"body": "bob's", "version": "0"})
    alices_note.refresh_from_db()
    assert alices_note.body == "alice secret"
    assert DayNote.objects.get(enrollment=bob_same_plan).body == "bob's"


def test_export_holds_only_ones_own_notes(bob_client, bob_same_plan, enrollment, plan, alices_note) -> None:
    tick(enrollment, tasks_of(plan, 1)[0])
    text = bob_client.get("/notes/export.md").content.decode()
    assert "alice secret" not in text and "[x]" not in text


def test_pages_show_only_ones_own_progress(bob_client, bob_same_plan, enrollment, plan) -> None:
    tick(enrollment, *tasks_of(plan, 1))
    for url in ("/", "/calendar/2026/3/", "/plan/", "/progress/"):
        html = bob_client.get(url).content.decode()
        assert "0 of 40 tasks done" in html, url


def test_a_learner_without_enrollment_changes_nothing(bob_client, enrollment, plan) -> None:
    task = tasks_of(plan, 1)[0]
    bob_client.post(f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"})
    bob_client.post("/days/1/note/", {"body": "x", "version": "0"})
    assert not TaskCompletion.objects.exists() and not DayNote.objects.exists()
    response = bob_client.get("/days/1/")
    assert response.status_code == 302 and response["Location"] == "/enroll/"


@pytest.mark.parametrize("url", ["/", "/calendar/", "/days/1/", "/plan/", "/progress/", "/notes/export.md"])
def test_every_page_needs_a_login(client: Client, enrollment, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def csrf_client(alice: User, enrollment: Enrollment) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def test_an_htmx_tick_without_the_csrf_token_is_refused(csrf_client, enrollment, plan) -> None:
    task = tasks_of(plan, 1)[0]
    response = csrf_client.post(f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"}, headers=HTMX)
    assert response.status_code == 403
    assert not TaskCompletion.objects.exists()


def test_an_htmx_tick_with_the_csrf_header_is_accepted(csrf_client, enrollment, plan) -> None:
    html = csrf_client.get("/days/1/").content.decode()
    token = html.split('"X-CSRFToken": "')[1].split('"')[0]  # what base.html hands htmx via hx-headers
    task = tasks_of(plan, 1)[0]
    response = csrf_client.post(
        f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"}, headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert TaskCompletion.objects.filter(task=task).exists()


def test_a_note_save_without_the_csrf_token_is_refused(csrf_client, enrollment) -> None:
    response = csrf_client.post("/days/1/note/", {"body": "x", "version": "0"}, headers=HTMX)
    assert response.status_code == 403
    assert not DayNote.objects.exists()


def test_a_note_save_with_the_csrf_header_is_accepted(csrf_client, enrollment) -> None:
    html = csrf_client.get("/days/1/").content.decode()
    token = html.split('"X-CSRFToken": "')[1].split('"')[0]
    response = csrf_client.post("/days/1/note/", {"body": "x", "version": "0"}, headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert DayNote.objects.get().body == "x"


# --- the study companion: resources, weekly reflections, snippets, search ---------------------------------


def test_a_resource_of_someone_elses_plan_is_404(bob_client, bob_elsewhere, enrollment, plan) -> None:
    item = plan.resource_sections.get().items.get()
    assert bob_client.get(f"/resources/{item.pk}/").status_code == 404
    assert bob_client.post(f"/resources/{item.pk}/status/", {"status": "done"}).status_code == 404
    assert bob_client.post(f"/resources/{item.pk}/note/", {"body": "x", "version": "0"}).status_code == 404
    assert not ResourceProgress.objects.exists()


def test_same_plan_resource_notes_and_reflections_stay_private(bob_client, bob_same_plan, enrollment, plan) -> None:
    item = plan.resource_sections.get().items.get()
    ResourceProgress.objects.create(enrollment=enrollment, resource=item, status="done", body="alice resource secret")
    WeekNote.objects.create(enrollment=enrollment, week=plan.weeks.get(number=1), body="alice week secret")
    for url in (f"/resources/{item.pk}/", "/resources/", "/review/1/", "/snippets/", "/search/?q=secret"):
        html = bob_client.get(url).content.decode()
        assert "alice resource secret" not in html and "alice week secret" not in html, url
    bob_client.post(f"/resources/{item.pk}/note/", {"body": "bob's", "version": "0"})
    bob_client.post("/review/1/note/", {"body": "bob's", "version": "0"})
    assert ResourceProgress.objects.get(enrollment=enrollment).body == "alice resource secret"
    assert WeekNote.objects.get(enrollment=enrollment).body == "alice week secret"
    assert ResourceProgress.objects.get(enrollment=bob_same_plan).body == "bob's"


def test_a_week_beyond_ones_own_plan_is_404(bob_client, bob_elsewhere, enrollment) -> None:
    # Bob's plan has 12 days (3 weeks); alice's 10 days are 2 weeks, so week 3 exists only in bob's.
    assert bob_client.get("/review/3/").status_code == 200
    assert bob_client.get("/review/4/").status_code == 404
    assert bob_client.post("/review/4/note/", {"body": "x", "version": "0"}).status_code == 404


@pytest.mark.parametrize("url", ["/review/1/note/", "/resources/{pk}/note/", "/resources/{pk}/status/"])
def test_companion_posts_without_the_csrf_token_are_refused(csrf_client, enrollment, plan, url: str) -> None:
    item = plan.resource_sections.get().items.get()
    data = {"body": "x", "version": "0", "status": "done"}
    assert csrf_client.post(url.format(pk=item.pk), data, headers=HTMX).status_code == 403
    assert not ResourceProgress.objects.exists() and not WeekNote.objects.exists()


def test_a_test_reminder_without_the_csrf_token_is_refused(csrf_client, enrollment) -> None:
    assert csrf_client.post("/settings/test-reminder/").status_code == 403
    assert csrf_client.post("/settings/test-reminder/", headers=HTMX).status_code == 403
    assert mail.outbox == []


def test_a_test_reminder_goes_to_ones_own_address_about_ones_own_plan(bob_client, bob_elsewhere, enrollment) -> None:
    bob_client.post("/settings/test-reminder/")

    [message] = mail.outbox
    assert message.to == ["bob@example.com"] and "Plan bobs" in message.subject


# --- study time ---------------------------------------------------------------------------------------------


def test_study_time_beyond_ones_own_plan_is_404(bob_client, bob_elsewhere, enrollment) -> None:
    # Bob's plan has 12 days: day 12 is his, day 13 is nobody's.
    for url in ("/days/13/time/", "/days/13/timer/start/", "/days/13/timer/stop/"):
        assert bob_client.post(url, {"add": "15"}).status_code == 404, url
    assert not StudyTime.objects.exists() and not StudyTimer.objects.exists()
    assert bob_client.post("/days/12/time/", {"add": "15"}).status_code == 302


def test_study_time_and_timers_stay_with_their_learner(bob_client, bob_same_plan, enrollment, plan, alice) -> None:
    day = Day.objects.get(plan=plan, number=2)
    StudyTime.objects.create(enrollment=enrollment, day=day, minutes=70)
    StudyTimer.objects.create(user=alice, enrollment=enrollment, day=day, started_at=timezone.now())
    html = bob_client.get("/days/2/").content.decode()
    assert '<strong id="time-total">0 min</strong>' in html and "Stop timer" not in html
    assert 'value="70"' not in bob_client.get("/progress/").content.decode()
    assert "Study time" not in bob_client.get("/notes/export.md").content.decode()
    # Bob's stop finds no timer of his; his start and his minutes are his own.
    assert bob_client.post("/days/2/timer/stop/").status_code == 409
    assert StudyTimer.objects.get().user == alice
    bob_client.post("/days/2/time/", {"minutes": "5"})
    bob_client.post("/days/2/timer/start/")
    assert StudyTime.objects.get(enrollment=enrollment).minutes == 70
    assert StudyTime.objects.get(enrollment=bob_same_plan).minutes == 5
    assert StudyTimer.objects.filter(user__in=[alice, bob_same_plan.user]).count() == 2


@pytest.mark.parametrize("url", ["/days/1/time/", "/days/1/timer/start/", "/days/1/timer/stop/"])
def test_study_time_posts_without_the_csrf_token_are_refused(csrf_client, enrollment, url: str) -> None:
    assert csrf_client.post(url, {"add": "15"}, headers=HTMX).status_code == 403
    assert csrf_client.post(url, {"add": "15"}).status_code == 403
    assert not StudyTime.objects.exists() and not StudyTimer.objects.exists()


def test_an_htmx_time_log_with_the_csrf_header_is_accepted(csrf_client, enrollment) -> None:
    html = csrf_client.get("/days/1/").content.decode()
    token = html.split('"X-CSRFToken": "')[1].split('"')[0]
    response = csrf_client.post("/days/1/time/", {"add": "30"}, headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200 and StudyTime.objects.get().minutes == 30
