from __future__ import annotations

from django.urls import path

from progress import views_calendar, views_day, views_notes, views_overview, views_today

app_name = "progress"

urlpatterns = [
    path("", views_today.today, name="today"),
    path("calendar/", views_calendar.calendar_month, name="calendar"),
    path("calendar/<int:year>/<int:month>/", views_calendar.calendar_month, name="calendar_month"),
    path("days/<int:number>/", views_day.day, name="day"),
    path("days/<int:number>/tasks/<int:task_id>/toggle/", views_day.toggle_task, name="toggle_task"),
    path("days/<int:number>/note/", views_notes.note_save, name="note_save"),
    path("notes/export.md", views_notes.notes_export, name="notes_export"),
    path("plan/", views_overview.plan, name="plan"),
    path("progress/", views_overview.progress, name="progress"),
]
