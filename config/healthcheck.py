"""Container health probe: `python -m config.healthcheck` exits 0 when /healthz answers 200.

Used by the web service's HEALTHCHECK in docker-compose.yml (the slim image has no curl). It does not load
Django, so it is cheap to run every few seconds. It sends a Host header Django accepts (the first entry of
DJANGO_ALLOWED_HOSTS) and X-Forwarded-Proto: https, so neither ALLOWED_HOSTS nor the https redirect of a
production configuration turns the probe into a 400 or a 301.
"""

from __future__ import annotations

import http.client
import os
import sys
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def probe_host(allowed_hosts: str) -> str:
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def probe(url: str, host: str, timeout: float = 5.0) -> int:
    """The HTTP status of GET url, or 0 when nothing answers."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


def main() -> int:
    url = os.environ.get("HEALTHCHECK_URL", DEFAULT_URL)
    status = probe(url, probe_host(os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost")))
    print(f"healthz status={status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
