"""Function views: parse the request, call a selector or service, render. Permission checks live here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims_app import roles, selectors, services
from claims_app.forms import ClaimFilterForm, StatusForm, UploadForm
from claims_app.models import Article, Claim, Speaker
from claims_app.nlp.records import InputRejected


def _page(request: HttpRequest, object_list, per_page: int | None = None):  # type: ignore[no-untyped-def]
    from django.conf import settings

    return Paginator(object_list, per_page or settings.CLAIMS_PAGE_SIZE).get_page(request.GET.get("page"))


def _get_or_404(selector, pk: int):  # type: ignore[no-untyped-def]
    try:
        return selector(pk)
    except (Article.DoesNotExist, Claim.DoesNotExist, Speaker.DoesNotExist):
        raise Http404("Not found.") from None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "claims_app/home.html",
        {
            "status_counts": selectors.status_counts(),
            "articles": selectors.article_list()[:5],
            "waiting": selectors.claim_list(selectors.ClaimFilters(status=Claim.Status.UNREVIEWED))[:10],
            "activity": selectors.recent_activity(),
        },
    )


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ClaimFilters(
        q=(data.get("q") or "").strip(),
        status=data.get("status") or "",
        kind=data.get("kind") or "",
        speaker=data.get("speaker"),
        article=data.get("article"),
        outlet=(data.get("outlet") or "").strip(),
    )
    page = _page(request, selectors.claim_list(filters))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "claims_app/claim_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "status_form": StatusForm()},
    )


@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _get_or_404(selectors.claim_detail, pk)
    return TemplateResponse(
        request,
        "claims_app/claim_detail.html",
        {"claim": claim, "status_form": StatusForm(initial={"status": claim.status, "version": claim.version})},
    )


@require_POST
def claim_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not roles.can_review(request.user):
        raise PermissionDenied("Only editors can review claims.")
    claim = _get_or_404(selectors.claim_detail, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid status.")
        return redirect(claim)
    try:
        claim = services.change_claim_status(
            claim=claim,
            user=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except services.ConflictError as exc:
        messages.error(
            request,
            f"Not saved: someone else changed this claim meanwhile (it is now “{exc.claim.get_status_display()}”). "
            "Review the latest version and try again.",
        )
        return redirect(exc.claim)
    messages.success(request, f"Marked “{claim.get_status_display()}”.")
    return redirect(request.POST.get("next") if _safe_next(request) else claim)


def _safe_next(request: HttpRequest) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "claims_app/article_list.html", {"page": _page(request, selectors.article_list())})


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _get_or_404(selectors.article_detail, pk)
    claims = list(selectors.article_claims(article))
    return TemplateResponse(
        request,
        "claims_app/article_detail.html",
        {"article": article, "claims": claims, "paragraphs": _highlighted_paragraphs(article.body, claims)},
    )


def _highlighted_paragraphs(body: str, claims: list[Claim]) -> list[list[tuple[str, Claim | None]]]:
    """Split the body into paragraphs of (text, claim-or-None) segments for safe highlighting."""
    paragraphs: list[list[tuple[str, Claim | None]]] = []
    position = 0
    spans = sorted(claims, key=lambda c: (c.start, -c.end))
    for paragraph_text in body.split("\n\n"):
        start, end = position, position + len(paragraph_text)
        segments: list[tuple[str, Claim | None]] = []
        cursor = start
        for claim in spans:
            if claim.end <= cursor or claim.start >= end:
                continue
            seg_start = max(claim.start, cursor)
            seg_end = min(claim.end, end)
            if seg_start > cursor:
                segments.append((body[cursor:seg_start], None))
            segments.append((body[seg_start:seg_end], claim))
            cursor = seg_end
        if cursor < end:
            segments.append((body[cursor:end], None))
        paragraphs.append(segments)
        position = end + 2
    return paragraphs


@require_http_methods(["GET", "POST"])
def article_upload(request: HttpRequest) -> HttpResponse:
    if not roles.can_upload(request.user):
        raise PermissionDenied("Only editors can upload articles.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read() if upload else form.cleaned_data["text"].encode("utf-8")
        filename = upload.name if upload else ""
        try:
            article = services.ingest_article(
                raw=raw,
                filename=filename,
                uploaded_by=request.user,
                overrides=services.ArticleOverrides(
                    title=form.cleaned_data["title"], url=form.cleaned_data["url"], outlet=form.cleaned_data["outlet"]
                ),
            )
        except InputRejected as exc:
            form.add_error(None, str(exc))
        else:
            if article.is_duplicate:
                messages.info(request, f"Already filed: this is the same text as “{article.title}”. Nothing new saved.")
            else:
                messages.success(request, f"Filed “{article.title}” with {article.claims.count()} claims.")
            return redirect(article)
    return TemplateResponse(request, "claims_app/article_upload.html", {"form": form})


@require_GET
def speaker_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    return TemplateResponse(
        request, "claims_app/speaker_list.html", {"page": _page(request, selectors.speaker_list(q)), "q": q}
    )


@require_GET
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = _get_or_404(selectors.speaker_detail, pk)
    return TemplateResponse(
        request,
        "claims_app/speaker_detail.html",
        {"speaker": speaker, "page": _page(request, selectors.speaker_claims(speaker))},
    )
