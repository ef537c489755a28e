"""Rendered pages and page parts kept in Django's cache, keyed on everything they are made of.

The plan, calendar and progress pages render dozens of rows through Django's template engine, which costs
far more than the one query behind a warm page. Their output depends only on the plan's row, the learner's
enrollment row and their local date (`learner_inputs`: the rows carry counters that move with every change of
the plan or of the learner's state) plus the request's own path, language and CSRF secret (forms inside
carry a token of that secret). So a page is rendered once for a given set of inputs and reused until one of
them changes: a tick, a note, a reschedule or an instructor's edit gives a different key, never a stale page.
Nothing is ever invalidated; old entries just stop being asked for and expire.

Whole pages are kept this way (`cached_page`, `cached_whole`), so a warm page costs the enrollments query and
one cache read: no state, no view context, no template. The page's frame adds its own inputs to the key (the
navigation's plans, whether the user is staff); the CSP nonce, which must differ on every response, is
stored as a marker and replaced by this response's nonce; a request with messages to show, and any request
but GET or HEAD (it may have just written, with the enrollment row read before), is rendered, never served
from or stored in the cache. The templates and translations this process runs with are part of every key, so
a deployment that changes them never serves pages rendered by the old ones.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from operator import attrgetter
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from curriculum.models import Plan
from progress.access import learner_enrollments
from progress.code_version import code_version
from progress.models import Enrollment
from progress.triggers import NOT_SHOWN

TIMEOUT = 24 * 3600
# Whole pages are also kept in this process's memory, most recently used first, up to this many characters:
# a key names everything a page is made of, so an entry can never be stale, and a hit here costs no round
# trip to the shared cache.
LOCAL_CHARS = 16_000_000
# Stands for the response's CSP nonce in a stored page (no template writes it).
NONCE_MARK = "\x00csp-nonce\x00"


def learner_inputs(enrollment: Enrollment, today: date) -> tuple[object, ...]:
    """What every learner page is made of: the plan's row (its `version` moves with any edit of its days,
    sessions, tasks or resources), the enrollment's row (its `state_version` moves with every write to the
    learner's ticks, notes, schedule, days off and study time, see progress.triggers) and the local date.

    All of it is in the one query that reads the learner's enrollments, so a page found in the cache reads
    nothing else: no state, no schedule."""
    return (enrollment_key(enrollment), plan_key(enrollment.plan), today)


def enrollment_key(enrollment: Enrollment) -> tuple[object, ...]:
    """Every column of the enrollment that a page or the feed may show (all but triggers.NOT_SHOWN)."""
    return _enrollment_columns(enrollment)


def plan_key(plan: Plan) -> tuple[object, ...]:
    """Every column of the plan's row: its `version` moves with any edit of its days, sessions, tasks or
    resources, the other columns with any edit of the row itself."""
    return _plan_columns(plan)


# attrgetter of several names returns their values as a tuple (and both models have more than one column).
_enrollment_columns = attrgetter(*(f.attname for f in Enrollment._meta.concrete_fields if f.attname not in NOT_SHOWN))
_plan_columns = attrgetter(*(f.attname for f in Plan._meta.concrete_fields))


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
    secret made during this very render. So is a write (POST): see the module's docstring.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret or request.method not in ("GET", "HEAD"):
        return mark_safe(render_to_string(template, context, request))  # noqa: S308 - Django's own escaping
    key = _key("page-part", request, secret, (template, *inputs))
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, context, request)
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by Django's templates, autoescaped


def cached_page(
    request: HttpRequest, template: str, inputs: Iterable[object], context: Callable[[], dict[str, object]]
) -> HttpResponse:
    """The whole page `template`, from the cache when `inputs` (and the frame's own) match.

    `context` is called only when the page has to be rendered, so a warm page builds no context. Like
    `render_page`, the template's content block is its `body` partial, itself cached by `inputs`.
    """
    key = _page_key(request, (template, *inputs))
    html = _get(key) if key else None
    if html is not None:
        return HttpResponse(_with_nonce(request, html))
    values = context()
    body = render_part(request, f"{template}#body", values, inputs)
    html = render_to_string(template, {**values, "body": body}, request)
    if key:
        _set(key, _without_nonce(request, html))
    return HttpResponse(html)


def cached_whole(request: HttpRequest, inputs: Iterable[object], render: Callable[[], str]) -> HttpResponse:
    """The page `render()` makes, from the cache when `inputs` (and the frame's own) match."""
    key = _page_key(request, tuple(inputs))
    html = _get(key) if key else None
    if html is not None:
        return HttpResponse(_with_nonce(request, html))
    html = render()
    if key:
        _set(key, _without_nonce(request, html))
    return HttpResponse(html)


def cached_values(request: HttpRequest, template: str, context: dict[str, object], inputs: tuple[object, ...]) -> str:
    """`template` rendered with `context`, for a fragment drawn from nothing but the plain values in `inputs`
    (counters: no form, no link of this learner's): from the cache when the same values come again, as they
    do for a task ticked and unticked. Unlike pages, also for a POST: the values were read after the write."""
    html = cached_text(
        "values", (template, inputs), lambda: _without_nonce(request, render_to_string(template, context, request))
    )
    return _with_nonce(request, html)


def cached_text(kind: str, inputs: tuple[object, ...], build: Callable[[], str]) -> str:
    """`build()`, kept under `inputs` with the code version, language and script prefix (text that no request
    or form of its own goes into, such as the notes export)."""
    return str(_cached(kind, inputs, build))


def cached_bytes(kind: str, inputs: tuple[object, ...], build: Callable[[], bytes]) -> bytes:
    """`cached_text` for a body that is bytes (the calendar feed)."""
    body = _cached(kind, inputs, build)
    return body if isinstance(body, bytes) else body.encode()


def kept(kind: str, inputs: tuple[object, ...]) -> Any:
    """The value `keep` stored in this process under `inputs`, or None."""
    return _local_get((kind, inputs))


def keep(kind: str, inputs: tuple[object, ...], value: object, weight: int) -> None:
    """Keep `value` under `inputs` in this process's memory only, where `weight` is what it counts for, in
    characters of a page: for values cheaper to read again from the database than from the shared cache.

    The key is `inputs` itself (plain values: a row's columns), not a digest of their text: nothing outside
    this process reads it, and the code it runs cannot change under it, so no code version either. Hashing the
    tuple costs a fraction of printing it, and a tick looks a state up three times."""
    _remember((kind, inputs), value, weight)


def _plain_key(kind: str, inputs: tuple[object, ...]) -> str:
    # No language or script prefix: for values no text of a page goes into.
    return f"{kind}:" + hashlib.blake2b(repr((code_version(), inputs)).encode(), digest_size=20).hexdigest()


def _cached(kind: str, inputs: tuple[object, ...], build: Callable[[], str | bytes]) -> str | bytes:
    key = _text_key(kind, inputs)
    value = _get(key)
    if value is None:
        value = build()
        _set(key, value)
    return value


def _text_key(kind: str, inputs: tuple[object, ...]) -> str:
    return _plain_key(kind, (translation.get_language(), get_script_prefix(), inputs))


# Keys: the text keys of pages and fragments (also the shared cache's), and (kind, inputs) of kept values.
_LocalKey = str | tuple[str, tuple[object, ...]]
_local: OrderedDict[_LocalKey, tuple[Any, int]] = OrderedDict()
_local_chars = 0
_lock = threading.Lock()


def _get(key: str) -> Any:
    value = _local_get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            _remember(key, value, len(value))
    return value


def _local_get(key: _LocalKey) -> Any:
    with _lock:
        entry = _local.get(key)
        if entry is None:
            return None
        _local.move_to_end(key)
        return entry[0]


def _set(key: str, value: str | bytes) -> None:
    cache.set(key, value, TIMEOUT)
    _remember(key, value, len(value))


def _remember(key: _LocalKey, value: object, weight: int) -> None:
    global _local_chars
    with _lock:
        if key not in _local:
            _local[key] = (value, weight)
            _local_chars += weight
        while _local_chars > LOCAL_CHARS and _local:
            _local_chars -= _local.popitem(last=False)[1][1]


def forget_local() -> None:
    """Empty this process's memory of pages and values (the tests start each test from nothing)."""
    global _local_chars
    with _lock:
        _local.clear()
        _local_chars = 0


def _page_key(request: HttpRequest, inputs: tuple[object, ...]) -> str | None:
    """The cache key of a whole page, or None when it must be rendered (no CSRF secret yet, a write,
    messages)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or request.method not in ("GET", "HEAD") or len(get_messages(request)):
        return None
    nav = learner_enrollments(request)
    frame = (
        getattr(request.user, "is_staff", False),
        nav.active.pk if nav.active else None,
        tuple((e.pk, e.plan_id, e.plan.title) for e in nav.all),
        # The switcher (shown with a second enrollment) offers enrolling only while a published plan is left.
        nav.can_enroll_more if nav.others else None,
        request.headers.get("HX-Request"),
        request.headers.get("HX-History-Restore-Request"),
    )
    return _key("page", request, secret, (*inputs, frame))


def _key(kind: str, request: HttpRequest, secret: str, inputs: tuple[object, ...]) -> str:
    parts = (
        code_version(),
        request.get_full_path(),
        translation.get_language(),
        get_script_prefix(),
        secret,
        getattr(request.user, "pk", None),
        *inputs,
    )
    return f"{kind}:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def _without_nonce(request: HttpRequest, html: str) -> str:
    nonce = get_nonce(request)
    return html.replace(str(nonce), NONCE_MARK) if nonce else html


def _with_nonce(request: HttpRequest, html: str) -> str:
    if NONCE_MARK not in html:
        return html
    nonce = get_nonce(request)
    return html.replace(NONCE_MARK, "" if nonce is None else str(nonce))
