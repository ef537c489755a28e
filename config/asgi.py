from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Web requests get the short database statement timeout (config/settings.py); commands and workers the long one.
os.environ.setdefault("DJANGO_SERVES_WEB", "1")
application = get_asgi_application()
