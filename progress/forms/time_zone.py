"""The time zone picker of the enroll and settings forms: a text input with a datalist.

Without JavaScript the browser itself filters the datalist as the learner types (by zone name and by the
human name, "北京时间" as well as "Shanghai"); static/js/zone-picker.js adds the device's own zone on top
and a button to use it. What is typed is read by progress.zone_names.canonical_zone, so only real places
are stored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from progress.zone_names import canonical_zone, zone_options
from progress.zones import load_zone


class TimeZoneInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off", "data-zone-picker": ""}
        super().__init__({**base, **(attrs or {})})
        self.language = "en"  # the plan's language, which decides the common zones listed first
        self.guess = False  # the value is only a default: the script may replace it with the device's zone

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["list"] = f"{widget_attrs.get('id', name)}-zones"
        # Read by zone-picker.js, so its words are in the page's language.
        widget_attrs["data-device-label"] = _("Your device's time zone")
        widget_attrs["data-use-label"] = _("Use my device's time zone: %(zone)s") % {"zone": "{zone}"}
        if self.guess:
            widget_attrs["data-guess"] = "1"
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        field = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id', name)}-zones"
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((zone, label) for zone, label in zone_options(self.language))
        )
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)


class TimeZoneField(forms.CharField):
    """A place zone, typed or picked; legacy aliases are read as the place they stand for."""

    widget = TimeZoneInput
    default_error_messages = {
        "unknown": gettext_lazy(
            "“%(value)s” is not a time zone we know. Type a city and pick it from the list, e.g. Asia/Shanghai."
        )
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "help_text", gettext_lazy("Type to filter: a city (Shanghai, Berlin) or a name (Beijing time, Pacific).")
        )
        super().__init__(**kwargs)
        # The zone the learner already has: kept as it is when left unchanged, even if it is not on the list.
        self.current: str | None = None

    def clean(self, value: Any) -> str:
        text = str(super().clean(value))
        if self.current and text == self.current and load_zone(text) is not None:
            return text
        zone = canonical_zone(text)
        if zone is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"value": text})
        return zone
