# Production image: gunicorn, Celery worker and beat all run from this image (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's system libraries (Pango, HarfBuzz), fonts for PDFs, gettext for translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 outstanding
WORKDIR /app

COPY pyproject.toml README.md ./
COPY outstanding ./outstanding
COPY invoices ./invoices
COPY reminders ./reminders
COPY collection ./collection
COPY portal ./portal
RUN pip install .

COPY . .
# collectstatic only needs settings that load: production refuses to start without these, and the real
# values come at run time.
RUN SECRET_KEY=build-only DEBUG=0 ALLOWED_HOSTS=build.invalid SITE_URL=https://build.invalid \
    EMAIL_URL=smtp://build.invalid:25 python manage.py collectstatic --no-input \
 && mkdir -p /app/.data/media && chown -R outstanding /app/.data

USER outstanding
EXPOSE 8000
CMD ["gunicorn", "outstanding.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "2", "--access-logfile", "-"]
