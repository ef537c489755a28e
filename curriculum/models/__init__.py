"""The plan as rows: plan > phase > week > day > session > task, plus resource sections.

`curriculum` knows nothing of learners. Learner rows in `progress` point here with PROTECT, so a task,
session or day somebody has progress on cannot be deleted by accident.
"""

from curriculum.models.plan import PLAIN, Day, DayQuerySet, Phase, Plan, PlanQuerySet, Session, Task, Week, new_version
from curriculum.models.resources import Citation, Resource, ResourceSection
from curriculum.models.versions import PlanVersion

__all__ = [
    "PLAIN",
    "Citation",
    "Day",
    "DayQuerySet",
    "Phase",
    "Plan",
    "PlanQuerySet",
    "PlanVersion",
    "Resource",
    "ResourceSection",
    "Session",
    "Task",
    "Week",
    "new_version",
]
