"""Behaviour of `decode_upload` / `decode_text`: pure unit tests, no database."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from claims_app.nlp.decoding import DEFAULT_MAX_BYTES, decode_text, decode_upload
from claims_app.nlp.records import InputRejected

MIB = 1024 * 1024

CURLY_CP1252_TEXT = (
    "Councillor Ada Brennan said the new caf\u00e9 on Mill Street \u201cwill not open before spring\u201d. "
    "\u2018We\u2019re disappointed,\u2019 said its owner, Jos\u00e9 Marqu\u00e9s \u2014 who had planned a "
    "launch in November. The na\u00efve timetable cost \u20ac12,000, he added\u2026"
)


def rejection(raw: bytes, **kwargs: object) -> str:
    """The user-facing message `decode_upload` raises for `raw`."""
    with pytest.raises(InputRejected) as excinfo:
        decode_upload(raw, **kwargs)  # type: ignore[arg-type]
    return str(excinfo.value)


# --- encodings ----------------------------------------------------------------


def test_plain_utf8_decodes_unchanged() -> None:
    text = "The harbour master said the pier would open \u201cwithin weeks\u201d. \u00c5sa agreed."
    assert decode_upload(text.encode("utf-8")) == text


def test_utf8_byte_order_mark_is_stripped() -> None:
    assert decode_upload(codecs.BOM_UTF8 + b"Ferry strike ends") == "Ferry strike ends"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_byte_order_mark_decode(codec: str) -> None:
    text = "The mayor of Eastwick, Lo\u00efc Dube, resigned on Friday."
    raw = text.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
        raw = bom + raw
    assert decode_upload(raw) == text


def test_utf16_without_bom_is_recognised_from_its_zero_bytes() -> None:
    text = "Residents of Lowmoor said the bridge closure had doubled their commute."
    assert decode_upload(text.encode("utf-16-le")) == text


def test_cp1252_file_with_curly_quotes_decodes() -> None:
    assert decode_upload(CURLY_CP1252_TEXT.encode("cp1252")) == CURLY_CP1252_TEXT


def test_short_cp1252_quote_decodes() -> None:
    text = "\u201cNo comment,\u201d said the caf\u00e9 owner."
    assert decode_upload(text.encode("cp1252")) == text


def test_single_accented_word_in_cp1252_decodes() -> None:
    assert decode_upload("R\u00e9sum\u00e9".encode("cp1252")) == "R\u00e9sum\u00e9"


def test_latin1_french_text_decodes() -> None:
    text = "Bonjour \u00e0 tous, voil\u00e0 l'\u00e9t\u00e9 \u00e0 Montr\u00e9al. \u00c7a va tr\u00e8s bien."
    assert decode_upload(text.encode("latin-1")) == text


def test_confidently_detected_cyrillic_decodes() -> None:
    text = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? " * 2 + (
        "\u042d\u0442\u043e \u0442\u0435\u043a\u0441\u0442 \u043d\u043e\u0432\u043e\u0441\u0442\u0435\u0439 "
        "\u043e \u0433\u043e\u0440\u043e\u0434\u0435."
    )
    assert decode_upload(text.encode("cp1251")) == text


def test_html_charset_declaration_is_honoured() -> None:
    text = '<html><head><meta charset="windows-1250"></head><body><p>\u0141\u00f3d\u017a: \u017bona burmistrza.</p>'
    assert decode_upload(text.encode("cp1250"), filename="page.html") == text


def test_html_declared_as_latin1_is_read_as_windows_1252() -> None:
    text = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head>'
        "<body><p>\u201cWe\u2019ll see,\u201d said the caf\u00e9 owner.</p></body></html>"
    )
    assert decode_upload(text.encode("cp1252"), filename="page.html") == text


def test_bytes_in_no_recognisable_encoding_are_rejected() -> None:
    message = rejection(b"The price \x81\x81 rose")
    assert message == "The file uses a text encoding we couldn't recognise; save it as UTF-8 and upload it again."


def test_invalid_bytes_after_a_utf16_bom_are_rejected() -> None:
    assert "marked as UTF-16" in rejection(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", filename="story.txt")


# --- normalisation ----------------------------------------------------------------


def test_windows_and_old_mac_newlines_become_lf() -> None:
    assert decode_upload(b"one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


def test_unicode_line_separators_become_lf() -> None:
    assert decode_upload("one\u2028two\u2029three".encode()) == "one\ntwo\nthree"


def test_text_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301 Re\u0301mi"
    result = decode_upload(decomposed.encode())
    assert result == "Caf\u00e9 R\u00e9mi"
    assert unicodedata.is_normalized("NFC", result)


def test_stray_control_characters_are_dropped() -> None:
    raw = b"The ferry left at nine, said the harbour master.\x1a"
    assert decode_upload(raw) == "The ferry left at nine, said the harbour master."


def test_form_feed_becomes_a_line_break() -> None:
    assert decode_upload(b"Page one\x0cPage two") == "Page one\nPage two"


def test_tabs_are_kept() -> None:
    assert decode_upload(b"Name\tRole") == "Name\tRole"


# --- refusals ----------------------------------------------------------------


def test_empty_file_is_rejected() -> None:
    assert rejection(b"", filename="story.txt") == "\u201cstory.txt\u201d is empty."


def test_whitespace_only_file_is_rejected() -> None:
    assert rejection(b"  \n\t \r\n") == "The file is empty: it contains only whitespace."


def test_bom_only_file_is_rejected() -> None:
    assert rejection(codecs.BOM_UTF8) == "The file contains no readable text."


def test_oversize_file_reports_size_and_limit() -> None:
    raw = b"x" * int(7.2 * MIB)
    assert rejection(raw) == "File is 7.2 MB; the limit is 5 MB."


def test_file_just_over_the_limit_never_looks_equal_to_it() -> None:
    message = rejection(b"x" * (DEFAULT_MAX_BYTES + 1))
    assert message == "File is 5.1 MB; the limit is 5 MB."


def test_small_custom_limit_is_reported_in_kilobytes() -> None:
    assert rejection(b"x" * 3000, max_bytes=2048) == "File is 3 KB; the limit is 2 KB."


def test_file_exactly_at_the_limit_is_accepted() -> None:
    assert decode_upload(b"a" * 2048, max_bytes=2048) == "a" * 2048


@pytest.mark.parametrize(
    ("raw", "looks_like"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a WebP image"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml", "a Word document (.docx)"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00notes.txt", "a ZIP archive"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "a gzip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an old Microsoft Office document (.doc/.xls)"),
        (b"{\\rtf1\\ansi Hello}", "an RTF document"),
    ],
)
def test_known_binary_formats_are_named(raw: bytes, looks_like: str) -> None:
    expected = f"\u201cupload.txt\u201d looks like {looks_like}, not a text article."
    assert rejection(raw, filename="upload.txt") == expected


def test_nul_bytes_mean_binary() -> None:
    assert rejection(b"Harbour\x00report\x00\x01\x02") == "The file looks like binary data, not a text article."


def test_control_byte_noise_means_binary() -> None:
    noise = bytes(range(1, 9)) * 50 + b"some words"
    assert rejection(noise) == "The file looks like binary data, not a text article."


def test_text_starting_with_letters_that_match_a_magic_number_is_not_binary() -> None:
    # "MZ" and "BM" open real sentences; only headers with NULs are programs or bitmaps.
    assert decode_upload(b"MZ Holdings said profits rose.") == "MZ Holdings said profits rose."
    assert decode_upload(b"BM Ferries cancelled the 9am sailing.") == "BM Ferries cancelled the 9am sailing."


@pytest.mark.parametrize("raw", [b"", b"   ", b"%PDF-1.4", b"x" * 30, b"abc\x00def", b"The price \x81\x81 rose"])
def test_every_rejection_is_a_single_line(raw: bytes) -> None:
    with pytest.raises(InputRejected) as excinfo:
        decode_upload(raw, max_bytes=20)
    message = str(excinfo.value)
    assert message and "\n" not in message


# --- pasted text ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_or_blank_pasted_text_is_rejected(text: str) -> None:
    with pytest.raises(InputRejected, match=r"^The pasted text is empty\.$"):
        decode_text(text)


def test_pasted_text_over_the_limit_is_rejected_with_sizes() -> None:
    with pytest.raises(InputRejected, match=r"^Text is 3 KB; the limit is 2 KB\.$"):
        decode_text("y" * 3000, max_bytes=2048)


def test_pasted_text_size_is_measured_in_utf8_bytes() -> None:
    # 1,000 "é" characters are 2,000 bytes in UTF-8.
    with pytest.raises(InputRejected):
        decode_text("\u00e9" * 1000, max_bytes=1500)
    assert decode_text("e" * 1000, max_bytes=1500) == "e" * 1000


def test_pasted_text_is_normalised_like_an_upload() -> None:
    assert decode_text("\ufeffCafe\u0301\r\nsaid \x07hi") == "Caf\u00e9\nsaid hi"


def test_pasted_text_of_only_control_characters_is_rejected() -> None:
    with pytest.raises(InputRejected, match="no readable characters"):
        decode_text("\x07\x08\x1b")
