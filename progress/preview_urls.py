"""The learner pages an instructor previews, under /instructor/plans/<slug>/preview/ (progress.preview)."""

from __future__ import annotations

from datetime import date

from django.urls import path, register_converter

from progress.views import preview


class IsoDate:
    """A date as YYYY-MM-DD; anything else (2026-02-30 included) matches no URL, so it is a 404."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError: no match

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDate, "isodate")

app_name = "preview"

urlpatterns = [
    path("", preview.start, name="start"),
    path("<isodate:start>/", preview.today, name="today"),
    path("<isodate:start>/calendar/", preview.calendar_month, name="calendar"),
    path("<isodate:start>/calendar/<int:year>/<int:month>/", preview.calendar_month, name="calendar_month"),
    path("<isodate:start>/days/<int:number>/", preview.day, name="day"),
    path("<isodate:start>/plan/", preview.plan, name="plan"),
]
