"""The days-off form, and what the days-off panel needs (the days-off page and the settings page show it)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy

from progress import rescheduling
from progress.models import Enrollment


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


def days_off_context(enrollment: Enrollment, today: date, form: DayOffForm | None = None) -> dict[str, object]:
    """What `progress/_days_off.html` needs (the settings page includes it with `{% days_off_panel %}`)."""
    return {
        "days_off": rescheduling.upcoming_days_off(enrollment, today),
        "day_off_form": form or DayOffForm(enrollment=enrollment, today=today),
        "today": today,
    }
