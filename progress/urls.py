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
