"""The "Save this view" form."""

from __future__ import annotations

from django import forms

from claims_app.models.saved_views import SAVED_VIEW_NAME_LENGTH
from claims_app.web.forms import Form, SearchField


class SavedViewForm(Form):
    # Loose limits here; the service gives the exact messages (saved_views.services.clean_view_name).
    # SearchField drops NUL and control characters (a name of only those is empty: "Give the view a name.").
    name = SearchField(max_length=SAVED_VIEW_NAME_LENGTH * 4, error_messages={"required": "Give the view a name."})
    query = forms.CharField(required=False, max_length=8_000)
    shared = forms.BooleanField(required=False, label="Share with the desk")
