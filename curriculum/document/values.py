"""The document as values: frozen dataclasses, slot labels, month numerals, and `render` (Document -> text).

Pure: no ORM, no settings. The format itself is described in the package docstring."""

from __future__ import annotations

from dataclasses import dataclass, field

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
NUMERAL_VALUES: dict[str, int] = {chinese_numeral(n): n for n in range(1, MAX_MONTH + 1)}


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
