"""What replacing a plan with a document changes, worked out from the rows before anything is written.

`match(plan, doc)` pairs the plan's rows with the document's parts and returns `Changes`: the rows to keep,
update, create and delete (which the importer applies), the diff as an instructor reads it and the progress
that blocks it. `import_plan --replace`, its `--dry-run` and the admin's preview all use it, so what a preview
shows is what the import does. The rules:

- phases, weeks and days are kept by their number; sessions by their position within the day;
- within a day a task is matched first by its exact text (it keeps its id, and so its ticks, even if it moved
  to another position or session of that day), then a task at the same session position and task position
  whose text changed counts as an edit of it (updated in place, ticks kept);
- whatever is left over is deleted. Learner rows point at days and tasks with PROTECT; if learners have
  progress on a leftover, the replace is refused, naming each day/task (`blockers`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from curriculum import document as d
from curriculum.models import Day, Phase, Plan, Session, Task, Week
from curriculum.protected import Blocker, blockers, progress_counts, protected_rows

ADDED, REMOVED, REWORDED, MOVED = "added", "removed", "reworded", "moved"

TaskKey = tuple[int, int]  # (session position, task position) within a day
SessionKey = tuple[int, int]  # (day number, session position)


@dataclass
class Change:
    """One line of the diff. `number` is the month, week or day; `session`/`task` are positions, 0 if n/a."""

    kind: str
    level: str  # "month", "week", "day", "session" or "task"
    number: int
    text: str = ""  # the text now; for a removal, the text before
    old_text: str = ""  # reworded: the text before
    session: int = 0
    task: int = 0
    old_session: int = 0  # moved: where it was
    old_task: int = 0
    learners: int = 0  # learners with progress on the task (reworded, moved and removed tasks)

    def sort_key(self) -> tuple[int, int, int, int]:
        return ({"month": 0, "week": 1}.get(self.level, 2), self.number, self.session, self.task)

    def describe(self) -> str:
        where = [f"{self.level if self.level in ('month', 'week') else 'day'} {self.number}"]
        where += [f"session {self.session}"] if self.session else []
        where += [f"task {self.task}"] if self.task else []
        line = f"{', '.join(where)}: {self.kind}"
        if self.kind == REWORDED:
            line += f' "{self.old_text}" -> "{self.text}"'
        elif self.kind == MOVED:
            line += f' "{self.text}" from session {self.old_session}, task {self.old_task}'
        elif self.text:
            line += f' "{self.text}"'
        return line + (f" ({self.learners} learner(s) have progress on it)" if self.learners else "")


@dataclass
class KeptTask:
    task: Task
    session: SessionKey
    position: int
    text: str


@dataclass
class Changes:
    plan: Plan
    phases: list[Phase] = field(default_factory=list)
    removed_phases: list[Phase] = field(default_factory=list)
    weeks: list[Week] = field(default_factory=list)
    removed_weeks: list[Week] = field(default_factory=list)
    days: dict[int, Day] = field(default_factory=dict)
    removed_days: list[Day] = field(default_factory=list)
    sessions: dict[SessionKey, Session] = field(default_factory=dict)
    removed_sessions: list[Session] = field(default_factory=list)
    kept: list[KeptTask] = field(default_factory=list)
    new_tasks: list[tuple[SessionKey, int, str]] = field(default_factory=list)
    removed_tasks: list[Task] = field(default_factory=list)
    removed_day_tasks: int = 0
    old_tasks: dict[int, Task] = field(default_factory=dict)  # every task the plan had, by id
    edited: int = 0
    diff: list[Change] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How the existing tasks are treated: kept (unchanged or moved), edited, added, removed."""
        return {
            "kept": len(self.kept) - self.edited,
            "edited": self.edited,
            "added": len(self.new_tasks),
            "removed": len(self.removed_tasks) + self.removed_day_tasks,
        }

    def note(self, kind: str, level: str, number: int, **detail: Any) -> Change:
        change = Change(kind, level, number, **detail)
        self.diff.append(change)
        return change


def match(plan: Plan, doc: d.Document) -> Changes:
    """Pair `plan`'s rows with `doc` (a constant number of queries); nothing is written."""
    changes = Changes(plan)
    _match_outline(changes, doc)
    old_sessions = {(s.day_id, s.position): s for s in Session.objects.filter(day__plan=plan).select_related("day")}
    removed_labels: dict[int, list[str]] = defaultdict(list)
    for (day_id, _), session in sorted(old_sessions.items()):
        removed_labels[day_id].append(_label(session))
    for row in changes.removed_days:
        changes.note(REMOVED, "day", row.number, text=" / ".join(removed_labels[row.pk]))
    old_tasks: dict[int, dict[TaskKey, Task]] = defaultdict(dict)
    tasks_by_id = changes.old_tasks
    for task in Task.objects.filter(session__day__plan=plan).select_related("session__day"):
        old_tasks[task.session.day_id][(task.session.position, task.position)] = task
        tasks_by_id[task.pk] = task
    by_task: dict[int, Change] = {}
    for day in doc.days:
        row = changes.days[day.number]
        _match_sessions(changes, day, row, old_sessions)
        by_task.update(_match_day_tasks(changes, day, old_tasks.pop(row.pk, {}), reported=row.pk is not None))
    kept_days = {row.pk for row in changes.days.values()}
    for session in old_sessions.values():
        changes.removed_sessions.append(session)
        if session.day_id in kept_days:
            changes.note(REMOVED, "session", session.day.number, text=_label(session), session=session.position)
    # Tasks still unclaimed belong to removed days; they go with them.
    changes.removed_day_tasks = sum(len(tasks) for tasks in old_tasks.values())
    for pk, n in progress_counts(Task, by_task).items():
        by_task[pk].learners = n
    days_by_id = {day.pk: day for day in changes.removed_days}
    found = protected_rows(changes.removed_days) + protected_rows(changes.removed_tasks)
    changes.blockers = blockers(found, days_by_id, tasks_by_id)
    changes.diff.sort(key=Change.sort_key)
    return changes


def _match_outline(changes: Changes, doc: d.Document) -> None:
    """Phases, weeks and days, each kept by its number."""
    plan = changes.plan
    old_phases = {p.number: p for p in plan.phases.all()}
    phases: dict[int, Phase] = {}
    for p in doc.phases:
        phases[p.number] = _titled(changes, "month", old_phases.pop(p.number, None), Phase(plan=plan), p)
    old_weeks = {w.number: w for w in plan.weeks.all()}
    weeks: dict[int, Week] = {}
    for p in doc.phases:
        for w in p.weeks:
            weeks[w.number] = _titled(changes, "week", old_weeks.pop(w.number, None), Week(plan=plan), w)
            weeks[w.number].phase = phases[p.number]
    old_days = {day.number: day for day in plan.days.all()}
    for w in doc.weeks:
        for day in w.days:
            row = old_days.pop(day.number, None)
            if row is None:
                row = Day(plan=plan, number=day.number)
                topics = " / ".join(f"{s.label}：{s.topic}" for s in day.sessions)
                changes.note(ADDED, "day", day.number, text=topics)
            row.week = weeks[w.number]
            changes.days[day.number] = row
    changes.removed_days = list(old_days.values())
    changes.phases, changes.removed_phases = list(phases.values()), list(old_phases.values())
    changes.weeks, changes.removed_weeks = list(weeks.values()), list(old_weeks.values())


def _titled[R: (Phase, Week)](changes: Changes, level: str, row: R | None, new: R, part: d.Phase | d.Week) -> R:
    if row is None:
        row = new
        row.number = part.number
        changes.note(ADDED, level, part.number, text=part.title)
    elif row.title != part.title:
        changes.note(REWORDED, level, part.number, text=part.title, old_text=row.title)
    row.title = part.title
    return row


def _label(session: Session) -> str:
    return f"{d.SLOT_LABELS[session.slot]}：{session.topic}"


def _match_sessions(changes: Changes, day: d.Day, row: Day, old: dict[tuple[int, int], Session]) -> None:
    for pos, s in enumerate(day.sessions, start=1):
        session = old.pop((row.pk, pos), None) if row.pk is not None else None
        label = f"{s.label}：{s.topic}"
        if session is None:
            session = Session(day=row, position=pos)
            if row.pk is not None:  # a new day's sessions are part of the day's own line
                changes.note(ADDED, "session", day.number, text=label, session=pos)
        elif (session.slot, session.topic) != (s.slot, s.topic):
            changes.note(REWORDED, "session", day.number, text=label, old_text=_label(session), session=pos)
        session.slot, session.topic = s.slot, s.topic
        changes.sessions[(day.number, pos)] = session


def _match_day_tasks(changes: Changes, day: d.Day, old: dict[TaskKey, Task], *, reported: bool) -> dict[int, Change]:
    """Match one day's tasks and note them; returns the changes about existing tasks, by task id."""
    wanted = {
        (spos, tpos): text for spos, s in enumerate(day.sessions, start=1) for tpos, text in enumerate(s.tasks, start=1)
    }
    matched, edits, leftover = _match_tasks(old, wanted)
    moved = _moved({key: task for key, task in matched.items() if key not in edits})
    by_task: dict[int, Change] = {}
    for key, text in wanted.items():
        task = matched.get(key)
        if task is None:
            changes.new_tasks.append(((day.number, key[0]), key[1], text))
            if reported:
                changes.note(ADDED, "task", day.number, text=text, session=key[0], task=key[1])
            continue
        changes.kept.append(KeptTask(task, (day.number, key[0]), key[1], text))
        if key in edits:
            change = changes.note(
                REWORDED, "task", day.number, text=text, old_text=task.text, session=key[0], task=key[1]
            )
            by_task[task.pk] = change
        elif task.pk in moved:
            place = {"session": key[0], "task": key[1], "old_session": task.session.position, "old_task": task.position}
            by_task[task.pk] = changes.note(MOVED, "task", day.number, text=text, **place)
    changes.edited += len(edits)
    for (spos, tpos), task in leftover.items():
        changes.removed_tasks.append(task)
        by_task[task.pk] = changes.note(REMOVED, "task", day.number, text=task.text, session=spos, task=tpos)
    return by_task


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


def _moved(kept: dict[TaskKey, Task]) -> set[int]:
    """The ids of kept tasks an instructor moved: those now in another session, and within a session those
    outside the longest run that kept its order (a task inserted above others shifts them, it does not move
    them)."""
    moved: set[int] = set()
    stayed: dict[int, list[Task]] = defaultdict(list)
    for (spos, _), task in sorted(kept.items(), key=lambda kv: kv[0]):
        if task.session.position != spos:
            moved.add(task.pk)
        else:
            stayed[spos].append(task)
    for tasks in stayed.values():
        in_order = _increasing_run([t.position for t in tasks])
        moved.update(t.pk for i, t in enumerate(tasks) if i not in in_order)
    return moved


def _increasing_run(values: list[int]) -> set[int]:
    """The indices of a longest increasing subsequence of `values` (patience sorting, n log n)."""
    tail_values: list[int] = []
    tails: list[int] = []
    before = [-1] * len(values)
    for i, value in enumerate(values):
        j = bisect_left(tail_values, value)
        before[i] = tails[j - 1] if j else -1
        if j == len(tails):
            tails.append(i)
            tail_values.append(value)
        else:
            tails[j], tail_values[j] = i, value
    found: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        found.add(i)
        i = before[i]
    return found
