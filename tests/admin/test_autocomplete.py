"""Every autocomplete field of the admin, on every form and inline, answers a value that names no record (a stale
page, a hand-made POST) with the form again and its error, never a 500."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

NOT_A_KEY = "no-such-record"


def autocomplete_cases():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("coverage", "auth"):
            continue
        for field in model_admin.autocomplete_fields:
            yield pytest.param(model, None, field, id=f"{model._meta.model_name}.{field}")
        for inline in model_admin.inlines:
            for field in inline.autocomplete_fields:
                yield pytest.param(
                    model, inline, field, id=f"{model._meta.model_name}.{inline.model._meta.model_name}.{field}"
                )


@pytest.mark.parametrize(("model", "inline", "field"), list(autocomplete_cases()))
def test_a_value_naming_no_record_is_a_form_error(admin_client, admin_user, article, model, inline, field):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    if inline is None:
        many = model._meta.get_field(field).many_to_many
        data = {field: [NOT_A_KEY] if many else NOT_A_KEY}
    else:
        request = RequestFactory().get(url)
        request.user = admin_user
        prefix = inline(model, admin.site).get_formset(request).get_default_prefix()
        data = {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-{field}": NOT_A_KEY,
        }

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form again: nothing saved, no server error
    form_errors = response.context["adminform"].form.errors
    inline_errors = [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    assert form_errors or any(inline_errors)
