"""Speaker merge form."""

from __future__ import annotations

from django import forms

from claims_app.web.forms import Form


class MergeForm(Form):
    other = forms.CharField(max_length=300, label="Speaker to merge into this one (id or exact name)")
    suggestion = forms.IntegerField(required=False, widget=forms.HiddenInput)
