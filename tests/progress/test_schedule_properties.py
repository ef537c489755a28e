"""Property tests: the schedule's invariants hold for any start, weekday set, shifts, catch-ups, days off and
pauses combined."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from progress.schedule import CATCH_UP, PAUSE, RESUME, SHIFT, Change, DayKind, Schedule, ScheduleInput, pause_spans

START = date(2026, 1, 1)
dates = st.dates(min_value=START, max_value=START + timedelta(days=400))
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1)
ranges = st.tuples(dates, st.integers(0, 20)).map(lambda t: (t[0], t[0] + timedelta(days=t[1])))
changes = st.builds(Change, st.sampled_from([SHIFT, CATCH_UP, PAUSE, RESUME]), st.integers(1, 70), dates)

inputs = st.builds(
    ScheduleInput,
    start_date=dates,
    weekdays=weekday_sets,
    total_days=st.integers(0, 60),
    changes=st.lists(changes, max_size=6).map(tuple),
    days_off=st.lists(ranges, max_size=4).map(tuple),
    today=st.none() | dates,
)


def _in(d: date, spans: list[tuple[date, date]] | tuple[tuple[date, date], ...]) -> bool:
    return any(s <= d <= e for s, e in spans)


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_dates_strictly_increase_and_each_day_has_one(inp: ScheduleInput) -> None:
    s = Schedule.build(inp)
    assert len(s.dates) == inp.total_days
    assert all(a < b for a, b in zip(s.dates, s.dates[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_no_day_on_a_day_off_a_pause_or_a_non_study_weekday(inp: ScheduleInput) -> None:
    s = Schedule.build(inp)
    spans, _paused = pause_spans(inp.changes, inp.today)
    catch_ups = [c for c in inp.changes if c.kind == CATCH_UP]
    for number, day in enumerate(s.dates, start=1):
        assert not _in(day, inp.days_off)
        assert not _in(day, spans)
        if day.weekday() not in inp.weekdays:
            # Only a catch-up may use a review day, for its own days, from its own date on.
            assert any(min(c.from_day, inp.total_days) <= number and c.on_date <= day for c in catch_ups)
        assert day >= inp.start_date or any(c.kind in (SHIFT, CATCH_UP) for c in inp.changes)


@settings(max_examples=300, deadline=None)
@given(inputs, dates)
def test_date_of_and_day_on_are_inverse(inp: ScheduleInput, probe: date) -> None:
    s = Schedule.build(inp)
    for number in range(1, s.total_days + 1):
        assert s.day_on(s.date_of(number)).number == number
    on = s.day_on(probe)
    if on.kind == DayKind.STUDY:
        assert on.number is not None and s.date_of(on.number) == probe
    else:
        assert probe not in s.dates
    assert s.days_due_by(probe) == sum(1 for x in s.dates if x <= probe)


@settings(max_examples=200, deadline=None)
@given(inputs, st.integers(1, 70), dates)
def test_catch_up_never_moves_a_day_earlier(inp: ScheduleInput, from_day: int, on: date) -> None:
    before = Schedule.build(inp)
    after = Schedule.build(
        ScheduleInput(
            inp.start_date,
            inp.weekdays,
            inp.total_days,
            (*inp.changes, Change(CATCH_UP, from_day, on)),
            inp.days_off,
            inp.today,
        )
    )
    k = min(from_day, inp.total_days)
    assert after.dates[: max(k - 1, 0)] == before.dates[: max(k - 1, 0)]
    assert all(a >= b for a, b in zip(after.dates, before.dates, strict=True))


@settings(max_examples=200, deadline=None)
@given(inputs)
def test_an_open_pause_with_today_leaves_nothing_due_after_the_pause(inp: ScheduleInput) -> None:
    s = Schedule.build(inp)
    _spans, paused_on = pause_spans(inp.changes, inp.today)
    if paused_on is not None and inp.today is not None:
        assert s.paused
        assert all(not (paused_on <= x <= inp.today) for x in s.dates)


def _with(inp: ScheduleInput, *, change: Change | None = None, day_off: tuple[date, date] | None = None) -> Schedule:
    return Schedule.build(
        ScheduleInput(
            inp.start_date,
            inp.weekdays,
            inp.total_days,
            (*inp.changes, change) if change else inp.changes,
            (*inp.days_off, day_off) if day_off else inp.days_off,
            inp.today,
        )
    )


@settings(max_examples=200, deadline=None)
@given(inputs, st.integers(1, 70), dates)
def test_shift_puts_day_k_on_the_first_free_study_day_from_its_date(inp: ScheduleInput, k: int, on: date) -> None:
    before = Schedule.build(inp)
    after = _with(inp, change=Change(SHIFT, k, on))
    if inp.total_days == 0:
        return
    k = min(k, inp.total_days)
    assert after.dates[: k - 1] == before.dates[: k - 1]
    lowest = max(on, after.dates[k - 2] + timedelta(days=1)) if k > 1 else on
    spans, _paused = pause_spans(inp.changes, inp.today)
    expected = lowest
    while expected.weekday() not in inp.weekdays or _in(expected, inp.days_off) or _in(expected, spans):
        expected += timedelta(days=1)
    assert after.date_of(k) == expected


@settings(max_examples=200, deadline=None)
@given(inputs, ranges)
def test_a_new_day_off_never_moves_a_day_earlier(inp: ScheduleInput, off: tuple[date, date]) -> None:
    before = Schedule.build(inp)
    after = _with(inp, day_off=off)
    assert all(a >= b for a, b in zip(after.dates, before.dates, strict=True))
    # Days entirely before the day off keep their dates.
    assert all(a == b for a, b in zip(after.dates, before.dates, strict=True) if b < off[0])


@settings(max_examples=300, deadline=None)
@given(inputs.filter(lambda inp: inp.today is not None))
def test_while_paused_today_is_neither_a_study_nor_a_review_day(inp: ScheduleInput) -> None:
    s = Schedule.build(inp)
    assert inp.today is not None
    if s.paused_since is not None and s.paused_since <= inp.today:
        # Nothing can be due on a paused date, so no page can show a study (or review) day for today.
        assert s.day_on(inp.today).kind == DayKind.PAUSED
        assert all(s.day_on(d).kind == DayKind.PAUSED for d in (s.paused_since, max(s.paused_since, inp.today)))
    elif s.paused_since is None:
        assert s.day_on(inp.today).kind != DayKind.PAUSED
