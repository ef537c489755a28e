from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from progress import views_accounts

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", views_accounts.signup, name="signup"),
    # Same path and name as Django's, declared first so reset emails link to SITE_URL.
    path("accounts/password_reset/", views_accounts.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("progress.urls")),
]
