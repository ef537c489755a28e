"""Structured log lines: `key=value` pairs on one line, easy to grep and to parse.

Use `log_event` anywhere something worth counting happens, e.g. in the reminder task:

    from config.logging_utils import log_event
    log_event(logger, "reminder_sent", enrollment=enrollment.pk, local_date=day.isoformat())

which prints `ts=2026-03-02T07:00:00.123Z level=INFO logger=progress.tasks event=reminder_sent
enrollment=7 local_date=2026-03-02` (on one line). Never pass secrets, tokens or email bodies.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

# The fields log_event passes through `extra=`; the formatter prints them after the standard ones.
FIELDS_ATTR = "kv_fields"
_BARE = re.compile(r"^[A-Za-z0-9_.:/@+\-]+$")


def format_value(value: Any) -> str:
    """A value as it appears after `key=`: bare when it is one safe word, else double-quoted and escaped."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    if _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def format_fields(fields: dict[str, Any]) -> str:
    return " ".join(f"{key}={format_value(value)}" for key, value in fields.items())


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one `event=<event> key=value ...` line.

    The fields are the message itself too, so a handler with another format (Celery's, pytest's) still
    shows them; KeyValueFormatter prints them once, after ts, level and logger.
    """
    all_fields = {"event": event, **fields}
    logger.log(level, "%s", _Fields(all_fields), extra={FIELDS_ATTR: all_fields})


class _Fields:
    """The fields as the log message, formatted only if a handler asks for the message: KeyValueFormatter
    formats the fields itself, so a request's log line is not formatted twice."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        return format_fields(self.fields)

    __repr__ = __str__


class KeyValueFormatter(logging.Formatter):
    """ts, level and logger first, then the event's fields (or msg="..." for ordinary log calls)."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        head = {"ts": ts, "level": record.levelname, "logger": record.name}
        fields = getattr(record, FIELDS_ATTR, None)
        body = fields if isinstance(fields, dict) else {"msg": record.getMessage()}
        line = format_fields({**head, **body})
        if record.exc_info:
            line += " exc=" + format_value(self.formatException(record.exc_info))
        return line
