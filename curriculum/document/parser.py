"""The line-by-line parser: a state machine from the title to the resources, with `line N: ...` errors."""

from __future__ import annotations

import re

from curriculum.document.builders import DayB, PhaseB, SectionB, SessionB, WeekB, to_document
from curriculum.document.values import (
    MAX_MONTH,
    NUMERAL_VALUES,
    SLOT_KEYS,
    SLOT_LABELS,
    Document,
    ParseError,
    chinese_numeral,
)

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


def _numbering(kind: str, found: int, last: int, expected: str) -> str | None:
    """The error for a number that does not follow `last`, or None."""
    if found == last + 1:
        return None
    if last == 0:
        return f"the first {kind} must be {kind} 1, found {found}; {expected}"
    if found <= last:
        return f"{kind} {found} repeats (the previous {kind} is {last}); {expected}"
    return f"{kind} numbering skips from {last} to {found}; {expected}"


class Parser:
    """A line-by-line state machine: title -> overview -> months/weeks/days -> resources."""

    def __init__(self) -> None:
        self.state = "title"
        self.title = ""
        self.overview_heading = ""
        self.overview: list[str] = []
        self.phases: list[PhaseB] = []
        self.week: WeekB | None = None
        self.day: DayB | None = None
        self.session: SessionB | None = None
        self.weeks_seen = 0
        self.days_seen = 0
        self.resources_heading = ""
        self.sections: list[SectionB] = []

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
        number = NUMERAL_VALUES.get(numeral)
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
        self.phases.append(PhaseB(number, title, n))

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
        self.week = WeekB(number, title, n)
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
        self.day = DayB(number, n)
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
        self.session = SessionB(SLOT_KEYS[label], topic, n)
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
            self.sections.append(SectionB(heading, n))
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
        return to_document(
            self.title, self.overview_heading, "\n".join(overview), self.phases, self.resources_heading, self.sections
        )
