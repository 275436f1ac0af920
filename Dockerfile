# The service under gunicorn, as in production. docker-compose.yml adds PostgreSQL.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin adminduk

COPY pyproject.toml README.md manage.py ./
COPY adminduk ./adminduk
COPY coverage ./coverage
COPY fixtures ./fixtures
RUN pip install -e . \
    && DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-never-used-at-run-time-0123456789 python manage.py collectstatic --noinput

USER adminduk
EXPOSE 8000

# gunicorn's settings (worker model, workers, timeout) are in adminduk/gunicorn.py.
# On every start: migrations, the article's data (only if absent: never over later corrections) and the
# region list (idempotent; never deletes).
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py seed_article && python manage.py load_regions && exec gunicorn -c python:adminduk.gunicorn adminduk.wsgi:application"]

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
