"""Which characters a plan text may hold: the one rule the importer, the admin and the calendar feed share.

Control characters (C0 except tab and line ends, DEL, C1 such as NEL) and the Unicode line and paragraph
separators (U+2028, U+2029) are invisible in an editor, break lines where no line break was written, and
RFC 5545 forbids them in an iCalendar text value. So documents and admin forms refuse them with a message
that names them, and the feed strips any that got in before this rule existed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Tab, LF and CR are left out: tabs are ordinary text, and the parser and textareas handle line ends.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def first_forbidden(text: str) -> int | None:
    """The index of the first forbidden character in `text`, or None."""
    found = FORBIDDEN.search(text)
    return found.start() if found else None


def describe(char: str) -> str:
    """U+000B style, the way an editor's "go to character" or a hex view names it."""
    return f"U+{ord(char):04X}"


def strip_forbidden(text: str) -> str:
    return FORBIDDEN.sub("", text)


def validate_plain_text(value: str) -> None:
    """Model field validator: the admin shows the error on the field and saves nothing."""
    at = first_forbidden(value)
    if at is not None:
        raise ValidationError(
            _("This text contains the invisible control character %(char)s (at position %(position)s); remove it."),
            code="control_character",
            params={"char": describe(value[at]), "position": at + 1},
        )
