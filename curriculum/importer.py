"""Store a parsed document as one plan's rows, or update an existing plan in place.

Everything happens in one transaction with bulk queries, so an import is a handful of queries whatever the
plan's size and a failed import leaves the database as it was. Each import is kept as a PlanVersion.

Replacing a plan keeps learners' progress. Learner rows (in `progress`, which this module never imports) point
at days and tasks with PROTECT, so rows are updated in place rather than recreated: `curriculum.changes.match`
decides which row becomes what (its docstring has the rules) and this module writes that, or refuses the whole
import, naming each day/task learners have progress on, when it would remove one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from curriculum import document as d
from curriculum.changes import Changes, match
from curriculum.citations import link_citations, store_citations
from curriculum.import_checks import PlanImportError, check_document
from curriculum.models import (
    Citation,
    Day,
    Phase,
    Plan,
    PlanVersion,
    Resource,
    ResourceSection,
    Session,
    Task,
    Week,
)
from curriculum.positions import park
from curriculum.protected import blockers, refusal
from curriculum.signals import one_touch_at_the_end
from curriculum.statistics import refresh_statistics


@dataclass
class ImportResult:
    plan: Plan
    created: bool
    counts: dict[str, int]
    # Only for a replace: what it changed (or, in a dry run, would change).
    changes: Changes | None = None
    citations: list[Citation] = field(default_factory=list)  # the matcher's task -> resource links

    @property
    def tasks_added(self) -> int:
        return self.changes.counts["added"] if self.changes else 0

    @property
    def tasks_removed(self) -> int:
        return self.changes.counts["removed"] if self.changes else 0

    def summary(self) -> str:
        c = self.counts
        what = "created" if self.created else "replaced"
        line = (
            f"Plan '{self.plan.slug}' {what}: {c['phases']} phases, {c['weeks']} weeks, {c['days']} days, "
            f"{c['sessions']} sessions, {c['tasks']} tasks, {c['resources']} resources "
            f"in {c['resource sections']} sections"
        )
        if self.changes is not None:
            t = self.changes.counts
            line += f" (tasks: {t['kept']} kept, {t['edited']} edited, {t['added']} added, {t['removed']} removed)"
        return line + "."

    def citation_report(self) -> str:
        """One line per link the matcher found: where the task is, and the resource it cites."""
        lines = [f"{len(self.citations)} task(s) linked to resources:"]
        lines += [f"  day {c.task.session.day.number}: {c.task.text}  ->  {c.resource.text}" for c in self.citations]
        return "\n".join(lines)

    def diff(self) -> list[str]:
        """The replace's changes, one line each (empty for a new plan)."""
        return [change.describe() for change in self.changes.diff] if self.changes else []


def import_document(
    doc: d.Document,
    slug: str,
    *,
    replace: bool = False,
    published: bool | None = None,
    author: Any = None,
    action: str = "",
) -> ImportResult:
    """Store `doc` as the plan `slug` and keep it as a version by `author` (a user, or None for a command).
    `published=None` means published for a new plan, unchanged on replace. `action` (a PlanVersion.Action)
    defaults to an import for a new plan and a replace otherwise."""
    check_document(doc, slug)
    with transaction.atomic(), one_touch_at_the_end():
        plan = Plan.objects.select_for_update().filter(slug=slug).first()
        if plan is None:
            plan, citations = _create(doc, slug, published=True if published is None else published)
            result = ImportResult(plan, created=True, counts=doc.counts(), citations=citations)
        elif not replace:
            raise PlanImportError(
                f"a plan with slug '{slug}' already exists; pass --replace to update it in place "
                "(learners' progress is kept), or choose another --slug"
            )
        else:
            changes = match(plan, doc)
            _replace(changes, doc, published)
            result = ImportResult(plan, created=False, counts=doc.counts(), changes=changes)
            result.citations = link_citations(plan, touch=False)
        # Bulk writes send no signals: a new version, in this transaction, retires the cached structure.
        Plan.objects.touch([plan.pk])
        action = action or (PlanVersion.Action.IMPORT if result.created else PlanVersion.Action.REPLACE)
        PlanVersion.objects.create(
            plan=plan, author=author, action=action, summary=result.summary(), document=d.render(doc)
        )
    refresh_statistics()
    return result


def _plan_fields(doc: d.Document) -> dict[str, str]:
    return {
        "title": doc.title,
        "overview_heading": doc.overview_heading,
        "summary": doc.overview,
        "resources_heading": doc.resources_heading,
    }


def _create(doc: d.Document, slug: str, *, published: bool) -> tuple[Plan, list[Citation]]:
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
    tasks = Task.objects.bulk_create(
        Task(session=row, text=text, position=pos)
        for row, s in zip(sessions, doc.sessions, strict=True)
        for pos, text in enumerate(s.tasks, start=1)
    )
    # The rows just created are matched in memory: no query to read them back.
    return plan, store_citations(plan, tasks, _create_resources(plan, doc))


def _create_resources(plan: Plan, doc: d.Document) -> list[Resource]:
    sections = ResourceSection.objects.bulk_create(
        ResourceSection(plan=plan, heading=s.heading, position=pos)
        for pos, s in enumerate(doc.resource_sections, start=1)
    )
    return Resource.objects.bulk_create(
        Resource(section=row, text=text, position=pos)
        for row, s in zip(sections, doc.resource_sections, strict=True)
        for pos, text in enumerate(s.items, start=1)
    )


# --- replace in place ---------------------------------------------------------------------------------------


def _replace(changes: Changes, doc: d.Document, published: bool | None) -> None:
    # Refused before anything is written. The deletes below check again: a learner may tick a task meanwhile.
    if changes.blockers:
        raise PlanImportError(refusal(changes.blockers))
    plan = changes.plan
    for name, value in _plan_fields(doc).items():
        setattr(plan, name, value)
    if published is not None:
        plan.published = published
    plan.save()
    _save(Phase, changes.phases, ["title"])
    _save(Week, changes.weeks, ["title", "phase"])
    _save(Day, changes.days.values(), ["week"])
    try:
        _delete_ids(Day, [day.pk for day in changes.removed_days])
        _delete_ids(Task, [task.pk for task in changes.removed_tasks])
    except ProtectedError as exc:
        # Raised while collecting, before any DELETE is sent.
        days = {day.pk: day for day in changes.removed_days}
        found = blockers(exc.protected_objects, days, changes.old_tasks)
        raise PlanImportError(refusal(found)) from None
    _save(Session, changes.sessions.values(), ["slot", "topic"])

    sessions = changes.sessions
    moving = [
        k
        for k in changes.kept
        if (k.task.session_id, k.task.position, k.task.text) != (sessions[k.session].pk, k.position, k.text)
    ]
    # Parked first, so that swapping two tasks never collides on the unique (session, position) mid-update.
    park(Task.objects.filter(pk__in=[k.task.pk for k in moving]))
    for k in moving:
        k.task.session, k.task.position, k.task.text = sessions[k.session], k.position, k.text
    Task.objects.bulk_update([k.task for k in moving], ["session", "position", "text"])
    Task.objects.bulk_create(
        Task(session=sessions[skey], position=pos, text=text) for skey, pos, text in changes.new_tasks
    )

    # What is left of the old structure is empty of kept rows by now.
    _delete_ids(Session, [s.pk for s in changes.removed_sessions])
    _delete_ids(Week, [w.pk for w in changes.removed_weeks])
    _delete_ids(Phase, [p.pk for p in changes.removed_phases])

    _replace_resources(plan, doc)


def _replace_resources(plan: Plan, doc: d.Document) -> None:
    """Sections and items are kept by position (learners' statuses and notes point at items), texts updated.

    Leftover items are deleted; if learners have notes or statuses on one, the import is refused.
    """
    old_sections = {s.position: s for s in plan.resource_sections.all()}
    section_rows = []
    for pos, s in enumerate(doc.resource_sections, start=1):
        row = old_sections.pop(pos, None) or ResourceSection(plan=plan, position=pos)
        row.heading = s.heading
        section_rows.append(row)
    _save(ResourceSection, section_rows, ["heading"])
    old_items = {(r.section_id, r.position): r for r in Resource.objects.filter(section__plan=plan)}
    item_rows = []
    for row, s in zip(section_rows, doc.resource_sections, strict=True):
        for pos, text in enumerate(s.items, start=1):
            item = old_items.pop((row.pk, pos), None) or Resource(section=row, position=pos)
            item.text = text
            item_rows.append(item)
    _save(Resource, item_rows, ["text"])
    try:
        _delete_ids(Resource, [r.pk for r in old_items.values()])
        _delete_ids(ResourceSection, [s.pk for s in old_sections.values()])
    except ProtectedError as exc:
        names = sorted({str(getattr(obj, "resource", obj)) for obj in exc.protected_objects})
        raise PlanImportError(
            "import refused, nothing was changed: the document removes resource items that learners have "
            "notes or statuses on:\n" + "\n".join(f"  {name}" for name in names)
        ) from None


def _save[M: models.Model](model: type[M], rows: Iterable[M], fields: list[str]) -> None:
    """bulk_create the new rows, bulk_update the existing ones (a query each, whatever the count)."""
    rows = list(rows)
    # bulk_create marks the rows as saved (and sets their pk), so the update below skips them.
    model._default_manager.bulk_create([r for r in rows if r._state.adding])
    model._default_manager.bulk_update([r for r in rows if not r._state.adding], fields)


def _delete_ids(model: type[models.Model], ids: list[int]) -> None:
    if ids:
        model._default_manager.filter(pk__in=ids).delete()
