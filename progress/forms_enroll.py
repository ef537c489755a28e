"""Enrollment and settings forms: the plan, start date, weekdays, time zone and the learner's preferences."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from curriculum.models import Plan
from progress.models import WEEKDAYS_MON_FRI, Enrollment
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


# Files in the zoneinfo directory that are not places: "localtime" is whatever zone the server runs in,
# "Factory" a placeholder; a learner picking one would get reminders at a time that depends on the host.
NOT_TIME_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones() - NOT_TIME_ZONES)]


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
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    # The stored start date, which stays acceptable even once it is more than a year old.
    current_start: date | None = None

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


class EnrollForm(ScheduleFieldsMixin):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.published(), empty_label=None, widget=forms.RadioSelect
    )
    field_order = ["plan", "start_date", "weekdays", "time_zone"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_plan(self) -> Plan:
        plan: Plan = self.cleaned_data["plan"]
        if Enrollment.objects.filter(user=self.user, plan=plan).exists():
            raise forms.ValidationError(
                _("You are already enrolled in “%(plan)s”. Switch to it from the menu instead.") % {"plan": plan}
            )
        return plan

    @staticmethod
    def initial_for(time_zone: str, user: Any) -> dict[str, Any]:
        # Preselect the first plan the learner is not enrolled in yet (the only one, on most installs).
        plan = Plan.objects.published().exclude(enrollments__user=user).first()
        return {
            "plan": plan,
            "start_date": local_today(time_zone),
            "weekdays": mask_to_weekdays(WEEKDAYS_MON_FRI),
            "time_zone": time_zone,
        }


class SettingsForm(ScheduleFieldsMixin):
    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        self.current_start = enrollment.start_date
        super().__init__(*args, **kwargs)

    reminders_enabled = forms.BooleanField(label=_("Send me a daily reminder email"), required=False)
    reminder_time = forms.TimeField(label=_("Reminder time"), widget=TimeInput())
    morning_start = forms.TimeField(label=_("Morning starts"), widget=TimeInput())
    morning_end = forms.TimeField(label=_("Morning ends"), widget=TimeInput())
    afternoon_start = forms.TimeField(label=_("Afternoon starts"), widget=TimeInput())
    afternoon_end = forms.TimeField(label=_("Afternoon ends"), widget=TimeInput())
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ms, me = cleaned.get("morning_start"), cleaned.get("morning_end")
        as_, ae = cleaned.get("afternoon_start"), cleaned.get("afternoon_end")
        if ms and me and ms >= me:
            self.add_error("morning_end", _("The morning must end after it starts."))
        if as_ and ae and as_ >= ae:
            self.add_error("afternoon_end", _("The afternoon must end after it starts."))
        if me and as_ and me > as_:
            self.add_error("afternoon_start", _("The afternoon must start after the morning ends."))
        return cleaned

    @staticmethod
    def initial_for(enrollment: Enrollment, language: str) -> dict[str, Any]:
        return {
            "start_date": enrollment.start_date,
            "weekdays": mask_to_weekdays(enrollment.study_weekdays),
            "time_zone": enrollment.time_zone,
            "reminders_enabled": enrollment.reminders_enabled,
            "reminder_time": enrollment.reminder_time,
            "morning_start": enrollment.morning_start,
            "morning_end": enrollment.morning_end,
            "afternoon_start": enrollment.afternoon_start,
            "afternoon_end": enrollment.afternoon_end,
            "language": language,
        }
