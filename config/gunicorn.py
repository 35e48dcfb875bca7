"""gunicorn settings for `make serve` (override any with GUNICORN_CMD_ARGS, e.g. "--workers 4")."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Ingesting a pasted article runs spaCy in the request (about a second); leave headroom.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a long-running process cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
worker_tmp_dir = "/dev/shm"
accesslog = "-"
# key=value access lines: method, path, status, bytes, duration in microseconds.
access_log_format = 'remote=%(h)s method=%(m)s path="%(U)s" query="%(q)s" status=%(s)s bytes=%(B)s duration_us=%(D)s'
