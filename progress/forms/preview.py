"""The start date of an instructor's preview of the learner pages (progress.preview)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from progress.forms.schedule_fields import DateInput

# Wide enough to reach the last day of a plan of several years, narrow enough to keep date maths sane.
WINDOW = timedelta(days=5 * 366)


class PreviewStartForm(forms.Form):
    start = forms.DateField(
        label=_("Preview as a learner starting on"),
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date such as 2026-03-02.")},
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        self.today = today
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["start"].initial = today

    def clean_start(self) -> date:
        start: date = self.cleaned_data["start"]
        if abs(start - self.today) > WINDOW:
            raise forms.ValidationError(
                _("Choose a start date within five years of today (%(today)s).") % {"today": self.today.isoformat()}
            )
        return start
