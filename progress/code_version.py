"""What the cached pages and feeds were rendered with, as one short digest.

Page bodies and calendar feeds are kept in a cache shared by every process, for up to a day. A deployment
that changes a template or a translation must not serve what the old ones rendered, so this digest of the
templates and compiled catalogues is part of every such cache key.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def code_version() -> str:
    """A digest of the templates and compiled translations this process renders with (read once)."""
    digest = hashlib.blake2b(digest_size=8)
    for root in (Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "locale"):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".html", ".txt", ".mo") and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
