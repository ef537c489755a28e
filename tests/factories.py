"""Builders for plans of any size, for tests that need rows but not the document importer."""

from __future__ import annotations

from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week


def make_plan(
    slug: str = "test-plan", days: int = 10, days_per_week: int = 5, weeks_per_phase: int = 4, tasks: int = 2
) -> Plan:
    """A published plan: `days` study days, each a morning and an afternoon session with `tasks` tasks.

    Uses bulk_create so a 300-day plan costs a handful of queries.
    """
    plan = Plan.objects.create(slug=slug, title=f"Plan {slug}", summary="A plan for tests.")
    n_weeks = -(-days // days_per_week)
    n_phases = -(-n_weeks // weeks_per_phase)
    phases = Phase.objects.bulk_create(Phase(plan=plan, number=i, title=f"Phase {i}") for i in range(1, n_phases + 1))
    weeks = Week.objects.bulk_create(
        Week(plan=plan, phase=phases[(i - 1) // weeks_per_phase], number=i, title=f"Week {i}")
        for i in range(1, n_weeks + 1)
    )
    day_rows = Day.objects.bulk_create(
        Day(plan=plan, week=weeks[(i - 1) // days_per_week], number=i) for i in range(1, days + 1)
    )
    sessions = Session.objects.bulk_create(
        Session(day=day, slot=slot, topic=f"Topic {day.number}{slot[0]}", position=pos)
        for day in day_rows
        for pos, slot in enumerate((Session.Slot.MORNING, Session.Slot.AFTERNOON), start=1)
    )
    Task.objects.bulk_create(
        Task(session=s, text=f"Task {i} of {s.topic}", position=i) for s in sessions for i in range(1, tasks + 1)
    )
    section = ResourceSection.objects.create(plan=plan, heading="Papers", position=1)
    Resource.objects.create(section=section, text="A paper", position=1)
    return plan
