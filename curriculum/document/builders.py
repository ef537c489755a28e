"""Mutable builders the parser fills line by line, frozen into a `Document` at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

from curriculum.document.values import Day, Document, Phase, ResourceSection, Session, Week


@dataclass
class SessionB:
    slot: str
    topic: str
    line: int
    tasks: list[str] = field(default_factory=list)


@dataclass
class DayB:
    number: int
    line: int
    sessions: list[SessionB] = field(default_factory=list)


@dataclass
class WeekB:
    number: int
    title: str
    line: int
    days: list[DayB] = field(default_factory=list)


@dataclass
class PhaseB:
    number: int
    title: str
    line: int
    weeks: list[WeekB] = field(default_factory=list)


@dataclass
class SectionB:
    heading: str
    line: int
    items: list[str] = field(default_factory=list)


def to_document(
    title: str,
    overview_heading: str,
    overview: str,
    phases: list[PhaseB],
    resources_heading: str,
    sections: list[SectionB],
) -> Document:
    """Freeze what the parser gathered into the Document value."""
    return Document(
        title=title,
        overview_heading=overview_heading,
        overview=overview,
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
            for p in phases
        ),
        resources_heading=resources_heading,
        resource_sections=tuple(ResourceSection(s.heading, tuple(s.items), s.line) for s in sections),
    )
