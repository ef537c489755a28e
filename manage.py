#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # `runserver` (local development) runs in debug mode unless told otherwise; everything else (gunicorn, workers,
    # tests, and the quickstart, which shows learners the site's own error pages) gets the production-safe default.
    if sys.argv[1:2] == ["runserver"]:
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
