"""The day and task pages' own forms: selects limited to the row's plan, checks the read-only plan skips."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from curriculum.models import Day, Session, Task, Week


class DayForm(forms.ModelForm):
    class Meta:
        model = Day
        fields = ["plan", "week", "number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        week = self.fields.get("week")
        if not isinstance(week, forms.ModelChoiceField):
            return
        if self.instance.pk:
            week.queryset = Week.objects.filter(plan_id=self.instance.plan_id).order_by("number")
        else:
            week.queryset = Week.objects.select_related("plan").order_by("plan__title", "number")
            week.label_from_instance = lambda w: f"{w.plan} · {w}"  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        plan_id = cleaned["plan"].pk if cleaned.get("plan") else self.instance.plan_id
        week = cleaned.get("week")
        if week is not None and plan_id is not None and week.plan_id != plan_id:
            self.add_error("week", _("This week belongs to another plan."))
        # The plan is read-only on the change page, so Django's own (plan, number) check skips it.
        number = cleaned.get("number")
        if "plan" not in self.fields and number is not None and plan_id is not None:
            taken = Day.objects.filter(plan_id=plan_id, number=number).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("number", _("Day %(number)s already exists in this plan.") % {"number": number})
        return cleaned


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["session", "position", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 90})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session = self.fields.get("session")
        if not isinstance(session, forms.ModelChoiceField):
            return
        sessions = Session.objects.select_related("day__plan").order_by("day__plan__title", "day__number", "position")
        if self.instance.pk:
            # One query for the instance's plan id keeps the list to this plan's sessions.
            sessions = sessions.filter(day__plan=Day.objects.filter(sessions__tasks=self.instance).values("plan")[:1])
        session.queryset = sessions
        session.label_from_instance = lambda s: f"{s.day.plan} · {s.day} · {s}"  # type: ignore[method-assign,assignment]
