"""The Chinese catalogue: its committed .mo matches its .po, it is complete, covers every UI string and
translates English msgids (English pages need no catalogue).

CI machines may lack gettext, so the compiled .mo files are committed; these tests catch a .po edited
without re-running compilemessages, and a UI string added without running makemessages.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from progress.models import Enrollment
from tests.conftest import need
from tests.factories import make_plan
from tests.progress.helpers import START

LOCALE = Path(settings.BASE_DIR, "locale")
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"


@dataclass(frozen=True)
class Entry:
    msgid: str
    plural: str  # "" for a singular entry
    msgstrs: tuple[str, ...]  # (msgstr,) or (msgstr[0], msgstr[1], ...)
    fuzzy: bool


def po_entries(path: Path) -> dict[str, Entry]:
    """msgid -> entry for the non-header, non-obsolete entries of a .po file."""
    entries: dict[str, Entry] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        fields: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            if not line or line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            else:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            plural = fields.get("msgid_plural", "")
            keys = sorted(k for k in fields if k.startswith("msgstr["))
            msgstrs = tuple(fields[k] for k in keys) if plural else (fields.get("msgstr", ""),)
            entries[fields["msgid"]] = Entry(fields["msgid"], plural, msgstrs, fuzzy)
    return entries


def test_the_compiled_catalog_matches_its_source() -> None:
    po = po_entries(ZH_PO)
    with ZH_PO.with_suffix(".mo").open("rb") as mo_file:
        mo = gettext.GNUTranslations(mo_file)

    stale = []
    for entry in po.values():
        # Chinese has one plural form: msgstr[0] for every count.
        found = mo.ngettext(entry.msgid, entry.plural, 2) if entry.plural else mo.gettext(entry.msgid)
        if found != entry.msgstrs[0]:
            stale.append(entry.msgid)

    assert stale == [], "run: uv run manage.py compilemessages -l zh_Hans --ignore=.venv"


def test_every_msgid_is_english() -> None:
    """English pages show the msgids as they are (Django gives English no fallback catalogue), which is why
    the project needs no English catalogue."""
    cjk = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
    entries = po_entries(ZH_PO).values()

    assert [e.msgid for e in entries if cjk.search(e.msgid + e.plural)] == []


def test_every_chinese_string_is_translated() -> None:
    po = po_entries(ZH_PO)

    assert len(po) > 250
    untranslated = [e.msgid for e in po.values() if e.fuzzy or not all(e.msgstrs)]
    assert untranslated == []


def test_chinese_plural_entries_have_their_one_form() -> None:
    plurals = [e for e in po_entries(ZH_PO).values() if e.plural]

    assert plurals  # "You are %(n)s days behind." and friends
    assert all(len(e.msgstrs) == 1 for e in plurals)  # Plural-Forms: nplurals=1


def test_there_is_one_catalogue() -> None:
    """makemessages sends an app's strings to the app's own locale/ when it has one; keep them all in one."""
    base = Path(settings.BASE_DIR)
    apps = ("config", "curriculum", "progress")
    app_catalogues = [str(p.relative_to(base)) for app in apps for p in (base / app).glob("locale")]

    assert app_catalogues == [], "fold their translations into locale/zh_Hans/LC_MESSAGES/django.po and git rm them"


def test_the_chinese_catalog_holds_every_ui_string(tmp_path: Path) -> None:
    """makemessages on a copy of the sources finds no msgid the committed catalog lacks."""
    if shutil.which("xgettext") is None:
        need("GNU gettext is not installed (apt-get install gettext)")
    base = Path(settings.BASE_DIR)
    for name in ("config", "curriculum", "progress", "templates", "locale"):
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SECRET_KEY"] = "makemessages-in-a-test"

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--ignore=var"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )

    fresh = po_entries(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    committed = po_entries(ZH_PO)
    missing = sorted(set(fresh) - set(committed))
    assert missing == [], "run makemessages and translate (see README: Language)"
    assert [e.msgid for e in fresh.values() if e.fuzzy or not all(e.msgstrs)] == []


def test_learner_pages_speak_chinese_by_default(client: Client, alice: User) -> None:
    Enrollment.objects.create(user=alice, plan=make_plan(days=10), start_date=START)
    client.force_login(alice)

    today = client.get("/").content.decode()
    progress = client.get("/progress/").content.decode()

    assert '<html lang="zh-hans">' in today
    assert "今天" in today and "你的进度" in today
    assert "落后天数" in progress and "每天完成的任务" in progress
    assert "Tasks done per day" not in progress
