"""gunicorn settings for `make serve` (override any with GUNICORN_CMD_ARGS, e.g. "--workers 4")."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Ingesting a pasted article runs spaCy in the request (about a second); leave headroom.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a long-running process cannot grow without bound. Not often: a
# new worker loads Django and then spaCy and the tagger (about 4 s of CPU, post_worker_init), and at a busy desk's
# rate every 5,000 requests meant a recycle every minute and a half, with multi-second tails behind each
# (docs/performance.md, "Worker recycling"). The jitter keeps the two workers from recycling together.
max_requests = 50_000
max_requests_jitter = 5_000
worker_tmp_dir = "/dev/shm"
accesslog = "-"
# key=value access lines: method, path, status, bytes, duration in microseconds.
access_log_format = 'remote=%(h)s method=%(m)s path="%(U)s" query="%(q)s" status=%(s)s bytes=%(B)s duration_us=%(D)s'


def post_worker_init(worker: object) -> None:
    """As each worker starts (and after every max_requests recycle), keep the garbage collector off what Django
    loaded, and load the NLP pipeline in a background thread, so the first upload it files does not load it
    inside the request (CLAIMS_WARM_NLP; the pipeline's objects are frozen once loaded; docs/performance.md)."""
    from claims_app.ingest.services import warm_nlp_in_background
    from claims_app.web.process import freeze_long_lived

    freeze_long_lived("Django")
    warm_nlp_in_background()
