"""The claim-list filters, declared once.

Each field of `ClaimFilters` is one URL parameter of /claims/ (the exports, saved views and /api/claims/ take
the same query string): its type and default as the selectors read it, the form field that parses it, and for
a plain match the Claim lookup it filters on. `ClaimFilterForm` (review/forms.py), the API's `ClaimQuery`
(api/schemas.py) and `selectors._filtered` are built from this table, and tests read the parameter names from
it, so a new plain filter is one line here (one with a rule of its own adds that rule to `_filtered`). The
parameter names and the values they accept are public: shared links and saved views hold them.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from claims_app.models import Claim, normalise_tag_name
from claims_app.web.forms import SearchField

SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "newest": ("Newest first", ("-created_at", "-pk")),
    "oldest": ("Oldest first", ("created_at", "pk")),
    "speaker": ("Speaker A–Z", ("speaker__name", "-created_at", "-pk")),
    "status": ("Status", ("status", "-created_at", "-pk")),
}
ASSIGNEE_NONE = "none"
ASSIGNEE_ME = "me"
MAX_TAG_FILTERS = 5

HAS_LINKS_CHOICES = [("", "Linked or not"), ("yes", "Has links"), ("no", "No links")]
REJECTED_CHOICES = [("", "Hide rejected"), ("include", "Include rejected"), ("only", "Only rejected")]


class TagFilterField(forms.Field):
    """Repeatable `?tag=`: each name normalised; a name no tag could have is dropped, never an error."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[str]:
        raw = value if isinstance(value, list | tuple) else [value] if value else []
        names: dict[str, str] = {}
        for item in raw:
            try:
                name = normalise_tag_name(item)
            except ValidationError:
                continue
            names.setdefault(name.casefold(), name)
        return list(names.values())[:MAX_TAG_FILTERS]

    def validate(self, value: Any) -> None:
        pass  # to_python already dropped what it could not use


@dataclass(frozen=True, slots=True)
class Parameter:
    """How one ClaimFilters field is read from a query string."""

    name: str  # the URL parameter
    attribute: str  # the ClaimFilters field
    form_field: forms.Field  # parses the parameter (the filter form's field)
    default: Any
    documented: bool  # listed among the API's OpenAPI parameters
    lookup: str  # a set value keeps the claims matching this lookup; "" for the filters _filtered spells out


_PARAMETER = "claims_app.parameter"


def _filter(
    default: Any, form_field: forms.Field, *, lookup: str = "", param: str = "", documented: bool = True
) -> Any:
    """A ClaimFilters field read from the URL parameter `param` (the field's own name unless given)."""
    return dataclasses.field(default=default, metadata={_PARAMETER: (param, form_field, documented, lookup)})


def _choices(any_label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", any_label), *choices]


@dataclass(frozen=True, slots=True)
class ClaimFilters:
    """Filters for the claim list, parsed from (and written back to) the query string."""

    q: str = _filter("", SearchField(required=False, label="Search", widget=forms.TextInput(attrs={"type": "search"})))
    status: str = _filter(
        "", forms.ChoiceField(required=False, choices=_choices("Any status", Claim.Status.choices)), lookup="status"
    )
    kind: str = _filter(
        "", forms.ChoiceField(required=False, choices=_choices("Any kind", Claim.Kind.choices)), lookup="kind"
    )
    # What was attributed: a statement, a belief, an intention or data (read from the cue at ingest).
    attribution: str = _filter(
        "",
        forms.ChoiceField(required=False, choices=_choices("Any attribution", Claim.Attribution.choices)),
        lookup="attribution",
    )
    speaker: int | None = _filter(
        None, forms.IntegerField(required=False, widget=forms.HiddenInput), lookup="speaker_id"
    )
    article: int | None = _filter(
        None, forms.IntegerField(required=False, widget=forms.HiddenInput), lookup="article_id"
    )
    # A StatementOrigin id. /api/claims/ reads it too but never listed it among its OpenAPI parameters, which are
    # a public contract as they stand.
    origin: int | None = _filter(
        None,
        forms.IntegerField(required=False, widget=forms.HiddenInput),
        lookup="statement_origin_id",
        documented=False,
    )
    # The choices come from ClaimFilterForm(outlets=...).
    outlet: str = _filter("", forms.ChoiceField(required=False, choices=[]), lookup="article__outlet")
    published_from: datetime.date | None = _filter(
        None,
        forms.DateField(required=False, label="Published from", widget=forms.DateInput({"type": "date"})),
        lookup="article__published_at__gte",
    )
    published_to: datetime.date | None = _filter(
        None,
        forms.DateField(required=False, label="to", widget=forms.DateInput({"type": "date"})),
        lookup="article__published_at__lte",
    )
    has_links: str = _filter("", forms.ChoiceField(required=False, choices=HAS_LINKS_CHOICES, label="Links"))
    # "" hides rejected spans, "include", "only"
    rejected: str = _filter("", forms.ChoiceField(required=False, choices=REJECTED_CHOICES, label="Rejected spans"))
    corroboration: str = _filter(
        "",
        forms.ChoiceField(
            required=False, choices=_choices("Any corroboration", Claim.Corroboration.choices), label="Corroboration"
        ),
        lookup="corroboration",
    )
    # A username, or "none" for unassigned claims ("me" is resolved by the form).
    assignee: str = _filter(
        "",
        SearchField(
            required=False, max_length=150, label="Assignee", help_text="A username, “me”, or “none” for unassigned."
        ),
    )
    sort: str = _filter(
        "newest",
        forms.ChoiceField(required=False, choices=[(key, label) for key, (label, _) in SORTS.items()], label="Sort"),
    )
    # Tag names (`?tag=` repeated); a claim must have all of them.
    tags: tuple[str, ...] = _filter((), TagFilterField(required=False, label="Tags"), param="tag")


PARAMETERS: tuple[Parameter, ...] = tuple(
    Parameter(param or field.name, field.name, form_field, field.default, documented, lookup)
    for field in dataclasses.fields(ClaimFilters)
    for param, form_field, documented, lookup in [field.metadata[_PARAMETER]]
)

# The claim list's URL parameters, in the form's order (without `page`, which every list has).
URL_PARAMETERS: tuple[str, ...] = tuple(p.name for p in PARAMETERS)
