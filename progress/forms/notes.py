"""Saving a day's note: the text, and the version of the note the learner edited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from progress.notes import MAX_NOTE_LENGTH

INCOMPLETE = gettext_lazy("The note could not be saved: the form was incomplete. Reload the page and try again.")


class NoteTextField(forms.CharField):
    """A note's text, newlines as "\\n"; its length is checked before the characters in it."""

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value)).replace("\r\n", "\n")
        if len(text) > MAX_NOTE_LENGTH:
            raise forms.ValidationError(
                _("The note is too long (at most %(max)s characters).") % {"max": MAX_NOTE_LENGTH}, code="max_length"
            )
        return text


class NoteForm(forms.Form):
    # CharField refuses NUL characters (PostgreSQL cannot store them) with Django's own, translated message.
    body = NoteTextField(required=False, strip=False)
    version = forms.IntegerField(
        min_value=0, error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, "min_value": INCOMPLETE}
    )

    def __init__(self, data: QueryDict) -> None:
        forced = data.get("force_version")
        if forced:
            # The version the learner saw in a conflict and chose to replace with their text.
            data = data.copy()
            data["version"] = forced
        super().__init__(data)

    @property
    def text(self) -> str:
        """The posted text as the editor shows it again, whether or not it could be saved."""
        return str(self.data.get("body", "")).replace("\r\n", "\n")

    def problem(self) -> str:
        """The one message for a refused save: an incomplete form first, then what is wrong with the text."""
        errors = self.errors.get("version") or self.errors.get("body") or [""]
        return str(errors[0])
