"""Enrolling in a plan: which plan, and the schedule fields."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from curriculum.models import Plan
from progress.forms.schedule_fields import ScheduleFieldsMixin, TimeInput, mask_to_weekdays
from progress.models import WEEKDAYS_MON_FRI, Enrollment
from progress.zone_names import plan_language
from progress.zones import local_today

# The model's default: early enough to plan the day, late enough not to wake anybody.
DEFAULT_REMINDER_TIME = Enrollment._meta.get_field("reminder_time").get_default()


class EnrollForm(ScheduleFieldsMixin):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.published(), empty_label=None, widget=forms.RadioSelect
    )
    reminders_enabled = forms.BooleanField(label=_("Send me a daily reminder email"), required=False, initial=True)
    reminder_time = forms.TimeField(
        label=_("Reminder time"),
        initial=DEFAULT_REMINDER_TIME,
        required=False,
        widget=TimeInput(),
        help_text=_("In your time zone. The first reminder comes at this time on the next day that has one."),
    )
    remind_today = forms.BooleanField(
        label=_("If today's reminder time has already passed, send today's reminder right away"),
        required=False,
    )
    field_order = ["plan", "start_date", "weekdays", "time_zone", "reminders_enabled", "reminder_time", "remind_today"]

    def __init__(self, *args: Any, user: User, offered: list[Plan], guess_zone: bool = False, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        # The zones listed first are those of the first plan on offer (the only one, on most installs).
        self.set_zone_picker(
            plan_language(*((offered[0].title, offered[0].summary) if offered else ())), guess=guess_zone
        )
        # Offer only the plans the learner is not in yet (read once by the view); a post naming another
        # published plan is still checked below, so it gets "already enrolled" rather than "invalid choice".
        self.fields["plan"].widget.choices = [(p.pk, p.title) for p in offered]

    def clean_reminder_time(self) -> time:
        # Left empty: the default, rather than an error about a field the learner may not care for.
        return self.cleaned_data.get("reminder_time") or DEFAULT_REMINDER_TIME

    def clean_plan(self) -> Plan:
        plan: Plan = self.cleaned_data["plan"]
        if Enrollment.objects.filter(user=self.user, plan=plan).exists():
            raise forms.ValidationError(
                _("You are already enrolled in “%(plan)s”. Switch to it from the menu instead.") % {"plan": plan}
            )
        return plan

    @staticmethod
    def offered_to(user: User) -> list[Plan]:
        """The published plans `user` is not enrolled in, in the plans' order."""
        return list(Plan.objects.published().exclude(enrollments__user=user))

    @staticmethod
    def initial_for(time_zone: str, offered: list[Plan]) -> dict[str, Any]:
        # Preselect the first plan on offer (the only one, on most installs).
        return {
            "plan": offered[0].pk if offered else None,
            "start_date": local_today(time_zone),
            "weekdays": mask_to_weekdays(WEEKDAYS_MON_FRI),
            "time_zone": time_zone,
        }
