"""Enrolling in a plan: which plan, and the schedule fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from curriculum.models import Plan
from progress.forms.schedule_fields import ScheduleFieldsMixin, mask_to_weekdays
from progress.models import WEEKDAYS_MON_FRI, Enrollment
from progress.zones import local_today


class EnrollForm(ScheduleFieldsMixin):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.published(), empty_label=None, widget=forms.RadioSelect
    )
    field_order = ["plan", "start_date", "weekdays", "time_zone"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
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
    def initial_for(time_zone: str, user: User) -> dict[str, Any]:
        # Preselect the first plan the learner is not enrolled in yet (the only one, on most installs).
        plan = Plan.objects.published().exclude(enrollments__user=user).first()
        return {
            "plan": plan,
            "start_date": local_today(time_zone),
            "weekdays": mask_to_weekdays(WEEKDAYS_MON_FRI),
            "time_zone": time_zone,
        }
