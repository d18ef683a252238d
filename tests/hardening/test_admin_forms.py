"""Every add form of the admin takes Arabic, emoji, bidi controls and over-long text in
every text field: it saves or shows form errors, never a server error."""

import pytest
from django import forms
from django.contrib import admin

HOSTILE = [
    "خبر عاجل 🚨 من البصرة — Basra 👍🏽",
    "\u202e\u200f<script>alert(1)</script>\u200e' OR 1=1 --",
    "😀" * 400,
    "ب" * 20_000,
]


def add_urls():
    return sorted(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
        for model in admin.site._registry
    )


def form_data(form, text):
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.MultiValueField):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField | forms.ModelChoiceField):
            continue
        if isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif isinstance(field, forms.ChoiceField):
            choices = [value for value, _label in field.choices if value not in ("", None)]
            data[name] = choices[0] if choices else ""
        elif isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
            data[name] = "1"
        elif isinstance(field, forms.FileField):
            continue
        else:
            data[name] = text
    return data


@pytest.mark.parametrize("text", HOSTILE, ids=["arabic-emoji", "bidi-script", "emoji", "long"])
def test_admin_add_forms_take_any_text(admin_client, db, text):
    checked = 0
    for url in add_urls():
        page = admin_client.get(url)
        if page.status_code != 200 or "adminform" not in (page.context or {}):
            continue
        form = page.context["adminform"].form
        response = admin_client.post(url, form_data(form, text))
        assert response.status_code in (200, 302), url
        checked += 1
    assert checked >= 8
