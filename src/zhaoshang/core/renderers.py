"""The form renderer: Django's, with the commonest widgets written out in Python.

Django renders every ``<input>``, every ``<select>`` and each of its ``<option>``s
through a template include (and another one for the attributes): on a ledger page
with eight filter selects that was a fifth of the page's time (bench/load.py).
For the built-in input, select and textarea templates this renderer writes the same HTML
directly, byte for byte (``tests/core/test_renderers.py`` compares the two on every
kind of value); anything else, or a value it does not handle the same way, goes
through the templates as before. The project overrides none of these templates;
one that did would have to be removed from ``FAST`` here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
OPTION_TEMPLATE = WIDGETS + "select_option.html"


class Unhandled(Exception):
    """A value the templates would format in their own way (a number label, say)."""


class FastRenderer(DjangoTemplates):
    """``DjangoTemplates`` with ``FAST``'s widgets rendered in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        build = FAST.get(template_name)
        if build is not None:
            try:
                return build(context["widget"])
            except Unhandled:
                pass
        return str(super().render(template_name, context, request))


def _text(value: Any) -> str:
    """``{{ value }}``: text only (the templates localise numbers and dates)."""
    if not isinstance(value, str | Promise):
        raise Unhandled
    return str(conditional_escape(str(value)))  # str() keeps a SafeString safe


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``."""
    return str(conditional_escape(value if hasattr(value, "__html__") else str(value)))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``: ``False`` drops the attribute, ``True`` writes it bare."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        )
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _option(option: Mapping[str, Any]) -> str:
    if option["template_name"] != OPTION_TEMPLATE:
        raise Unhandled
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>"
    )


def _select(widget: Mapping[str, Any]) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(f"\n  {_option(option)}\n" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


#: Django's template → the same HTML built here (each input template is an include of
#: ``input.html``; the renderer strips the surrounding whitespace either way).
FAST: dict[str, Callable[[Mapping[str, Any]], str]] = {
    WIDGETS + name: _input
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "password.html",
        "hidden.html",
        "date.html",
        "time.html",
        "datetime.html",
        "search.html",
        "tel.html",
        "checkbox.html",
    )
} | {WIDGETS + "select.html": _select, WIDGETS + "textarea.html": _textarea}
