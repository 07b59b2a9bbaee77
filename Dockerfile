# The image that docker-compose.yml runs as web, worker, beat and migrate (docs/DEPLOY.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# PostgreSQL's client tools, for scripts/backup (version 15, as the postgres:15 service).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# The code belongs to root and stays read-only for the app user: a compromised
# process cannot rewrite what it runs. .dockerignore keeps private/ (export
# files with personal data), media, .env and caches out of the image.
COPY . .
RUN python -m compileall -q petition campaigns signatures

# Static files are collected into the image, with the manifest that pages name
# them by (/healthz fails without it). Production settings need a key and a
# host to load; these exist only during this step.
RUN DEBUG=0 \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    IP_HASH_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    EMAIL_LINK_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=build.invalid \
    SITE_URL=https://build.invalid \
    python manage.py collectstatic --noinput --verbosity 0

# An unprivileged user owns only what the platform writes: uploaded images and
# export files (private, never served).
RUN useradd --system --uid 10001 --create-home --home-dir /home/petition petition \
    && mkdir -p /app/media /app/private/exports /app/private/imports \
    && chown petition:petition /app/media /app/private /app/private/exports /app/private/imports \
    && chmod 700 /app/private /app/private/exports /app/private/imports
USER petition

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "scripts/healthcheck"]
CMD ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--blocking-threads", "1", "--no-ws", "--respawn-failed-workers", "--workers-kill-timeout", "30", "petition.wsgi:application"]
