"""The companion's part of the notes export: weekly reflections, resource notes and statuses."""

from __future__ import annotations

from django.utils.translation import gettext as _

from progress.models import Enrollment, ResourceProgress, WeekNote


def companion_export(enrollment: Enrollment) -> list[str]:
    """Markdown lines to append to the notes export (two queries whatever the number of rows)."""
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
    return lines
