"""A learner's status for one resource item."""

from __future__ import annotations

from django import forms

from progress.models import ResourceProgress


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ResourceProgress.Status.choices)
