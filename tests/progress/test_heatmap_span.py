"""The heatmap covers the learner's plan span, in bands that scale to their container, labels never clipped."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from progress import heatmap
from progress.models import Enrollment
from progress.schedule import Schedule, ScheduleInput
from tests.factories import make_plan
from tests.progress.helpers import START

pytestmark = pytest.mark.usefixtures("english_ui")

LABEL_WIDTH = 27  # viewBox units: "Sep" or "十二月" (three CJK characters) at the label size of 9


def plan_dates(days: int, start: date = START) -> tuple[date, ...]:
    return Schedule.build(ScheduleInput(start, frozenset(range(5)), days)).dates


def test_it_runs_from_the_plans_first_week_to_its_planned_finish() -> None:
    dates = plan_dates(10)  # Mon 2 March .. Fri 13 March
    result = heatmap.build({date(2026, 3, 3): 2}, date(2026, 3, 4), dates)
    assert (result.start, result.finish, result.end) == (START, date(2026, 3, 15), date(2026, 3, 4))
    squares = {s.date: s for band in result.bands for s in band.squares}
    assert min(squares) == START and max(squares) == date(2026, 3, 15)  # not 13 weeks before today
    assert squares[date(2026, 3, 3)].level == 4 and not squares[date(2026, 3, 3)].ahead
    assert squares[date(2026, 3, 13)].ahead and squares[date(2026, 3, 13)].number == 10
    assert squares[date(2026, 3, 14)].number is None  # a Saturday: no plan day


def test_earlier_ticks_and_a_late_today_widen_it() -> None:
    dates = plan_dates(10)
    result = heatmap.build({date(2026, 2, 20): 1}, date(2026, 4, 1), dates)
    assert result.start == date(2026, 2, 16) and result.finish == date(2026, 4, 5)
    assert result.total == 1 and result.active_days == 1


@pytest.mark.parametrize(("days", "bands"), [(60, 1), (300, 5)])
def test_long_plans_get_more_bands_of_one_size(days: int, bands: int) -> None:
    dates = plan_dates(days, date(2026, 3, 2))
    result = heatmap.build({}, date(2026, 3, 10), dates)
    assert len(result.bands) == bands
    assert result.width == heatmap.LEFT + heatmap.BAND_WEEKS * heatmap.STEP + heatmap.RIGHT
    for band in result.bands:
        assert all(s.x + heatmap.CELL <= result.width and s.y + heatmap.CELL <= result.height for s in band.squares)


@settings(max_examples=150, deadline=None)
@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(1, 400), st.integers(-30, 600))
def test_month_labels_fit_inside_their_band_and_never_overlap(start: date, days: int, offset: int) -> None:
    result = heatmap.build({}, start + timedelta(days=offset), plan_dates(days, start))
    for band in result.bands:
        xs = [m.x for m in band.months]
        assert all(x + LABEL_WIDTH <= result.width for x in xs)
        assert all(b - a >= heatmap.LABEL_COLUMNS * heatmap.STEP for a, b in itertools.pairwise(xs))
        assert all(band.start <= m.date <= band.end for m in band.months)


def test_the_page_draws_scalable_bands(alice_client: Client, alice, on_local_date) -> None:
    Enrollment.objects.create(user=alice, plan=make_plan(days=120), start_date=START)
    on_local_date(START + timedelta(days=20))
    html = alice_client.get("/progress/").content.decode()
    svgs = re.findall(r"<svg class=\"heatmap\"[^>]*>", html)
    assert len(svgs) == 2  # 120 study days are 24 weeks: two bands of 13
    for svg in svgs:
        assert 'viewBox="0 0 ' in svg and " width=" not in svg and " height=" not in svg
    assert "day 120 (planned)" in html
