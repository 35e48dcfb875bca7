"""The publish form: which version of the claim the editor saw when pressing Publish."""

from __future__ import annotations

from django import forms

from claims_app.web.forms import Form


class PublishForm(Form):
    # Required, as the status form's: publishing a verdict the editor never saw (another editor changed it since
    # the page loaded) would put words on the public page nobody read.
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Reload the claim and try again: the form did not say which version it saw."},
    )
