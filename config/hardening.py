"""The security half of the settings: HTTPS, trusted proxies, cookies, HSTS, the Content Security Policy and
the login lockout. Read by config/settings.py, which imports every name here (Django reads settings from there).
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.utils.csp import CSP

from config.env import env_bool, env_int, env_networks

# --- Production hardening -------------------------------------------------------------------------------
# HTTPS-only settings are one switch, because the same settings must also serve plain http: the quickstart
# (runserver), the test suite and Playwright over http://localhost, and the compose stack tried out at
# http://localhost:8000. A real deployment puts a TLS proxy in front and sets DJANGO_HTTPS=1 (.env.example);
# `manage.py check --deploy --fail-level WARNING` passes with that environment (tests/test_deploy_checks.py).
HTTPS = env_bool("DJANGO_HTTPS", default=False)
# Reverse proxies whose forwarded headers (X-Forwarded-For, X-Forwarded-Proto) are believed: addresses or CIDR
# blocks, none by default. From any other peer those headers are deleted (config/proxies.py), so a client that
# reaches gunicorn directly can neither pick its own address for the login lockout nor claim https.
TRUSTED_PROXIES = env_networks("DJANGO_TRUSTED_PROXIES")
if "DJANGO_BEHIND_PROXY" in os.environ:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DJANGO_BEHIND_PROXY is not read: list the proxy's addresses in DJANGO_TRUSTED_PROXIES instead"
    )
# Only a trusted proxy may say the request came over https (None is Django's default: never believed).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS)
# The container health probe talks plain http to gunicorn from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# htmx reads the CSRF token from the page (hx-headers on <body>), never from the cookie, so scripts need
# no access to it either.
CSRF_COOKIE_HTTPONLY = True
# A styled, translated page of our own: Django's default one has an inline <style> that the CSP blocks.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
# The preload flag only allows submitting the domain to browsers' built-in HSTS lists; set it to 0 for a
# domain with subdomains that cannot serve https.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=HTTPS)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (Django's own middleware). Scripts and styles come only from our static files:
# templates have no inline <script>, no on*= handlers and no style="" attributes; htmx is configured in
# base.html (<meta name="htmx-config">) not to inject its indicator <style> and not to eval, so neither
# 'unsafe-inline' nor 'unsafe-eval' is needed. A script that must be inline carries {{ csp_nonce }}.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Login brute force: django-axes counts failed logins (site and admin, both go through authenticate()) and
# refuses, even with the right password, until the cool-off is over:
# - a (username, client address) pair after AXES_FAILURE_LIMIT failures: one address cannot guess at an account,
#   and a stranger elsewhere cannot lock the real user out with a handful of tries;
# - a username after AXES_USERNAME_FAILURE_LIMIT failures from all addresses together (config.security
#   .LoginLockoutHandler): guessing from many addresses is bounded too. The price: somebody with that many
#   attempts from several addresses can keep one account locked; 0 turns this second limit off.
# Tests log in with client.force_login(), which does not authenticate and so is not counted.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading the learner's enrollments with the user in one query (progress/auth.py).
    "progress.auth.LearnerBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_HANDLER = "config.security.LoginLockoutHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 20, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_USERNAME_CALLABLE = "config.security.axes_username"
AXES_LOCKOUT_TEMPLATE = "lockout.html"
