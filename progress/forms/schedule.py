"""Changing the schedule: a range of days off, and the reschedule option the learner picked."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from progress import rescheduling
from progress.models import Enrollment

UNKNOWN_CHOICE = gettext_lazy("Unknown reschedule choice.")


class DayOffForm(forms.Form):
    start_date = forms.DateField(label=gettext_lazy("First day off"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=gettext_lazy("Last day off"),
        required=False,
        help_text=gettext_lazy("Leave empty for a single day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: object, enrollment: Enrollment, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.enrollment = enrollment
        self.today = today

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if isinstance(start, date):
            try:
                # The same checks the service makes on save, so errors show next to the form.
                rescheduling.check_day_off(self.enrollment, start, end if isinstance(end, date) else None, self.today)
            except rescheduling.ScheduleError as exc:
                raise forms.ValidationError(exc.messages) from None
        return data


class LenientDateField(forms.DateField):
    """An ISO date, or None for a missing or garbled one."""

    def to_python(self, value: Any) -> date | None:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


class RescheduleForm(forms.Form):
    """The option the learner picked on the reschedule page, and the finish date its preview showed."""

    kind = forms.ChoiceField(
        choices=[(kind, kind) for kind in rescheduling.RESCHEDULE_KINDS],
        error_messages={"required": UNKNOWN_CHOICE, "invalid_choice": UNKNOWN_CHOICE},
    )
    # Only there to refuse a choice whose preview is out of date; without one there is nothing to compare.
    finish = LenientDateField(required=False, input_formats=["%Y-%m-%d"])
