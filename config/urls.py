from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from config.health import healthz
from progress.views import accounts


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Browsers ask for /favicon.ico on every page, the admin's included; send them to the hashed static file.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


# Styled, translated error pages that touch no database (config/errors.py). With DEBUG on Django shows its
# debug pages instead; the quickstart runs with DEBUG off so a learner sees these.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/done/", accounts.signup_done, name="signup_done"),
    path("accounts/confirm/<uidb64>/<token>/", accounts.signup_confirm, name="signup_confirm"),
    # Same path and name as Django's, declared first so reset emails link to SITE_URL.
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("instructor/", include("progress.instructor_urls")),
    path("", include("progress.urls")),
]
