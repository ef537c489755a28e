"""`{% memo "name" value ... %}...{% endmemo %}`: a part of an email rendered once per batch for the same values.

A reminder batch renders the same plan day, the same task lines and the same sentences for many learners;
rendering each of them once and reusing the text is most of what makes a batch cheap. The part is reused
when the name, the active language and every listed value are equal, so the values listed must be all the
part reads (tests/progress/test_reminder_memo.py renders each email with and without the memo and compares
them). The memo is the dict in the context's `memo` variable, one per batch (progress.reminders.batch):
without it the part is simply rendered.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token, Variable
from django.template.context import Context
from django.utils.translation import get_language

register = template.Library()


class MemoNode(Node):
    def __init__(self, nodelist: NodeList, name: str, values: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.values = values
        # For a value that is a plain `name.attr.attr` (no filter, no literal): the names, read directly.
        self.paths = [_plain_path(v) for v in values]

    def render(self, context: Context) -> str:
        memo: dict[tuple[Any, ...], str] | None = context.get("memo")
        if memo is None:
            return self.nodelist.render(context)
        key = (self.name, get_language(), *(self._value(context, i) for i in range(len(self.values))))
        text = memo.get(key)
        if text is None:
            text = memo[key] = self.nodelist.render(context)
        return text

    def _value(self, context: Context, i: int) -> Any:
        """The listed value as the template would resolve it. A plain path is read with getattr, which is what
        Django's lookup comes to for objects without item access; anything else (a dict, a list, a callable on
        the way, a missing attribute or any error) goes through Django's own resolution."""
        path = self.paths[i]
        if path is not None:
            try:
                value = context[path[0]]
                for name in path[1:]:
                    if callable(value) or hasattr(type(value), "__getitem__"):
                        break  # Django would call it, or try value[name] first
                    value = getattr(value, name)
                else:
                    if not callable(value):
                        return value
            except Exception:  # noqa: S110 - Django's resolution below decides: a blank, or the error
                pass
        return self.values[i].resolve(context)


def _plain_path(value: FilterExpression) -> tuple[str, ...] | None:
    var = value.var
    if value.filters or not isinstance(var, Variable) or var.lookups is None or var.translate:
        return None
    if any(name.startswith("_") or name.isdigit() for name in var.lookups):
        return None
    return tuple(var.lookups)


@register.tag
def memo(parser: Parser, token: Token) -> MemoNode:
    bits = token.split_contents()[1:]
    if not bits or bits[0][0] not in "\"'" or bits[0][-1] != bits[0][0]:
        raise template.TemplateSyntaxError("memo takes a quoted name first, then the values the part reads")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[0][1:-1], [parser.compile_filter(b) for b in bits[1:]])
