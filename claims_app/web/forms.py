"""The app's base form."""

from __future__ import annotations

from django import forms
from django.forms.renderers import Jinja2

from claims_app.web import params

# Django's own Jinja2 widget templates: the same markup as the default renderer in less than half the time
# (pages render up to a dozen widgets per request). One instance, so its engine and compiled templates are
# cached. Only the app's forms use it: the admin's widget templates exist for the Django engine alone.
RENDERER = Jinja2()


class SearchField(forms.CharField):
    """Free search text: NUL, control characters and lone surrogates are dropped rather than refused."""

    def to_python(self, value: object) -> str:
        return params.clean_text(super().to_python(value), max_length=self.max_length or 500)


class Form(forms.Form):
    """Base of the app's forms (rendered with RENDERER)."""

    default_renderer = RENDERER
