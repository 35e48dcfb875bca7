"""Forms for uploads, reviews, corrections, links and list filters."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.forms.renderers import Jinja2

from claims_app import selectors
from claims_app.models import Claim, ClaimLink

# Django's own Jinja2 widget templates: the same markup as the default renderer in less than half the time
# (pages render up to a dozen widgets per request). One instance, so its engine and compiled templates are
# cached. Only the app's forms use it: the admin's widget templates exist for the Django engine alone.
RENDERER = Jinja2()


class Form(forms.Form):
    """Base of the app's forms (rendered with RENDERER)."""

    default_renderer = RENDERER


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that accepts several files; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class UploadForm(Form):
    # One file is filed at once, like pasted text; several are queued for the background worker.
    file = MultipleFileField(
        required=False, allow_empty_file=True, help_text=".txt, .html or .md; choose several to queue them"
    )
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 10}), label="Or paste the article")
    title = forms.CharField(required=False, max_length=500)
    url = forms.URLField(required=False, max_length=2000, assume_scheme="https")
    outlet = forms.CharField(required=False, max_length=300)

    def clean(self) -> dict[str, object]:
        super().clean()  # BaseForm.clean() returns cleaned_data, typed Optional for overrides
        data = self.cleaned_data
        files = data.get("file") or []
        text = data.get("text") or ""
        if files and text.strip():
            raise forms.ValidationError("Upload a file or paste text, not both.")
        if not files and not text.strip():
            raise forms.ValidationError("Choose a file or paste the article text.")
        if len(files) > 1:
            if data.get("title") or data.get("url"):
                raise forms.ValidationError("Title and URL describe one article; leave them empty for several files.")
            return data  # oversize files in a batch are reported per file by the job list
        upload = files[0] if files else None
        if upload and upload.size > settings.CLAIMS_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"File is {upload.size / 1024 / 1024:.1f} MB; the limit is {settings.CLAIMS_MAX_UPLOAD_MB} MB."
            )
        return data


class StatusForm(Form):
    status = forms.ChoiceField(choices=Claim.Status.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BulkStatusForm(Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={"required": "Select some claims."})
    status = forms.ChoiceField(choices=Claim.Status.choices)
    note = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Any integer is acceptable; the service ignores ids that do not exist.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        cast(forms.ChoiceField, self.fields["ids"]).choices = [(v, v) for v in raw if str(v).isdigit()]


class CorrectionForm(Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    speaker = forms.CharField(required=False, max_length=300, help_text="Name or alias; a new name adds a speaker.")
    kind = forms.ChoiceField(choices=Claim.Kind.choices)
    note = forms.CharField(required=False, max_length=5000, label="Why")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


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

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("peers") if hasattr(self.data, "getlist") else self.data.get("peers", [])
        cast(forms.ChoiceField, self.fields["peers"]).choices = [(v, v) for v in raw if str(v).isdigit()]


class AddClaimForm(Form):
    """A missed claim: offsets from the text selection (JS), or just the words, found in the body (no JS)."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=20000, label="Claim text")
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    speaker = forms.CharField(required=False, max_length=300)
    kind = forms.ChoiceField(choices=Claim.Kind.choices, initial=Claim.Kind.DIRECT)


class MergeForm(Form):
    other = forms.CharField(max_length=300, label="Speaker to merge into this one (id or exact name)")
    suggestion = forms.IntegerField(required=False, widget=forms.HiddenInput)


HAS_LINKS_CHOICES = [("", "Linked or not"), ("yes", "Has links"), ("no", "No links")]
REJECTED_CHOICES = [("", "Hide rejected"), ("include", "Include rejected"), ("only", "Only rejected")]


class ClaimFilterForm(Form):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Claim.Status.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Claim.Kind.choices])
    speaker = forms.IntegerField(required=False, widget=forms.HiddenInput)
    article = forms.IntegerField(required=False, widget=forms.HiddenInput)
    outlet = forms.ChoiceField(required=False, choices=[])
    published_from = forms.DateField(required=False, label="Published from", widget=forms.DateInput({"type": "date"}))
    published_to = forms.DateField(required=False, label="to", widget=forms.DateInput({"type": "date"}))
    has_links = forms.ChoiceField(required=False, choices=HAS_LINKS_CHOICES, label="Links")
    rejected = forms.ChoiceField(required=False, choices=REJECTED_CHOICES, label="Rejected spans")
    corroboration = forms.ChoiceField(
        required=False, choices=[("", "Any corroboration"), *Claim.Corroboration.choices], label="Corroboration"
    )
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _) in selectors.SORTS.items()], label="Sort"
    )

    def __init__(self, *args, outlets: list[str] | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["outlet"]).choices = [("", "Any outlet"), *((o, o) for o in outlets or [])]

    def filters(self) -> selectors.ClaimFilters:
        """The valid filters; an invalid field is dropped rather than failing the whole list."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return selectors.ClaimFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            speaker=data.get("speaker"),
            article=data.get("article"),
            outlet=data.get("outlet") or "",
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
            has_links=data.get("has_links") or "",
            rejected=data.get("rejected") or "",
            corroboration=data.get("corroboration") or "",
            sort=data.get("sort") or "newest",
        )
