"""Store a parsed document as one plan's rows, or update an existing plan in place.

Everything happens in one transaction with bulk queries, so an import is a handful of queries whatever the
plan's size and a failed import leaves the database as it was.

Replacing a plan keeps learners' progress. Learner rows (in `progress`, which this module never imports) point
at days and tasks with PROTECT, so rows are updated in place rather than recreated:

- phases, weeks and days are kept by their number; sessions by their position within the day;
- within a day a task is matched first by its exact text (it keeps its id, and so its ticks, even if it moved
  to another position or session of that day), then a task at the same session position and task position
  whose text changed counts as an edit of it (updated in place, ticks kept);
- whatever is left over is deleted. If learners have progress on it, the delete raises ProtectedError and the
  whole import is refused with a message naming each day/task, and nothing is changed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction

from curriculum import document as d
from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week
from curriculum.positions import MAX_POSITION, park
from curriculum.signals import one_touch_at_the_end
from curriculum.statistics import refresh_statistics


class PlanImportError(Exception):
    """An import that was refused; nothing was written. `line` points into the document when it helps."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class ImportResult:
    plan: Plan
    created: bool
    counts: dict[str, int]
    # Only meaningful for a replace: how the existing tasks were treated.
    tasks_kept: int = 0
    tasks_edited: int = 0
    tasks_added: int = 0
    tasks_removed: int = 0

    def summary(self) -> str:
        c = self.counts
        what = "created" if self.created else "replaced"
        line = (
            f"Plan '{self.plan.slug}' {what}: {c['phases']} phases, {c['weeks']} weeks, {c['days']} days, "
            f"{c['sessions']} sessions, {c['tasks']} tasks, {c['resources']} resources "
            f"in {c['resource sections']} sections"
        )
        if not self.created:
            line += (
                f" (tasks: {self.tasks_kept} kept, {self.tasks_edited} edited, "
                f"{self.tasks_added} added, {self.tasks_removed} removed)"
            )
        return line + "."


def import_document(
    doc: d.Document, slug: str, *, replace: bool = False, published: bool | None = None
) -> ImportResult:
    """Store `doc` as the plan `slug`. `published=None` means published for a new plan, unchanged on replace."""
    try:
        validate_slug(slug)
    except ValidationError:
        raise PlanImportError(f"'{slug}' is not a valid slug: use letters, numbers, hyphens and underscores") from None
    slug_limit = Plan._meta.get_field("slug").max_length or 0
    if len(slug) > slug_limit:
        raise PlanImportError(f"the slug is {len(slug)} characters long; at most {slug_limit} fit")
    _check_lengths(doc)
    with transaction.atomic(), one_touch_at_the_end():
        plan = Plan.objects.select_for_update().filter(slug=slug).first()
        if plan is None:
            plan = _create(doc, slug, published=True if published is None else published)
            result = ImportResult(plan, created=True, counts=doc.counts())
        elif not replace:
            raise PlanImportError(
                f"a plan with slug '{slug}' already exists; pass --replace to update it in place "
                "(learners' progress is kept), or choose another --slug"
            )
        else:
            result = ImportResult(plan, created=False, counts=doc.counts())
            _replace(plan, doc, published, result)
        # Bulk writes send no signals: a new version, in this transaction, retires the cached structure.
        Plan.objects.touch([plan.pk])
    refresh_statistics()
    return result


def _check_lengths(doc: d.Document) -> None:
    """Refuse over-long titles before writing: PostgreSQL would refuse them mid-import with a less helpful error."""

    def check(model: type[models.Model], name: str, value: str, line: int | None, what: str) -> None:
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit is not None and len(value) > limit:
            raise PlanImportError(f"the {what} is {len(value)} characters long; at most {limit} fit", line)

    check(Plan, "title", doc.title, 1, "title")
    check(Plan, "overview_heading", doc.overview_heading, None, "overview heading")
    check(Plan, "resources_heading", doc.resources_heading, None, "resources heading")
    for phase in doc.phases:
        check(Phase, "title", phase.title, phase.line, f"title of month {phase.number}")
        for week in phase.weeks:
            check(Week, "title", week.title, week.line, f"title of week {week.number}")
            for day in week.days:
                for session in day.sessions:
                    check(Session, "topic", session.topic, session.line, f"topic of a session on day {day.number}")
    for section in doc.resource_sections:
        check(ResourceSection, "heading", section.heading, section.line, "resource section heading")
    _check_numbers(doc)


def _check_numbers(doc: d.Document) -> None:
    # Numbers and positions are PostgreSQL smallints, and reordered rows are parked above MAX_POSITION: a
    # bigger document is refused up front with its line, not halfway through the import by the database.
    def check(count: int, line: int | None, what: str) -> None:
        if count > MAX_POSITION:
            raise PlanImportError(f"{what}: {count}; at most {MAX_POSITION} fit", line)

    for week in doc.weeks:
        check(week.number, week.line, "week number")
        for day in week.days:
            check(day.number, day.line, "day number")
            check(len(day.sessions), day.line, f"sessions on day {day.number}")
            for session in day.sessions:
                check(len(session.tasks), session.line, f"tasks in a session on day {day.number}")
    check(len(doc.resource_sections), None, "resource sections")
    for section in doc.resource_sections:
        check(len(section.items), section.line, f"items in the resource section '{section.heading}'")


def _plan_fields(doc: d.Document) -> dict[str, str]:
    return {
        "title": doc.title,
        "overview_heading": doc.overview_heading,
        "summary": doc.overview,
        "resources_heading": doc.resources_heading,
    }


def _create(doc: d.Document, slug: str, *, published: bool) -> Plan:
    plan = Plan.objects.create(slug=slug, published=published, **_plan_fields(doc))
    phases = Phase.objects.bulk_create(Phase(plan=plan, number=p.number, title=p.title) for p in doc.phases)
    weeks = Week.objects.bulk_create(
        Week(plan=plan, phase=row, number=w.number, title=w.title)
        for row, p in zip(phases, doc.phases, strict=True)
        for w in p.weeks
    )
    days = Day.objects.bulk_create(
        Day(plan=plan, week=row, number=day.number) for row, w in zip(weeks, doc.weeks, strict=True) for day in w.days
    )
    sessions = Session.objects.bulk_create(
        Session(day=row, slot=s.slot, topic=s.topic, position=pos)
        for row, day in zip(days, doc.days, strict=True)
        for pos, s in enumerate(day.sessions, start=1)
    )
    Task.objects.bulk_create(
        Task(session=row, text=text, position=pos)
        for row, s in zip(sessions, doc.sessions, strict=True)
        for pos, text in enumerate(s.tasks, start=1)
    )
    _create_resources(plan, doc)
    return plan


def _create_resources(plan: Plan, doc: d.Document) -> None:
    sections = ResourceSection.objects.bulk_create(
        ResourceSection(plan=plan, heading=s.heading, position=pos)
        for pos, s in enumerate(doc.resource_sections, start=1)
    )
    Resource.objects.bulk_create(
        Resource(section=row, text=text, position=pos)
        for row, s in zip(sections, doc.resource_sections, strict=True)
        for pos, text in enumerate(s.items, start=1)
    )


# --- replace in place ---------------------------------------------------------------------------------------

TaskKey = tuple[int, int]  # (session position, task position) within a day


def _match_tasks(
    old: dict[TaskKey, Task], new: dict[TaskKey, str]
) -> tuple[dict[TaskKey, Task], set[TaskKey], dict[TaskKey, Task]]:
    """Match one day's tasks. Returns (new key -> kept task, new keys that are edits, leftover old tasks)."""
    matched: dict[TaskKey, Task] = {}
    left = dict(old)
    # Same text at the same place first, so duplicated texts keep their own rows...
    for key, text in new.items():
        if key in left and left[key].text == text:
            matched[key] = left.pop(key)
    # ...then the same text anywhere in the day (a moved task keeps its ticks)...
    by_text: dict[str, list[TaskKey]] = defaultdict(list)
    for key, task in left.items():
        by_text[task.text].append(key)
    for key, text in new.items():
        if key not in matched and by_text.get(text):
            matched[key] = left.pop(by_text[text].pop(0))
    # ...then a changed text at an unchanged place is an edit of that task.
    edits: set[TaskKey] = set()
    for key in new:
        if key not in matched and key in left:
            matched[key] = left.pop(key)
            edits.add(key)
    return matched, edits, left


def _replace(plan: Plan, doc: d.Document, published: bool | None, result: ImportResult) -> None:
    for name, value in _plan_fields(doc).items():
        setattr(plan, name, value)
    if published is not None:
        plan.published = published
    plan.save()

    # Phases and weeks by number.
    old_phases = {p.number: p for p in plan.phases.all()}
    phase_rows: dict[int, Phase] = {}
    for p in doc.phases:
        phase = old_phases.pop(p.number, None) or Phase(plan=plan, number=p.number)
        phase.title = p.title
        phase_rows[p.number] = phase
    _save(Phase, phase_rows.values(), ["title"])

    old_weeks = {w.number: w for w in plan.weeks.all()}
    week_rows: dict[int, Week] = {}
    for p in doc.phases:
        for w in p.weeks:
            week = old_weeks.pop(w.number, None) or Week(plan=plan, number=w.number)
            week.title, week.phase = w.title, phase_rows[p.number]
            week_rows[w.number] = week
    _save(Week, week_rows.values(), ["title", "phase"])

    # Days by number.
    old_days = {day.number: day for day in plan.days.all()}
    day_rows: dict[int, Day] = {}
    for w in doc.weeks:
        for day in w.days:
            row = old_days.pop(day.number, None) or Day(plan=plan, number=day.number)
            row.week = week_rows[w.number]
            day_rows[day.number] = row
    _save(Day, day_rows.values(), ["week"])
    removed_days = list(old_days.values())

    # Sessions by position in their day; tasks matched per day.
    old_sessions: dict[tuple[int, int], Session] = {
        (s.day_id, s.position): s for s in Session.objects.filter(day__plan=plan)
    }
    old_tasks_by_day: dict[int, dict[TaskKey, Task]] = defaultdict(dict)
    tasks_by_id: dict[int, Task] = {}
    for task in Task.objects.filter(session__day__plan=plan).select_related("session__day"):
        old_tasks_by_day[task.session.day_id][(task.session.position, task.position)] = task
        tasks_by_id[task.pk] = task

    session_rows: dict[tuple[int, int], Session] = {}
    kept: list[tuple[Task, tuple[int, int], int, str]] = []  # task, (day number, session position), position, text
    new_tasks: list[tuple[tuple[int, int], int, str]] = []
    removed_tasks: list[Task] = []
    for day in doc.days:
        day_row = day_rows[day.number]
        for pos, s in enumerate(day.sessions, start=1):
            session = old_sessions.pop((day_row.pk, pos), None) or Session(day=day_row, position=pos)
            session.slot, session.topic = s.slot, s.topic
            session_rows[(day.number, pos)] = session
        wanted = {
            (spos, tpos): text
            for spos, s in enumerate(day.sessions, start=1)
            for tpos, text in enumerate(s.tasks, start=1)
        }
        matched, edits, leftover = _match_tasks(old_tasks_by_day.pop(day_row.pk, {}), wanted)
        for (spos, tpos), text in wanted.items():
            if (spos, tpos) in matched:
                kept.append((matched[(spos, tpos)], (day.number, spos), tpos, text))
            else:
                new_tasks.append(((day.number, spos), tpos, text))
        result.tasks_edited += len(edits)
        removed_tasks.extend(leftover.values())
    removed_sessions = list(old_sessions.values())
    # Tasks still unclaimed belong to removed days; they go with them.

    result.tasks_kept = len(kept) - result.tasks_edited
    result.tasks_added = len(new_tasks)
    result.tasks_removed = len(removed_tasks) + sum(len(t) for t in old_tasks_by_day.values())

    # Deletes come first: if learners' progress blocks one, nothing below needs doing.
    _delete_or_refuse(removed_days, removed_tasks, tasks_by_id)

    _save(Session, session_rows.values(), ["slot", "topic"])

    moving = [
        (task, session_rows[skey], pos, text)
        for task, skey, pos, text in kept
        if (task.session_id, task.position, task.text) != (session_rows[skey].pk, pos, text)
    ]
    # Parked first, so that swapping two tasks never collides on the unique (session, position) mid-update.
    park(Task.objects.filter(pk__in=[task.pk for task, *_ in moving]))
    for task, session, pos, text in moving:
        task.session, task.position, task.text = session, pos, text
    Task.objects.bulk_update([task for task, *_ in moving], ["session", "position", "text"])
    Task.objects.bulk_create(Task(session=session_rows[skey], position=pos, text=text) for skey, pos, text in new_tasks)

    # What is left of the old structure is empty of kept rows by now.
    _delete_ids(Session, [s.pk for s in removed_sessions])
    _delete_ids(Week, [w.pk for w in old_weeks.values()])
    _delete_ids(Phase, [p.pk for p in old_phases.values()])

    # Nothing points at resources, so they are simply rebuilt.
    ResourceSection.objects.filter(plan=plan).delete()
    _create_resources(plan, doc)


def _save[M: models.Model](model: type[M], rows: Iterable[M], fields: list[str]) -> None:
    """bulk_create the new rows, bulk_update the existing ones (a query each, whatever the count)."""
    rows = list(rows)
    # bulk_create marks the rows as saved (and sets their pk), so the update below skips them.
    model._default_manager.bulk_create([r for r in rows if r._state.adding])
    model._default_manager.bulk_update([r for r in rows if not r._state.adding], fields)


def _delete_ids(model: type[models.Model], ids: list[int]) -> None:
    if ids:
        model._default_manager.filter(pk__in=ids).delete()


def _delete_or_refuse(removed_days: list[Day], removed_tasks: list[Task], tasks_by_id: dict[int, Task]) -> None:
    """Delete removed days and tasks, or refuse the import naming what learners have progress on."""
    blockers: list[models.Model] = []
    for model, ids in ((Day, [day.pk for day in removed_days]), (Task, [t.pk for t in removed_tasks])):
        try:
            _delete_ids(model, ids)
        except models.ProtectedError as exc:
            # Raised while collecting, before any DELETE is sent: the transaction is still usable.
            blockers.extend(exc.protected_objects)
    if not blockers:
        return
    days_by_id = {day.pk: day for day in removed_days}
    per_task: Counter[int] = Counter()
    per_day: Counter[int] = Counter()
    other: Counter[str] = Counter()
    for obj in blockers:
        # Learner rows are recognised by what they point at, so this module needs no import from `progress`.
        target = next((f for f in obj._meta.concrete_fields if f.is_relation and f.related_model in (Task, Day)), None)
        if target is None:
            other[str(obj._meta.verbose_name)] += 1
        elif target.related_model is Task:
            per_task[getattr(obj, target.attname)] += 1
        else:
            per_day[getattr(obj, target.attname)] += 1
    lines = []
    for day_id, n in sorted(per_day.items(), key=lambda kv: days_by_id[kv[0]].number):
        lines.append(f"  day {days_by_id[day_id].number}: removed, but {n} learner note(s) are on it")
    for task_id, n in sorted(per_task.items(), key=lambda kv: _task_order(tasks_by_id[kv[0]])):
        task = tasks_by_id[task_id]
        lines.append(f'  day {task.session.day.number}, task "{task.text}": removed, but {n} learner(s) ticked it')
    lines.extend(f"  {n} {name} row(s) point at removed rows" for name, n in sorted(other.items()))
    raise PlanImportError(
        "import refused, nothing was changed: the document removes days or tasks that learners have progress on:\n"
        + "\n".join(lines)
        + "\nKeep them in the document (to reword a task, change its text at the same day, session and "
        "position: it keeps its ticks), or delete that progress first (admin: task completions, day notes) "
        "and import again."
    )


def _task_order(task: Task) -> tuple[int, int, int]:
    return (task.session.day.number, task.session.position, task.position)
