"""The plan as the learner pages read it, built once per plan version and kept in memory.

A plan changes only when an instructor edits it or a document is imported, and every such write gives the
plan a new `version` in the same transaction (curriculum.signals, curriculum.importer). Pages therefore
read the plan's days, sessions and tasks, with their inline Markdown already rendered to safe HTML, from
`structure_for(plan)` instead of querying and rendering them on every request.

Two cache levels: a small dict in this process (a hit costs a dict lookup, no unpickling) in front of
Django's cache framework (Redis in production), so another worker or a restarted one does not rebuild it.
Old versions are never deleted, only no longer asked for: the process cache keeps the most recent few and
the shared cache lets them expire.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from curriculum.models import Day, Plan, Resource, ResourceSection, Session, Task
from progress.notes import render_inline

# Part of the cache key: bump it when the classes below change shape, so no process unpickles an old one.
FORMAT = 1
SHARED_TIMEOUT = 7 * 24 * 3600
LOCAL_SIZE = 32


def _html(source: str) -> SafeString:
    return mark_safe(render_inline(source))  # noqa: S308 - render_inline sanitises with nh3


@dataclass(frozen=True, slots=True)
class TaskItem:
    pk: int
    day_number: int
    text: str  # the Markdown source, for plain-text uses (emails, exports)
    html: SafeString
    toggle_url: str  # reversed once here: pages show dozens of tick boxes
    day_url: str


@dataclass(frozen=True, slots=True)
class SessionItem:
    pk: int
    slot: str
    topic: str
    topic_html: SafeString
    tasks: tuple[TaskItem, ...]

    @property
    def slot_label(self) -> str | Promise:
        # Translated when rendered, so one cached structure serves every interface language.
        return Session.Slot(self.slot).label


@dataclass(frozen=True, slots=True)
class WeekItem:
    number: int
    title: str
    phase_number: int
    day_numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DayItem:
    pk: int
    number: int
    week: WeekItem
    sessions: tuple[SessionItem, ...]
    url: str

    @property
    def tasks(self) -> tuple[TaskItem, ...]:
        return tuple(t for s in self.sessions for t in s.tasks)

    @property
    def total(self) -> int:
        return sum(len(s.tasks) for s in self.sessions)


@dataclass(frozen=True, slots=True)
class PhaseItem:
    number: int
    title: str
    weeks: tuple[WeekItem, ...]


@dataclass(frozen=True, slots=True)
class SectionItem:
    heading: str
    items: tuple[SafeString, ...]


@dataclass(frozen=True)
class PlanStructure:
    plan_id: int
    version: str
    days: dict[int, DayItem]  # by number, in plan order
    phases: tuple[PhaseItem, ...]
    sections: tuple[SectionItem, ...]
    totals: dict[int, int] = field(init=False)  # day number -> its number of tasks
    day_of_task: dict[int, int] = field(init=False)  # task id -> its day's number

    def __post_init__(self) -> None:
        object.__setattr__(self, "totals", {n: d.total for n, d in self.days.items()})
        object.__setattr__(self, "day_of_task", {t.pk: n for n, d in self.days.items() for t in d.tasks})

    @property
    def last_day(self) -> int:
        """The highest day number: schedules are sized by it, so an emptied middle day keeps its date."""
        return max(self.days, default=0)

    @property
    def total_tasks(self) -> int:
        return len(self.day_of_task)

    def tasks_between(self, first: int, last: int) -> list[TaskItem]:
        """The tasks of days first..last, in plan order."""
        return [t for n, d in self.days.items() if first <= n <= last for t in d.tasks]


def build(plan_id: int, version: str) -> PlanStructure:
    """Read one plan's rows (five queries, whatever its size) and render its Markdown once."""
    tasks: dict[int, list[TaskItem]] = {}
    task_rows = (
        Task.objects.filter(session__day__plan_id=plan_id)
        .order_by("session__day__number", "session__position", "position")
        .values_list("pk", "session_id", "session__day__number", "text")
    )
    for pk, session_id, number, text in task_rows:
        toggle, day_url = reverse("progress:toggle_task", args=[number, pk]), reverse("progress:day", args=[number])
        tasks.setdefault(session_id, []).append(TaskItem(pk, number, text, _html(text), toggle, day_url))
    sessions: dict[int, list[SessionItem]] = {}
    for pk, day_id, slot, topic in (
        Session.objects.filter(day__plan_id=plan_id)
        .order_by("day__number", "position")
        .values_list("pk", "day_id", "slot", "topic")
    ):
        sessions.setdefault(day_id, []).append(SessionItem(pk, slot, topic, _html(topic), tuple(tasks.get(pk, ()))))
    rows = list(
        Day.objects.filter(plan_id=plan_id)
        .order_by("number")
        .values_list("pk", "number", "week__number", "week__title", "week__phase__number", "week__phase__title")
    )
    week_days: dict[int, list[int]] = {}
    for _pk, number, week_number, *_ in rows:
        week_days.setdefault(week_number, []).append(number)
    weeks: dict[int, WeekItem] = {}
    phases: dict[int, tuple[str, list[WeekItem]]] = {}
    days: dict[int, DayItem] = {}
    for day_id, number, week_number, week_title, phase_number, phase_title in rows:
        if week_number not in weeks:
            weeks[week_number] = WeekItem(week_number, week_title, phase_number, tuple(week_days[week_number]))
            phases.setdefault(phase_number, (phase_title, []))[1].append(weeks[week_number])
        days[number] = DayItem(
            day_id, number, weeks[week_number], tuple(sessions.get(day_id, ())), reverse("progress:day", args=[number])
        )
    return PlanStructure(
        plan_id=plan_id,
        version=version,
        days=days,
        phases=tuple(PhaseItem(p, phases[p][0], tuple(phases[p][1])) for p in sorted(phases)),
        sections=_sections(plan_id),
    )


def _sections(plan_id: int) -> tuple[SectionItem, ...]:
    items: dict[int, list[SafeString]] = {}
    for section_id, text in (
        Resource.objects.filter(section__plan_id=plan_id).order_by("position").values_list("section_id", "text")
    ):
        items.setdefault(section_id, []).append(_html(text))
    sections = ResourceSection.objects.filter(plan_id=plan_id).order_by("position").values_list("pk", "heading")
    return tuple(SectionItem(heading, tuple(items.get(pk, ()))) for pk, heading in sections)


_local: OrderedDict[tuple[int, str, str], PlanStructure] = OrderedDict()
_lock = threading.Lock()


def structure_for(plan: Plan) -> PlanStructure:
    """The structure of `plan` at the version just read with it; built at most once per version."""
    # The URLs inside depend on the script prefix a deployment is mounted under.
    key = (plan.pk, plan.version, get_script_prefix())
    with _lock:
        found = _local.get(key)
        if found is not None:
            _local.move_to_end(key)
            return found
    shared_key = f"plan-structure:{FORMAT}:{plan.pk}:{plan.version}:{key[2]}"
    found = cache.get(shared_key)
    if found is None:
        found = build(plan.pk, plan.version)
        cache.set(shared_key, found, SHARED_TIMEOUT)
    with _lock:
        _local[key] = found
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)
    return found
