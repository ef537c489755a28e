"""The nudge form: a subject, a Markdown body and the learners (of this plan) it goes to."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from progress.notes import MAX_NOTE_LENGTH


class NudgeForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150, strip=True)
    body = forms.CharField(
        label=_("Message (Markdown)"),
        max_length=MAX_NOTE_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    recipients = forms.TypedMultipleChoiceField(
        label=_("Send to"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one learner.")},
    )

    def __init__(self, data: QueryDict | None, *, learner_ids: list[int]) -> None:
        super().__init__(data)
        field = self.fields["recipients"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, str(pk)) for pk in learner_ids]
