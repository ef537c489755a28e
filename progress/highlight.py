"""Server-side syntax highlighting of code in notes, with Pygments.

The output carries only CSS classes (Pygments' short token names); the colours are in
static/css/site.css (the "Syntax colours" block), so the Content-Security-Policy needs no inline styles.
"""

from __future__ import annotations

from functools import cache

from django.utils.html import escape
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

# Every class Pygments may put on a <span>: the sanitiser lets these through and nothing else.
TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)
PRE_CLASS = "highlight"


def language_of(info: str) -> str:
    """The language named by a fence's info string ("python title=x.py" -> "python"), lower-case."""
    return info.strip().split(maxsplit=1)[0].lower() if info.strip() else ""


@cache
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language) if language else None
    except ClassNotFound:
        return None


_FORMATTER = HtmlFormatter(nowrap=True)


def code_html(code: str, language: str) -> str:
    """`code` as the inside of a <code> element: highlighted spans for a known language, else escaped text."""
    lexer = _lexer(language)
    if lexer is None:
        return str(escape(code))
    return pygments_highlight(code, lexer, _FORMATTER)


def fence_html(code: str, info: str, _attrs: object = None) -> str:
    """markdown-it's `highlight` hook: a whole <pre> block, so markdown-it uses it as it is."""
    return f'<pre class="{PRE_CLASS}"><code>{code_html(code, language_of(info))}</code></pre>\n'
