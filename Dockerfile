# The app image: web (gunicorn), worker and beat (celery) all run from it; see docker-compose.yml.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/opt/venv/bin:$PATH"

# uv from PyPI, pinned to the version that wrote uv.lock.
RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app

# Dependencies first, in their own layer: code changes do not reinstall them.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Hashed, compressed static files are baked into the image; whitenoise serves them. The key is a
# throw-away used only while collecting (settings need one); the var dir keeps build leftovers out of /app/var.
RUN DJANGO_SECRET_KEY=collectstatic-build-only DJANGO_VAR_DIR=/tmp/build-var DJANGO_MANIFEST_STATIC=1 \
    python manage.py collectstatic --noinput && rm -rf /tmp/build-var

# Run as an unprivileged user. /app/var holds the generated secret key and beat's schedule: a volume
# shared by the app containers (docker-compose.yml).
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/var && chown app:app /app/var
USER app

ENV DJANGO_DEBUG=0 \
    DJANGO_MANIFEST_STATIC=1
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000"]
