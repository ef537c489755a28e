from __future__ import annotations

from django.urls import path

from progress import views, views_accounts, views_enroll, views_settings

app_name = "progress"

urlpatterns = [
    path("", views.today, name="today"),
    path("enroll/", views_enroll.enroll, name="enroll"),
    path("enrollments/<int:pk>/activate/", views_enroll.activate, name="activate"),
    path("settings/", views_settings.settings_page, name="settings"),
    path("language/", views_accounts.set_language, name="language"),
]

# Getting back on track and the calendar feed (issue 5).
from progress import views_schedule  # noqa: E402

urlpatterns += [
    path("reschedule/", views_schedule.reschedule, name="reschedule"),
    path("reschedule/undo/", views_schedule.reschedule_undo, name="reschedule_undo"),
    path("days-off/", views_schedule.days_off, name="days_off"),
    path("days-off/<int:pk>/delete/", views_schedule.day_off_delete, name="day_off_delete"),
    path("pause/", views_schedule.pause, name="pause"),
    path("resume/", views_schedule.resume, name="resume"),
    path("calendar/<str:token>.ics", views_schedule.calendar_feed, name="calendar_feed"),
    path("settings/calendar-token/", views_schedule.calendar_token_reset, name="calendar_token_reset"),
]
