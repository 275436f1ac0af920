# The service under gunicorn, as in production. docker-compose.yml adds nginx, PostgreSQL, Redis and the one-off
# migrate service.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
# The user the service runs as, with a home of its own (Python and pip write caches there); /app stays root's.
RUN useradd --system --create-home --home-dir /home/adminduk --shell /usr/sbin/nologin adminduk

COPY pyproject.toml README.md manage.py ./
COPY adminduk ./adminduk
COPY coverage ./coverage
COPY fixtures ./fixtures
RUN pip install -e . \
    && DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-never-used-at-run-time-0123456789 python manage.py collectstatic --noinput

USER adminduk
EXPOSE 8000

# gunicorn's settings (worker model, workers, timeout, its logs as JSON) are in adminduk/gunicorn.py. Migrations,
# the article's data and the region list run once per deploy before the replicas start (docker-compose.yml: migrate),
# not on every replica's start.
CMD ["gunicorn", "-c", "python:adminduk.gunicorn", "adminduk.wsgi:application"]

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
