"""Day notes: Markdown rendered safely, saved with optimistic locking, exported as one document."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import nh3
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from curriculum.models import Task
from progress.compiled import CompiledQuery
from progress.export import companion_export
from progress.highlight import PRE_CLASS, TOKEN_CLASSES, fence_html
from progress.models import DayNote, Enrollment
from progress.study_time import format_duration, notes_and_minutes

MAX_NOTE_LENGTH = 50_000

# What a note may contain once rendered: text formatting, lists, code, tables, links. Anything else
# (script, style, iframes, forms, event handlers, hx-* attributes) is dropped by nh3's allow-list.
_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "s", "span",
}  # fmt: skip
_CLASSES = {"span": set(TOKEN_CLASSES), "pre": {PRE_CLASS}}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = ("http://", "https://", "mailto:")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3's url_schemes leaves relative links alone; a note only links out, so anything that is not an
    # absolute http(s)/mailto URL is dropped (no javascript:, data:, or links into the app itself).
    if attribute == "href" and not value.strip().lower().startswith(_SCHEMES):
        return None
    return value


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML in the source is not passed through; linkify is off so no extra dependency is needed.
    # Fenced code is highlighted by Pygments (classes only; the colours are in a stylesheet).
    options = {"html": False, "highlight": fence_html}
    return MarkdownIt("commonmark", options).enable("table").enable("strikethrough")


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_keep_attribute,
        allowed_classes=_CLASSES,
    )


def render_markdown(source: str) -> str:
    """Markdown -> safe HTML. Headings move down two levels: the page owns <h1> and <h2>."""
    md = _markdown()
    env: dict[str, object] = {}
    tokens = md.parse(source, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
    return sanitise(md.renderer.render(tokens, md.options, env))


def render_inline(source: str) -> str:
    """One line of inline Markdown (a task's text) -> safe HTML without a wrapping paragraph."""
    return sanitise(_markdown().renderInline(source))


@dataclass(frozen=True)
class SaveResult[N: Model]:
    saved: bool
    note: N | None  # the note as now stored (the newer one on a conflict)


def save_note(enrollment: Enrollment, day_id: int, body: str, version: int) -> SaveResult[DayNote]:
    """Store a day's note `body` if the stored note is still at `version` (0 = no note yet)."""
    return save_versioned(DayNote, {"enrollment": enrollment, "day_id": day_id}, body, version)


def save_versioned[N: Model](model: type[N], key: dict[str, object], body: str, version: int) -> SaveResult[N]:
    """Store `body` in the `model` row at `key` if it is still at `version` (0 = no row yet); refuse an older one.

    The check and the write are one UPDATE ... WHERE version = ..., so two tabs saving at once cannot
    both win: the loser gets the newer note back to show next to their own text. Day, week and resource
    notes all save this way.
    """
    rows = model._default_manager.filter(**key)
    if version == 0:
        try:
            with transaction.atomic():
                return SaveResult(True, model._default_manager.create(**key, body=body, version=1))
        except IntegrityError:
            # Another tab created the note first.
            return SaveResult(False, rows.first())
    # QuerySet.update() skips auto_now: the save time is set here, so "saved at" is this save's time.
    changed = {"body": body, "version": F("version") + 1, "updated_at": timezone.now()}
    updated = rows.filter(version=version).update(**changed)
    return SaveResult(bool(updated), rows.first())


def _ticked_rows(enrollment_id: int) -> QuerySet[Task, tuple[int, str]]:
    tasks = Task.objects.filter(completions__enrollment_id=enrollment_id)
    return tasks.order_by("session__day__number", "session__position", "position").values_list(
        "session__day__number", "text"
    )


# Compiled once per connection (progress.compiled): the ORM takes longer to build this join than to run it.
_TICKED = CompiledQuery("export-ticked", _ticked_rows)


def export_markdown(enrollment: Enrollment) -> str:
    """All of a learner's notes for one enrollment, each under its day heading with the ticked tasks.

    Two queries whatever the number of notes (notes with study time, ticked tasks), plus the companion's.
    """
    by_number, studied = notes_and_minutes(enrollment)
    ticked: dict[int, list[str]] = {}
    for number, text in _TICKED.rows(enrollment.pk):
        ticked.setdefault(number, []).append(text)
    numbers = sorted(set(by_number) | set(ticked) | set(studied))
    lines = [f"# {enrollment.plan.title}", ""]
    if studied:
        lines += [_("Study time in total: %(time)s") % {"time": format_duration(sum(studied.values()))}, ""]
    for number in numbers:
        heading = _("Day %(number)s") % {"number": number}
        lines += [f"## {heading}", ""]
        if number in studied:
            lines += [_("Study time: %(time)s") % {"time": format_duration(studied[number])}, ""]
        if number in ticked:
            lines += [f"- [x] {text}" for text in ticked[number]] + [""]
        note = by_number.get(number)
        if note:
            lines += [note.strip(), ""]
    lines += companion_export(enrollment)
    return "\n".join(lines).rstrip() + "\n"


def shared_with_instructors(notes: QuerySet[DayNote]) -> QuerySet[DayNote]:
    """The notes instructors may read: shared one by one on the day page, or all of an enrollment in settings.

    Notes are private otherwise; the cohort pages and the admin's note list both read through here.
    """
    return notes.filter(Q(shared=True) | Q(enrollment__share_notes=True))


def share_note(enrollment: Enrollment, day_id: int, shared: bool) -> bool:
    """Share (or stop sharing) the learner's note on the day `day_id`; False when there is no note to share."""
    return bool(DayNote.objects.filter(enrollment=enrollment, day_id=day_id).update(shared=shared))
