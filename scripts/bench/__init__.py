"""The benchmark suite: how fast the pages and the reminders are, measured against fixed references.

    uv run python -m scripts.bench pages       # gunicorn + wrk: each learner page as a ratio of a bare Django view
    uv run python -m scripts.bench reminders   # the Celery worker against raw smtplib, on the same learners
    uv run python -m scripts.bench scale       # 100,000 learners: page times, fan-out time, sizes

Each command builds its own PostgreSQL database (see `--help`); docs/benchmarks.md has the figures.
Not imported by the app, and not a test: the numbers depend on the machine.
"""
