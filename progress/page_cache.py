"""Rendered page parts kept in Django's cache, keyed on everything they are made of.

The plan, calendar and progress pages render dozens of rows through Django's template engine, which costs
far more than the few narrow queries behind them. Their output depends only on inputs every request has
already loaded (the plan's version, the learner's ticks, schedule changes, days off and study time, their
local date)
plus the request's own path, language and CSRF secret (forms inside carry a token of that secret). So the
part is rendered once for a given set of inputs and reused until one of them changes: a tick, a note, a
reschedule or an instructor's edit gives a different key, never a stale page. Nothing is ever invalidated;
old entries just stop being asked for and expire.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from progress.services import Overview
from progress.study_time import plan_hours, study_state

TIMEOUT = 24 * 3600


def overview_inputs(ov: Overview) -> tuple[object, ...]:
    """What a page drawn from an Overview depends on: plan version, learner state, the learner's date."""
    e = ov.enrollment
    schedule = e.schedule_input(ov.structure.last_day, ov.today)
    settings = (e.time_zone, e.reminder_time, e.reminders_enabled, e.calendar_token)
    # Study time (minutes per day, the running timer) came with the same state query; the plan's hours per
    # study day are compared with it. Both shown on the day and progress pages.
    study = (study_state(e).key(), plan_hours(e))
    ticked = tuple(sorted(ov.ticked))
    return (ov.structure.plan_id, ov.structure.version, e.pk, ov.today, schedule, settings, ticked, study)


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, object],
    inputs: Iterable[object] | None,
    status: int = 200,
) -> HttpResponse:
    """`template` whose content block is its `body` partial, that part cached by `inputs` (None: not cached,
    for answers that show something the inputs do not name, such as a refused form)."""
    part = f"{template}#body"
    if inputs is None:
        body = mark_safe(render_to_string(part, context, request))  # noqa: S308 - Django's own escaping
    else:
        body = render_part(request, part, context, inputs)
    return render(request, template, {**context, "body": body}, status=status)


def render_part(
    request: HttpRequest, template: str, context: dict[str, object], inputs: Iterable[object]
) -> SafeString:
    """`template` (a "file#partial" name) rendered with `context`, from the cache when the inputs match.

    A request without a CSRF secret yet is rendered without the cache: its forms' tokens would belong to a
    secret made during this very render.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return mark_safe(render_to_string(template, context, request))  # noqa: S308 - Django's own escaping
    parts = (
        template,
        request.get_full_path(),
        translation.get_language(),
        get_script_prefix(),
        secret,
        getattr(request.user, "pk", None),
        *inputs,
    )
    key = "page-part:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, context, request)
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by Django's templates, autoescaped
