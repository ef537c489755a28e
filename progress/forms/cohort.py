"""The cohort page's filters and sort order, read from the query string (so every view is a plain link)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from progress.cohort import DEFAULT_SORT, SORT_KEYS, Filters

SORT_CHOICES = [(k, k) for name in SORT_KEYS for k in (name, f"-{name}")]


class CohortFilterForm(forms.Form):
    behind = forms.IntegerField(label=_("At least this many days behind"), min_value=0, max_value=9999, required=False)
    inactive = forms.IntegerField(label=_("Inactive for at least (days)"), min_value=0, max_value=9999, required=False)
    paused = forms.BooleanField(label=_("Paused"), required=False)
    finished = forms.BooleanField(label=_("Finished"), required=False)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, widget=forms.HiddenInput)

    def filters(self) -> Filters:
        """The chosen filters; none at all while the form is invalid (its errors say why)."""
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(data["behind"], data["inactive"], data["paused"], data["finished"])

    def order(self) -> str:
        """The chosen sort order; the default for a missing or unknown one."""
        if self.is_valid() and self.cleaned_data["sort"]:
            return str(self.cleaned_data["sort"])
        return DEFAULT_SORT
