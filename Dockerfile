# The app's image: gunicorn serving backend.wsgi with gunicorn.conf.py, as a user without privileges.
# compose.yaml runs two of it behind nginx; README, "Production".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are part of the image (WhiteNoise serves them). collectstatic reads settings, not secrets:
# the key below exists for this one command and is not in the image's environment.
RUN SECRET_KEY=collectstatic-only-not-a-secret DEBUG=false python manage.py collectstatic --noinput --verbosity 0

# gunicorn's control socket goes in the user's home (~/.gunicorn).
RUN useradd --create-home --uid 10001 app
USER app

EXPOSE 8000
# Exec form: gunicorn is PID 1 and gets the orchestrator's SIGTERM itself, then drains (graceful_timeout).
# More workers or threads: GUNICORN_CMD_ARGS="--workers 4 --threads 4".
CMD ["gunicorn", "backend.wsgi:application", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4"]
