"""Django's MAILERS setting from the EMAIL_* environment variables (see config/settings.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.env import env_bool, env_int, env_str

_MAILER_FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def mailers_from_env(var_dir: Path) -> dict[str, dict[str, Any]]:
    """MAILERS: SMTP when EMAIL_HOST is set, otherwise EMAIL_BACKEND (the file backend, under var/mail/)."""
    host = env_str("EMAIL_HOST")
    if host:
        options: dict[str, Any] = {
            "host": host,
            "port": env_int("EMAIL_PORT", 25, minimum=1),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
        }
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}
    # EMAIL_BACKEND picks another local backend (e.g. the console one); only the file one takes a path.
    backend = env_str("EMAIL_BACKEND", _MAILER_FILE_BACKEND)
    options = {"file_path": str(var_dir / "mail")} if backend == _MAILER_FILE_BACKEND else {}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}
