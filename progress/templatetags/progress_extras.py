from __future__ import annotations

from datetime import date

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from progress.notes import render_inline, render_markdown
from progress.services import Overview
from progress.study_time import format_duration

register = template.Library()


@register.filter
def inline_markdown(value: str) -> SafeString:
    """A task's text: inline Markdown, sanitised by nh3 before it is marked safe."""
    return mark_safe(render_inline(value))  # noqa: S308 - render_inline sanitises with nh3


@register.filter
def markdown(value: str) -> SafeString:
    """A learner's note: Markdown, sanitised by nh3 before it is marked safe."""
    return mark_safe(render_markdown(value))  # noqa: S308 - render_markdown sanitises with nh3


STATE_LABELS = {
    "done": _("Done"),
    "partial": _("Partly done"),
    "missed": _("Missed"),
    "today": _("Due today"),
    "upcoming": _("Upcoming"),
}


@register.filter
def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, ""))


@register.filter
def day_state(overview: Overview, number: int) -> str:
    return overview.day_state(number)


@register.filter
def date_of(overview: Overview, number: int) -> date | None:
    return overview.date_of(number)


@register.filter
def duration(minutes: int) -> str:
    """Minutes as "1 h 30 min" in the active language."""
    return format_duration(int(minutes or 0))
