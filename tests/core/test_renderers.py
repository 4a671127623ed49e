"""The fast form renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from zhaoshang.core.forms import IsoDateInput
from zhaoshang.core.renderers import FAST, FastRenderer

STOCK = DjangoTemplates()
FAST_RENDERER = FastRenderer()

CHOICES: list[Any] = [
    ("", "—"),
    (1, "一号 <b>&\"'"),
    ("two", gettext_lazy("Lead")),
    ("three", mark_safe("<i>安全</i>")),
    ("组", [("a", "甲"), ("b", "乙")]),
    (gettext_lazy("Signed"), [("c", "丙")]),
]
ATTRS = [
    {},
    {"class": "wide", "required": True, "disabled": False, "maxlength": 100},
    {"data-x": '"quoted" <tag> & amp', "aria-label": gettext_lazy("Lead")},
    {"placeholder": mark_safe("&lt;已转义&gt;")},
]
VALUES = [None, "", 0, 1, "two", "a", ["a", "c"], "<script>", Decimal("12.50"), True]


def both(widget: forms.Widget, value: Any) -> tuple[str, str]:
    return (
        widget.render("field", value, renderer=STOCK),
        widget.render("field", value, renderer=FAST_RENDERER),
    )


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(
    "widget_class",
    [
        forms.TextInput,
        forms.NumberInput,
        forms.EmailInput,
        forms.URLInput,
        forms.PasswordInput,
        forms.HiddenInput,
        forms.DateInput,
        forms.TimeInput,
        forms.DateTimeInput,
        forms.SearchInput,
        forms.TelInput,
        forms.CheckboxInput,
        IsoDateInput,
    ],
)
def test_inputs_are_written_as_the_templates_write_them(widget_class, value, attrs):
    stock, fast = both(widget_class(attrs=attrs), value)
    assert fast == stock


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("widget_class", [forms.Select, forms.SelectMultiple])
def test_selects_are_written_as_the_templates_write_them(widget_class, value, attrs):
    stock, fast = both(widget_class(attrs=attrs, choices=CHOICES), value)
    assert fast == stock


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize(
    "value", [None, "", "一行", "两行\n<b>&第二行</b>", mark_safe("<i>安全</i>")]
)
def test_a_textarea_is_written_as_the_template_writes_it(value, attrs):
    stock, fast = both(forms.Textarea(attrs=attrs), value)
    assert fast == stock


@pytest.mark.parametrize("value", [None, "", True, False, "true", "unknown"])
def test_a_yes_no_select_is_written_as_the_template_writes_it(value):
    stock, fast = both(forms.NullBooleanSelect(), value)
    assert fast == stock


def test_dates_and_a_number_label_are_left_to_the_templates():
    widget = forms.Select(choices=[(1, 2026), (2, dt.date(2026, 1, 2))])
    stock, fast = both(widget, 1)
    assert fast == stock and "2026" in fast
    date_input = forms.DateInput(format="%Y年%m月%d日")
    assert both(date_input, dt.date(2026, 11, 29))[1] == both(date_input, dt.date(2026, 11, 29))[0]


def test_it_covers_every_input_template_that_only_includes_input_html():
    from pathlib import Path

    import django

    root = Path(django.__file__).parent / "forms/templates/django/forms/widgets"
    plain = {
        f"django/forms/widgets/{path.name}"
        for path in root.glob("*.html")
        if path.read_text().strip() == '{% include "django/forms/widgets/input.html" %}'
    }
    plain -= {"django/forms/widgets/color.html", "django/forms/widgets/file.html"}
    assert plain <= set(FAST)


@pytest.mark.django_db
def test_a_whole_filter_form_renders_the_same(user_named):
    from zhaoshang.projects.forms import ProjectFilterForm

    user = user_named("yc_staff")
    form = ProjectFilterForm({"stage": "signed", "q": "<x>"}, user=user)
    form.is_valid()
    for field in form:
        widget, value = field.field.widget, field.value()
        stock = widget.render(field.html_name, value, renderer=STOCK)
        assert widget.render(field.html_name, value, renderer=FAST_RENDERER) == stock


def test_the_site_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastRenderer)


def test_inputs_and_selects_no_longer_go_through_the_templates(monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("rendered through a template")

    monkeypatch.setattr(DjangoTemplates, "render", refuse)
    html = forms.Select(choices=CHOICES).render("f", "a", renderer=FAST_RENDERER)
    assert '<option value="a" selected>甲</option>' in html
    assert forms.TextInput().render("f", "x", renderer=FAST_RENDERER) == (
        '<input type="text" name="f" value="x">'
    )
    assert forms.Textarea(attrs={"rows": 2}).render("f", "x", renderer=FAST_RENDERER) == (
        '<textarea name="f" cols="40" rows="2">\nx</textarea>'
    )
