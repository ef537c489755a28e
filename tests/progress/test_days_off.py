"""Days off: adding one moves the study days after it; removing one frees them again, but only the part still
ahead (past days keep their dates); bad dates get a message and change nothing.

The learner started the 20-day plan on Monday 2 March 2026; most tests run on Saturday 7 March (their local date).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from progress import rescheduling
from progress.models import DayOff, Enrollment
from progress.services import overview
from tests.factories import make_plan

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")

MON = date(2026, 3, 2)
SAT = date(2026, 3, 7)


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=make_plan(days=20), start_date=MON)


def dates_of(enrollment: Enrollment, today: date) -> tuple[date, ...]:
    enrollment.refresh_from_db()
    return overview(enrollment, today).schedule.dates


# --- services ---------------------------------------------------------------------------------------------


def test_a_day_off_moves_the_days_after_it(enrollment: Enrollment) -> None:
    rescheduling.add_day_off(enrollment, d(10), None, today=d(9))
    schedule = overview(enrollment, d(9)).schedule
    assert schedule.date_of(7) == d(11)
    assert schedule.last_date == d(30)
    assert DayOff.objects.get().end_date == d(10)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (d(6), None, "today or later"),
        (d(12), d(11), "must not be before"),
        (d(12), date(2027, 4, 12), "at most"),
    ],
)
def test_bad_days_off_are_refused_with_a_message(
    enrollment: Enrollment, start: date, end: date | None, message: str
) -> None:
    with pytest.raises(rescheduling.ScheduleError, match=message):
        rescheduling.add_day_off(enrollment, start, end, today=SAT)
    assert not DayOff.objects.exists()


def test_overlapping_days_off_are_refused(enrollment: Enrollment) -> None:
    rescheduling.add_day_off(enrollment, d(10), d(12), today=SAT)
    with pytest.raises(rescheduling.ScheduleError, match="overlap"):
        rescheduling.add_day_off(enrollment, d(12), d(13), today=SAT)
    assert DayOff.objects.count() == 1


# --- views ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("on_saturday")
def test_days_off_page_lists_and_adds(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "2026-03-10", "end_date": "2026-03-11"})
    assert response.status_code == 302
    off = DayOff.objects.get()
    assert (off.enrollment, off.start_date, off.end_date) == (enrollment, d(10), d(11))
    page = alice_client.get(reverse("progress:days_off"))
    assert reverse("progress:day_off_delete", args=[off.pk]) in page.content.decode()


@pytest.mark.usefixtures("on_saturday")
def test_days_off_in_the_past_get_a_clear_error(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "2026-03-05"})
    assert response.status_code == 400
    assert "today or later" in response.content.decode()
    assert not DayOff.objects.exists()


@pytest.mark.usefixtures("on_saturday")
def test_days_off_with_a_bad_date_get_a_form_error(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "not a date"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not DayOff.objects.exists()


@pytest.mark.usefixtures("on_saturday")
def test_days_off_with_htmx_swap_the_panel(alice_client: Client, enrollment: Enrollment) -> None:
    htmx = {"HX-Request": "true"}
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "2026-03-10"}, headers=htmx)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="days-off"')
    assert "<h1>" not in body
    assert DayOff.objects.filter(start_date=d(10), end_date=d(10)).exists()


@pytest.mark.usefixtures("on_saturday")
def test_days_off_errors_with_htmx_come_back_in_the_swapped_panel(alice_client: Client, enrollment: Enrollment) -> None:
    htmx = {"HX-Request": "true"}
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "2026-03-05"}, headers=htmx)
    assert response.status_code == 200  # htmx leaves 4xx answers unswapped
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="days-off"')
    assert "today or later" in body
    assert not DayOff.objects.exists()


@pytest.mark.usefixtures("on_saturday")  # a day off already past cannot be removed: the clock must be before it
def test_days_off_delete_removes_it(alice_client: Client, enrollment: Enrollment) -> None:
    off = DayOff.objects.create(enrollment=enrollment, start_date=d(10), end_date=d(10))
    response = alice_client.post(reverse("progress:day_off_delete", args=[off.pk]))
    assert response.status_code == 302
    assert not DayOff.objects.filter(pk=off.pk).exists()


def test_days_off_of_another_learner_are_404(client: Client, bob: User, enrollment: Enrollment) -> None:
    off = DayOff.objects.create(enrollment=enrollment, start_date=d(10), end_date=d(10))
    Enrollment.objects.create(user=bob, plan=enrollment.plan, start_date=MON)
    client.force_login(bob)
    assert client.post(reverse("progress:day_off_delete", args=[off.pk])).status_code == 404
    assert DayOff.objects.filter(pk=off.pk).exists()
    assert "days-off-list" not in client.get(reverse("progress:days_off")).content.decode()


def test_days_off_delete_needs_post(alice_client: Client, enrollment: Enrollment) -> None:
    off = DayOff.objects.create(enrollment=enrollment, start_date=d(10), end_date=d(10))
    assert alice_client.get(reverse("progress:day_off_delete", args=[off.pk])).status_code == 405
    assert DayOff.objects.filter(pk=off.pk).exists()


@pytest.mark.usefixtures("on_saturday")
def test_it_refuses_days_off_in_year_9999(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "9999-12-31"})

    assert response.status_code == 400
    assert "at most two years ahead" in response.content.decode()
    assert not DayOff.objects.exists()


@pytest.mark.usefixtures("on_saturday")
def test_it_accepts_days_off_up_to_two_years_ahead(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "2028-03-07"})

    assert response.status_code == 302
    assert DayOff.objects.get().start_date == date(2028, 3, 7)


@pytest.mark.usefixtures("on_saturday")
def test_it_keeps_past_dates_when_a_day_off_in_the_past_is_removed(
    alice_client: Client, enrollment: Enrollment
) -> None:
    # Added back when it was still ahead: Tuesday 3 March off moved days 2-5 by one study day.
    off = DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 3, 3), end_date=date(2026, 3, 3))
    before = dates_of(enrollment, SAT)

    response = alice_client.post(reverse("progress:day_off_delete", args=[off.pk]))

    assert response.status_code == 302
    assert DayOff.objects.filter(pk=off.pk).exists()
    assert dates_of(enrollment, SAT) == before
    page = alice_client.get(response["Location"])
    assert "past days keep their dates" in page.content.decode()


@pytest.mark.usefixtures("on_saturday")
def test_it_removes_only_the_coming_part_of_a_day_off_that_has_begun(
    alice_client: Client, enrollment: Enrollment
) -> None:
    off = DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 3, 5), end_date=date(2026, 3, 10))
    before = dates_of(enrollment, SAT)

    response = alice_client.post(reverse("progress:day_off_delete", args=[off.pk]))

    assert response.status_code == 302
    off.refresh_from_db()
    assert (off.start_date, off.end_date) == (date(2026, 3, 5), date(2026, 3, 6))
    after = dates_of(enrollment, SAT)
    assert [d for d in after if d < SAT] == [d for d in before if d < SAT]
    assert after[-1] < before[-1]  # the coming days moved back


# --- the panel other pages include ----------------------------------------------------------------------


@pytest.mark.usefixtures("on_saturday")
def test_days_off_panel_tag_renders_the_learners_days_off(rf: RequestFactory, enrollment: Enrollment) -> None:
    DayOff.objects.create(enrollment=enrollment, start_date=d(10), end_date=d(12))
    request = rf.get("/settings/")
    html = Template("{% load schedule_tags %}{% days_off_panel enrollment %}").render(
        RequestContext(request, {"enrollment": enrollment})
    )
    off = DayOff.objects.get()
    assert reverse("progress:day_off_delete", args=[off.pk]) in html
    assert 'name="next" value="/settings/"' in html
