"""The study-plan document format, both ways: `parse` (text -> Document) and `render` (Document -> text).

Pure functions over frozen dataclasses: no ORM, no settings, so the format can be tested on its own and the
importer/exporter only map between these values and rows.

The format (see curriculum/plans/multimodal-90-days.zh.md)::

    # Title

    ## 总体安排
    Overview text, one or more lines.

    ## 第一个月：Month title          month numbers in Chinese numerals, counted from 一

    ### 第1周：Week title             week numbers plan-wide, from 1

    #### 第1天                        day numbers plan-wide, from 1
    - **上午**：Topic                 slot 上午 / 下午 / 全天, full-width colon
      - Task text, verbatim (inline Markdown kept)

    ## 学习资源精选                    optional, last

    ### Section heading
    1. Item text

Blocks are separated by exactly one blank line and the file has no final newline; `render` writes that layout,
so `render(parse(text)) == text` for a document written in it. `parse` also accepts other blank-line layouts
(and CRLF line ends) and `render` then normalises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from curriculum.plaintext import describe, first_forbidden

# Slot labels in the document -> the keys curriculum.models.Session.Slot stores (a test keeps them in step).
SLOT_KEYS: dict[str, str] = {"上午": "morning", "下午": "afternoon", "全天": "full_day"}
SLOT_LABELS: dict[str, str] = {key: label for label, key in SLOT_KEYS.items()}

_DIGITS = "〇一二三四五六七八九"
MAX_MONTH = 99


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (the way month headings are written)."""
    if not 1 <= n <= MAX_MONTH:
        raise ValueError(f"month number {n} is outside 1..{MAX_MONTH}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


# Only the canonical spelling is accepted ("十一", not "一十一"), so every month heading renders back unchanged.
_NUMERAL_VALUES: dict[str, int] = {chinese_numeral(n): n for n in range(1, MAX_MONTH + 1)}


@dataclass(frozen=True)
class Session:
    slot: str  # a key of SLOT_LABELS
    topic: str
    tasks: tuple[str, ...]
    line: int = field(default=0, compare=False, repr=False)

    @property
    def label(self) -> str:
        return SLOT_LABELS[self.slot]


@dataclass(frozen=True)
class Day:
    number: int
    sessions: tuple[Session, ...]
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Week:
    number: int
    title: str
    days: tuple[Day, ...]
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Phase:
    number: int
    title: str
    weeks: tuple[Week, ...]
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class ResourceSection:
    heading: str
    items: tuple[str, ...]
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Document:
    title: str
    overview_heading: str
    overview: str
    phases: tuple[Phase, ...]
    # "" when the document has no resources part.
    resources_heading: str = ""
    resource_sections: tuple[ResourceSection, ...] = ()

    @property
    def weeks(self) -> tuple[Week, ...]:
        return tuple(w for p in self.phases for w in p.weeks)

    @property
    def days(self) -> tuple[Day, ...]:
        return tuple(d for w in self.weeks for d in w.days)

    @property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(s for d in self.days for s in d.sessions)

    def counts(self) -> dict[str, int]:
        return {
            "phases": len(self.phases),
            "weeks": len(self.weeks),
            "days": len(self.days),
            "sessions": len(self.sessions),
            "tasks": sum(len(s.tasks) for s in self.sessions),
            "resource sections": len(self.resource_sections),
            "resources": sum(len(r.items) for r in self.resource_sections),
        }


class ParseError(ValueError):
    """A document that is not in the format: `line` is 1-based, `message` says what was expected."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


# --- rendering ----------------------------------------------------------------------------------------------


def render(doc: Document) -> str:
    """The document text: blocks separated by one blank line, no final newline."""
    overview = f"## {doc.overview_heading}" + (f"\n{doc.overview}" if doc.overview else "")
    blocks = [f"# {doc.title}", overview]
    for phase in doc.phases:
        blocks.append(f"## 第{chinese_numeral(phase.number)}个月：{phase.title}")
        for week in phase.weeks:
            blocks.append(f"### 第{week.number}周：{week.title}")
            for day in week.days:
                lines = [f"#### 第{day.number}天"]
                for session in day.sessions:
                    lines.append(f"- **{session.label}**：{session.topic}")
                    lines.extend(f"  - {task}" for task in session.tasks)
                blocks.append("\n".join(lines))
    if doc.resources_heading:
        blocks.append(f"## {doc.resources_heading}")
        for section in doc.resource_sections:
            items = (f"{i}. {text}" for i, text in enumerate(section.items, start=1))
            blocks.append("\n".join([f"### {section.heading}", *items]))
    return "\n\n".join(blocks)


# --- parsing ------------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6}) (.*)$")
_MONTH = re.compile(r"^## 第(.+?)个月([:：]?)(.*)$")
_WEEK = re.compile(r"^### 第([0-9]+)周([:：]?)(.*)$")
_DAY = re.compile(r"^#### 第([0-9]+)天$")
_SESSION = re.compile(r"^- \*\*(.*?)\*\*([:：]?)(.*)$")
_TASK = re.compile(r"^  - (.*)$")
_ITEM = re.compile(r"^([0-9]+)\. (.*)$")

_EXPECT_SESSION = "a session line '- **上午**：topic' (slot 上午, 下午 or 全天)"
_EXPECT_MONTH = "a month heading '## 第一个月：title'"
_EXPECT_WEEK = "a week heading '### 第N周：title'"
_EXPECT_DAY = "a day heading '#### 第N天'"
_EXPECT_TASK = "a task bullet '  - text' (two spaces, dash, space)"


def parse_bytes(data: bytes) -> Document:
    """Decode UTF-8 (a leading byte-order mark is allowed) and parse; undecodable bytes are a ParseError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            line, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); save it as UTF-8"
        ) from None
    return parse(text)


def parse(text: str) -> Document:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ParseError(1, "the document is empty; expected a title line '# title'")
    if "\x00" in text:
        # A NUL is never part of a text document, and PostgreSQL refuses to store one (mid-import).
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(line, "the line contains a NUL character (0x00); is this a binary file? save it as UTF-8 text")
    bare_cr = text.replace("\r\n", "\n").find("\r")
    if bare_cr >= 0:
        # Classic Mac line ends would otherwise read as one long first line and a baffling "ends early".
        line = text.replace("\r\n", "\n")[:bare_cr].count("\n") + 1
        raise ParseError(line, "a line ends with a bare carriage return (CR); save the file with LF or CRLF line ends")
    _refuse_control_characters(text)
    parser = _Parser()
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        parser.feed(number, raw.removesuffix("\r"))
    return parser.finish(len(lines))


def _refuse_control_characters(text: str) -> None:
    at = first_forbidden(text)
    if at is not None:
        line = text[:at].count("\n") + 1
        raise ParseError(
            line,
            f"the line contains the invisible control character {describe(text[at])}; "
            "remove it (tabs and line ends are fine)",
        )


@dataclass
class _SessionB:
    slot: str
    topic: str
    line: int
    tasks: list[str] = field(default_factory=list)


@dataclass
class _DayB:
    number: int
    line: int
    sessions: list[_SessionB] = field(default_factory=list)


@dataclass
class _WeekB:
    number: int
    title: str
    line: int
    days: list[_DayB] = field(default_factory=list)


@dataclass
class _PhaseB:
    number: int
    title: str
    line: int
    weeks: list[_WeekB] = field(default_factory=list)


@dataclass
class _SectionB:
    heading: str
    line: int
    items: list[str] = field(default_factory=list)


def _numbering(kind: str, found: int, last: int, expected: str) -> str | None:
    """The error for a number that does not follow `last`, or None."""
    if found == last + 1:
        return None
    if last == 0:
        return f"the first {kind} must be {kind} 1, found {found}; {expected}"
    if found <= last:
        return f"{kind} {found} repeats (the previous {kind} is {last}); {expected}"
    return f"{kind} numbering skips from {last} to {found}; {expected}"


class _Parser:
    """A line-by-line state machine: title -> overview -> months/weeks/days -> resources."""

    def __init__(self) -> None:
        self.state = "title"
        self.title = ""
        self.overview_heading = ""
        self.overview: list[str] = []
        self.phases: list[_PhaseB] = []
        self.week: _WeekB | None = None
        self.day: _DayB | None = None
        self.session: _SessionB | None = None
        self.weeks_seen = 0
        self.days_seen = 0
        self.resources_heading = ""
        self.sections: list[_SectionB] = []

    # -- feeding --

    def feed(self, n: int, line: str) -> None:
        if self.state == "overview":
            self._overview(n, line)
        elif not line.strip():
            return
        elif self.state == "title":
            self._title(n, line)
        elif self.state == "after_title":
            self._after_title(n, line)
        elif self.state == "plan":
            self._plan(n, line)
        else:
            self._resources(n, line)

    def _title(self, n: int, line: str) -> None:
        m = _HEADING.match(line)
        if not m or m.group(1) != "#" or not m.group(2).strip():
            raise ParseError(n, "expected the title line '# title' first")
        self.title = m.group(2)
        self.state = "after_title"

    def _after_title(self, n: int, line: str) -> None:
        m = _HEADING.match(line)
        if not m or m.group(1) != "##" or not m.group(2).strip():
            raise ParseError(n, "expected the overview heading '## 总体安排' (any heading text) after the title")
        if _MONTH.match(line):
            raise ParseError(n, "expected the overview heading '## 总体安排' and its text before the first month")
        self.overview_heading = m.group(2)
        self.state = "overview"

    def _overview(self, n: int, line: str) -> None:
        m = _HEADING.match(line)
        if not m:
            self.overview.append(line)
            return
        if m.group(1) == "##" and _MONTH.match(line):
            self.state = "plan"
            self._month(n, line)
            return
        raise ParseError(n, f"expected {_EXPECT_MONTH} after the overview")

    def _plan(self, n: int, line: str) -> None:
        if line.startswith("## "):
            if _MONTH.match(line):
                self._month(n, line)
            else:
                self._start_resources(n, line)
        elif line.startswith("### "):
            self._week(n, line)
        elif line.startswith("#### "):
            self._day(n, line)
        elif line.startswith("- "):
            self._session(n, line)
        elif line.startswith("  -"):
            self._task(n, line)
        else:
            raise ParseError(n, f"unrecognised line; expected {self._expected_next()}")

    def _expected_next(self) -> str:
        if self.session is not None:
            return f"{_EXPECT_TASK}, another session line, {_EXPECT_DAY} or a heading"
        if self.day is not None:
            return _EXPECT_SESSION
        if self.week is not None:
            return _EXPECT_DAY
        return _EXPECT_WEEK

    def _month(self, n: int, line: str) -> None:
        m = _MONTH.match(line)
        assert m is not None
        numeral, colon, title = m.groups()
        number = _NUMERAL_VALUES.get(numeral)
        if number is None:
            raise ParseError(n, f"'{numeral}' is not a month number; expected 一 to 九十九 as in '## 第一个月：title'")
        if colon != "：":
            raise ParseError(n, "expected the full-width colon '：' after the month: '## 第一个月：title'")
        if not title.strip():
            raise ParseError(n, "expected a month title after '：'")
        self._close_phase()
        last = self.phases[-1].number if self.phases else 0
        following = f"'## 第{chinese_numeral(last + 1)}个月：…'" if last < MAX_MONTH else "no further month"
        expected = f"expected {following}"
        error = _numbering("month", number, last, expected)
        if error:
            raise ParseError(n, error)
        self.phases.append(_PhaseB(number, title, n))

    def _week(self, n: int, line: str) -> None:
        m = _WEEK.match(line)
        if not m or m.group(1).startswith("0"):
            raise ParseError(n, f"unrecognised heading; expected {_EXPECT_WEEK}")
        number, colon, title = int(m.group(1)), m.group(2), m.group(3)
        if colon != "：":
            raise ParseError(n, "expected the full-width colon '：' after the week: '### 第N周：title'")
        if not title.strip():
            raise ParseError(n, "expected a week title after '：'")
        self._close_week()
        error = _numbering(
            "week", number, self.weeks_seen, f"expected '### 第{self.weeks_seen + 1}周：…' (weeks count plan-wide)"
        )
        if error:
            raise ParseError(n, error)
        self.weeks_seen = number
        self.week = _WeekB(number, title, n)
        self.phases[-1].weeks.append(self.week)

    def _day(self, n: int, line: str) -> None:
        m = _DAY.match(line)
        if not m or m.group(1).startswith("0"):
            raise ParseError(n, f"unrecognised heading; expected {_EXPECT_DAY}")
        if self.week is None:
            raise ParseError(n, f"a day heading must be under a week; expected {_EXPECT_WEEK} first")
        number = int(m.group(1))
        self._close_day()
        error = _numbering(
            "day", number, self.days_seen, f"expected '#### 第{self.days_seen + 1}天' (days count across the plan)"
        )
        if error:
            raise ParseError(n, error)
        self.days_seen = number
        self.day = _DayB(number, n)
        self.week.days.append(self.day)

    def _session(self, n: int, line: str) -> None:
        m = _SESSION.match(line)
        if not m:
            raise ParseError(n, f"unrecognised line; expected {_EXPECT_SESSION}")
        label, colon, topic = m.groups()
        if label not in SLOT_KEYS:
            raise ParseError(n, f"'{label}' is not a slot; expected 上午, 下午 or 全天 as in '- **上午**：topic'")
        if colon != "：":
            raise ParseError(n, f"expected the full-width colon '：' after '**{label}**'")
        if not topic.strip():
            raise ParseError(n, "expected the session's topic after '：'")
        if self.day is None:
            raise ParseError(n, f"a session line must be under a day; expected {_EXPECT_DAY} first")
        self._close_session()
        self.session = _SessionB(SLOT_KEYS[label], topic, n)
        self.day.sessions.append(self.session)

    def _task(self, n: int, line: str) -> None:
        m = _TASK.match(line)
        if self.session is None:
            raise ParseError(n, f"task bullet with no session above it; expected {_EXPECT_SESSION} first")
        if not m and line.rstrip() != "  -":
            raise ParseError(n, f"unrecognised line; expected {_EXPECT_TASK}")
        if not m or not m.group(1).strip():
            raise ParseError(n, "empty task bullet; expected the task's text after '  - '")
        self.session.tasks.append(m.group(1))

    def _start_resources(self, n: int, line: str) -> None:
        m = _HEADING.match(line)
        if m is None or not m.group(2).strip():
            raise ParseError(n, f"expected {_EXPECT_MONTH} or the resources heading '## 学习资源精选'")
        if line.startswith("## 第") and "月" in line:
            # Almost a month heading: a typo, not the resources part.
            raise ParseError(n, f"malformed month heading; expected {_EXPECT_MONTH}")
        self._close_phase()
        self.resources_heading = m.group(2)
        self.state = "resources"

    def _resources(self, n: int, line: str) -> None:
        if line.startswith("### "):
            heading = line[4:]
            if not heading.strip():
                raise ParseError(n, "expected a resource section heading after '### '")
            self.sections.append(_SectionB(heading, n))
            return
        m = _ITEM.match(line)
        if m is None:
            raise ParseError(
                n, "unrecognised line in the resources; expected a section heading '### …' or a numbered item '1. …'"
            )
        if not self.sections:
            raise ParseError(n, "resource item with no section above it; expected a section heading '### …' first")
        items = self.sections[-1].items
        if int(m.group(1)) != len(items) + 1:
            raise ParseError(n, f"expected resource item number {len(items) + 1}, found {m.group(1)}")
        if not m.group(2).strip():
            raise ParseError(n, "empty resource item; expected its text")
        items.append(m.group(2))

    # -- closing --

    def _close_session(self) -> None:
        s = self.session
        if s is not None and not s.tasks:
            raise ParseError(s.line, f"the {SLOT_LABELS[s.slot]} session has no task; expected {_EXPECT_TASK} under it")
        self.session = None

    def _close_day(self) -> None:
        self._close_session()
        d = self.day
        if d is not None and not d.sessions:
            raise ParseError(d.line, f"day {d.number} has no session; expected {_EXPECT_SESSION} under it")
        self.day = None

    def _close_week(self) -> None:
        self._close_day()
        w = self.week
        if w is not None and not w.days:
            raise ParseError(w.line, f"week {w.number} has no day; expected {_EXPECT_DAY} under it")
        self.week = None

    def _close_phase(self) -> None:
        self._close_week()
        if self.phases and not self.phases[-1].weeks:
            p = self.phases[-1]
            raise ParseError(p.line, f"month {p.number} has no week; expected {_EXPECT_WEEK} under it")

    def finish(self, last_line: int) -> Document:
        if self.state in {"title", "after_title"}:
            raise ParseError(last_line, "the document ends early; expected the overview heading '## 总体安排'")
        if not self.phases:
            raise ParseError(last_line, f"the document has no month; expected {_EXPECT_MONTH}")
        self._close_phase()
        overview = list(self.overview)
        while overview and not overview[0].strip():
            overview.pop(0)
        while overview and not overview[-1].strip():
            overview.pop()
        return Document(
            title=self.title,
            overview_heading=self.overview_heading,
            overview="\n".join(overview),
            phases=tuple(
                Phase(
                    p.number,
                    p.title,
                    tuple(
                        Week(
                            w.number,
                            w.title,
                            tuple(
                                Day(
                                    d.number,
                                    tuple(Session(s.slot, s.topic, tuple(s.tasks), s.line) for s in d.sessions),
                                    d.line,
                                )
                                for d in w.days
                            ),
                            w.line,
                        )
                        for w in p.weeks
                    ),
                    p.line,
                )
                for p in self.phases
            ),
            resources_heading=self.resources_heading,
            resource_sections=tuple(ResourceSection(s.heading, tuple(s.items), s.line) for s in self.sections),
        )
