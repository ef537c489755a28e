"""uv run python -m scripts.bench {pages,reminders,scale} --help"""

from __future__ import annotations

import argparse
import os
import shutil

from scripts.bench import db


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        default="",
        help="a new or empty PostgreSQL database (created if missing); default studyplan_bench_<command> "
        "on BENCH_DATABASE_SERVER or the local server",
    )
    common.add_argument("--recreate", action="store_true", help="drop and recreate the database first")
    common.add_argument(
        "--keep",
        action="store_true",
        help="keep a database this run created, and the folder of logs (both removed by default)",
    )
    common.add_argument("--quick", action="store_true", help="short runs, for a smoke test")

    pages = sub.add_parser("pages", parents=[common], help="learner pages under gunicorn + wrk, vs a bare view")
    pages.add_argument("--pages", default="", help="comma-separated subset, e.g. today,plan (default: all)")
    pages.add_argument("--seconds", type=float, default=0, help="length of each wrk run (default 10, quick 2)")
    pages.add_argument("--inproc", action="store_true", help="also time each page in process (test client)")
    pages.add_argument("--no-http", action="store_true", help="only the in-process timings, no gunicorn")

    rem = sub.add_parser("reminders", parents=[common], help="Celery worker vs raw smtplib on the same learners")
    rem.add_argument("--learners", type=int, default=1000)
    rem.add_argument("--concurrency", type=int, default=1, help="Celery worker processes")
    rem.add_argument("--batch-size", type=int, default=0, help="REMINDER_BATCH_SIZE (default: the project's)")
    rem.add_argument(
        "--rounds", type=int, default=3, help="worker runs, each between two raw runs; the median ratio is the result"
    )

    scale = sub.add_parser("scale", parents=[common], help="fill with a crowd of learners, then measure")
    scale.add_argument("--learners", type=int, default=100_000)
    scale.add_argument("--completions-per-learner", type=int, default=100)
    scale.add_argument("--concurrency", type=int, default=1, help="Celery worker processes for the sending rate")
    scale.add_argument("--send", type=int, default=2000, help="learners of the first tick to send (the rate)")
    scale.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries measured")
    return p


def main() -> None:
    args = parser().parse_args()
    url = args.database_url or db.default_url(args.command)
    created = db.prepare_database(url, recreate=args.recreate)
    try:
        env = db.run_environment(url, **({"REDIS_URL": os.environ["REDIS_URL"]} if "REDIS_URL" in os.environ else {}))
        db.setup_django()
        if args.command == "pages":
            from scripts.bench import pages

            pages.run(args, env)
        elif args.command == "reminders":
            from scripts.bench import reminders

            reminders.run(args, env)
        else:
            from scripts.bench import scale

            scale.run(args, env)
        if not args.keep:  # kept after a failure: the server and worker logs are in it
            shutil.rmtree(db.var_dir(), ignore_errors=True)
    finally:
        if created and not args.keep:
            from django.db import connections

            connections.close_all()
            db.drop_database(url)


if __name__ == "__main__":
    main()
