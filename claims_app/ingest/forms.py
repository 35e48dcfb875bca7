"""Upload form."""

from __future__ import annotations

from django import forms
from django.conf import settings

from claims_app.web.forms import Form


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that accepts several files; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
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
