"""The secret key of a local install, kept in var/ so sessions and signed links survive restarts."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def local_secret_key(var_dir: Path) -> str:
    """The secret key of a local install (one without DJANGO_SECRET_KEY), created on first use."""
    # No hard-coded fallback: a local install gets its own random key, kept across restarts so
    # sessions and signed unsubscribe links stay valid. Deployments set DJANGO_SECRET_KEY.
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        # Several processes may start at once on a shared var/ (the compose stack's web, worker and beat
        # containers): write a private temp file, then link it into place, which fails if another process
        # won the race. Everybody then reads the one winning key.
        tmp = var_dir / f".secret_key.{secrets.token_hex(8)}"
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(50))
        try:
            key_file.hardlink_to(tmp)
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links: a plain exclusive create is the next best
            with contextlib.suppress(FileExistsError):
                os.close(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                key_file.write_text(tmp.read_text())
        finally:
            tmp.unlink()
    return key_file.read_text().strip()
