"""Logging study time on a day page: a quick button ("add") or the day's corrected total ("minutes")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from progress.study_hours import MAX_DAY_MINUTES, QUICK_MINUTES

ONE_OF = gettext_lazy("Choose one of the quick buttons or enter the day's total minutes.")


class StudyTimeForm(forms.Form):
    add = forms.TypedChoiceField(
        choices=[(str(m), str(m)) for m in QUICK_MINUTES],
        coerce=int,
        required=False,
        error_messages={"invalid_choice": ONE_OF},
    )
    minutes = forms.IntegerField(
        min_value=0,
        max_value=MAX_DAY_MINUTES,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request, in the learner's language (the limit is a number in the message).
        wrong = _("Enter the minutes as a whole number from 0 to %(max)s.") % {"max": MAX_DAY_MINUTES}
        self.fields["minutes"].error_messages.update(invalid=wrong, min_value=wrong, max_value=wrong)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A quick button carries "add"; the number field's Save button carries "minutes": exactly one of them.
        given = [name for name in ("add", "minutes") if data.get(name) not in (None, "")]
        if not self.errors and len(given) != 1:
            raise forms.ValidationError(ONE_OF)
        return data

    def problem(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""
