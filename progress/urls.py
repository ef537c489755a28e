from __future__ import annotations

from django.urls import path

from progress import (
    views_accounts,
    views_calendar,
    views_day,
    views_enroll,
    views_notes,
    views_overview,
    views_schedule,
    views_settings,
    views_today,
)
from progress.views import unsubscribe

app_name = "progress"

urlpatterns = [
    # The learner's pages (DESIGN.md's URL contract).
    path("", views_today.today, name="today"),
    path("calendar/", views_calendar.calendar_month, name="calendar"),
    path("calendar/<int:year>/<int:month>/", views_calendar.calendar_month, name="calendar_month"),
    path("days/<int:number>/", views_day.day, name="day"),
    path("days/<int:number>/tasks/<int:task_id>/toggle/", views_day.toggle_task, name="toggle_task"),
    path("days/<int:number>/note/", views_notes.note_save, name="note_save"),
    path("notes/export.md", views_notes.notes_export, name="notes_export"),
    path("plan/", views_overview.plan, name="plan"),
    path("progress/", views_overview.progress, name="progress"),
    # Enrollment and preferences.
    path("enroll/", views_enroll.enroll, name="enroll"),
    path("enrollments/<int:pk>/activate/", views_enroll.activate, name="activate"),
    path("settings/", views_settings.settings_page, name="settings"),
    path("language/", views_accounts.set_language, name="language"),
    # Getting back on track and the calendar feed.
    path("reschedule/", views_schedule.reschedule, name="reschedule"),
    path("reschedule/undo/", views_schedule.reschedule_undo, name="reschedule_undo"),
    path("days-off/", views_schedule.days_off, name="days_off"),
    path("days-off/<int:pk>/delete/", views_schedule.day_off_delete, name="day_off_delete"),
    path("pause/", views_schedule.pause, name="pause"),
    path("resume/", views_schedule.resume, name="resume"),
    path("calendar/<str:token>.ics", views_schedule.calendar_feed, name="calendar_feed"),
    path("settings/calendar-token/", views_schedule.calendar_token_reset, name="calendar_token_reset"),
    # Daily reminder emails: the signed link in List-Unsubscribe.
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
]
