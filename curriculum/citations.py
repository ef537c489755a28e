"""Which tasks mention which resource items: the matcher the importer runs.

A plan document cites its resource list in prose: "阅读Chen等人的"对多模式智能的下一步预测"第1部分" points at
the paper `Chen等人，"对多模式智能的下一步预测：一项全面调查"`, "使用Gradio包装模型" at the tool "Gradio/Streamlit".
The matcher reads a resource item for the keys such prose uses and looks for them in each task:

- a link: the task links to the same URL as the item;
- an author: the task names the item's author the way the document does ("Chen等人", "Chen et al.");
  if the task also quotes a title, that title must fit the item's (so "Li等人" with another paper's
  title is not a match);
- a title: the task quotes a title that starts the item's quoted title, or contains the item's title;
- a name (only for items without author, title or link, i.e. tools): a Latin word of the item with a
  capital letter and at least 4 letters ("PyTorch", "ONNX") stands in the task as a word of its own.
  Words of the plan's own title are skipped: in a Rust course "Rust" names the subject, not a resource.

Matching is pure (texts in, pairs out); `link_citations` stores the result for one plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from curriculum.models import Citation, Plan, Resource, Task

_URL = re.compile(r"https?://[^\s)>\]]+")
_AUTHOR = re.compile(r"([A-Za-z][A-Za-z'\-]+)\s*(?:等人|et al\b)")
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|《([^》]+)》|「([^」]+)」|\*([^*]+)\*')
_CODE = re.compile(r"`[^`]*`")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
MIN_NAME = 4
MIN_TITLE = 4


def _urls(text: str) -> set[str]:
    return {u.rstrip(".,;:/") for u in _URL.findall(text)}


def _quoted(text: str) -> list[str]:
    titles = ("".join(groups).strip() for groups in _QUOTED.findall(_URL.sub("", text)))
    return [t for t in titles if len(t) >= MIN_TITLE]


@dataclass(frozen=True)
class Keys:
    """What identifies one resource item in a task's text."""

    urls: frozenset[str]
    authors: frozenset[str]
    titles: tuple[str, ...]
    names: frozenset[str]

    @classmethod
    def of(cls, text: str, plan_title: str = "") -> Keys:
        urls = frozenset(_urls(text))
        authors = frozenset(_AUTHOR.findall(text))
        titles = tuple(_quoted(text))
        names: frozenset[str] = frozenset()
        if not (urls or authors or titles):
            skip = set(_WORD.findall(plan_title))
            plain = _CODE.sub(" ", text)
            names = frozenset(
                w for w in _WORD.findall(plain) if len(w) >= MIN_NAME and not w.islower() and w not in skip
            )
        return cls(urls, authors, titles, names)


def _titles_fit(quoted: str, title: str) -> bool:
    """A task's quoted title refers to an item's title: the same, a shortened one, or one inside it."""
    return quoted in title or title in quoted


def cites(task_text: str, keys: Keys) -> bool:
    """Whether a task's text mentions the resource item with these keys."""
    if keys.urls & _urls(task_text):
        return True
    quoted = _quoted(task_text)
    fits = any(_titles_fit(q, t) for q in quoted for t in keys.titles)
    if keys.authors & set(_AUTHOR.findall(task_text)):
        return fits or not quoted
    if fits or any(t in task_text for t in keys.titles):
        return True
    return any(re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", task_text) for n in keys.names)


def match[T, R](
    tasks: Iterable[tuple[T, str]], resources: Sequence[tuple[R, str]], plan_title: str = ""
) -> list[tuple[T, R]]:
    """(task, resource) pairs where the task's text cites the resource's, in task then resource order."""
    keyed = [(r, Keys.of(text, plan_title)) for r, text in resources]
    return [(t, r) for t, text in tasks for r, keys in keyed if cites(text, keys)]


def link_citations(plan: Plan, *, touch: bool = True) -> list[Citation]:
    """Replace the plan's automatic citations with the matcher's (instructors' own rows are kept).

    A fixed number of queries whatever the plan's size. Returns the automatic citations now stored, in plan order.
    """
    tasks = (
        Task.objects.filter(session__day__plan=plan)
        .select_related("session__day")
        .order_by("session__day__number", "session__position", "position")
    )
    resources = Resource.objects.filter(section__plan=plan).order_by("section__position", "position")
    Citation.objects.filter(task__session__day__plan=plan, automatic=True).delete()
    rows = store_citations(plan, list(tasks), list(resources))
    if touch:  # bulk writes send no signals; a new version retires the cached structure (the importer touches once)
        Plan.objects.touch([plan.pk])
    return rows


def store_citations(plan: Plan, tasks: Sequence[Task], resources: Sequence[Resource]) -> list[Citation]:
    """Store the matcher's citations between `tasks` and `resources` (saved rows, in plan order).

    One INSERT, none when nothing matches. A new plan's import calls this with the rows it just created.
    """
    pairs = match(((t, t.text) for t in tasks), [(r, r.text) for r in resources], plan.title)
    rows = [Citation(task=t, resource=r, automatic=True) for t, r in pairs]
    Citation.objects.bulk_create(rows, ignore_conflicts=True)
    return rows
