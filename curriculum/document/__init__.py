"""The study-plan document format, both ways: `parse` (text -> Document) and `render` (Document -> text).

Pure functions over frozen dataclasses: no ORM, no settings, so the format can be tested on its own and the
importer/exporter only map between these values and rows.

The format (see curriculum/plans/multimodal-90-days.zh.md)::

    # Title

    ## 总体安排
    Overview text, one or more lines.

    ## 第一个月：Month title          month numbers in Chinese numerals, counted from 一

    ### 第1周：Week title             week numbers plan-wide, from 1

    #### 第1天                        day numbers plan-wide, from 1
    - **上午**：Topic                 slot 上午 / 下午 / 全天, full-width colon
      - Task text, verbatim (inline Markdown kept)

    ## 学习资源精选                    optional, last

    ### Section heading
    1. Item text

Blocks are separated by exactly one blank line and the file has no final newline; `render` writes that layout,
so `render(parse(text)) == text` for a document written in it. `parse` also accepts other blank-line layouts
(and CRLF line ends) and `render` then normalises them.
"""

from __future__ import annotations

from curriculum.document.parser import Parser
from curriculum.document.values import (
    SLOT_KEYS,
    SLOT_LABELS,
    Day,
    Document,
    ParseError,
    Phase,
    ResourceSection,
    Session,
    Week,
    chinese_numeral,
    render,
)
from curriculum.plaintext import describe, first_forbidden

__all__ = [
    "SLOT_KEYS",
    "SLOT_LABELS",
    "Day",
    "Document",
    "ParseError",
    "Phase",
    "ResourceSection",
    "Session",
    "Week",
    "chinese_numeral",
    "parse",
    "parse_bytes",
    "render",
]


def parse_bytes(data: bytes) -> Document:
    """Decode UTF-8 (a leading byte-order mark is allowed) and parse; undecodable bytes are a ParseError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            line, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); save it as UTF-8"
        ) from None
    return parse(text)


def parse(text: str) -> Document:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ParseError(1, "the document is empty; expected a title line '# title'")
    if "\x00" in text:
        # A NUL is never part of a text document, and PostgreSQL refuses to store one (mid-import).
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(line, "the line contains a NUL character (0x00); is this a binary file? save it as UTF-8 text")
    bare_cr = text.replace("\r\n", "\n").find("\r")
    if bare_cr >= 0:
        # Classic Mac line ends would otherwise read as one long first line and a baffling "ends early".
        line = text.replace("\r\n", "\n")[:bare_cr].count("\n") + 1
        raise ParseError(line, "a line ends with a bare carriage return (CR); save the file with LF or CRLF line ends")
    _refuse_control_characters(text)
    parser = Parser()
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        parser.feed(number, raw.removesuffix("\r"))
    return parser.finish(len(lines))


def _refuse_control_characters(text: str) -> None:
    at = first_forbidden(text)
    if at is not None:
        line = text[:at].count("\n") + 1
        raise ParseError(
            line,
            f"the line contains the invisible control character {describe(text[at])}; "
            "remove it (tabs and line ends are fine)",
        )
