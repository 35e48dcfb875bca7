"""Requests over a size limit get a page in the base layout that names the limit, not "Bad Request (400)"."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
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


def test_title_over_the_limit_is_shown_beside_the_title_field(editor_client):
    response = editor_client.post(reverse("claims_app:article_upload"), {"text": "Port Selden.", "title": "t" * 601})
    page = response.content.decode()
    assert response.status_code == 200 and not Article.objects.exists()
    assert "Ensure this value has at most" in page
    assert page.index("Ensure this value has at most") > page.index('name="title"')  # beside it, not at the top


def test_title_with_a_nul_is_refused_with_a_message(editor_client):
    response = editor_client.post(reverse("claims_app:article_upload"), {"text": "Port Selden.", "title": "a\x00b"})
    assert "Null characters are not allowed" in response.content.decode()
    assert not Article.objects.exists()


def test_every_upload_field_shows_its_errors(editor_client):
    response = editor_client.post(
        reverse("claims_app:article_upload"), {"text": "x\x00", "title": "\x00", "url": "\x00", "outlet": "\x00"}
    )
    assert response.content.decode().count("Null characters are not allowed") == 4


def test_a_thousand_character_filename_gets_a_clear_message(editor_client):
    # By hand: the test client's SimpleUploadedFile would cut the name to 255 characters before sending it.
    boundary = "claimdeskboundary"
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{"n" * 996}.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "Port Selden, Tuesday.\r\n"
        f"--{boundary}--\r\n"
    )
    response = editor_client.post(
        reverse("claims_app:article_upload"), body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Bad Request (400)" not in page
    assert "file name was too long" in page and not Article.objects.exists()


def test_a_foreign_host_header_gets_the_400_page_not_a_server_error(db):
    # Found by bench/security_probe.py: DisallowedHost is raised before AuthenticationMiddleware, so the 400
    # page's context processors met a request without a user (an AttributeError, a 500).
    response = Client().get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"<main" in response.content  # the base layout, navigation for nobody
