"""Turn uploaded bytes or pasted text into clean Unicode, or refuse with a user-facing reason.

Step 1 of the pure NLP pipeline: no Django, no database. Every refusal is an
`InputRejected` whose message is one line an editor can act on.
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata

from charset_normalizer import CharsetMatch, from_bytes

from claims_app.nlp.records import InputRejected

__all__ = ["DEFAULT_MAX_BYTES", "decode_text", "decode_upload"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_MIB = 1024 * 1024
_KIB = 1024

# How much of the file the cheap binary sniffers look at; enough for any header.
_SNIFF_BYTES = 8192

# (prefix, offset, description) for formats editors plausibly upload by mistake.
_MAGIC_NUMBERS: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"\x00\x00\x01\x00", 0, "an icon file"),
    (b"PK\x03\x04", 0, "a ZIP archive"),
    (b"PK\x05\x06", 0, "a ZIP archive"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"BZh", 0, "a bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", 0, "a Zstandard archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", 0, "an RTF document"),
    (b"SQLite format 3\x00", 0, "an SQLite database"),
    (b"\x7fELF", 0, "a program (ELF executable)"),
    (b"\xca\xfe\xba\xbe", 0, "a compiled program"),
    (b"\x00asm", 0, "a WebAssembly module"),
    (b"ID3", 0, "an MP3 audio file"),
    (b"OggS", 0, "an Ogg audio/video file"),
    (b"fLaC", 0, "a FLAC audio file"),
    (b"\x1aE\xdf\xa3", 0, "a Matroska/WebM video"),
    (b"ftyp", 4, "an MP4/MOV video or audio file"),
    (b"wOFF", 0, "a web font"),
    (b"wOF2", 0, "a web font"),
)

# RIFF is a container: the form type at offset 8 says what it holds.
_RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}

# ZIP-based office/e-book formats are recognisable by member names near the start.
_ZIP_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"word/", "a Word document (.docx)"),
    (b"xl/", "an Excel spreadsheet (.xlsx)"),
    (b"ppt/", "a PowerPoint presentation (.pptx)"),
    (b"application/epub+zip", "an EPUB e-book"),
    (b"application/vnd.oasis.opendocument", "an OpenDocument file"),
)

# BOMs, longest first: the UTF-32 LE BOM starts with the UTF-16 LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# <meta charset="..."> / <meta http-equiv... content="...; charset=..."> / <?xml encoding="..."?>
_DECLARED_CHARSET = re.compile(
    rb"""(?:<meta[^>]{0,200}?charset|<\?xml[^>]{0,100}?encoding)\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.I
)
_DECLARED_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}

# C0 controls other than tab/newline/CR/form feed/vertical tab, plus DEL.
_BINARY_CONTROL_BYTES = frozenset([*range(0x09), *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_BYTE_RATIO = 0.05

# charset-normalizer is only trusted when it is clearly sure (chaos: lower is better).
_CN_MAX_CHAOS = 0.2
_CN_MIN_COHERENCE = 0.1
_CN_TIE_MARGIN = 0.02

# cp1252 fallback: anything outside ASCII, Latin-1 and cp1252's punctuation block is implausible.
_NON_WESTERN = re.compile(r"[^\x00-\x7f\xa0-\xff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MAX_NON_ASCII_RATIO_FOR_CP1252 = 0.4
# Mis-decoded Cyrillic/Greek/etc. shows up as long runs of accented Latin letters.
_LONG_NON_ASCII_RUN = re.compile(r"[\xc0-\xff]{4,}")

# Characters removed after decoding: controls other than tab and newline, and stray BOMs.
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]")
# Form feeds and vertical tabs separate pages/lines in old exports: treat them as line breaks.
_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")


def decode_upload(raw: bytes, *, filename: str = "", max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode an uploaded file to NFC text with `\\n` newlines, or raise `InputRejected`."""
    _check_size(len(raw), max_bytes, noun="File")
    if not raw.strip():
        raise InputRejected(_empty_message(raw, filename))
    text = _decode_bytes(raw, filename=filename)
    text = _normalise(text)
    if not text.strip():
        raise InputRejected(f"{_name(filename)} contains no readable text.")
    return text


def decode_text(text: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Normalise pasted text like an upload (size measured as UTF-8), or raise `InputRejected`."""
    if not text or not text.strip():
        raise InputRejected("The pasted text is empty.")
    # Encoding is the only honest way to compare with the byte limit; surrogates must not crash it.
    size = len(text.encode("utf-8", errors="surrogatepass"))
    _check_size(size, max_bytes, noun="Text")
    text = _normalise(text)
    if not text.strip():
        raise InputRejected("The pasted text contains no readable characters.")
    return text


def _check_size(size: int, max_bytes: int, *, noun: str) -> None:
    """Reject anything larger than `max_bytes`."""
    if size > max_bytes:
        raise InputRejected(f"{noun} is {_format_size(size)}; the limit is {_format_size(max_bytes, round_up=False)}.")


def _format_size(size: int, *, round_up: bool = True) -> str:
    """Human size such as "7.2 MB"; rounding up keeps an oversize file from showing as equal to the limit."""
    for unit, scale in (("MB", _MIB), ("KB", _KIB)):
        if size >= scale:
            tenths = size * 10 / scale
            tenths = math.ceil(tenths - 1e-9) if round_up else round(tenths)
            value = f"{tenths / 10:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    return f"{size} bytes"


def _name(filename: str) -> str:
    """How messages refer to the upload."""
    return f"“{filename}”" if filename else "The file"


def _empty_message(raw: bytes, filename: str) -> str:
    """Distinguish a zero-byte file from one holding only whitespace."""
    if not raw:
        return f"{_name(filename)} is empty."
    return f"{_name(filename)} is empty: it contains only whitespace."


def _decode_bytes(raw: bytes, *, filename: str) -> str:
    """Pick an encoding: BOM, binary checks, UTF-8, confident detection, then a cautious cp1252 guess."""
    bom_text = _decode_by_bom(raw, filename)
    if bom_text is not None:
        return bom_text
    kind = _binary_kind(raw)
    if kind:
        raise InputRejected(f"{_name(filename)} looks like {kind}, not a text article.")
    utf16 = _decode_bomless_utf16(raw)
    if utf16 is not None:
        return utf16
    if b"\x00" in raw or _control_byte_ratio(raw) > _MAX_CONTROL_BYTE_RATIO:
        raise InputRejected(f"{_name(filename)} looks like binary data, not a text article.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _decode_declared(raw)
    if declared is not None:
        return declared
    best = _best_detected(raw)
    # A confident detection beats the cp1252 guess; an unconfident one is never used.
    if best is not None and best.coherence >= _CN_MIN_COHERENCE and best.chaos <= _CN_MAX_CHAOS:
        return _accept(str(best), filename)
    western = _decode_western(raw)
    if western is not None:
        return western
    raise InputRejected(
        f"{_name(filename)} uses a text encoding we couldn't recognise; save it as UTF-8 and upload it again."
    )


def _decode_by_bom(raw: bytes, filename: str) -> str | None:
    """Decode UTF-8/16/32 when the file starts with a byte-order mark."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                label = encoding.upper().removesuffix("-SIG")
                raise InputRejected(f"{_name(filename)} is marked as {label} but contains invalid bytes.") from exc
    return None


def _binary_kind(raw: bytes) -> str:
    """Describe a known binary format from its magic number, or return ""."""
    head = raw[:_SNIFF_BYTES]
    if head.startswith(b"RIFF") and len(head) >= 12:
        return _RIFF_KINDS.get(head[8:12], "a media file (RIFF)")
    for prefix, offset, description in _MAGIC_NUMBERS:
        if head[offset : offset + len(prefix)] == prefix:
            if description == "a ZIP archive":
                return _zip_kind(head)
            return description
    # "MZ"/"BM" are common text openings, so require the NULs real headers carry.
    if head.startswith(b"MZ") and b"\x00" in head[:64]:
        return "a Windows program"
    if head.startswith(b"BM") and b"\x00" in head[:32]:
        return "a BMP image"
    return ""


def _zip_kind(head: bytes) -> str:
    """Name the office or e-book format hiding inside a ZIP container."""
    for marker, description in _ZIP_KINDS:
        if marker in head:
            return description
    return "a ZIP archive"


def _decode_bomless_utf16(raw: bytes) -> str | None:
    """Recognise UTF-16 without a BOM: ASCII-heavy text leaves NULs at every other byte."""
    head = raw[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    if len(head) < 4 or len(raw) % 2:
        return None
    even_nuls = head[0::2].count(0) / (len(head) // 2)
    odd_nuls = head[1::2].count(0) / (len(head) // 2)
    if odd_nuls > 0.6 and even_nuls < 0.05:
        encoding = "utf-16-le"
    elif even_nuls > 0.6 and odd_nuls < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if _looks_like_text(text) else None


def _control_byte_ratio(raw: bytes) -> float:
    """Share of binary-only control bytes in the first few KB."""
    head = raw[:_SNIFF_BYTES]
    if not head:
        return 0.0
    return sum(1 for byte in head if byte in _BINARY_CONTROL_BYTES) / len(head)


def _looks_like_text(text: str) -> bool:
    """True when control characters are rare, as in any real document."""
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return False
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return controls / len(sample) <= _MAX_CONTROL_BYTE_RATIO


def _decode_declared(raw: bytes) -> str | None:
    """Honour an HTML/XML charset declaration when the bytes really decode with it."""
    match = _DECLARED_CHARSET.search(raw[:_SNIFF_BYTES])
    if not match:
        return None
    try:
        encoding = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # Browsers read these labels as windows-1252, and so do the files that carry them.
    encoding = _DECLARED_ALIASES.get(encoding, encoding)
    if encoding.startswith(("utf-16", "utf-32")):
        return None  # without a BOM the declaration is usually a lie left by an editor
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if _looks_like_text(text) else None


def _best_detected(raw: bytes) -> CharsetMatch | None:
    """charset-normalizer's best guess, preferring cp1252 when it ties."""
    matches = list(from_bytes(raw))
    if not matches:
        return None
    best = matches[0]
    # Short Western texts tie across cp1250/cp1252/cp1257; cp1252 is by far the likeliest.
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + _CN_TIE_MARGIN:
            return match
    return best


def _accept(text: str, filename: str) -> str:
    """Return detected text unless it is riddled with control characters."""
    if not _looks_like_text(text):
        raise InputRejected(f"{_name(filename)} looks like binary data, not a text article.")
    return text


def _decode_western(raw: bytes) -> str | None:
    """Fallback for short cp1252/latin-1 files the detector can't judge (e.g. one curly quote)."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if len(_NON_ASCII.findall(text)) > len(text) * _MAX_NON_ASCII_RATIO_FOR_CP1252:
        return None
    if _NON_WESTERN.search(text) or _LONG_NON_ASCII_RUN.search(text):
        return None
    return text


def _normalise(text: str) -> str:
    """Unify line breaks to `\\n`, drop stray control characters, NFC-normalise."""
    text = _NEWLINES.sub("\n", text)
    text = _STRAY_CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text)
