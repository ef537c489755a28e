"""A batch renders each part of its emails once for the same values ({% memo %}): every email must still be
exactly the one rendered alone, for study days, review days, the eve of the start, overdue lists, both
languages, and learners of two plans in one batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.template import Context, Template, TemplateSyntaxError

from curriculum.models import Plan, Task
from progress.models import Enrollment, ReminderDelivery, TaskCompletion
from progress.reminders import batch
from progress.reminders.message import build_message
from tests.factories import make_plan
from tests.progress.reminder_helpers import enroll, learners

pytestmark = pytest.mark.django_db

SATURDAY = date(2026, 3, 7)
EVERY_DAY = 127


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with time_machine.travel(datetime(2026, 3, 7, 4, 0, tzinfo=UTC), tick=False) as t:  # 12:00 in Shanghai
        yield t


def crowd(make_user: Callable[..., User], plan: Plan, other: Plan) -> list[int]:
    """Learners on a review day, study days, the eve and far behind, in both languages and two plans."""
    shapes: list[tuple[date, int, Plan]] = [
        (date(2026, 3, 2), 31, plan),  # Monday to Friday: Saturday is a review day
        (date(2026, 3, 2), EVERY_DAY, plan),  # study day 6
        (date(2026, 3, 8), EVERY_DAY, plan),  # starts tomorrow: the eve
        (date(2026, 2, 27), EVERY_DAY, plan),  # day 9: a long overdue list
        (date(2026, 3, 2), EVERY_DAY, other),  # the same day number in another plan
    ]
    ids = []
    tasks = list(Task.objects.filter(session__day__plan=plan).order_by("session__day__number", "pk"))
    for i, user in enumerate(learners(make_user, 20)):
        start, weekdays, which = shapes[i % len(shapes)]
        e = enroll(user, which, start=start, at=dtime(8, 0), language="en" if i % 2 else "zh-hans")
        Enrollment.objects.filter(pk=e.pk).update(study_weekdays=weekdays)
        if which == plan:
            ticked = tasks[: (i * 3) % 11]  # the same first tasks for some learners, different for others
            TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=e, task=t) for t in ticked)
        ids.append(ReminderDelivery.objects.create(enrollment=e, local_date=SATURDAY).pk)
    return ids


def parts(message: Any) -> tuple[str, str, str]:
    return str(message.subject), str(message.body), str(message.alternatives[0][0])


def test_each_email_of_a_batch_is_the_one_rendered_alone(make_user: Callable[..., User], plan: Plan) -> None:
    other = make_plan(days=10, slug="other-plan")
    ids = crowd(make_user, plan, other)
    loaded = batch.load(ids)
    together = [parts(batch.build(loaded[pk])) for pk in ids]
    memo = next(iter(loaded.values())).memo
    assert memo, "the batch kept its parts"
    alone = []
    for pk in ids:
        d = ReminderDelivery.objects.select_related("enrollment__plan", "enrollment__user").get(pk=pk)
        alone.append(parts(build_message(d.enrollment, d.local_date)))
    assert together == alone
    kinds = {body.split("\n")[2] for _, body, _ in together}
    assert len(kinds) >= 4, kinds  # review, study, eve, in both languages: the cases above are all there


def test_a_memo_part_is_rendered_once_per_name_language_and_values() -> None:
    calls: list[int] = []

    class Counter:
        def __str__(self) -> str:
            calls.append(1)
            return "x"

    t = Template('{% load email_memo %}{% memo "part" n %}{{ counter }}{{ n }}{% endmemo %}')
    memo: dict[Any, str] = {}
    outputs = [t.render(Context({"memo": memo, "n": n, "counter": Counter()})) for n in (1, 1, 2)]
    assert outputs == ["x1", "x1", "x2"]
    assert len(calls) == 2
    assert t.render(Context({"n": 1, "counter": Counter()})) == "x1"  # no memo: rendered each time
    assert len(calls) == 3


def test_the_memo_tag_wants_a_quoted_name() -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load email_memo %}{% memo n %}{% endmemo %}")


def _on_the_way() -> dict[str, str]:
    return {"c": "from a callable on the way"}


_on_the_way.c = "the function's own attribute"  # type: ignore[attr-defined]


class _Silent(Exception):
    silent_variable_failure = True


class _Raising:
    @property
    def c(self) -> str:
        raise _Silent


class _Obj:
    def __init__(self, **attrs: Any) -> None:
        self.__dict__.update(attrs)

    def method(self) -> str:
        return "called"


@pytest.mark.parametrize(
    "context",
    [
        {"a": _Obj(b=_Obj(c=3))},
        {"a": _Obj(b=None)},  # None on the way: Django's invalid value
        {"a": {"b": {"c": "from a dict"}}},
        {"a": _Obj(b={"c": "dict inside"})},
        {"a": _Obj(b=[1, 2])},
        {"a": _Obj(b=_Obj(c=_Obj().method))},  # a callable is called, as Django does
        {"a": _Obj(b=_on_the_way)},  # a callable on the way is called too, whatever attributes it has
        {"a": _Obj(b=_Raising())},  # silent_variable_failure: Django's blank
        {},
    ],
)
def test_memo_keys_are_the_values_django_resolves(context: dict[str, Any]) -> None:
    """The memo reads plain paths with getattr; whatever it reads must be what the template would show."""
    template = Template('{% load email_memo %}{% memo "x" a.b.c a.b a %}{% endmemo %}')
    node = next(n for n in template.nodelist if n.__class__.__name__ == "MemoNode")
    ctx = Context(context)
    ctx.template = template  # as while rendering: an invalid value is the engine's string_if_invalid
    for i, value in enumerate(node.values):  # type: ignore[attr-defined]
        assert node._value(ctx, i) == value.resolve(ctx)  # type: ignore[attr-defined]


def test_a_later_batch_on_the_same_plans_goes_on_with_the_parts_rendered(
    make_user: Callable[..., User], plan: Plan
) -> None:
    other = make_plan(days=10, slug="other-plan")
    ids = crowd(make_user, plan, other)
    first, second = batch.load(ids[:10]), batch.load(ids[10:])
    for loaded in first.values():
        batch.build(loaded)
    kept = len(next(iter(first.values())).memo)
    assert next(iter(second.values())).memo is next(iter(first.values())).memo
    together = [parts(batch.build(second[pk])) for pk in ids[10:]]
    assert len(next(iter(second.values())).memo) < 2 * kept  # most of the second batch's parts were there
    alone = []
    for pk in ids[10:]:
        d = ReminderDelivery.objects.select_related("enrollment__plan", "enrollment__user").get(pk=pk)
        alone.append(parts(build_message(d.enrollment, d.local_date)))
    assert together == alone


def test_an_edit_of_the_plan_between_batches_shows_in_the_next_one(make_user: Callable[..., User], plan: Plan) -> None:
    """The kept parts belong to the plan as it was: an instructor's edit (a new version) starts afresh."""
    users = learners(make_user, 2)
    ids = []
    for user in users:
        e = enroll(user, plan, start=date(2026, 3, 2), at=dtime(8, 0), language="en")
        Enrollment.objects.filter(pk=e.pk).update(study_weekdays=EVERY_DAY)
        ids.append(ReminderDelivery.objects.create(enrollment=e, local_date=SATURDAY).pk)
    before = parts(batch.build(batch.load(ids[:1])[ids[0]]))
    task = Task.objects.filter(session__day__plan=plan, session__day__number=6).order_by("pk").first()
    assert task is not None and task.text in before[1]
    task.text = "A task rewritten by the instructor"
    task.save()
    after = parts(batch.build(batch.load(ids[1:])[ids[1]]))
    assert "A task rewritten by the instructor" in after[1] and "A task rewritten by the instructor" in after[2]


def test_the_kept_parts_start_afresh_once_their_text_is_long(
    make_user: Callable[..., User], plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_plan(days=10, slug="other-plan")
    ids = crowd(make_user, plan, other)
    first = batch.load(ids[:10])
    for loaded in first.values():
        batch.build(loaded)
    memo = next(iter(first.values())).memo
    assert isinstance(memo, batch.Parts) and memo.chars == sum(len(text) for text in memo.values())
    monkeypatch.setattr(batch, "MEMO_CHARS", memo.chars - 1)
    second = batch.load(ids[10:])
    assert next(iter(second.values())).memo == {}
    assert [parts(batch.build(second[pk])) for pk in ids[10:12]]  # and it fills again
