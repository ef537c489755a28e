"""The snippet library: code blocks of a learner's notes, highlighted by Pygments, following note edits."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from progress.snippets import fences
from tests.progress.companion.reference import paper

pytestmark = pytest.mark.usefixtures("english_ui")

NOTE = "Today:\n\n```python\ndef clip(x):\n    return x\n```\n\nand\n\n```bash\npip install torch\n```\n"


def test_fences_come_with_the_language_of_their_info_string() -> None:
    assert fences(NOTE) == [("python", "def clip(x):\n    return x\n"), ("bash", "pip install torch\n")]
    assert fences("```Python title=a.py\nx\n```\n    indented, no fence\n") == [("python", "x\n")]


def test_the_library_collects_day_week_and_resource_notes(alice_client: Client, enrollment, plan) -> None:
    alice_client.post("/days/3/note/", {"body": NOTE, "version": "0"})
    alice_client.post("/review/1/note/", {"body": "```sql\nselect 1;\n```", "version": "0"})
    alice_client.post(f"/resources/{paper(plan).pk}/note/", {"body": "```\nplain <b>\n```", "version": "0"})
    html = alice_client.get("/snippets/").content.decode()
    assert html.count('class="card snippet"') == 4
    assert '<span class="k">def</span>' in html  # highlighted with classes, never style attributes
    assert "style=" not in html
    assert "plain &lt;b&gt;" in html
    assert 'href="/days/3/#note"' in html and 'href="/review/1/#note"' in html


def test_snippets_follow_their_note_when_it_is_edited(alice_client: Client, enrollment) -> None:
    alice_client.post("/days/3/note/", {"body": NOTE, "version": "0"})
    alice_client.post("/days/3/note/", {"body": NOTE.replace("return x", "return x * 2"), "version": "1"})
    html = alice_client.get("/snippets/").content.decode()
    assert html.count('class="card snippet"') == 2
    assert '<span class="mi">2</span>' in html


def test_the_library_filters_by_text_and_language(alice_client: Client, enrollment) -> None:
    alice_client.post("/days/3/note/", {"body": NOTE, "version": "0"})
    assert alice_client.get("/snippets/?q=PIP").content.decode().count('class="card snippet"') == 1
    assert alice_client.get("/snippets/?lang=python").content.decode().count('class="card snippet"') == 1
    assert "No snippet matches." in alice_client.get("/snippets/?q=nowhere").content.decode()


def test_the_day_note_itself_is_highlighted(alice_client: Client, enrollment) -> None:
    alice_client.post("/days/3/note/", {"body": NOTE, "version": "0"})
    html = alice_client.get("/days/3/").content.decode()
    assert '<pre class="highlight"><code><span class="k">def</span>' in html


def test_the_library_makes_a_fixed_number_of_queries(alice_client: Client, enrollment, plan) -> None:
    alice_client.post("/days/3/note/", {"body": NOTE, "version": "0"})
    with CaptureQueriesContext(connection) as few:
        alice_client.get("/snippets/")
    for n in range(4, 9):
        alice_client.post(f"/days/{n}/note/", {"body": NOTE, "version": "0"})
    with CaptureQueriesContext(connection) as many:
        alice_client.get("/snippets/")
    assert len(many) == len(few)
