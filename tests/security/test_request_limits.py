"""Requests over a size limit get a page in the base layout that names the limit, not "Bad Request (400)"."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims_app.models import Article


def _assert_limit_page(response, setting: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    assert response.status_code == 400
    assert "Bad Request (400)" not in page
    assert "<main" in page and setting in page and shown in page, page


def test_twenty_megabytes_of_pasted_text_names_the_form_size_limit(editor_client):
    response = editor_client.post(reverse("claims_app:article_upload"), {"text": "word " * (4 * 1024 * 1024)})
    mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    _assert_limit_page(response, "DATA_UPLOAD_MAX_MEMORY_SIZE", f"{mb:g} MB")
    assert "too large" in response.content.decode()
    assert not Article.objects.exists()


def test_101_files_at_once_names_the_file_count_limit(editor_client):
    files = [SimpleUploadedFile(f"story-{i}.txt", b"Port Selden, Tuesday.", "text/plain") for i in range(101)]
    response = editor_client.post(reverse("claims_app:article_upload"), {"file": files})
    _assert_limit_page(response, "DATA_UPLOAD_MAX_NUMBER_FILES", "100 files")


def test_2999_bulk_ids_names_the_field_count_limit(editor_client):
    ids = [str(i) for i in range(1, 3000)]
    response = editor_client.post(reverse("claims_app:claim_bulk_status"), {"ids": ids, "status": "false"})
    _assert_limit_page(response, "DATA_UPLOAD_MAX_NUMBER_FIELDS", "1,000 fields")


def test_unknown_page_is_a_404_in_the_base_layout(viewer_client):
    response = viewer_client.get("/no-such-page/")
    assert response.status_code == 404 and b"<main" in response.content and b"Not found" in response.content
