"""Links between learner pages that stay inside an instructor's preview (progress.preview).

A learner page's template reaches another learner page through these tags. Without `preview` in the
context they give the learner's own URL (the plan structure's reversed-once URL where there is one, so the
learner's pages do no extra work); with it, the preview's URL of the same page, or "" for a page the preview
does not have (templates hide those links with `{% if not preview %}`).
"""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User
from django.template.context import Context
from django.urls import reverse

from curriculum.models import Plan
from progress.preview import Preview, default_today, may_preview

register = template.Library()


def _preview(context: Context) -> Preview | None:
    preview = context.get("preview")
    return preview if isinstance(preview, Preview) else None


@register.simple_tag(takes_context=True)
def page_url(context: Context, name: str, *args: object) -> str:
    """`{% url "progress:<name>" args %}`, or in a preview the preview's URL of that page."""
    preview = _preview(context)
    if preview is None:
        return reverse(f"progress:{name}", args=args)
    return preview.url(name, *args) or ""


@register.simple_tag(takes_context=True)
def day_href(context: Context, url: str, number: int) -> str:
    """A plan day's `url` from the plan structure, or in a preview the preview's page of day `number`."""
    preview = _preview(context)
    return url if preview is None else preview.url("day", number) or ""


@register.filter
def previewable_by(plan: Plan, user: User | AnonymousUser) -> bool:
    """`{% if original|previewable_by:request.user %}`: the admin's plan page offers the preview form."""
    return may_preview(user, plan)


@register.simple_tag
def preview_today() -> str:
    """The start date a preview form offers: today, as the preview counts it."""
    return default_today().isoformat()
