"""Link, suggestion and origin forms."""

from __future__ import annotations

from typing import cast

from django import forms

from claims_app.models import ClaimLink
from claims_app.web.forms import Form


class LinkForm(Form):
    to_claim = forms.IntegerField(label="Claim id", min_value=1)
    relation = forms.ChoiceField(choices=ClaimLink.Relation.choices)
    note = forms.CharField(required=False, max_length=5000)


class RelationForm(Form):
    relation = forms.ChoiceField(choices=ClaimLink.Relation.choices)


class SuggestionDecisionForm(Form):
    """Accept (with the chosen relation) or dismiss one suggested link; score and guess are kept for evaluation."""

    candidate = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    relation = forms.ChoiceField(required=False, choices=ClaimLink.Relation.choices)
    score = forms.FloatField(required=False, widget=forms.HiddenInput)
    relation_guess = forms.ChoiceField(
        required=False, choices=[("", ""), *ClaimLink.Relation.choices], widget=forms.HiddenInput
    )


class OriginForm(Form):
    ACTIONS = [
        ("accept", "Accept the suggestion"),
        ("join", "Join origin"),
        ("new", "New origin"),
        ("remove", "Leave origin"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    origin = forms.IntegerField(required=False, min_value=1, label="Origin id")
    peers = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    medium = forms.CharField(required=False, max_length=300, help_text="e.g. told Rossiya-24, Reuters")
    note = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("peers") if hasattr(self.data, "getlist") else self.data.get("peers", [])
        cast(forms.ChoiceField, self.fields["peers"]).choices = [(v, v) for v in raw if str(v).isdigit()]
