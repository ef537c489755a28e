"""The schedule fields enrolling and the settings page share: start date, study weekdays, time zone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from progress.forms.time_zone import TimeZoneField, TimeZoneInput
from progress.zones import local_today

# A start date may lie up to a year either side of the learner's today: the past so somebody who began
# the plan on paper can catch up here, the future to plan ahead; anything further is almost surely a typo.
START_DATE_WINDOW = timedelta(days=366)

WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


def weekdays_to_mask(values: list[str]) -> int:
    return sum(1 << int(v) for v in values)


def mask_to_weekdays(mask: int) -> list[str]:
    return [str(i) for i in range(7) if mask & (1 << i)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ScheduleFieldsMixin(forms.Form):
    """Start date, study weekdays and time zone: shared by enrolling and the settings page."""

    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    weekdays = forms.MultipleChoiceField(
        label=_("Study weekdays"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one study weekday.")},
        help_text=_("Plan days fall on these weekdays; the other days are for review and catching up."),
    )
    time_zone = TimeZoneField(label=_("Time zone"))

    # The stored start date, which stays acceptable even once it is more than a year old.
    current_start: date | None = None

    def set_zone_picker(self, language: str, current: str | None = None, guess: bool = False) -> None:
        """The picker lists the common zones of the plan's `language` first; the learner's `current` zone is
        accepted unchanged; `guess`: the value is only a default, which the device's zone may replace."""
        field = self.fields["time_zone"]
        assert isinstance(field, TimeZoneField) and isinstance(field.widget, TimeZoneInput)
        field.current = current
        field.widget.language, field.widget.guess = language, guess

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, tz = cleaned.get("start_date"), cleaned.get("time_zone")
        if start is not None and tz and start != self.current_start:
            today = local_today(tz)
            if start < today - START_DATE_WINDOW or start > today + START_DATE_WINDOW:
                self.add_error(
                    "start_date",
                    _("Choose a start date within a year of today (%(today)s).") % {"today": today.isoformat()},
                )
        return cleaned
