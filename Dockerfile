# The portal's production image: gunicorn serves bureau.wsgi, whitenoise the collected static files.
# docker-compose.yml runs it as web, Celery worker and Celery beat.
# The dashboard's chart library (Apache ECharts) at package-lock.json's pinned version, as `make assets` installs it.
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_MANIFEST=1

# pg_dump and pg_restore for `manage.py backup` / `restore` (docs/operations.md): bookworm's client
# is PostgreSQL 15, the server's major version in docker-compose.yml. fonts-noto-cjk: the CJK font the
# Word report's charts are drawn with (reports/charts.py); without it generating a report fails.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal \
    && mkdir -p /data/media /data/private \
    && chown portal:portal /data/media /data/private

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
COPY --from=assets /assets/node_modules/echarts/dist/echarts.min.js /assets/node_modules/echarts/LICENSE \
    /assets/node_modules/echarts/NOTICE static/vendor/echarts/
# Hashed, compressed static files (STATIC_MANIFEST=1) for whitenoise. The key only satisfies
# settings during the build; the running container gets its own SECRET_KEY.
RUN SECRET_KEY=build-only-collectstatic-key DEBUG=0 python manage.py collectstatic --noinput

# The code stays owned by root; the app user writes only to /data/media and /data/private (volumes in docker-compose.yml).
USER portal
EXPOSE 8000
# --timeout 60: a gunicorn worker silent for 60 s is killed and replaced. Longer than any page needs
# (heavy pages answer within a few seconds; reports and imports run in Celery), and longer than the
# PostgreSQL statement_timeout compose sets for web (STATEMENT_TIMEOUT_MS=30000), so a slow query is
# cancelled with a clean error first and the kill only catches a worker stuck elsewhere.
# --graceful-timeout 30: on a restart or deploy, requests in flight get 30 s to finish.
CMD ["gunicorn", "bureau.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--graceful-timeout", "30", "--access-logfile", "-"]
