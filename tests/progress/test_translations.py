"""The committed .mo catalogs match their .po sources, and the Chinese one is complete.

CI machines may lack gettext, so the compiled .mo files are committed; these tests catch a .po edited
without re-running compilemessages.
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR, "locale")


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr for the non-header, non-obsolete entries of a .po file."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#")]
        current, parts = "", {"msgid": "", "msgstr": ""}
        for line in lines:
            keyword, _, rest = line.partition(" ")
            if keyword in parts:
                current, line = keyword, rest
            parts[current] += ast.literal_eval(line)
        if parts["msgid"]:
            entries[parts["msgid"]] = parts["msgstr"]
    return entries


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_the_compiled_catalog_matches_its_source(language: str) -> None:
    po = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo_file:
        mo = gettext.GNUTranslations(mo_file)

    stale = {msgid: msgstr for msgid, msgstr in po.items() if msgstr and mo.gettext(msgid) != msgstr}

    assert stale == {}, "run: uv run manage.py compilemessages -l zh_Hans -l en --ignore=.venv"


def test_every_chinese_string_is_translated() -> None:
    po = po_entries(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")

    assert len(po) > 100
    assert [msgid for msgid, msgstr in po.items() if not msgstr] == []
