"""The plan's resource items as one learner works through them: status, note, and the days that cite them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from curriculum.models import Citation, Resource, ResourceSection
from progress.models import Enrollment, ResourceProgress


@dataclass
class Entry:
    """One resource item with this learner's status and note, and the plan days whose tasks cite it."""

    resource: Resource
    progress: ResourceProgress | None
    days: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else ResourceProgress.Status.TODO

    @property
    def status_label(self) -> str:
        return str(ResourceProgress.Status(self.status).label)


def plan_resources(enrollment: Enrollment) -> QuerySet[Resource]:
    return Resource.objects.filter(section__plan_id=enrollment.plan_id).select_related("section")


def cited_days(resources: Iterable[Resource]) -> dict[int, list[int]]:
    """Resource id -> the plan day numbers whose tasks cite it, ascending (one query)."""
    days: dict[int, set[int]] = defaultdict(set)
    rows = Citation.objects.filter(resource__in=list(resources)).values_list(
        "resource_id", "task__session__day__number"
    )
    for resource_id, number in rows:
        days[resource_id].add(number)
    return {rid: sorted(numbers) for rid, numbers in days.items()}


def entries(enrollment: Enrollment, resources: Iterable[Resource]) -> list[Entry]:
    """`resources` as entries for this learner (two queries: their progress rows, their citations)."""
    resources = list(resources)
    mine = {
        p.resource_id: p
        for p in ResourceProgress.objects.filter(enrollment=enrollment, resource__in=[r.pk for r in resources])
    }
    days = cited_days(resources)
    return [Entry(r, mine.get(r.pk), days.get(r.pk, [])) for r in resources]


def sections(enrollment: Enrollment) -> list[tuple[ResourceSection, list[Entry]]]:
    """The plan's resource sections in document order, each with its entries (three queries)."""
    items = entries(enrollment, plan_resources(enrollment).order_by("section__position", "position"))
    grouped: dict[int, tuple[ResourceSection, list[Entry]]] = {}
    for entry in items:
        section = entry.resource.section
        grouped.setdefault(section.pk, (section, []))[1].append(entry)
    return list(grouped.values())


def set_status(enrollment: Enrollment, resource: Resource, status: str) -> None:
    """Store the learner's status for `resource` (the row is created on first use; its note is untouched)."""
    ResourceProgress.objects.update_or_create(enrollment=enrollment, resource=resource, defaults={"status": status})
