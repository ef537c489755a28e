"""The settings page: the active enrollment's schedule, reminder and study hours, and the learner's language."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from progress.forms.schedule_fields import ScheduleFieldsMixin, TimeInput, mask_to_weekdays, weekdays_to_mask
from progress.models import Enrollment, LearnerProfile, ScheduleChange
from progress.zone_names import plan_language

HOURS = ("morning_start", "morning_end", "afternoon_start", "afternoon_end")


class SettingsForm(ScheduleFieldsMixin, forms.ModelForm):
    """The enrollment's own fields, plus the weekdays (stored as a bitmask) and the profile's language."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    field_order = [
        "start_date",
        "weekdays",
        "time_zone",
        "reminders_enabled",
        "reminder_time",
        "weekend_reminders",
        *HOURS,
        "share_notes",
        "language",
    ]

    class Meta:
        model = Enrollment
        fields = (
            "start_date",
            "time_zone",
            "reminders_enabled",
            "reminder_time",
            "weekend_reminders",
            *HOURS,
            "share_notes",
        )
        labels = {
            "reminders_enabled": _("Send me a daily reminder email"),
            "reminder_time": _("Reminder time"),
            "weekend_reminders": _("Also on review days (weekends), with a link to the week's review"),
            "share_notes": _("Share all my notes in this plan with its instructors"),
            "morning_start": _("Morning starts"),
            "morning_end": _("Morning ends"),
            "afternoon_start": _("Afternoon starts"),
            "afternoon_end": _("Afternoon ends"),
        }
        widgets = {name: TimeInput() for name in ("reminder_time", *HOURS)}

    def __init__(self, data: QueryDict | None = None, *, instance: Enrollment, language: str) -> None:
        initial = {"weekdays": mask_to_weekdays(instance.study_weekdays), "language": language}
        # A copy, because validating writes the posted values onto the instance, and a refused form must
        # leave the enrollment the rest of the page (navigation, days off, feed) is drawn from as it was.
        super().__init__(data, instance=copy.copy(instance), initial=initial)
        self.current_start = instance.start_date
        self.set_zone_picker(plan_language(instance.plan.title, instance.plan.summary), current=instance.time_zone)
        self.reminders_were_on = instance.reminders_enabled

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

    def owned_fields(self, resubscribed: bool) -> list[str]:
        return [*(self._meta.fields or ()), "study_weekdays", *(["unsubscribe_generation"] if resubscribed else [])]

    def save(self, commit: bool = True) -> Enrollment:
        """In one transaction: the enrollment, a START history row if the start date moved, the language."""
        enrollment = super().save(commit=False)
        enrollment.study_weekdays = weekdays_to_mask(self.cleaned_data["weekdays"])
        resubscribed = enrollment.reminders_enabled and not self.reminders_were_on
        if resubscribed:
            # Links in the emails sent before the learner unsubscribed must not end the new subscription.
            enrollment.unsubscribe_generation = F("unsubscribe_generation") + 1
        if commit:
            with transaction.atomic():
                if enrollment.start_date != self.current_start:
                    ScheduleChange.objects.create(
                        enrollment=enrollment, kind=ScheduleChange.Kind.START, on_date=enrollment.start_date
                    )
                # Only the fields this form owns: a full-row save would write back every other column as
                # read when the page loaded, undoing e.g. a calendar-link reset committed in between.
                enrollment.save(update_fields=self.owned_fields(resubscribed))
                if resubscribed:
                    enrollment.refresh_from_db(fields=["unsubscribe_generation"])
                LearnerProfile.objects.update_or_create(
                    user_id=enrollment.user_id, defaults={"language": self.cleaned_data["language"]}
                )
        return enrollment
