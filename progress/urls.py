from __future__ import annotations

from django.urls import path

from progress.views import (
    account_data,
    account_sessions,
    accounts,
    calendar,
    day,
    enroll,
    feed,
    notes,
    overview,
    reminders,
    resources,
    review,
    schedule,
    search,
    settings,
    snippets,
    study_time,
    today,
    unsubscribe,
)

app_name = "progress"

urlpatterns = [
    # The learner's pages.
    path("", today.today, name="today"),
    path("calendar/", calendar.calendar_month, name="calendar"),
    path("calendar/<int:year>/<int:month>/", calendar.calendar_month, name="calendar_month"),
    path("days/<int:number>/", day.day, name="day"),
    path("days/<int:number>/tasks/<int:task_id>/toggle/", day.toggle_task, name="toggle_task"),
    path("days/<int:number>/note/", notes.note_save, name="note_save"),
    path("days/<int:number>/note/share/", notes.note_share, name="note_share"),
    path("days/<int:number>/time/", study_time.time_log, name="time_log"),
    path("days/<int:number>/timer/start/", study_time.timer_start, name="timer_start"),
    path("days/<int:number>/timer/stop/", study_time.timer_stop, name="timer_stop"),
    path("notes/export.md", notes.notes_export, name="notes_export"),
    path("plan/", overview.plan, name="plan"),
    path("progress/", overview.progress, name="progress"),
    # The study companion: resources, weekend review, snippets, search.
    path("resources/", resources.resources, name="resources"),
    path("resources/<int:pk>/", resources.resource, name="resource"),
    path("resources/<int:pk>/status/", resources.resource_status, name="resource_status"),
    path("resources/<int:pk>/note/", resources.resource_note, name="resource_note"),
    path("review/", review.review_now, name="review_now"),
    path("review/<int:number>/", review.week_review, name="review"),
    path("review/<int:number>/note/", review.week_note, name="week_note"),
    path("snippets/", snippets.snippets, name="snippets"),
    path("search/", search.search_page, name="search"),
    # Enrollment and preferences.
    path("enroll/", enroll.enroll, name="enroll"),
    path("enrollments/<int:pk>/activate/", enroll.activate, name="activate"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/test-reminder/", reminders.test_reminder, name="test_reminder"),
    path("language/", accounts.set_language, name="language"),
    path("account/sessions/", account_sessions.sessions, name="sessions"),
    path("account/data.zip", account_data.data_download, name="data_download"),
    path("account/delete/", account_data.account_delete, name="account_delete"),
    # Getting back on track and the calendar feed.
    path("reschedule/", schedule.reschedule, name="reschedule"),
    path("reschedule/undo/", schedule.reschedule_undo, name="reschedule_undo"),
    path("days-off/", schedule.days_off, name="days_off"),
    path("days-off/<int:pk>/delete/", schedule.day_off_delete, name="day_off_delete"),
    path("pause/", schedule.pause, name="pause"),
    path("resume/", schedule.resume, name="resume"),
    path("calendar/<str:token>.ics", feed.calendar_feed, name="calendar_feed"),
    path("settings/calendar-token/", feed.calendar_token_reset, name="calendar_token_reset"),
    # Daily reminder emails: the signed link in List-Unsubscribe.
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
]
