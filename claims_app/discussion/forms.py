"""The comment form."""

from __future__ import annotations

from django import forms

from claims_app.discussion.services import clean_comment_text
from claims_app.models import COMMENT_MAX_LENGTH
from claims_app.web.forms import Form


class CommentField(forms.CharField):
    """Comment text: NUL and other control characters are dropped (as the service does) instead of refused."""

    def to_python(self, value: object) -> str:
        return clean_comment_text(super().to_python(value) or "")


class CommentForm(Form):
    text = CommentField(
        max_length=COMMENT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Comment; @username mentions a colleague"}),
        error_messages={
            "required": "Write something to comment.",
            "max_length": f"A comment can be at most {COMMENT_MAX_LENGTH:,} characters (this one is %(show_value)s).",
        },
    )
