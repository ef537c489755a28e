"""Build the POST an admin change page would send, from the page the test client just rendered."""

from __future__ import annotations

from typing import Any

from django.forms import BaseForm, BaseFormSet
from django.test.client import Client


def _form_data(form: BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


def _formset_data(formset: BaseFormSet[Any]) -> dict[str, Any]:
    data = _form_data(formset.management_form)
    for form in formset.initial_forms:
        data.update(_form_data(form))
    # Extra (blank) forms are left out: TOTAL_FORMS counts only the existing rows.
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
    return data


def page_data(client: Client, url: str) -> dict[str, Any]:
    """GET `url` and return its form and every inline formset as POST data, unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_formset_data(inline.formset))
    return data


def rows(data: dict[str, Any], prefix: str) -> int:
    return int(data[f"{prefix}-TOTAL_FORMS"])


def add_row(data: dict[str, Any], prefix: str, **values: Any) -> None:
    """Append one new row to the inline `prefix`."""
    index = rows(data, prefix)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def row_index(data: dict[str, Any], prefix: str, pk: int) -> int:
    for i in range(rows(data, prefix)):
        if data.get(f"{prefix}-{i}-id") == str(pk):
            return i
    raise AssertionError(f"no row {pk} in {prefix}")


def set_row(data: dict[str, Any], prefix: str, pk: int, **values: Any) -> None:
    i = row_index(data, prefix, pk)
    for name, value in values.items():
        data[f"{prefix}-{i}-{name}"] = str(value)
