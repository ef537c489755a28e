#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Local development commands run in debug mode unless told otherwise; everything else
    # (gunicorn, workers, tests) gets the production-safe default from settings.
    if sys.argv[1:2] in (["quickstart"], ["runserver"]):
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
