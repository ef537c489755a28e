"""Template helpers for the schedule partials, so pages include them with only `overview` in context."""

from __future__ import annotations

from django import template
from django.urls import reverse

from progress.links import FeedLinks, absolute_url, feed_links
from progress.models import Enrollment
from progress.pages import days_off_context
from progress.rescheduling import Behind, behind
from progress.services import Overview
from progress.zones import local_today

register = template.Library()


@register.simple_tag
def behind_notice(overview: object) -> Behind | None:
    """The "you are N days behind" facts for `progress/_behind.html`, or None when there is nothing to offer."""
    if not isinstance(overview, Overview):  # a page without `overview` in its context shows nothing
        return None
    return behind(overview)


@register.simple_tag
def calendar_feed(enrollment: Enrollment) -> FeedLinks:
    """The feed's absolute URL (from SITE_URL, never the request's Host) and its one-click subscribe links, for
    `progress/_calendar_feed.html`."""
    return feed_links(absolute_url(reverse("progress:calendar_feed", args=[enrollment.calendar_token])))


@register.inclusion_tag("progress/_days_off.html", takes_context=True)
def days_off_panel(context: template.Context, enrollment: Enrollment) -> dict[str, object]:
    """The days-off list and form, for the settings page: `{% days_off_panel enrollment %}`."""
    request = context.get("request")
    today = local_today(enrollment.time_zone)
    return {**days_off_context(enrollment, today), "request": request, "csrf_token": context.get("csrf_token")}
