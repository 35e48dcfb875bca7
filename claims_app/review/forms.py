"""Review forms: status, corrections, evidence, added claims and the claim-list filters."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import urlencode

from django import forms

from claims_app.models import Claim, normalise_tag_name
from claims_app.review import tagging
from claims_app.review.filters import ASSIGNEE_ME, ASSIGNEE_NONE, PARAMETERS, ClaimFilters, Parameter
from claims_app.web import params
from claims_app.web.forms import Form


class StatusForm(Form):
    status = forms.ChoiceField(choices=Claim.Status.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    # Required: without it the service could not tell a stale form from a fresh one (a lost update).
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Reload the claim and try again: the form did not say which version it saw."},
    )


class BulkStatusForm(Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={"required": "Select some claims."})
    status = forms.ChoiceField(choices=Claim.Status.choices)
    note = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any integer is acceptable; the service ignores ids that do not exist.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        cast(forms.ChoiceField, self.fields["ids"]).choices = [(v, v) for v in raw if params.positive_int(v)]

    def claim_versions(self) -> dict[int, int | None]:
        """Each selected claim with the version its row showed (`version-<id>`); None when the row sent none."""
        get = self.data.get
        return {pk: params.positive_int(get(f"version-{pk}")) for pk in self.cleaned_data["ids"]}


class CorrectionForm(Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    speaker = forms.CharField(required=False, max_length=300, help_text="Name or alias; a new name adds a speaker.")
    kind = forms.ChoiceField(choices=Claim.Kind.choices)
    note = forms.CharField(required=False, max_length=5000, label="Why")
    # Required, as the status form's: a correction that did not say which version it saw overwrote a newer one.
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Reload the claim and try again: the form did not say which version it saw."},
    )


class RejectForm(Form):
    note = forms.CharField(required=False, max_length=5000)


class EvidenceForm(Form):
    url = forms.URLField(required=False, max_length=2000, assume_scheme="https", label="Source URL")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def clean(self) -> dict[str, object]:
        super().clean()  # BaseForm.clean() returns cleaned_data, typed Optional for overrides
        data = self.cleaned_data
        if not self.errors and not (data.get("url") or (data.get("note") or "").strip()):
            raise forms.ValidationError("Give a URL, a note, or both.")
        return data


class AddClaimForm(Form):
    """A missed claim: offsets from the text selection (JS), or just the words, found in the body (no JS)."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=20000, label="Claim text")
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    speaker = forms.CharField(required=False, max_length=300)
    kind = forms.ChoiceField(choices=Claim.Kind.choices, initial=Claim.Kind.DIRECT)


class ClaimFilterForm(Form):
    """The claim list's filters from a query string; its fields are ClaimFilters' (review/filters.py), set
    below the class because Django collects declared fields from a class body only."""

    def __init__(self, *args, outlets: list[str] | None = None, user: Any = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["outlet"]).choices = [("", "Any outlet"), *((o, o) for o in outlets or [])]

    def filters(self) -> ClaimFilters:
        """The valid filters; an invalid field is dropped rather than failing the whole list."""
        values = {p.attribute: value for p, value in self._valid_values()}
        if isinstance(tags := values.get("tags"), list):
            values["tags"] = tuple(tags)
        if "assignee" in values:
            values["assignee"] = self._assignee(values["assignee"])
        return ClaimFilters(**values)

    def canonical_query(self) -> str:
        """The query string of the valid filters alone, in field order (unknown parameters, bad values, `page`
        and defaults such as the newest-first sort left out): what a saved view stores. "me" stays "me", so a
        shared view means each reader's own claims."""
        pairs: list[tuple[str, str]] = []
        for parameter, value in self._valid_values():
            values = value if isinstance(value, list) else [value]
            pairs.extend((parameter.name, v.isoformat() if isinstance(v, datetime.date) else str(v)) for v in values)
        return urlencode(pairs)

    def _valid_values(self) -> Iterator[tuple[Parameter, Any]]:
        """Each parameter given a valid value other than its default, in the declaration's order."""
        self.is_valid()
        for parameter in PARAMETERS:
            value = self.cleaned_data.get(parameter.name) if parameter.name not in self.errors else None
            if value not in (None, "", [], ()) and value != parameter.default:
                yield parameter, value

    def _assignee(self, value: str) -> str:
        """ "me" is the logged-in user (no user: no filter); "none" and usernames pass through."""
        if value.casefold() == ASSIGNEE_ME:
            user = self.user
            return user.get_username() if user is not None and user.is_authenticated else ""
        return ASSIGNEE_NONE if value.casefold() == ASSIGNEE_NONE else value


ClaimFilterForm.base_fields = ClaimFilterForm.declared_fields = {p.name: p.form_field for p in PARAMETERS}


class AssignForm(Form):
    assignee = forms.CharField(required=False, max_length=150, label="Assign to")
    note = forms.CharField(required=False, max_length=5000)


class BulkAssignForm(Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={"required": "Select some claims."})
    assignee = forms.CharField(required=False, max_length=150)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        cast(forms.ChoiceField, self.fields["ids"]).choices = [(v, v) for v in raw if params.positive_int(v)]


class TagNameField(forms.Field):
    """A tag name under the model's rules (normalise_tag_name), with its own messages for each refusal
    (NUL included: CharField's "Null characters are not allowed." would not say what a tag may hold)."""

    def to_python(self, value: object) -> str:
        if value in self.empty_values:
            return ""
        return normalise_tag_name(value)


class TagForm(Form):
    """One tag to add to (or remove from) a claim."""

    tag = TagNameField(error_messages={"required": "Give the tag a name."})


class BulkTagForm(TagForm):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={"required": "Select some claims."})
    action = forms.ChoiceField(choices=[(tagging.ADD, "Add tag"), (tagging.REMOVE, "Remove tag")], initial=tagging.ADD)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        cast(forms.ChoiceField, self.fields["ids"]).choices = [(v, v) for v in raw if params.positive_int(v)]
