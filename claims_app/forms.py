"""Forms for uploads, reviews and list filters."""

from __future__ import annotations

from django import forms
from django.conf import settings

from claims_app.models import Claim


class UploadForm(forms.Form):
    file = forms.FileField(required=False, help_text=".txt, .html or .md")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 10}), label="Or paste the article")
    title = forms.CharField(required=False, max_length=500)
    url = forms.URLField(required=False, max_length=2000, assume_scheme="https")
    outlet = forms.CharField(required=False, max_length=300)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        upload = data.get("file")
        text = data.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("Upload a file or paste text, not both.")
        if not upload and not text.strip():
            raise forms.ValidationError("Choose a file or paste the article text.")
        if upload and upload.size > settings.CLAIMS_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"File is {upload.size / 1024 / 1024:.1f} MB; the limit is {settings.CLAIMS_MAX_UPLOAD_MB} MB."
            )
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Claim.Status.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ClaimFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Claim.Status.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Claim.Kind.choices])
    speaker = forms.IntegerField(required=False, widget=forms.HiddenInput)
    article = forms.IntegerField(required=False, widget=forms.HiddenInput)
    outlet = forms.CharField(required=False)
