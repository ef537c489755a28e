"""The companion's part of the notes export: weekly reflections, resource notes and statuses, study time."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from progress.models import Enrollment, ResourceProgress, StudyLog, WeekNote


def companion_export(enrollment: Enrollment) -> list[str]:
    """Markdown lines to append to the notes export (three queries whatever the number of rows)."""
    lines: list[str] = []
    for note in (
        WeekNote.objects.filter(enrollment=enrollment).exclude(body="").select_related("week").order_by("week__number")
    ):
        heading = _("Week %(number)s: reflection") % {"number": note.week.number}
        lines += [f"## {heading}", "", note.body.strip(), ""]
    rows = list(
        ResourceProgress.objects.filter(enrollment=enrollment)
        .select_related("resource__section")
        .order_by("resource__section__position", "resource__position")
    )
    if rows:
        lines += [f"## {_('Resources')}", ""]
        for row in rows:
            lines += [f"### {row.resource.text}", "", f"{_('Status')}: {row.get_status_display()}", ""]
            if row.body.strip():
                lines += [row.body.strip(), ""]
    minutes = (
        StudyLog.objects.filter(enrollment=enrollment, minutes__isnull=False)
        .values_list("day__number")
        .annotate(total=Sum("minutes"))
        .order_by("day__number")
    )
    if minutes:
        lines += [f"## {_('Study time')}", ""]
        lines += [_("- Day %(number)s: %(minutes)s min") % {"number": n, "minutes": m} for n, m in minutes]
        lines.append("")
    return lines
